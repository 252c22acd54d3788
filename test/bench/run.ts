/**
 * `npm run bench [-- --only booking-writes,contention] [-- --duration 20 --connections 32 …]`: the benchmark
 * sections on a PostgreSQL server (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres):
 *   - `sacct`: the Slurm sacct import (sacct.ts), in a database of its own;
 *   - `booking-writes`: POST /api/v1/bookings under load against the same statements raw through pg, and a
 *     bare INSERT (booking-writes.ts);
 *   - `contention`: 200 simultaneous requests for one exclusive window (contention.ts);
 *   - `province`: a synthetic province of 2,000 resources and 1,000,000 bookings, availability search and
 *     reports on it (province.ts), in a database of its own.
 * The two booking sections share one set-up (booking-setup.ts): a fresh database, the built app as a child.
 * Every database is called pb_bench_<random> and dropped at the end, also on failure or Ctrl-C; the app child
 * is stopped. One table per section on stdout, progress on stderr, all figures in bench-results.json
 * (git-ignored). Never run by `npm test` or CI.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { setupBookingBench, type BookingBench } from './booking-setup';
import { bookingWritesSection } from './booking-writes';
import { CLI, cleanup, installSignalHandlers, MAIN, progress, ROOT, round, state, type SectionResult } from './common';
import { contentionSection } from './contention';
import { machineBusyPercent } from './monitor';
import { PROVINCE_DEFAULTS, provinceSection } from './province';
import { sacctSection } from './sacct';

const SECTIONS = ['sacct', 'booking-writes', 'contention', 'province'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  only: Section[];
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  organisations: number;
  resources: number;
  contentionRequests: number;
  contentionRounds: number;
  captures: number;
  approvalRequired: boolean;
  logLevel: string;
  provinceFacilities: number;
  provinceBookings: number;
  searchRequests: number;
}

const USAGE = `usage: npm run bench -- [options]
  --only <sections>        comma-separated, of: ${SECTIONS.join(', ')} (default: all)
  --duration <s>           booking-writes: seconds of each measured run (default 20)
  --warmup <s>             booking-writes: seconds of warm-up before each run (default 3; 0: none)
  --connections <n>        booking-writes: HTTP connections and pg clients (default 32)
  --organisations <n>      SME organisations with a token each (default 200; at least --contention-requests)
  --resources <n>          exclusive resources the booking-write load is spread over (default 200)
  --contention-requests <n> simultaneous requests per contention round (default 200)
  --contention-rounds <n>  contention rounds, each on a resource of its own (default 3)
  --captures <n>           unloaded bookings whose SQL is captured (default 5)
  --province-facilities <n> province: facilities, 5 resources each (default ${PROVINCE_DEFAULTS.facilities})
  --province-bookings <n>  province: bookings over the year (default ${PROVINCE_DEFAULTS.bookings})
  --search-requests <n>    province: availability searches measured (default ${PROVINCE_DEFAULTS.searchRequests})
  --auto-approve           bench resources need no approval (bookings approved at once; default: pending)
  --log-level <level>      the app's LOG_LEVEL (default warn)`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    only: [...SECTIONS],
    durationSeconds: 20,
    warmupSeconds: 3,
    connections: 32,
    organisations: 200,
    resources: 200,
    contentionRequests: 200,
    contentionRounds: 3,
    captures: 5,
    approvalRequired: true,
    logLevel: 'warn',
    provinceFacilities: PROVINCE_DEFAULTS.facilities,
    provinceBookings: PROVINCE_DEFAULTS.bookings,
    searchRequests: PROVINCE_DEFAULTS.searchRequests,
  };
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, not ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--only': {
        const names = (value() ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
        if (names.length === 0 || unknown.length > 0)
          throw new UsageError(`--only: unknown section ${unknown.join(', ') || '(none)'}; sections: ${SECTIONS.join(', ')}`);
        o.only = SECTIONS.filter((s) => names.includes(s));
        break;
      }
      case '--duration':
        o.durationSeconds = int(flag, value(), 1);
        break;
      case '--warmup':
        o.warmupSeconds = int(flag, value(), 0);
        break;
      case '--connections':
        o.connections = int(flag, value(), 1);
        break;
      case '--organisations':
        o.organisations = int(flag, value(), 1);
        break;
      case '--resources':
        o.resources = int(flag, value(), 1);
        break;
      case '--contention-requests':
        o.contentionRequests = int(flag, value(), 2);
        break;
      case '--contention-rounds':
        o.contentionRounds = int(flag, value(), 1);
        break;
      case '--captures':
        o.captures = int(flag, value(), 1);
        break;
      case '--province-facilities':
        o.provinceFacilities = int(flag, value(), 1);
        break;
      case '--province-bookings':
        o.provinceBookings = int(flag, value(), 1);
        break;
      case '--search-requests':
        o.searchRequests = int(flag, value(), 1);
        break;
      case '--auto-approve':
        o.approvalRequired = false;
        break;
      case '--log-level':
        o.logLevel = value() ?? '';
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option ${argv[i]}`);
    }
  }
  if (o.only.includes('contention') && o.organisations < o.contentionRequests) o.organisations = o.contentionRequests;
  return o;
}

class UsageError extends Error {}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  for (const f of [CLI, MAIN]) if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run bench" (it builds first) or "npm run build"`);
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const sections: Record<string, Record<string, unknown>> = {};
  const tables: Array<[string, string]> = [];
  const finish = (name: Section, r: SectionResult, seconds: number) => {
    sections[name] = { ...r.results, seconds: round(seconds, 1) };
    tables.push([name, r.table]);
    process.stdout.write(`\n== ${name} ==\n${r.table}\n`);
  };
  // The figures are only worth something on an otherwise idle machine: say so when it is not.
  const busyBefore = await machineBusyPercent(1000);
  const loadBefore = loadavg();
  if (busyBefore > 20)
    progress(
      `bench: WARNING: the machine is already ${busyBefore.toFixed(0)} % busy (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}) before the bench: other work skews the figures`,
    );
  const server = new Client({ connectionString: adminUrl });
  await server.connect();
  const [{ server_version: pgVersion }] = (await server.query<{ server_version: string }>('SHOW server_version')).rows;
  await server.end();

  if (opts.only.includes('sacct')) {
    const t = Date.now();
    finish('sacct', await sacctSection(adminUrl), (Date.now() - t) / 1000);
  }

  const booking = opts.only.filter((s) => s === 'booking-writes' || s === 'contention');
  if (booking.length > 0) {
    let t = Date.now();
    const bench: BookingBench = await setupBookingBench({
      adminUrl,
      organisations: opts.organisations,
      resources: opts.resources,
      contentionResources: opts.only.includes('contention') ? opts.contentionRounds : 0,
      approvalRequired: opts.approvalRequired,
      logLevel: opts.logLevel,
    });
    const setupSeconds = (Date.now() - t) / 1000;
    if (booking.includes('booking-writes')) {
      t = Date.now();
      const r = await bookingWritesSection(bench, {
        connections: opts.connections,
        durationSeconds: opts.durationSeconds,
        warmupSeconds: opts.warmupSeconds,
        captures: opts.captures,
      });
      finish('booking-writes', { ...r, results: { ...r.results, setupSeconds: round(setupSeconds, 1) } }, (Date.now() - t) / 1000);
    }
    if (booking.includes('contention')) {
      t = Date.now();
      finish('contention', await contentionSection(bench, { requests: opts.contentionRequests, rounds: opts.contentionRounds }), (Date.now() - t) / 1000);
    }
  }

  if (opts.only.includes('province')) {
    const t = Date.now();
    finish(
      'province',
      await provinceSection({
        adminUrl,
        facilities: opts.provinceFacilities,
        resourcesPerFacility: PROVINCE_DEFAULTS.resourcesPerFacility,
        bookings: opts.provinceBookings,
        enterprises: PROVINCE_DEFAULTS.enterprises,
        searchRequests: opts.searchRequests,
        reportRepeats: PROVINCE_DEFAULTS.reportRepeats,
        logLevel: opts.logLevel,
      }),
      (Date.now() - t) / 1000,
    );
  }

  const cpuList = cpus();
  const results = {
    date: new Date().toISOString(),
    sections: opts.only,
    options: opts,
    results: sections,
    machine: {
      hostname: hostname(),
      platform: `${platform()} ${release()}`,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? null,
      memoryGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      postgres: pgVersion,
      postgresHost: new URL(adminUrl).host,
      busyPercentBefore: round(busyBefore, 1),
      loadAverageBefore: loadBefore.map((l) => round(l, 2)),
    },
    totalSeconds: round((Date.now() - t0) / 1000, 1),
  };
  const out = join(ROOT, 'bench-results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  progress(`bench: ${resolve(out)} written (${tables.map(([n]) => n).join(', ')}); ${results.totalSeconds} s in all`);
}

installSignalHandlers();
main()
  .then(cleanup, async (e: unknown) => {
    if (e instanceof UsageError) process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
    else if (!state.interrupted) process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
    await cleanup();
  })
  .catch((e: unknown) => {
    process.stderr.write(`bench: ${String(e)}\n`);
    process.exitCode = 1;
  });
