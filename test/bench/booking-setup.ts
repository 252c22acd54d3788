/**
 * The set-up shared by the `booking-writes` and `contention` sections: a fresh database with migrations and
 * the demo data (`node dist/cli.js seed-demo`), SME organisations with one user each, exclusive resources
 * open around the clock without fair-use limits, the built app (`node dist/main.js`) as a child process on a
 * free port, and a bearer token per organisation (POST /auth/login).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { creditCodeCheckCharacter } from '../../src/common/validation/credit-code';
import { DEMO_PASSWORD } from '../../src/database/seed/demo-accounts';
import {
  children,
  CLI,
  reportErrors,
  createBenchDatabase,
  JWT_SECRET,
  MAIN,
  onCleanup,
  progress,
  runNode,
  sleep,
  SQL_CAPTURE,
  type BenchDatabase,
} from './common';
import type { CapturedStatement } from './sql-capture';

export interface BookingBenchOptions {
  adminUrl: string;
  /** SME organisations (one user and one token each). */
  organisations: number;
  /** Exclusive resources the booking-write load is spread over. */
  resources: number;
  /** Extra resources of their own for the contention rounds (one window each). */
  contentionResources: number;
  /** Whether the bench resources need the operator's approval (bookings `pending`) or not (`approved` at once). */
  approvalRequired: boolean;
  logLevel: string;
}

export interface BenchOrg {
  organisationId: string;
  userId: string;
  email: string;
  /** The session the token names (`sid`). */
  sessionId: string;
  token: string;
}

export interface BookingWindow {
  resourceId: string;
  startsAt: Date;
  endsAt: Date;
}

export interface AppProcess {
  pid: number;
  baseUrl: string;
  child: ChildProcess;
  /** The last lines the app wrote (for error messages). */
  output(): string;
}

export interface BookingBench {
  database: BenchDatabase;
  adminUrl: string;
  /** A small pool for set-up and checks (application_name pb-bench-setup). */
  pool: Pool;
  app: AppProcess;
  orgs: BenchOrg[];
  resourceIds: string[];
  contentionResourceIds: string[];
  facility: { id: string; nameEn: string; timeZone: string };
  approvalRequired: boolean;
  /** A window nobody has asked for yet: resources in turn, then the next hour. */
  nextWindow(): BookingWindow;
  /** The window the contention round `i` fights over. */
  contentionWindow(i: number): BookingWindow;
  /** Records the SQL of one POST /bookings (sql-capture.ts) and returns it with the request it belongs to. */
  captureOneBooking(): Promise<CapturedBooking>;
  /** The bench's own JSON request for a window, as every section sends it. */
  bookingBody(window: BookingWindow): string;
  /** Waits until the app has no statement running or transaction open (requests of a finished load may still be in flight). */
  settle(): Promise<void>;
  /**
   * settle(), then CHECKPOINT (needs a superuser or pg_checkpoint; skipped otherwise): each measured run
   * starts with the dirty pages of the one before written out, not paying for them.
   */
  quiesce(): Promise<void>;
}

export interface CapturedBooking {
  statements: CapturedStatement[];
  org: BenchOrg;
  window: BookingWindow;
  idempotencyKey: string;
  /** When the request was sent (the app's `now` is a few ms later). */
  sentAt: Date;
  bookingId: string;
  state: string;
}

const HOUR_MS = 3_600_000;
const SLOT_MS = HOUR_MS;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A valid (check-summed) invented credit code: 91 + Dalian's division + BENCH + serial. */
function benchCreditCode(serial: number): string {
  const first17 = `91210200BENCH${String(serial).padStart(4, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** The claims of a JWT, unverified (the bench only needs `sub` and `sid` of tokens it was just given). */
function jwtClaims(token: string): { sub: string; sid: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: string; sid: string };
}

/** The app's environment: DATABASE_URL of the bench database, no jobs, and no limit that would refuse the load. */
function appEnv(dbUrl: string, port: number, captureFile: string, logLevel: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: dbUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    JWT_SECRET,
    LOG_LEVEL: logLevel,
    JOBS_ENABLED: 'false',
    // Tokens outlive the whole run; the login and registration throttles (the only HTTP rate limits)
    // count per client address, and every request here comes from 127.0.0.1.
    ACCESS_TOKEN_TTL: '6h',
    LOGIN_IP_LIMIT: '1000000',
    REGISTER_IP_LIMIT: '1000000',
    BENCH_SQL_CAPTURE_FILE: captureFile,
  };
}

export async function startApp(dbUrl: string, work: string, logLevel: string): Promise<AppProcess & { captureFile: string; stop(): Promise<void> }> {
  const port = await freePort();
  const captureFile = join(work, 'booking-sql.json');
  const child = spawn(process.execPath, ['--require', SQL_CAPTURE, MAIN], {
    env: appEnv(dbUrl, port, captureFile, logLevel),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let tail = '';
  const keep = (d: string) => (tail = (tail + d).slice(-8000));
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  // An object, not a `let`: it is set in a callback (the compiler would take it for null for ever).
  const status: { exited: string | null } = { exited: null };
  const closed = new Promise<void>((resolve) =>
    child.on('close', (code, signal) => {
      status.exited = `exit ${code ?? signal}`;
      children.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (status.exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await closed;
    clearTimeout(timer);
    progress(`bench: app (pid ${child.pid}) stopped`);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (status.exited) throw new Error(`the app stopped while starting (${status.exited}):\n${tail}`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app did not answer /health within 60 s:\n${tail}`);
    }
    await sleep(200);
  }
  return { pid: child.pid!, baseUrl, child, captureFile, output: () => tail, stop };
}

export async function setupBookingBench(opts: BookingBenchOptions): Promise<BookingBench> {
  const database = await createBenchDatabase(opts.adminUrl);
  const work = mkdtempSync(join(tmpdir(), 'pb-bench-'));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  progress(`booking: PostgreSQL ${database.pgVersion} at ${database.host}, database ${database.name}`);

  let t = Date.now();
  await runNode(
    'seed-demo',
    [CLI, 'seed-demo', '--no-history'],
    { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'test', LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', JWT_SECRET },
    work,
  );
  progress(`booking: migrations and demo data in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const pool = reportErrors('set-up pool', new Pool({ connectionString: database.url, max: 4, application_name: 'pb-bench-setup' }));
  onCleanup(() => pool.end());

  // A demo facility (its operator receives the notifications) gets the bench resources.
  const [facility] = (
    await pool.query<{ id: string; name_en: string; time_zone: string }>(
      `SELECT id, name_en, time_zone FROM facilities WHERE active AND time_zone = 'Asia/Shanghai' ORDER BY name_en LIMIT 1`,
    )
  ).rows;
  if (!facility) throw new Error('the demo data has no active facility in Asia/Shanghai');

  // Exclusive resources, open 00:00–24:00 every day, bookable 15 min–24 h from now on for ten years, no
  // changeover buffers, and no fair-use limits (max_unit_hours_per_30_days, max_open_requests NULL).
  t = Date.now();
  const total = opts.resources + opts.contentionResources;
  const resourceIds = (
    await pool.query<{ id: string }>(
      `INSERT INTO resources (facility_id, name_zh, name_en, description, mode, capacity, unit, min_duration_minutes, max_duration_minutes,
                              lead_time_minutes, horizon_days, buffer_before_minutes, buffer_after_minutes, approval_required,
                              price_per_unit_hour_fen, sme_discount_percent, max_unit_hours_per_30_days, max_open_requests)
       SELECT $1, '压测设备 ' || g, 'Bench line ' || g, 'booking-write benchmark', 'exclusive', 1, 'hour', 15, 1440,
              0, 3650, 0, 0, $3, 80000, 20, NULL, NULL
         FROM generate_series(1, $2::int) g
       RETURNING id`,
      [facility.id, total, opts.approvalRequired],
    )
  ).rows.map((r) => r.id);
  await pool.query(
    `INSERT INTO opening_hours (resource_id, weekday, opens, closes)
     SELECT r, d, '00:00', '24:00' FROM unnest($1::uuid[]) r CROSS JOIN generate_series(1, 7) d`,
    [resourceIds],
  );
  // The demo resources keep their limits; the bench ones must have none (checked, not assumed).
  const [{ limited }] = (
    await pool.query<{ limited: number }>(
      `SELECT count(*)::int AS limited FROM resources WHERE id = ANY($1::uuid[]) AND (max_unit_hours_per_30_days IS NOT NULL OR max_open_requests IS NOT NULL)`,
      [resourceIds],
    )
  ).rows;
  if (limited !== 0) throw new Error(`${limited} bench resources have fair-use limits`);

  // SME organisations with one enterprise user each, in SQL, with the demo users' password hash (argon2id
  // of DEMO_PASSWORD): registering 200 through the API would cost 200 hashes for nothing measured.
  const [{ password_hash: hash }] = (await pool.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE email = 'sme@demo.local'`)).rows;
  const serials = Array.from({ length: opts.organisations }, (_, i) => i + 1);
  const users = (
    await pool.query<{ id: string; email: string; organisation_id: string }>(
      `WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS t(code, email, label)),
            o AS (INSERT INTO organisations (kind, name_zh, name_en, credit_code, sme, city_code)
                  SELECT 'enterprise', '压测企业' || label || '有限公司', 'Bench SME ' || label || ' Co.', code, true, '210200' FROM input
                  RETURNING id, credit_code)
       INSERT INTO users (email, display_name, role, organisation_id, password_hash)
       SELECT i.email, 'Bench user ' || i.label, 'enterprise', o.id, $4 FROM o JOIN input i ON i.code = o.credit_code::text
       RETURNING id, email, organisation_id`,
      [serials.map(benchCreditCode), serials.map((s) => `bench-${s}@bench.example.cn`), serials.map((s) => String(s).padStart(3, '0')), hash],
    )
  ).rows.sort((a, b) => a.email.localeCompare(b.email, 'en', { numeric: true }));
  progress(
    `booking: ${resourceIds.length} exclusive resources in "${facility.name_en}", ${users.length} SME organisations in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );

  t = Date.now();
  const app = await startApp(database.url, work, opts.logLevel);
  onCleanup(() => app.stop());
  progress(`booking: app (pid ${app.pid}) listening at ${app.baseUrl} after ${((Date.now() - t) / 1000).toFixed(1)} s`);

  // A token per organisation, four logins at a time (each is an argon2 verification).
  t = Date.now();
  const orgs: BenchOrg[] = new Array<BenchOrg>(users.length);
  let next = 0;
  const login = async () => {
    for (let i = next++; i < users.length; i = next++) {
      const u = users[i];
      const res = await fetch(`${app.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: u.email, password: DEMO_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login ${u.email}: ${res.status} ${await res.text()}`);
      const { accessToken } = (await res.json()) as { accessToken: string };
      const claims = jwtClaims(accessToken);
      orgs[i] = { organisationId: u.organisation_id, userId: u.id, email: u.email, sessionId: claims.sid, token: accessToken };
      const done = orgs.filter(Boolean).length;
      if (done % 50 === 0 || done === users.length) progress(`  login: ${done}/${users.length}`);
    }
  };
  await Promise.all([login(), login(), login(), login()]);
  progress(`booking: ${orgs.length} tokens in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const loadResources = resourceIds.slice(0, opts.resources);
  const contentionResourceIds = resourceIds.slice(opts.resources);
  // Windows start at the next full UTC hour two days from now: well inside the horizon, never in the past.
  const base = Math.ceil((Date.now() + 2 * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  let allocated = 0;
  const nextWindow = (): BookingWindow => {
    const n = allocated++;
    const startsAt = new Date(base + Math.floor(n / loadResources.length) * SLOT_MS);
    return { resourceId: loadResources[n % loadResources.length], startsAt, endsAt: new Date(startsAt.getTime() + SLOT_MS) };
  };
  const contentionWindow = (i: number): BookingWindow => ({
    resourceId: contentionResourceIds[i],
    startsAt: new Date(base),
    endsAt: new Date(base + SLOT_MS),
  });
  const bookingBody = (w: BookingWindow) =>
    JSON.stringify({
      resourceId: w.resourceId,
      startsAt: w.startsAt.toISOString(),
      endsAt: w.endsAt.toISOString(),
      stage: 'pilot_maturation',
      purpose: 'bench',
    });

  // Quiet: no app connection busy in three looks 50 ms apart (a request between its auth reads and its
  // transaction leaves its connection idle for a moment).
  const settle = async () => {
    let quiet = 0;
    for (const deadline = Date.now() + 15_000; quiet < 3; await sleep(50)) {
      const [{ busy }] = (
        await pool.query<{ busy: number }>(
          `SELECT count(*)::int AS busy FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pilot-booking' AND state <> 'idle'`,
        )
      ).rows;
      quiet = busy === 0 ? quiet + 1 : 0;
      if (Date.now() > deadline) throw new Error(`the app still has ${busy} busy connections 15 s after the load`);
    }
  };

  let checkpointRefused = false;
  const quiesce = async () => {
    await settle();
    if (checkpointRefused) return;
    try {
      await pool.query('CHECKPOINT');
    } catch (e) {
      checkpointRefused = true;
      progress(`booking: CHECKPOINT refused (${e instanceof Error ? e.message : String(e)}); runs start without one`);
    }
  };

  const captureOneBooking = async (): Promise<CapturedBooking> => {
    await settle();
    const armed = `${app.captureFile}.armed`;
    for (const f of [armed, app.captureFile]) rmSync(f, { force: true });
    const waitFor = async (file: string) => {
      for (const deadline = Date.now() + 5000; !existsSync(file); await sleep(10)) {
        if (Date.now() > deadline) throw new Error(`the app did not write ${file} (is sql-capture.js preloaded?)`);
      }
    };
    process.kill(app.pid, 'SIGUSR2');
    await waitFor(armed);
    const org = orgs[0];
    const window = nextWindow();
    const idempotencyKey = `bench-capture-${randomUUID()}`;
    const sentAt = new Date();
    const res = await fetch(`${app.baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.token}`, 'idempotency-key': idempotencyKey },
      body: bookingBody(window),
    });
    const body = (await res.json()) as { id: string; state: string };
    process.kill(app.pid, 'SIGUSR2');
    await waitFor(app.captureFile);
    if (res.status !== 201) throw new Error(`the captured booking was answered ${res.status}: ${JSON.stringify(body)}`);
    const statements = JSON.parse(readFileSync(app.captureFile, 'utf8')) as CapturedStatement[];
    const transactions = statements.filter((st) => /^\s*START TRANSACTION\b/i.test(st.text)).length;
    if (transactions !== 1) throw new Error(`the capture holds ${transactions} transactions, not one: was another request in flight?`);
    return { statements, org, window, idempotencyKey, sentAt, bookingId: body.id, state: body.state };
  };

  return {
    database,
    adminUrl: opts.adminUrl,
    pool,
    app,
    orgs,
    resourceIds: loadResources,
    contentionResourceIds,
    facility: { id: facility.id, nameEn: facility.name_en, timeZone: facility.time_zone },
    approvalRequired: opts.approvalRequired,
    nextWindow,
    contentionWindow,
    captureOneBooking,
    bookingBody,
    settle,
    quiesce,
  };
}
