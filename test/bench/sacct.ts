/**
 * Section `sacct`: the sacct import on a PostgreSQL server (issue 9: "a generated 200,000-line file
 * imports; its time and peak memory in the benchmark, not in a test").
 *
 * In its own fresh database (dropped when the section ends, also on failure or Ctrl-C) it loads migrations
 * and the demo data with the built CLI (`seed-demo`), maps two Slurm accounts and partitions of a demo compute
 * facility, generates a 200,000-line sacct file (test/helpers/sacct-generator.ts) and runs, each in its own
 * process so that each peak RSS is its own (rss-probe.js, preloaded):
 *   - startup: `import-sacct` of a header-only file (Node, Nest, database connection: the fixed cost);
 *   - parse only: the same streaming parse and classification, no database (parse-only.ts);
 *   - import 1: `node dist/cli.js import-sacct …` of the file: every job new;
 *   - import 2: the same file again: every job a duplicate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SACCT_HEADER, writeSacctFile, type SacctGenerated } from '../helpers/sacct-generator';
import { check, CLI, reportErrors, createBenchDatabase, formatTable, JWT_SECRET, onCleanup, PARSE_ONLY, round, runNode, type SectionResult } from './common';

const LINES = 200_000;
const CLUSTER = 'benchhpc';

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

/** Progress: the CLI prints "import-sacct: N lines read" every 10,000 lines (and once more at the end); show every 50,000, once. */
function linesRead(label: string) {
  const shown = new Set<string>();
  return (line: string) => {
    const m = /(?:import-sacct|parse-only): (\d+) lines read/.exec(line);
    if (m && (Number(m[1]) % 50_000 === 0 || Number(m[1]) === LINES) && !shown.has(m[1])) {
      shown.add(m[1]);
      process.stdout.write(`  ${label}: ${m[1]} lines read\n`);
    } else if (!m && /error|fail/i.test(line)) process.stderr.write(`  ${label}: ${line}\n`);
  };
}

export async function sacctSection(adminUrl: string): Promise<SectionResult> {
  const database = await createBenchDatabase(adminUrl);
  const work = mkdtempSync(join(tmpdir(), 'pb-bench-'));
  const removeWork = onCleanup(() => rmSync(work, { recursive: true, force: true }));
  try {
    process.stdout.write(`sacct: PostgreSQL ${database.pgVersion} at ${database.host}, database ${database.name}; temp dir ${work}\n`);
    return await run(database.url, work);
  } finally {
    await removeWork();
    await database.drop();
  }
}

async function run(dbUrl: string, work: string): Promise<SectionResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    JWT_SECRET,
  };

  // Migrations and the demo data, as an operator would load them.
  let t = Date.now();
  await runNode('seed-demo', [CLI, 'seed-demo', '--no-history'], env, work);
  process.stdout.write(`setup: migrations and demo data in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

  // A demo compute facility with a GPU pool and a CPU pool, and the two demo SMEs: map them.
  const db = reportErrors('sacct set-up', new Client({ connectionString: dbUrl }));
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
  const parsed = await runNode('parse-only', [PARSE_ONLY, file, facility.time_zone], env, work, linesRead('parse only'));
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
    const r = await runNode(`import-${i}`, importArgs(file), env, work, linesRead(`import ${i}`));
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
  const table =
    formatTable(header, body) +
    "s: the work itself (parse only: the parse loop; imports: the process's time less the startup run's). " +
    'Peak RSS: the whole process (process.resourceUsage().maxRSS).\n';

  return {
    table,
    results: {
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
    },
  };
}
