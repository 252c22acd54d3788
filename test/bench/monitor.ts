/**
 * What the booking sections watch while the load runs: CPU and memory of processes from /proc (the app
 * child, every `postgres` process, this process, the whole machine), and `pg_stat_activity` of the bench
 * database sampled on its own connection every 100 ms.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { reportErrors } from './common';

let clockTicks: number | null = null;
/** Kernel clock ticks per second (`getconf CLK_TCK`, nearly always 100). */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime and the parent of a process (seconds), or null when it is gone. */
function processStat(pid: number): { cpuSeconds: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond(), ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** utime + stime of a process in seconds, or null when it is gone. */
export function processCpuSeconds(pid: number): number | null {
  return processStat(pid)?.cpuSeconds ?? null;
}

/** Resident set size now and at its peak (VmRSS, VmHWM), in MB. */
export function processMemoryMb(pid: number): { rssMb: number; peakRssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** The server of the bench database, and the client backends of its other databases (not ours to count). */
export interface PgServer {
  postmaster: number;
  otherBackends: Set<number>;
}

const isPostgres = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return false;
  }
};

/**
 * Finds the postmaster (the parent of this client's backend) and the backends connected to databases other
 * than `database`; null when the server is not a local process (another machine, a container's pid space).
 */
export async function pgServer(client: Client, database: string): Promise<PgServer | null> {
  const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
  const postmaster = isPostgres(pid) ? processStat(pid)?.ppid : undefined;
  if (!postmaster || !isPostgres(postmaster)) return null;
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname IS DISTINCT FROM $1`,
    [database],
  );
  return { postmaster, otherBackends: new Set(rows.map((r) => r.pid)) };
}

/**
 * CPU seconds by pid of the server's processes that work for the bench database: the postmaster, its
 * auxiliary processes (WAL writer, checkpointer, autovacuum, …) and the backends of the bench database;
 * not the backends of other databases on the same server (other work on a shared server).
 */
export function postgresCpuByPid(server: PgServer): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (server.otherBackends.has(pid)) continue;
    const stat = processStat(pid);
    if (stat && (pid === server.postmaster || stat.ppid === server.postmaster)) byPid.set(pid, stat.cpuSeconds);
  }
  return byPid;
}

/** Busy and total jiffies of the whole machine (/proc/stat, all CPUs). */
function machineJiffies(): { busy: number; total: number } {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const v = cpu.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** How busy the whole machine is over `ms` (0–100 % of all cores): other work there skews every figure. */
export async function machineBusyPercent(ms = 1000): Promise<number> {
  const a = machineJiffies();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = machineJiffies();
  return (100 * (b.busy - a.busy)) / Math.max(1, b.total - a.total);
}

/** Above this much CPU (% of one core) used by other processes during a run, its figures are flagged as skewed. */
export const OTHER_CPU_WARNING_PERCENT = 20;

export interface CpuFigures {
  seconds: number;
  /** CPU % of one core (200 % = both cores of a 2-core machine busy). */
  appCpuPercent: number | null;
  /** The server's processes working for the bench database (postgresCpuByPid); null when the server is not local. */
  postgresCpuPercent: number | null;
  /** This process: the load generator (autocannon or the pg replay) and the samplers. */
  benchCpuPercent: number;
  /** The machine's busy time less the three above, % of one core: anything else running meanwhile, and the kernel's work for other processes. */
  otherCpuPercent: number;
  /** The whole machine, 0–100 % of all cores. */
  machineBusyPercent: number;
}

/**
 * Starts measuring CPU; `stop()` gives the figures over the interval. A postgres process that ends in
 * between loses its share since the start (keep connections open across the interval).
 */
export async function measureCpu(appPid: number | null, adminUrl: string, database: string): Promise<{ stop(): Promise<CpuFigures> }> {
  const client = reportErrors('CPU probe', new Client({ connectionString: adminUrl, application_name: 'pb-bench-cpu' }));
  await client.connect();
  const server0 = await pgServer(client, database);
  const t0 = performance.now();
  const app0 = appPid === null ? null : processCpuSeconds(appPid);
  const pg0 = server0 ? postgresCpuByPid(server0) : null;
  const self0 = process.cpuUsage();
  const m0 = machineJiffies();
  return {
    async stop() {
      const seconds = (performance.now() - t0) / 1000;
      const app1 = appPid === null ? null : processCpuSeconds(appPid);
      const self = process.cpuUsage(self0);
      const m1 = machineJiffies();
      let pgSeconds: number | null = null;
      try {
        // Backends of other databases that connected meanwhile are not ours either.
        const server1 = pg0 ? await pgServer(client, database) : null;
        if (pg0 && server1) {
          pgSeconds = 0;
          for (const [pid, cpu] of postgresCpuByPid(server1)) pgSeconds += cpu - (pg0.get(pid) ?? 0);
        }
      } finally {
        await client.end();
      }
      const pct = (cpuSeconds: number) => (100 * cpuSeconds) / seconds;
      const machineBusyPercent = (100 * (m1.busy - m0.busy)) / Math.max(1, m1.total - m0.total);
      const appCpuPercent = app0 === null || app1 === null ? null : pct(app1 - app0);
      const postgresCpuPercent = pgSeconds === null ? null : pct(pgSeconds);
      const benchCpuPercent = pct((self.user + self.system) / 1e6);
      return {
        seconds,
        appCpuPercent,
        postgresCpuPercent,
        benchCpuPercent,
        otherCpuPercent: Math.max(0, machineBusyPercent * cpus().length - (appCpuPercent ?? 0) - (postgresCpuPercent ?? 0) - benchCpuPercent),
        machineBusyPercent,
      };
    },
  };
}

/** Samples the peak RSS of a process every `ms` (VmHWM is already a peak; this also keeps the largest VmRSS seen). */
export function watchMemory(pid: number, ms = 250): { stop(): { peakRssMb: number | null; sampledMaxRssMb: number | null } } {
  let max: number | null = null;
  const sample = () => {
    const m = processMemoryMb(pid);
    if (m) max = Math.max(max ?? 0, m.rssMb);
  };
  sample();
  const timer = setInterval(sample, ms);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakRssMb: processMemoryMb(pid)?.peakRssMb ?? null, sampledMaxRssMb: max };
    },
  };
}

export interface ActivitySummary {
  samples: number;
  intervalMs: number;
  /** Samples in which at least one session of the database waited on a heavyweight lock (wait_event_type 'Lock'). */
  samplesWithLockWait: number;
  /** Per lock wait_event ('advisory', 'transactionid', 'tuple', …): in how many samples at least one session waited on it, and session-samples in all. */
  lockWaits: Record<string, { samples: number; sessionSamples: number }>;
  /** Every session-sample of a non-idle session by `wait_event_type:wait_event` ('CPU' when it waited on nothing), most frequent first. */
  waitEvents: Array<{ event: string; sessionSamples: number; share: number }>;
  /** The most sessions of the given application_name seen at once (the app's pool in use), and the most in state active. */
  maxSessions: number;
  maxActive: number;
}

interface ActivityRow {
  application_name: string;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
}

/**
 * Samples pg_stat_activity of `database` every `intervalMs` on a connection of its own; `stop()` gives the
 * summary. `applicationName` picks the sessions counted as the pool (the app's: 'pilot-booking').
 */
export async function sampleActivity(
  adminUrl: string,
  database: string,
  applicationName: string,
  intervalMs = 100,
): Promise<{ stop(): Promise<ActivitySummary> }> {
  const client = reportErrors('pg_stat_activity sampler', new Client({ connectionString: adminUrl, application_name: 'pb-bench-sampler' }));
  await client.connect();
  const summary: ActivitySummary = { samples: 0, intervalMs, samplesWithLockWait: 0, lockWaits: {}, waitEvents: [], maxSessions: 0, maxActive: 0 };
  const events = new Map<string, number>();
  let running = true;
  let busy = false;
  let sampling: Promise<void> = Promise.resolve();
  const sampleOnce = async () => {
    const { rows } = await client.query<ActivityRow>(
      `SELECT application_name, state, wait_event_type, wait_event FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      [database],
    );
    summary.samples++;
    const seenLock = new Set<string>();
    let sessions = 0;
    let active = 0;
    for (const r of rows) {
      if (r.application_name === applicationName) {
        sessions++;
        if (r.state === 'active') active++;
      }
      if (r.state === 'idle') continue;
      const event = r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : 'CPU';
      events.set(event, (events.get(event) ?? 0) + 1);
      if (r.wait_event_type === 'Lock') {
        const key = r.wait_event ?? '?';
        const w = (summary.lockWaits[key] ??= { samples: 0, sessionSamples: 0 });
        w.sessionSamples++;
        if (!seenLock.has(key)) w.samples++;
        seenLock.add(key);
      }
    }
    if (seenLock.size > 0) summary.samplesWithLockWait++;
    summary.maxSessions = Math.max(summary.maxSessions, sessions);
    summary.maxActive = Math.max(summary.maxActive, active);
  };
  const timer = setInterval(() => {
    // Never two samples in flight: a slow sample skips the next tick.
    if (!running || busy) return;
    busy = true;
    sampling = sampleOnce()
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, intervalMs);
  return {
    async stop() {
      running = false;
      clearInterval(timer);
      await sampling;
      await client.end();
      const total = [...events.values()].reduce((a, b) => a + b, 0);
      summary.waitEvents = [...events.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([event, n]) => ({ event, sessionSamples: n, share: total === 0 ? 0 : n / total }));
      return summary;
    },
  };
}
