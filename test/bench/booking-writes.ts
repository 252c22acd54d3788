/**
 * Section `booking-writes`: POST /api/v1/bookings under load (autocannon, each request a window nobody has
 * asked for, organisations' tokens in turn), against what PostgreSQL does with the same work:
 *   (a) the statements one booking issues, captured from the app's driver (sql-capture.ts) and replayed raw
 *       through `pg` with fresh parameters (replay.ts), on as many connections;
 *   (b) the bare INSERT INTO bookings alone (autocommit, with its exclusion constraint), on as many connections.
 * While the app runs, pg_stat_activity of the bench database is sampled every 100 ms: sessions waiting on a
 * lock (wait_event_type 'Lock', by wait_event: 'advisory' would be the old global audit lock) and the wait
 * events overall; and the app's CPU and peak RSS are read from /proc.
 */
import autocannon from 'autocannon';
import { cpus } from 'node:os';
import { Pool, type PoolClient } from 'pg';
import { loadAppConfig } from '../../src/config/app-config';
import type { BookingBench, CapturedBooking } from './booking-setup';
import { check, formatTable, JWT_SECRET, percentile, progress, reportErrors, round, type SectionResult } from './common';
import { measureCpu, OTHER_CPU_WARNING_PERCENT, sampleActivity, watchMemory, type ActivitySummary, type CpuFigures } from './monitor';
import { bookingInsert, describeStatement, StatementReplay, type ReplayFacts } from './replay';

export interface BookingWritesOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** How many unloaded bookings to capture (the last one is the replay's template; timings are medians). */
  captures: number;
}

/** The target: app bookings/s at least this share of the raw replay's. */
const TARGET_RATIO = 0.5;

interface RunFigures {
  run: string;
  connections: number;
  seconds: number;
  requests: number;
  /** 201 for the app; iterations that committed for the raw runs. */
  ok: number;
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpu: CpuFigures;
  activity: ActivitySummary;
  errorSamples: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The app's pool size as its own configuration reads the environment the bench starts it with (DATABASE_POOL_SIZE, default 20). */
function configuredPoolMax(): number | null {
  try {
    return loadAppConfig({ ...process.env, DATABASE_URL: 'postgres://bench@127.0.0.1/bench', NODE_ENV: 'production', JWT_SECRET }).databasePoolSize;
  } catch {
    return null;
  }
}

let keySerial = 0;
/** Idempotency keys are per organisation; a serial for the whole process keeps every one new. */
const nextKey = (prefix: string) => `bench-${prefix}-${++keySerial}`;

/** autocannon against POST /bookings: `connections` keep-alive connections, a fresh window and the next organisation's token per request. */
async function appLoad(bench: BookingBench, connections: number, seconds: number) {
  let n = 0;
  const errorSamples: string[] = [];
  const result = await autocannon({
    url: bench.app.baseUrl,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/bookings',
        setupRequest: (req) => {
          const org = bench.orgs[n++ % bench.orgs.length];
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${org.token}`, 'idempotency-key': nextKey('app') },
            body: bench.bookingBody(bench.nextWindow()),
          };
        },
        onResponse: (status, body) => {
          if (status !== 201 && errorSamples.length < 5) errorSamples.push(`${status} ${body.slice(0, 300)}`);
        },
      },
    ],
  });
  const child = bench.app.child;
  if (child.exitCode !== null || child.signalCode !== null)
    throw new Error(`the app (pid ${bench.app.pid}) died during the load (${child.exitCode ?? child.signalCode}):\n${bench.app.output()}`);
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count ?? 0;
  return { result, statuses, errorSamples };
}

/**
 * `connections` clients of their own, each looping `once` until the time is up; latency per iteration.
 * The samplers (`measure`: true) run while every client is connected, so no backend starts or ends inside them.
 */
async function pgLoad(bench: BookingBench, connections: number, seconds: number, once: (client: PoolClient) => Promise<void>, measure: boolean) {
  const pool = reportErrors('replay pool', new Pool({ connectionString: bench.database.url, max: connections, application_name: 'pb-bench-replay' }));
  try {
    const clients = await Promise.all(Array.from({ length: connections }, async () => reportErrors('replay client', await pool.connect())));
    const latencies: number[] = [];
    const errorSamples: string[] = [];
    let errors = 0;
    const activity = measure ? await sampleActivity(bench.adminUrl, bench.database.name, 'pilot-booking') : null;
    const cpu = measure ? await measureCpu(null, bench.adminUrl, bench.database.name) : null;
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          const t = performance.now();
          try {
            await once(client);
            latencies.push(performance.now() - t);
          } catch (e) {
            errors++;
            if (errorSamples.length < 5) errorSamples.push(e instanceof Error ? e.message : String(e));
          }
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const cpuFigures = (await cpu?.stop()) ?? null;
    const activitySummary = (await activity?.stop()) ?? null;
    for (const c of clients) c.release();
    latencies.sort((a, b) => a - b);
    return { ok: latencies.length, errors, errorSamples, latencies, seconds: elapsed, cpu: cpuFigures, activity: activitySummary };
  } finally {
    await pool.end();
  }
}

/** Samplers around one measured run: pg_stat_activity every 100 ms, CPU of the app, the server and this process. */
async function measured<T>(bench: BookingBench, appPid: number | null, work: () => Promise<T>) {
  const activity = await sampleActivity(bench.adminUrl, bench.database.name, 'pilot-booking');
  const cpu = await measureCpu(appPid, bench.adminUrl, bench.database.name);
  const out = await work();
  const cpuFigures = await cpu.stop();
  return { out, cpu: cpuFigures, activity: await activity.stop() };
}

/**
 * The lock-wait probe must be able to see what it reports the absence of: two sessions of the bench
 * database queue on one advisory lock for 0.5 s while it samples; 'advisory' must show up.
 */
async function probeSelfTest(bench: BookingBench): Promise<{ samples: number; advisorySamples: number }> {
  const pool = reportErrors('probe self-test pool', new Pool({ connectionString: bench.database.url, max: 2, application_name: 'pb-bench-probe-test' }));
  try {
    const [holder, waiter] = (await Promise.all([pool.connect(), pool.connect()])).map((c) => reportErrors('probe self-test client', c));
    const key = 7316999;
    await holder.query('SELECT pg_advisory_lock($1)', [key]);
    const activity = await sampleActivity(bench.adminUrl, bench.database.name, 'pilot-booking');
    const waiting = waiter.query('SELECT pg_advisory_lock($1)', [key]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const summary = await activity.stop();
    await holder.query('SELECT pg_advisory_unlock($1)', [key]);
    await waiting;
    await waiter.query('SELECT pg_advisory_unlock($1)', [key]);
    holder.release();
    waiter.release();
    const advisorySamples = summary.lockWaits.advisory?.samples ?? 0;
    if (advisorySamples === 0) throw new Error(`the lock-wait probe did not see a staged advisory-lock wait in ${summary.samples} samples`);
    return { samples: summary.samples, advisorySamples };
  } finally {
    await pool.end();
  }
}

export async function bookingWritesSection(bench: BookingBench, opts: BookingWritesOptions): Promise<SectionResult> {
  const { connections, durationSeconds: duration, warmupSeconds: warmup } = opts;
  const orgAt = (i: number) => bench.orgs[i % bench.orgs.length];
  const poolMax = configuredPoolMax();
  // Bookings made (201s, committed replays, bare inserts), and those of them with an audit entry (all but the bare inserts).
  let created = 0;
  let audited = 0;
  let appLoads = 0;

  // 1. Warm the app up (JIT, pools, caches), then capture unloaded bookings' SQL from the driver.
  if (warmup > 0) {
    progress(`booking-writes: warming the app up, ${warmup} s on ${connections} connections`);
    const w = await appLoad(bench, connections, warmup);
    appLoads++;
    created += w.statuses['201'] ?? 0;
    audited += w.statuses['201'] ?? 0;
  }
  progress(`booking-writes: capturing the SQL of ${opts.captures} unloaded bookings (sql-capture.js in the app)`);
  const captures: CapturedBooking[] = [];
  for (let i = 0; i < opts.captures; i++) captures.push(await bench.captureOneBooking());
  created += captures.length;
  audited += captures.length;
  const captured = captures[captures.length - 1];
  const replay = new StatementReplay(captured);
  const counts = captures.map((c) => c.statements.length);
  if (new Set(counts).size !== 1) throw new Error(`the captured bookings issued different numbers of statements: ${counts.join(', ')}`);
  const statementCount = counts[0];

  // Per statement (median over the captures): the database's time (sent → answered, as the driver saw it)
  // and the app's time before it (previous answer → this one sent).
  const profile = replay.statements.map((s, i) => {
    const db = median(captures.map((c) => c.statements[i].doneMs! - c.statements[i].sentMs));
    const gap = i === 0 ? 0 : median(captures.map((c) => c.statements[i].sentMs - c.statements[i - 1].doneMs!));
    return { n: s.n, where: replay.outside.includes(s) ? 'auth guard' : 'transaction', statement: describeStatement(s.text), dbMs: db, nodeMsBefore: gap };
  });
  const dbMs = profile.reduce((a, p) => a + p.dbMs, 0);
  const nodeMs = profile.reduce((a, p) => a + p.nodeMsBefore, 0);

  const selfTest = await probeSelfTest(bench);
  await bench.quiesce();

  // 2. The app under load.
  progress(
    `booking-writes: app, ${duration} s on ${connections} connections (POST /api/v1/bookings, ${bench.orgs.length} organisations, ${bench.resourceIds.length} resources)`,
  );
  const memory = watchMemory(bench.app.pid);
  const app = await measured(bench, bench.app.pid, () => appLoad(bench, connections, duration));
  appLoads++;
  const mem = memory.stop();
  const appOk = app.out.statuses['201'] ?? 0;
  created += appOk;
  audited += appOk;
  const r = app.out.result;
  const appRun: RunFigures = {
    run: 'app: POST /api/v1/bookings',
    connections,
    seconds: r.duration,
    requests: r.requests.total,
    ok: appOk,
    statuses: app.out.statuses,
    non2xx: r.non2xx,
    errors: r.errors,
    perSecond: appOk / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    cpu: app.cpu,
    activity: app.activity,
    errorSamples: app.out.errorSamples,
  };
  progress(`  app: ${appOk} bookings (201) in ${r.duration.toFixed(1)} s = ${appRun.perSecond.toFixed(0)}/s; p50 ${appRun.p50Ms} ms, p99 ${appRun.p99Ms} ms`);

  // 3. The baselines, same connections and duration, once the app's last requests are done.
  await bench.quiesce();
  const rawRun = async (label: string, prefix: string, statements: StatementReplay, withAudit: boolean): Promise<RunFigures> => {
    let n = 0;
    const facts = (): ReplayFacts => ({ org: orgAt(n++), window: bench.nextWindow(), idempotencyKey: nextKey(prefix), at: new Date() });
    const once = (client: PoolClient) => statements.run(client, facts());
    const count = (ok: number) => {
      created += ok;
      if (withAudit) audited += ok;
    };
    if (warmup > 0) count((await pgLoad(bench, connections, Math.min(warmup, 2), once, false)).ok);
    await bench.quiesce();
    const m = await pgLoad(bench, connections, duration, once, true);
    count(m.ok);
    const run: RunFigures = {
      run: label,
      connections,
      seconds: m.seconds,
      requests: m.ok + m.errors,
      ok: m.ok,
      statuses: {},
      non2xx: 0,
      errors: m.errors,
      perSecond: m.ok / m.seconds,
      p50Ms: percentile(m.latencies, 50),
      p99Ms: percentile(m.latencies, 99),
      maxMs: m.latencies[m.latencies.length - 1] ?? NaN,
      cpu: m.cpu!,
      activity: m.activity!,
      errorSamples: m.errorSamples,
    };
    progress(
      `  ${label}: ${run.ok} in ${run.seconds.toFixed(1)} s = ${run.perSecond.toFixed(0)}/s; p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms; ${run.errors} errors`,
    );
    return run;
  };
  progress(`booking-writes: (a) the ${statementCount} captured statements raw through pg, ${duration} s on ${connections} connections`);
  const raw = await rawRun(`(a) raw pg: the ${statementCount} statements`, 'raw', replay, true);
  progress(`booking-writes: (b) bare INSERT INTO bookings, ${duration} s on ${connections} connections`);
  const bare = await rawRun('(b) raw pg: bare INSERT', 'bare', new StatementReplay(captured, [bookingInsert(captured)]), false);

  // 4. Every 201 and every replayed booking is a row, with one audit entry each for the app and (a).
  const [{ bookings, entries }] = (
    await bench.pool.query<{ bookings: number; entries: number }>(
      `SELECT (SELECT count(*)::int FROM bookings WHERE resource_id = ANY($1::uuid[])) AS bookings,
              (SELECT count(*)::int FROM audit_entries WHERE action = 'booking.requested' AND data->>'resourceId' = ANY($1::text[])) AS entries`,
      [bench.resourceIds],
    )
  ).rows;
  // autocannon stops with up to `connections` requests in flight: the app still commits them, the answers are never read.
  const unanswered = bookings - created;
  if (unanswered < 0 || unanswered > connections * appLoads)
    throw new Error(
      `bookings in the database: ${bookings}, but ${created} were answered 201 or replayed (at most ${connections * appLoads} more may have been in flight)`,
    );
  check('booking.requested audit entries (one per booking but the bare inserts)', entries - unanswered, audited);
  if (appRun.non2xx > 0 || appRun.errors > 0) progress(`  app: ${appRun.non2xx} non-2xx, ${appRun.errors} errors: ${appRun.errorSamples.join(' | ')}`);

  const runs = [appRun, raw, bare];
  const ratioA = appRun.perSecond / raw.perSecond;
  const ratioB = appRun.perSecond / bare.perSecond;
  const pct = (v: number | null) => (v === null ? '' : v.toFixed(0));
  const header = [
    'run',
    'conn',
    's',
    'requests',
    'ok',
    'non-2xx',
    'errors',
    'bookings/s',
    'p50 ms',
    'p99 ms',
    'app ÷',
    'app CPU %',
    'postgres CPU %',
    'bench CPU %',
    'other CPU %',
  ];
  const body = runs.map((x) => [
    x.run,
    String(x.connections),
    x.seconds.toFixed(1),
    String(x.requests),
    String(x.ok),
    x === appRun ? String(x.non2xx) : '',
    String(x.errors),
    x.perSecond.toFixed(0),
    x.p50Ms.toFixed(1),
    x.p99Ms.toFixed(1),
    x === appRun ? '' : (appRun.perSecond / x.perSecond).toFixed(2),
    pct(x.cpu.appCpuPercent),
    pct(x.cpu.postgresCpuPercent),
    pct(x.cpu.benchCpuPercent),
    pct(x.cpu.otherCpuPercent),
  ]);
  const perBooking = (x: RunFigures) => {
    const ms = (percent: number | null) => (percent === null ? null : (10 * percent) / x.perSecond);
    const parts: Array<[string, number | null]> = [
      ['Node (app)', ms(x.cpu.appCpuPercent)],
      ['PostgreSQL', ms(x.cpu.postgresCpuPercent)],
      [x === appRun ? 'autocannon' : 'pg client', ms(x.cpu.benchCpuPercent)],
    ];
    return parts
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k} ${v!.toFixed(2)} ms`)
      .join(', ');
  };
  const lockLine = (a: ActivitySummary) => {
    const byEvent = Object.entries(a.lockWaits)
      .sort((p, q) => q[1].samples - p[1].samples)
      .map(([event, w]) => `${event} ${w.samples}`)
      .join(', ');
    return `${a.samplesWithLockWait} of ${a.samples} samples had a session waiting on a lock${byEvent ? ` (by wait_event, samples: ${byEvent})` : ''}; advisory: ${a.lockWaits.advisory?.samples ?? 0}`;
  };
  const topEvents = (a: ActivitySummary) =>
    a.waitEvents
      .slice(0, 6)
      .map((e) => `${e.event} ${(100 * e.share).toFixed(0)} %`)
      .join(', ');
  const skewed = runs.filter((x) => x.cpu.otherCpuPercent > OTHER_CPU_WARNING_PERCENT);
  const notes = [
    ...(skewed.length > 0
      ? [
          `WARNING: other work used more than ${OTHER_CPU_WARNING_PERCENT} % of a core during ${skewed.map((x) => x.run.split(':')[0]).join(', ')}: those figures are skewed; run again on a quiet machine.`,
        ]
      : []),
    `ok: 201 for the app; committed iterations for (a) and (b). app ÷: app bookings/s ÷ that run's. CPU: % of one core, ${cpus().length} cores (${app.cpu.machineBusyPercent.toFixed(0)} % of the machine busy during the app run); other: the rest of the machine's busy time (other processes, the kernel).`,
    `CPU per booking: app run ${perBooking(appRun)}; (a) ${perBooking(raw)}; (b) ${perBooking(bare)}.`,
    `target app ÷ (a) ≥ ${TARGET_RATIO}: ${ratioA.toFixed(2)} — ${ratioA >= TARGET_RATIO ? 'met' : 'MISSED'}; app ÷ (b) = ${ratioB.toFixed(2)}.`,
    `one booking issues ${statementCount} statements: ${replay.outside.length} before the transaction (auth guard) and ${replay.transaction.length} from START TRANSACTION to COMMIT; ` +
      `unloaded (median of ${captures.length}) ${dbMs.toFixed(1)} ms waiting for PostgreSQL, ${nodeMs.toFixed(1)} ms in the app between statements.`,
    `lock waits during the app run (pg_stat_activity every ${appRun.activity.intervalMs} ms): ${lockLine(appRun.activity)} ` +
      `(probe self-test: an advisory-lock wait staged for 0.5 s was seen in ${selfTest.advisorySamples} of ${selfTest.samples} samples).`,
    `wait events of non-idle sessions, app run: ${topEvents(appRun.activity)}; (a): ${topEvents(raw.activity)}.`,
    `app: peak RSS ${mem.peakRssMb?.toFixed(0) ?? '?'} MB, CPU ${pct(app.cpu.appCpuPercent)} % of one core; pool: up to ${appRun.activity.maxSessions} connections open, ${appRun.activity.maxActive} active at once (configured max ${poolMax ?? '?'}, DATABASE_POOL_SIZE). ` +
      `Resources: ${bench.resourceIds.length} exclusive, approval ${bench.approvalRequired ? 'required (bookings pending)' : 'not required (approved at once)'}; ${bench.orgs.length} organisations.`,
  ];
  const statementTable = formatTable(
    ['#', 'where', 'statement', 'db ms', 'app ms before'],
    profile.map((p) => [String(p.n), p.where, p.statement, p.dbMs.toFixed(2), p.nodeMsBefore.toFixed(2)]),
  );
  const table = formatTable(header, body) + notes.join('\n') + '\n\nstatements of one booking (captured from the driver, unloaded):\n' + statementTable;

  const figures = (x: RunFigures) => ({
    ...x,
    seconds: round(x.seconds, 2),
    perSecond: round(x.perSecond, 1),
    p50Ms: round(x.p50Ms, 2),
    p99Ms: round(x.p99Ms, 2),
    maxMs: round(x.maxMs, 2),
    cpu: Object.fromEntries(Object.entries(x.cpu).map(([k, v]) => [k, v === null ? null : round(v, 1)])),
    activity: { ...x.activity, waitEvents: x.activity.waitEvents.map((e) => ({ ...e, share: round(e.share, 4) })) },
  });
  return {
    table,
    results: {
      connections,
      durationSeconds: duration,
      warmupSeconds: warmup,
      organisations: bench.orgs.length,
      resources: bench.resourceIds.length,
      approvalRequired: bench.approvalRequired,
      runs: runs.map(figures),
      skewedRuns: skewed.map((x) => x.run),
      ratios: { appToRaw: round(ratioA, 3), appToBareInsert: round(ratioB, 3), target: TARGET_RATIO, met: ratioA >= TARGET_RATIO },
      app: {
        pid: bench.app.pid,
        peakRssMb: mem.peakRssMb === null ? null : round(mem.peakRssMb, 1),
        sampledMaxRssMb: mem.sampledMaxRssMb === null ? null : round(mem.sampledMaxRssMb, 1),
        poolConnectionsSeen: appRun.activity.maxSessions,
        poolActiveSeen: appRun.activity.maxActive,
        poolMaxConfigured: poolMax,
      },
      probeSelfTest: selfTest,
      statementsPerBooking: statementCount,
      statementsBeforeTransaction: replay.outside.length,
      statementsInTransaction: replay.transaction.length,
      statementProfile: profile.map((p) => ({ ...p, dbMs: round(p.dbMs, 3), nodeMsBefore: round(p.nodeMsBefore, 3) })),
      capturedStatements: captured.statements.map((s) => ({ n: s.n, connection: s.connection, text: s.text.replace(/\s+/g, ' ').trim() })),
      bookingsCreated: bookings,
      bookingsCommittedUnanswered: unanswered,
      auditEntriesBookingRequested: entries,
    },
  };
}
