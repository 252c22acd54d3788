/**
 * Preloaded into the app child by the booking benchmark (`node --require …/sql-capture.js dist/main.js`)
 * when BENCH_SQL_CAPTURE_FILE is set: records every statement the app sends through `pg` — text, bound
 * parameters, which pooled connection, the rows it got back — while recording is switched on.
 *
 * SIGUSR2 switches recording on (and writes `<file>.armed` once it is on), the next SIGUSR2 switches it off
 * and writes the statements to `<file>` (JSON). Between the two the benchmark sends exactly one request, so
 * the file is the statement sequence of one booking, captured from the driver rather than copied by hand.
 * With recording off the patched `query` costs one null check.
 */
import { writeFileSync } from 'node:fs';
import * as pg from 'pg';

/** A parameter or result value in JSON: Dates and Buffers tagged, arrays and objects kept as structures. */
export type Encoded = null | boolean | number | string | { $date: string } | { $buf: string } | { $json: unknown } | Encoded[];

export interface CapturedStatement {
  /** Order of issue. */
  n: number;
  /** Which pooled connection (1, 2, … in order of first use while recording). */
  connection: number;
  text: string;
  values: Encoded[];
  /** Milliseconds since recording began, when the statement was sent and when its answer came back. */
  sentMs: number;
  doneMs: number | null;
  rowCount: number | null;
  /** Up to three result rows (to follow returned ids into later statements). */
  rows: Array<Record<string, Encoded>>;
  error: string | null;
}

export function encodeValue(v: unknown): Encoded {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Buffer.isBuffer(v)) return { $buf: v.toString('base64') };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v === 'object') return { $json: JSON.parse(JSON.stringify(v)) as unknown };
  if (typeof v === 'bigint') return v.toString();
  return v as boolean | number | string;
}

const target = process.env.BENCH_SQL_CAPTURE_FILE;
if (target) {
  let recording: CapturedStatement[] | null = null;
  let startedAt = 0;
  let connections = new WeakMap<object, number>();
  let nextConnection = 1;
  const clientProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = clientProto.query;
  clientProto.query = function (this: object, ...args: unknown[]): unknown {
    const log = recording;
    if (!log) return original.apply(this, args);
    const [config, values] = args;
    const text = typeof config === 'string' ? config : ((config as { text?: string } | null)?.text ?? null);
    const result = original.apply(this, args);
    if (text === null) return result;
    let connection = connections.get(this);
    if (connection === undefined) connections.set(this, (connection = nextConnection++));
    const params = Array.isArray(values) ? values : ((config as { values?: unknown[] }).values ?? []);
    const entry: CapturedStatement = {
      n: log.length + 1,
      connection,
      text,
      values: params.map(encodeValue),
      sentMs: performance.now() - startedAt,
      doneMs: null,
      rowCount: null,
      rows: [],
      error: null,
    };
    log.push(entry);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<{ rows?: Array<Record<string, unknown>>; rowCount?: number | null }>).then(
        (r) => {
          entry.doneMs = performance.now() - startedAt;
          entry.rowCount = r?.rowCount ?? null;
          entry.rows = (r?.rows ?? []).slice(0, 3).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, encodeValue(v)])));
        },
        (e: unknown) => {
          entry.doneMs = performance.now() - startedAt;
          entry.error = e instanceof Error ? e.message : String(e);
        },
      );
    }
    return result;
  };
  process.on('SIGUSR2', () => {
    if (!recording) {
      recording = [];
      connections = new WeakMap();
      nextConnection = 1;
      startedAt = performance.now();
      writeFileSync(`${target}.armed`, '');
    } else {
      writeFileSync(target, JSON.stringify(recording, null, 1));
      recording = null;
    }
  });
}
