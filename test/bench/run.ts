/**
 * `npm run bench`: the sacct import on a PostgreSQL server (issue 9: "a generated 200,000-line file
 * imports; its time and peak memory in the benchmark, not in a test").
 *
 * On DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) it creates a fresh database
 * pb_bench_<random> (dropped at the end, also on failure or Ctrl-C), loads migrations and the demo data with
 * the built CLI (`seed-demo`), maps two Slurm accounts and partitions of a demo compute facility, generates
 * a 200,000-line sacct file (test/helpers/sacct-generator.ts) and runs, each in its own process so that each
 * peak RSS is its own (rss-probe.js, preloaded):
 *   - startup: `import-sacct` of a header-only file (Node, Nest, database connection: the fixed cost);
 *   - parse only: the same streaming parse and classification, no database (parse-only.ts);
 *   - import 1: `node dist/cli.js import-sacct …` of the file: every job new;
 *   - import 2: the same file again: every job a duplicate.
 * Prints a table and writes bench-results.json (git-ignored). Never run by `npm test` or CI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { SACCT_HEADER, writeSacctFile, type SacctGenerated } from '../helpers/sacct-generator';

const LINES = 200_000;
const CLUSTER = 'benchhpc';
const CHILD_TIMEOUT_MS = 180_000;

/** The repository root (this file runs compiled, from dist/bench/test/bench/). */
function findRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'nest-cli.json'))) return dir;
  }
  throw new Error('repository root not found');
}
const ROOT = findRoot();
const CLI = join(ROOT, 'dist', 'cli.js');
const PROBE = join(__dirname, 'rss-probe.js');
const PARSE_ONLY = join(__dirname, 'parse-only.js');

interface ChildResult {
  stdout: string;
  stderr: string;
  wallSeconds: number;
  maxRssMb: number;
}

interface Row {
  run: string;
  lines: number;
  imported: number | null;
  duplicates: number | null;
  /** Wall time of the whole process (start to exit). */
  processSeconds: number;
  /** The work itself: the parse loop for the baseline; for imports, process time less the startup run's. */
  seconds: number;
  linesPerSecond: number | null;
  peakRssMb: number;
  /** seconds ÷ the parse baseline's seconds. */
  ratioToParse: number | null;
}

let current: ChildProcess | null = null;
const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | null = null;
let interrupted = false;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        process.stderr.write(`bench: cleanup: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
    interrupted = true;
    current?.kill('SIGKILL');
    void cleanup().then(() => process.exit(130));
  });
}

/** Runs a node child with the RSS probe preloaded; `onStderr` sees each progress line. */
function runNode(label: string, args: string[], env: NodeJS.ProcessEnv, work: string, onLine?: (line: string) => void): Promise<ChildResult> {
  const probeFile = join(work, `probe-${label.replace(/\W+/g, '-')}.json`);
  return new Promise((resolveRun, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', PROBE, ...args], { env: { ...env, BENCH_PROBE_FILE: probeFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const parts = (partial + d).split(/[\r\n]/);
      partial = parts.pop() ?? '';
      for (const p of parts) if (p && onLine) onLine(p);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = null;
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${label}: exit ${code ?? signal}\n${stderr.slice(-2000)}`));
      const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as { maxRssKb: number };
      resolveRun({ stdout, stderr, wallSeconds, maxRssMb: probe.maxRssKb / 1024 });
    });
  });
}

/** Progress: the CLI prints "import-sacct: N lines read" every 10,000 lines (and once more at the end); show every 50,000, once. */
function progress(label: string) {
  const shown = new Set<string>();
  return (line: string) => {
    const m = /(?:import-sacct|parse-only): (\d+) lines read/.exec(line);
    if (m && (Number(m[1]) % 50_000 === 0 || Number(m[1]) === LINES) && !shown.has(m[1])) {
      shown.add(m[1]);
      process.stdout.write(`  ${label}: ${m[1]} lines read\n`);
    } else if (!m && /error|fail/i.test(line)) process.stderr.write(`  ${label}: ${line}\n`);
  };
}

/** A plain text table: the first column left-aligned, the others right-aligned. */
function formatTable(header: string[], body: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}

function check(what: string, actual: unknown, expected: unknown) {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

async function main() {
  const t0 = Date.now();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run bench" (it builds first) or "npm run build"`);
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `pb_bench_${randomBytes(6).toString('hex')}`;
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const [{ server_version: pgVersion }] = (await admin.query<{ server_version: string }>('SHOW server_version')).rows;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
    process.stdout.write(`bench: database ${name} dropped\n`);
  });
  const work = mkdtempSync(join(tmpdir(), 'pb-bench-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  process.stdout.write(`bench: PostgreSQL ${pgVersion} at ${dbUrl.host}, database ${name}; temp dir ${work}\n`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
  };

  // Migrations and the demo data, as an operator would load them.
  let t = Date.now();
  await runNode('seed-demo', [CLI, 'seed-demo'], env, work);
  process.stdout.write(`setup: migrations and demo data in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

  // A demo compute facility with a GPU pool and a CPU pool, and the two demo SMEs: map them.
  const db = new Client({ connectionString: dbUrl.toString() });
  await db.connect();
  let facility: { id: string; name_en: string; time_zone: string; gpu: string; cpu: string };
  let orgs: Array<{ email: string; organisation_id: string }>;
  try {
    [facility] = (
      await db.query<typeof facility>(
        `SELECT f.id, f.name_en, f.time_zone,
                (SELECT id FROM resources WHERE facility_id = f.id AND unit = 'gpu_hour' ORDER BY name_en LIMIT 1) AS gpu,
                (SELECT id FROM resources WHERE facility_id = f.id AND unit = 'core_hour' ORDER BY name_en LIMIT 1) AS cpu
           FROM facilities f
          WHERE f.time_zone = 'Asia/Shanghai'
            AND EXISTS (SELECT 1 FROM resources WHERE facility_id = f.id AND unit = 'gpu_hour')
            AND EXISTS (SELECT 1 FROM resources WHERE facility_id = f.id AND unit = 'core_hour')
          ORDER BY f.name_en LIMIT 1`,
      )
    ).rows;
    if (!facility) throw new Error('the demo data has no compute facility with a GPU and a CPU pool');
    orgs = (
      await db.query<{ email: string; organisation_id: string }>(
        `SELECT email, organisation_id FROM users WHERE email IN ('sme@demo.local', 'sme2@demo.local') ORDER BY email`,
      )
    ).rows;
    check('demo SMEs', orgs.length, 2);
    await db.query(
      `INSERT INTO slurm_mappings (facility_id, cluster, kind, name, organisation_id, resource_id, created_at) VALUES
         ($1, $2, 'account', 'sme-xincai', $3, NULL, now()), ($1, $2, 'account', 'sme-qingneng', $4, NULL, now()),
         ($1, $2, 'partition', 'gpu-a100', NULL, $5, now()), ($1, $2, 'partition', 'cpu', NULL, $6, now())`,
      [facility.id, CLUSTER, orgs[0].organisation_id, orgs[1].organisation_id, facility.gpu, facility.cpu],
    );
  } finally {
    await db.end();
  }
  process.stdout.write(`setup: facility "${facility.name_en}" (${facility.time_zone}), cluster ${CLUSTER}: 2 accounts, 2 partitions mapped\n`);

  t = Date.now();
  const file = join(work, 'sacct-bench.txt');
  const generated: SacctGenerated = await writeSacctFile(file, { lines: LINES }, (n) => {
    if (n % 50_000 === 0) process.stdout.write(`  generate: ${n} lines written\n`);
  });
  process.stdout.write(
    `generate: ${LINES} lines, ${(generated.bytes / 1e6).toFixed(1)} MB (${generated.jobs} jobs, ${generated.steps} steps, ${generated.pending} pending) in ${((Date.now() - t) / 1000).toFixed(1)} s\n`,
  );
  const empty = join(work, 'sacct-empty.txt');
  writeFileSync(empty, SACCT_HEADER + '\n');

  const importArgs = (f: string) => [CLI, 'import-sacct', '--facility', facility.id, '--cluster', CLUSTER, f];
  const rows: Row[] = [];

  process.stdout.write('startup: import-sacct of a header-only file (Node, Nest, database connection)\n');
  const startup = await runNode('startup', importArgs(empty), env, work);
  rows.push({
    run: 'startup (header only)',
    lines: 0,
    imported: 0,
    duplicates: 0,
    processSeconds: startup.wallSeconds,
    seconds: startup.wallSeconds,
    linesPerSecond: null,
    peakRssMb: startup.maxRssMb,
    ratioToParse: null,
  });

  process.stdout.write('parse only: stream, sha256, csv-parse, classify; no database\n');
  const parsed = await runNode('parse-only', [PARSE_ONLY, file, facility.time_zone], env, work, progress('parse only'));
  const p = JSON.parse(parsed.stdout) as { lines: number; seconds: number; kinds: Record<string, number> };
  check('parse-only lines', p.lines, LINES);
  check('parse-only jobs', p.kinds.job, generated.jobs);
  rows.push({
    run: 'parse only (no DB)',
    lines: p.lines,
    imported: null,
    duplicates: null,
    processSeconds: parsed.wallSeconds,
    seconds: p.seconds,
    linesPerSecond: p.lines / p.seconds,
    peakRssMb: parsed.maxRssMb,
    ratioToParse: 1,
  });

  for (const [i, label] of [
    [1, 'import 1 (all new)'],
    [2, 'import 2 (all duplicates)'],
  ] as const) {
    process.stdout.write(`${label}: node dist/cli.js import-sacct\n`);
    const r = await runNode(`import-${i}`, importArgs(file), env, work, progress(`import ${i}`));
    const s = JSON.parse(r.stdout) as {
      lines: number;
      imported: number;
      duplicates: number;
      steps: number;
      pending: number;
      rejected: number;
      unitHours: Record<string, number>;
    };
    check(`${label}: lines`, s.lines, LINES);
    check(`${label}: steps`, s.steps, generated.steps);
    check(`${label}: pending`, s.pending, generated.pending);
    check(`${label}: rejected`, s.rejected, 0);
    check(`${label}: imported`, s.imported, i === 1 ? generated.jobs : 0);
    check(`${label}: duplicates`, s.duplicates, i === 1 ? 0 : generated.jobs);
    if (i === 1) {
      check('GPU-hours', s.unitHours.gpu_hour, generated.unitHours.gpu_hour);
      check('core-hours', s.unitHours.core_hour, generated.unitHours.core_hour);
    }
    const seconds = Math.max(r.wallSeconds - startup.wallSeconds, 0.001);
    rows.push({
      run: label,
      lines: s.lines,
      imported: s.imported,
      duplicates: s.duplicates,
      processSeconds: r.wallSeconds,
      seconds,
      linesPerSecond: s.lines / seconds,
      peakRssMb: r.maxRssMb,
      ratioToParse: seconds / p.seconds,
    });
  }

  const header = ['run', 'lines', 'imported', 'duplicates', 'process s', 's', 'lines/s', 'peak RSS MB', '÷ parse'];
  const body = rows.map((r) => [
    r.run,
    String(r.lines),
    r.imported === null ? '' : String(r.imported),
    r.duplicates === null ? '' : String(r.duplicates),
    r.processSeconds.toFixed(2),
    r.seconds.toFixed(2),
    r.linesPerSecond === null ? '' : String(Math.round(r.linesPerSecond)),
    r.peakRssMb.toFixed(0),
    r.ratioToParse === null ? '' : r.ratioToParse.toFixed(1),
  ]);
  process.stdout.write('\n' + formatTable(header, body));
  process.stdout.write(
    "s: the work itself (parse only: the parse loop; imports: the process's time less the startup run's). " +
      'Peak RSS: the whole process (process.resourceUsage().maxRSS).\n',
  );

  const cpuList = cpus();
  const results = {
    date: new Date().toISOString(),
    benchmark: 'sacct import (issue 9)',
    file: { lines: LINES, bytes: generated.bytes, jobs: generated.jobs, steps: generated.steps, pending: generated.pending, unitHours: generated.unitHours },
    runs: rows.map((r) => ({
      ...r,
      processSeconds: round(r.processSeconds, 3),
      seconds: round(r.seconds, 3),
      linesPerSecond: r.linesPerSecond === null ? null : Math.round(r.linesPerSecond),
      peakRssMb: round(r.peakRssMb, 1),
      ratioToParse: r.ratioToParse === null ? null : round(r.ratioToParse, 2),
    })),
    machine: {
      hostname: hostname(),
      platform: `${platform()} ${release()}`,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? null,
      memoryGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      postgres: pgVersion,
      postgresHost: dbUrl.host,
    },
    totalSeconds: round((Date.now() - t0) / 1000, 1),
  };
  const out = join(ROOT, 'bench-results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`bench: ${resolve(out)} written; ${results.totalSeconds} s in all\n`);
}

main()
  .then(cleanup, async (e: unknown) => {
    if (!interrupted) process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
    await cleanup();
  })
  .catch((e: unknown) => {
    process.stderr.write(`bench: ${String(e)}\n`);
    process.exitCode = 1;
  });
