/**
 * Section `contention`: N simultaneous POST /api/v1/bookings for one exclusive window, each from another
 * organisation (N = 200 by default). Exactly one may win (201); every other answer must be 409 slot_taken.
 * The connections are opened (and used once, GET /health) before the round, so that the N requests leave
 * in the same tick; latency is per request, from writing it to the end of its answer. Afterwards SQL must
 * show exactly one holding booking for the window. Several rounds, each on a resource of its own.
 */
import { Agent, request } from 'node:http';
import type { BookingBench } from './booking-setup';
import { check, formatTable, percentile, progress, round, type SectionResult } from './common';
import { measureCpu, OTHER_CPU_WARNING_PERCENT, sampleActivity, type ActivitySummary, type CpuFigures } from './monitor';

export interface ContentionOptions {
  requests: number;
  rounds: number;
}

/** The target: p99 of a round's answers below this. */
const TARGET_P99_MS = 500;

interface Answer {
  status: number;
  code: string | null;
  ms: number;
}

function send(agent: Agent, baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let code: string | null = null;
          try {
            code = (JSON.parse(text) as { code?: string }).code ?? null;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, code, ms: performance.now() - t0 });
        });
      },
    );
    req.on('error', reject);
    const t0 = performance.now();
    req.end(body);
  });
}

interface Round {
  round: number;
  requests: number;
  created: number;
  conflicts: number;
  other: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the first request written to the last answer. */
  wallMs: number;
  holdingInSql: number;
  activity: ActivitySummary;
  cpu: CpuFigures;
}

export async function contentionSection(bench: BookingBench, opts: ContentionOptions): Promise<SectionResult> {
  if (bench.orgs.length < opts.requests) throw new Error(`contention: ${opts.requests} requests need as many organisations; there are ${bench.orgs.length}`);
  if (bench.contentionResourceIds.length < opts.rounds) throw new Error(`contention: ${opts.rounds} rounds need as many resources of their own`);
  const rounds: Round[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    const window = bench.contentionWindow(i);
    const body = bench.bookingBody(window);
    await bench.quiesce();
    const agent = new Agent({ keepAlive: true, maxSockets: opts.requests, maxFreeSockets: opts.requests });
    try {
      // Open every connection first: N requests in flight at once open N sockets, kept alive for the round.
      await Promise.all(Array.from({ length: opts.requests }, () => send(agent, bench.app.baseUrl, 'GET', '/health', {})));
      const activity = await sampleActivity(bench.adminUrl, bench.database.name, 'pilot-booking', 20);
      progress(`contention: round ${i + 1}/${opts.rounds}, ${opts.requests} simultaneous POST /api/v1/bookings for one window`);
      const cpu = await measureCpu(bench.app.pid, bench.adminUrl, bench.database.name);
      const t0 = performance.now();
      const answers = await Promise.all(
        bench.orgs
          .slice(0, opts.requests)
          .map((org, k) =>
            send(
              agent,
              bench.app.baseUrl,
              'POST',
              '/api/v1/bookings',
              { 'content-type': 'application/json', authorization: `Bearer ${org.token}`, 'idempotency-key': `bench-contention-${i}-${k}` },
              body,
            ),
          ),
      );
      const wallMs = performance.now() - t0;
      const cpuFigures = await cpu.stop();
      const sampled = await activity.stop();
      const [{ holding }] = (
        await bench.pool.query<{ holding: number }>(
          `SELECT count(*)::int AS holding FROM bookings
            WHERE resource_id = $1 AND booking_state_holds(state) AND period && tstzrange($2::timestamptz, $3::timestamptz)`,
          [window.resourceId, window.startsAt, window.endsAt],
        )
      ).rows;
      const other: Record<string, number> = {};
      for (const a of answers) {
        if (a.status === 201 || (a.status === 409 && a.code === 'slot_taken')) continue;
        const key = `${a.status}${a.code ? ` ${a.code}` : ''}`;
        other[key] = (other[key] ?? 0) + 1;
      }
      const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
      const r: Round = {
        round: i + 1,
        requests: answers.length,
        created: answers.filter((a) => a.status === 201).length,
        conflicts: answers.filter((a) => a.status === 409 && a.code === 'slot_taken').length,
        other,
        p50Ms: percentile(ms, 50),
        p99Ms: percentile(ms, 99),
        maxMs: ms[ms.length - 1],
        wallMs,
        holdingInSql: holding,
        activity: sampled,
        cpu: cpuFigures,
      };
      rounds.push(r);
      progress(
        `  round ${r.round}: ${r.created} × 201, ${r.conflicts} × 409 slot_taken; p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms; ${holding} holding in SQL`,
      );
    } finally {
      agent.destroy();
    }
  }
  for (const r of rounds) {
    check(`contention round ${r.round}: 201 answers`, r.created, 1);
    check(`contention round ${r.round}: 409 slot_taken answers`, r.conflicts, r.requests - 1);
    check(`contention round ${r.round}: holding bookings for the window in SQL`, r.holdingInSql, 1);
  }

  const worstP99 = Math.max(...rounds.map((r) => r.p99Ms));
  const header = [
    'round',
    'requests',
    '201',
    '409 slot_taken',
    'other',
    'p50 ms',
    'p99 ms',
    'max ms',
    'wall ms',
    'holding in SQL',
    'lock-wait samples',
    'app CPU %',
    'postgres CPU %',
    'other CPU %',
  ];
  const body = rounds.map((r) => [
    String(r.round),
    String(r.requests),
    String(r.created),
    String(r.conflicts),
    String(Object.values(r.other).reduce((a, b) => a + b, 0)),
    r.p50Ms.toFixed(0),
    r.p99Ms.toFixed(0),
    r.maxMs.toFixed(0),
    r.wallMs.toFixed(0),
    String(r.holdingInSql),
    `${r.activity.samplesWithLockWait}/${r.activity.samples}`,
    r.cpu.appCpuPercent === null ? '' : r.cpu.appCpuPercent.toFixed(0),
    r.cpu.postgresCpuPercent === null ? '' : r.cpu.postgresCpuPercent.toFixed(0),
    r.cpu.otherCpuPercent.toFixed(0),
  ]);
  const lockEvents = new Map<string, number>();
  for (const r of rounds) for (const [e, w] of Object.entries(r.activity.lockWaits)) lockEvents.set(e, (lockEvents.get(e) ?? 0) + w.samples);
  const skewed = rounds.filter((r) => r.cpu.otherCpuPercent > OTHER_CPU_WARNING_PERCENT).map((r) => r.round);
  const notes = [
    ...(skewed.length > 0
      ? [`WARNING: other work used more than ${OTHER_CPU_WARNING_PERCENT} % of a core during round ${skewed.join(', ')}: skewed figures.`]
      : []),
    `${opts.requests} organisations ask for the same window of an exclusive resource at once (keep-alive connections opened beforehand); latency: writing the request → end of the answer. CPU: % of one core during the round (other: the rest of the machine).`,
    `target p99 < ${TARGET_P99_MS} ms: worst round ${worstP99.toFixed(0)} ms — ${worstP99 < TARGET_P99_MS ? 'met' : 'MISSED'}.`,
    `lock waits (pg_stat_activity every 20 ms), samples by wait_event: ${[...lockEvents.entries()].map(([e, n]) => `${e} ${n}`).join(', ') || 'none'}` +
      ` ('transactionid': the losers waiting for the winner's commit at the exclusion constraint; 'tuple': a row lock); advisory: ${lockEvents.get('advisory') ?? 0}.`,
  ];
  return {
    table: formatTable(header, body) + notes.join('\n') + '\n',
    results: {
      requests: opts.requests,
      rounds: rounds.map((r) => ({
        ...r,
        p50Ms: round(r.p50Ms, 1),
        p99Ms: round(r.p99Ms, 1),
        maxMs: round(r.maxMs, 1),
        wallMs: round(r.wallMs, 1),
        activity: { ...r.activity, waitEvents: r.activity.waitEvents.map((e) => ({ ...e, share: round(e.share, 4) })) },
        cpu: Object.fromEntries(Object.entries(r.cpu).map(([k, v]) => [k, v === null ? null : round(v, 1)])),
      })),
      skewedRounds: skewed,
      targetP99Ms: TARGET_P99_MS,
      worstP99Ms: round(worstP99, 1),
      met: worstP99 < TARGET_P99_MS,
    },
  };
}
