/**
 * What the sections of `npm run bench` share: paths, child processes, clean-up on failure or Ctrl-C,
 * the throw-away database, tables and small helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

/** The repository root (these files run compiled, from dist/bench/test/bench/). */
function findRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'nest-cli.json'))) return dir;
  }
  throw new Error('repository root not found');
}
export const ROOT = findRoot();
export const CLI = join(ROOT, 'dist', 'cli.js');
export const MAIN = join(ROOT, 'dist', 'main.js');
export const PROBE = join(__dirname, 'rss-probe.js');
export const PARSE_ONLY = join(__dirname, 'parse-only.js');
export const SQL_CAPTURE = join(__dirname, 'sql-capture.js');

/** A signing key for the children (the app refuses NODE_ENV=production without one). */
export const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

// Long enough for rebuild-snapshots over the 1 M-booking province (minutes), short enough to stop a hung child.
const CHILD_TIMEOUT_MS = 900_000;

// ---- clean-up: databases dropped, children killed, temp dirs removed, also on failure or Ctrl-C ----

/** Child processes still running (killed on Ctrl-C). */
export const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | null = null;
export const state = { interrupted: false };

/** Runs `fn` at the end (last registered first); the returned function runs it now instead, once. */
export function onCleanup(fn: () => Promise<void> | void): () => Promise<void> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    await fn();
  };
  cleanups.push(once);
  return async () => {
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    await once();
  };
}

/** Runs every registered clean-up, last registered first, each once; errors are reported, not thrown. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (e) {
        process.stderr.write(`bench: cleanup: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
  })();
  return cleaning;
}

/**
 * Ctrl-C (or SIGTERM): kill the children, clean up, exit 130. An error nobody catches (a connection the
 * DROP DATABASE … WITH (FORCE) ends, a bug): clean up too, then exit 1 — the database never stays behind.
 */
export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      state.interrupted = true;
      for (const child of children) child.kill('SIGKILL');
      void cleanup().then(() => process.exit(130));
    });
  }
  process.on('uncaughtException', (e) => {
    if (state.interrupted) {
      process.stderr.write(`bench: while stopping: ${e.message}\n`);
      return;
    }
    state.interrupted = true;
    process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
    for (const child of children) child.kill('SIGKILL');
    void cleanup().then(() => process.exit(1));
  });
}

/** Connections the bench opens report their errors (a server going away) on stderr instead of crashing. */
export function reportErrors<T extends { on(event: 'error', listener: (e: Error) => void): unknown }>(what: string, emitter: T): T {
  emitter.on('error', (e: Error) => {
    if (!state.interrupted) process.stderr.write(`bench: ${what}: ${e.message}\n`);
  });
  return emitter;
}

// ---- child processes ----

export interface ChildResult {
  stdout: string;
  stderr: string;
  wallSeconds: number;
  maxRssMb: number;
}

/** Runs a node child with the RSS probe preloaded to its end; `onLine` sees each stderr line. */
export function runNode(label: string, args: string[], env: NodeJS.ProcessEnv, work: string, onLine?: (line: string) => void): Promise<ChildResult> {
  const probeFile = join(work, `probe-${label.replace(/\W+/g, '-')}.json`);
  return new Promise((resolveRun, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', PROBE, ...args], { env: { ...env, BENCH_PROBE_FILE: probeFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
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
      children.delete(child);
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${label}: exit ${code ?? signal}\n${stderr.slice(-2000)}`));
      const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as { maxRssKb: number };
      resolveRun({ stdout, stderr, wallSeconds, maxRssMb: probe.maxRssKb / 1024 });
    });
  });
}

// ---- the throw-away database ----

export interface BenchDatabase {
  name: string;
  url: string;
  host: string;
  pgVersion: string;
  /** Drops it now (it is dropped at the end anyway, also on failure or Ctrl-C). */
  drop(): Promise<void>;
}

/** A fresh database pb_bench_<random> on the server of `adminUrl`, dropped at the end whatever happens. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `pb_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  let pgVersion: string;
  try {
    [{ server_version: pgVersion }] = (await admin.query<{ server_version: string }>('SHOW server_version')).rows;
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const drop = onCleanup(async () => {
    // BENCH_KEEP_DATABASE=1: left for EXPLAIN and profiling (drop it yourself).
    if (process.env.BENCH_KEEP_DATABASE === '1') return void process.stderr.write(`bench: database ${name} kept (BENCH_KEEP_DATABASE=1)\n`);
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
    process.stderr.write(`bench: database ${name} dropped\n`);
  });
  return { name, url: url.toString(), host: url.host, pgVersion, drop };
}

// ---- output ----

/** A plain text table: the first column left-aligned, the others right-aligned. */
export function formatTable(header: string[], body: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}

/** A progress line on stderr (the tables go to stdout). */
export const progress = (line: string) => process.stderr.write(`${line}\n`);

export function check(what: string, actual: unknown, expected: unknown) {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** The p-th percentile (nearest rank) of ascending numbers; NaN for none. */
export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export const round = (n: number, digits: number) => Number(n.toFixed(digits));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What one section hands back: its table (already formatted, with its notes) and its figures for bench-results.json. */
export interface SectionResult {
  table: string;
  results: Record<string, unknown>;
}
