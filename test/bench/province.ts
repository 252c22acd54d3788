/**
 * Section `province`: a synthetic province — 400 facilities with 2,000 resources in the 14 cities, 1,000
 * enterprises, and 1,000,000 bookings over one year (351 days back, 14 ahead) with the usage records of the
 * completed ones — loaded in set-based SQL (INSERT … SELECT over generate_series, one statement per 100
 * resources, a progress bar), not row by row through the API. The bookings go through the table's real
 * constraints (the exclusion constraint included); only the two per-row triggers that mark report days
 * as stale are switched off during the load, because the daily snapshots are then built from scratch
 * (`rebuild-snapshots`, timed) as the scheduled job would build them.
 *
 * On top of it, through the built app (a child process, as production runs it):
 *   - availability search: GET /api/v1/availability over the next two weeks, six filter mixes in turn,
 *     one request at a time: p50 / p95 / max (target p95 < 50 ms);
 *   - reports: utilisation of the last 12 whole months by facility and by month, and the indicators of the
 *     same 12 months, each cold (first request of a freshly started app) and warm (median of the next
 *     repeats), from the snapshots and raw (target < 1 s);
 *   - the app's peak RSS over the section.
 * "Cold" is the app's first request, not a cold database: the shared server's buffer cache cannot be
 * emptied without restarting it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Client } from 'pg';
import { creditCodeCheckCharacter } from '../../src/common/validation/credit-code';
import { DEMO_PASSWORD } from '../../src/database/seed/demo-accounts';
import { startApp } from './booking-setup';
import { CLI, createBenchDatabase, formatTable, JWT_SECRET, onCleanup, percentile, progress, reportErrors, round, runNode, type SectionResult } from './common';
import { processMemoryMb } from './monitor';

export interface ProvinceOptions {
  adminUrl: string;
  facilities: number;
  resourcesPerFacility: number;
  bookings: number;
  enterprises: number;
  searchRequests: number;
  reportRepeats: number;
  logLevel: string;
}

export const PROVINCE_DEFAULTS = { facilities: 400, resourcesPerFacility: 5, bookings: 1_000_000, enterprises: 1000, searchRequests: 300, reportRepeats: 5 };

const TARGET_SEARCH_P95_MS = 50;
const TARGET_REPORT_MS = 1000;
const CHUNK_RESOURCES = 100;
const DAY_MS = 86_400_000;
const TZ = 'Asia/Shanghai';
const CITIES = ['210100', '210200', '210300', '210400', '210500', '210600', '210700', '210800', '210900', '211000', '211100', '211200', '211300', '211400'];
const COMPUTE_KINDS = `('supercomputing_centre', 'intelligent_computing_centre')`;

/** A valid credit code for bench organisations: 91 + Shenyang's division + a letter block + serial. */
function creditCode(block: string, serial: number): string {
  const first17 = `91210100${block}${String(serial).padStart(9 - block.length, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** The date (YYYY-MM-DD) in Asia/Shanghai of an instant. */
function localDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The first day of the month `months` after the month of `date` (YYYY-MM-DD). */
function monthStart(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1 + months, 1));
  return t.toISOString().slice(0, 10);
}

/** Midnight of a local date in Asia/Shanghai (UTC+8, no DST) as an ISO instant. */
const localMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`).toISOString();

interface LoadFigures {
  facilities: number;
  resources: number;
  enterprises: number;
  bookings: number;
  heldBookings: number;
  usageRecords: number;
  loadSeconds: number;
  bookingRowsPerSecond: number;
  analyzeSeconds: number;
  snapshotSeconds: number;
  snapshotDays: number;
  databaseMb: number;
}

async function loadProvince(
  db: Client,
  opts: ProvinceOptions,
  now: Date,
  firstDay: string,
  lastDay: string,
): Promise<Omit<LoadFigures, 'snapshotSeconds' | 'snapshotDays'>> {
  const t0 = Date.now();
  const resources = opts.facilities * opts.resourcesPerFacility;
  const chunks = Math.ceil(resources / CHUNK_RESOURCES);
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'province [{bar}] {percentage}% | {value}/{total} steps | {step} | eta {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  bar.start(3 + chunks * 2, 0, { step: 'catalogue' });
  try {
    const [{ hash }] = (await db.query<{ hash: string }>(`SELECT password_hash AS hash FROM users WHERE email = 'sme@demo.local'`)).rows;
    // Operators: one organisation and one user per 10 facilities.
    const operators = Math.ceil(opts.facilities / 10);
    await db.query(`CREATE TEMP TABLE bench_operators (n int PRIMARY KEY, organisation_id uuid NOT NULL, user_id uuid)`);
    await db.query(
      `WITH o AS (INSERT INTO organisations (kind, name_zh, name_en, credit_code, sme, city_code)
                  SELECT 'operator', '压测运营单位' || g, 'Bench operator ' || g, c, false, ($2::text[])[1 + (g - 1) % 14]
                    FROM unnest($1::text[]) WITH ORDINALITY AS t(c, g)
                  RETURNING id, name_en)
       INSERT INTO bench_operators (n, organisation_id) SELECT (regexp_match(name_en, '\\d+$'))[1]::int, id FROM o`,
      [Array.from({ length: operators }, (_, i) => creditCode('PR', i + 1)), CITIES],
    );
    await db.query(
      `WITH u AS (INSERT INTO users (email, display_name, role, organisation_id, password_hash)
                  SELECT 'bench-op-' || n || '@bench.example.cn', 'Bench operator ' || n, 'operator', organisation_id, $1 FROM bench_operators
                  RETURNING id, organisation_id)
       UPDATE bench_operators o SET user_id = u.id FROM u WHERE u.organisation_id = o.organisation_id`,
      [hash],
    );
    // Facilities: the four kinds in turn (one in four a compute centre), the 14 cities, two directions each.
    await db.query(
      `INSERT INTO facilities (operator_id, kind, name_zh, name_en, city_code, address, directions, stages, time_zone, description)
       SELECT o.organisation_id, k.kind, '压测平台' || g, 'Bench facility ' || g, ($2::text[])[1 + g % 14], '压测路 ' || g || ' 号',
              ARRAY[d.dirs[1 + g % 6], d.dirs[1 + (g + 2) % 6]],
              CASE WHEN k.kind IN ${COMPUTE_KINDS} THEN ARRAY['lab_validation', 'pilot_maturation']
                   ELSE ARRAY['lab_validation', 'pilot_maturation', 'industrialisation'] END,
              '${TZ}', 'synthetic facility of the benchmark province'
         FROM generate_series(1, $1::int) g
         JOIN bench_operators o ON o.n = 1 + (g - 1) / 10
         CROSS JOIN LATERAL (SELECT (ARRAY['pilot_platform', 'verification_centre', 'pilot_platform', 'supercomputing_centre', 'pilot_platform',
                                           'verification_centre', 'pilot_platform', 'intelligent_computing_centre'])[1 + g % 8] AS kind) k
         CROSS JOIN (SELECT ARRAY['artificial_intelligence', 'new_energy', 'new_materials', 'green_low_carbon', 'deep_sea_earth_space', 'life_health'] AS dirs) d`,
      [opts.facilities, CITIES],
    );
    // Resources: exclusive lines and instruments (hour); each compute centre's first resource is a GPU or core pool.
    await db.query(
      `CREATE TEMP TABLE bench_resources (n int PRIMARY KEY, id uuid NOT NULL, compute boolean NOT NULL);
       WITH f AS (SELECT id, kind, row_number() OVER (ORDER BY name_en) AS fn FROM facilities WHERE name_en LIKE 'Bench facility %'),
            r AS (INSERT INTO resources (facility_id, name_zh, name_en, description, mode, capacity, unit, min_duration_minutes, max_duration_minutes,
                                         lead_time_minutes, horizon_days, buffer_before_minutes, buffer_after_minutes, approval_required,
                                         price_per_unit_hour_fen, sme_discount_percent, max_unit_hours_per_30_days, max_open_requests, slot_minutes)
                  SELECT f.id, '压测设备 ' || f.fn || '-' || i, 'Bench resource ' || f.fn || '-' || i, 'synthetic resource',
                         CASE WHEN pool THEN 'pooled' ELSE 'exclusive' END, CASE WHEN pool THEN 16 ELSE 1 END,
                         CASE WHEN pool AND f.kind = 'intelligent_computing_centre' THEN 'gpu_hour' WHEN pool THEN 'core_hour' ELSE 'hour' END,
                         60, 1440, 60, 365, 0, 0, true, 20000 + (f.fn * 37 + i * 101) % 60000, 20, NULL, NULL, 60
                    FROM f CROSS JOIN generate_series(1, ${opts.resourcesPerFacility}) i
                    CROSS JOIN LATERAL (SELECT f.kind IN ${COMPUTE_KINDS} AND i = 1 AS pool) p
                  RETURNING id, facility_id)
       INSERT INTO bench_resources SELECT row_number() OVER (ORDER BY r.id), r.id, f.kind IN ${COMPUTE_KINDS} FROM r JOIN f ON f.id = r.facility_id`,
    );
    // Opening hours: pilot lines and laboratories Mon–Fri 08:00–20:00 and Sat 08:00–12:00; compute around the clock.
    await db.query(
      `INSERT INTO opening_hours (resource_id, weekday, opens, closes)
       SELECT b.id, d, time '00:00', time '24:00' FROM bench_resources b CROSS JOIN generate_series(1, 7) d WHERE b.compute
       UNION ALL SELECT b.id, d, '08:00', '20:00' FROM bench_resources b CROSS JOIN generate_series(1, 5) d WHERE NOT b.compute
       UNION ALL SELECT b.id, 6, '08:00', '12:00' FROM bench_resources b WHERE NOT b.compute`,
    );
    bar.increment(1, { step: 'enterprises' });
    await db.query(`CREATE TEMP TABLE bench_enterprises (n int PRIMARY KEY, organisation_id uuid NOT NULL, user_id uuid)`);
    await db.query(
      `WITH o AS (INSERT INTO organisations (kind, name_zh, name_en, credit_code, sme, city_code)
                  SELECT 'enterprise', '压测企业' || g || '有限公司', 'Bench enterprise ' || g, c, g % 10 <> 0, ($2::text[])[1 + g % 14]
                    FROM unnest($1::text[]) WITH ORDINALITY AS t(c, g)
                  RETURNING id, name_en)
       INSERT INTO bench_enterprises (n, organisation_id) SELECT (regexp_match(name_en, '\\d+$'))[1]::int, id FROM o`,
      [Array.from({ length: opts.enterprises }, (_, i) => creditCode('EN', i + 1)), CITIES],
    );
    await db.query(
      `WITH u AS (INSERT INTO users (email, display_name, role, organisation_id, password_hash)
                  SELECT 'bench-ent-' || n || '@bench.example.cn', 'Bench user ' || n, 'enterprise', organisation_id, $1 FROM bench_enterprises
                  RETURNING id, organisation_id)
       UPDATE bench_enterprises e SET user_id = u.id FROM u WHERE u.organisation_id = e.organisation_id`,
      [hash],
    );
    bar.increment(1, { step: 'counting slots' });

    // Candidate slots: two a day (pilot/lab 09:00 and 14:00 on open days, Saturday morning only; compute
    // 00:00 and 12:00 every day), each kept with the probability that gives the wanted number of bookings.
    await db.query(`ALTER TABLE bookings DISABLE TRIGGER bookings_touch_report_days`);
    await db.query(`ALTER TABLE usage_records DISABLE TRIGGER usage_records_touch_report_days`);
    const slotsSql = `
      SELECT b.n, b.id AS resource_id, b.compute, d::date AS day, s,
             hashtext(b.id::text || ':' || d::date::text || ':' || s) & 2147483647 AS h
        FROM bench_resources b
        CROSS JOIN generate_series($1::date, $2::date, interval '1 day') d
        CROSS JOIN generate_series(0, 1) s
       WHERE b.compute OR extract(isodow FROM d) < 6 OR (extract(isodow FROM d) = 6 AND s = 0)`;
    const [{ slots }] = (await db.query<{ slots: number }>(`SELECT count(*)::int AS slots FROM (${slotsSql}) x`, [firstDay, lastDay])).rows;
    const threshold = Math.min(1_000_000, Math.round((1_000_000 * opts.bookings) / slots));
    bar.increment(1, { step: 'bookings' });

    let bookings = 0;
    let usageRecords = 0;
    for (let c = 0; c < chunks; c++) {
      const from = c * CHUNK_RESOURCES + 1;
      const to = Math.min(resources, (c + 1) * CHUNK_RESOURCES);
      const inserted = await db.query(
        `WITH slot AS (
           SELECT x.*, r.facility_id, r.mode, r.capacity, r.price_per_unit_hour_fen AS price, r.sme_discount_percent AS discount, f.operator_id,
                  (x.day + make_interval(hours => CASE WHEN x.compute THEN 12 * x.s ELSE 9 + 5 * x.s END)) AT TIME ZONE '${TZ}' AS s_at,
                  CASE WHEN x.compute THEN 4 + (x.h / 7) % 9 WHEN extract(isodow FROM x.day) = 6 THEN 2 + (x.h / 7) % 2 ELSE 2 + (x.h / 7) % (3 + x.s) END AS hours
             FROM (${slotsSql}) x
             JOIN resources r ON r.id = x.resource_id
             JOIN facilities f ON f.id = r.facility_id
            WHERE x.n BETWEEN $3 AND $4 AND x.h % 1000000 < $5),
         b AS (
           SELECT slot.*, s_at + make_interval(hours => hours) AS e_at,
                  CASE WHEN mode = 'pooled' THEN 1 + (h / 11) % capacity ELSE 1 END AS units,
                  s_at - make_interval(days => 1 + (h / 17) % 20::int, hours => (h / 3) % 12::int) AS created,
                  (h / 13) % 100 AS k, e.organisation_id AS org, e.user_id AS requester, o.user_id AS op_user
             FROM slot
             JOIN bench_enterprises e ON e.n = 1 + (slot.h / 101) % $6
             JOIN bench_operators o ON o.organisation_id = slot.operator_id),
         st AS (
           SELECT b.*, CASE WHEN e_at <= $7 THEN CASE WHEN k < 86 THEN 'completed' WHEN k < 91 THEN 'cancelled' WHEN k < 94 THEN 'no_show'
                                                         WHEN k < 97 THEN 'rejected' ELSE 'expired' END
                            WHEN s_at <= $7 THEN 'in_use'
                            WHEN k < 75 THEN 'approved' ELSE 'pending' END AS state
             FROM b)
         INSERT INTO bookings (resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, state, stage, purpose,
                               price_fen, list_price_fen, discount_percent, decided_by, decided_at, decision_reason, cancelled_by, cancelled_at, cancel_reason,
                               checked_in_by, checked_in_at, checked_out_by, checked_out_at, ended_by_job, ended_at, version, created_at, updated_at,
                               service_category)
         SELECT resource_id, facility_id, org, requester, tstzrange(s_at, e_at, '[)'), tstzrange(s_at, e_at, '[)'), mode = 'exclusive', units, state,
                (ARRAY['lab_validation', 'pilot_maturation', 'industrialisation'])[1 + (h / 19) % (CASE WHEN compute THEN 2 ELSE 3 END)],
                'benchmark booking', price * hours * units * (100 - discount) / 100, price * hours * units, discount,
                CASE WHEN state IN ('approved', 'rejected', 'in_use', 'completed', 'no_show') THEN op_user END,
                CASE WHEN state IN ('approved', 'rejected', 'in_use', 'completed', 'no_show') THEN created + interval '3 hours' END,
                CASE WHEN state = 'rejected' THEN 'the line is reserved for a customer trial' END,
                CASE WHEN state = 'cancelled' THEN requester END, CASE WHEN state = 'cancelled' THEN created + interval '6 hours' END,
                CASE WHEN state = 'cancelled' THEN 'plan changed' END,
                CASE WHEN state IN ('in_use', 'completed') THEN op_user END, CASE WHEN state IN ('in_use', 'completed') THEN s_at END,
                CASE WHEN state = 'completed' THEN op_user END, CASE WHEN state = 'completed' THEN e_at END,
                CASE WHEN state = 'expired' THEN 'job:expiry' WHEN state = 'no_show' THEN 'job:no-show' END,
                CASE WHEN state = 'expired' THEN least(created + interval '48 hours', s_at) WHEN state = 'no_show' THEN s_at + interval '30 minutes' END,
                CASE state WHEN 'pending' THEN 0 WHEN 'approved' THEN 1 WHEN 'completed' THEN 3 ELSE 2 END, created,
                CASE WHEN state = 'completed' THEN e_at WHEN state IN ('in_use', 'no_show') THEN s_at WHEN state = 'pending' THEN created
                     ELSE created + interval '6 hours' END,
                CASE WHEN compute THEN 'compute' ELSE (ARRAY['process_scale_up', 'type_testing', 'performance_testing', 'small_batch_trial_production',
                                                             'equipment_sharing', 'application_validation'])[1 + (h / 23) % 6] END
           FROM st`,
        [firstDay, lastDay, from, to, threshold, opts.enterprises, now],
      );
      bookings += inserted.rowCount ?? 0;
      bar.increment(1, { step: `bookings ${bookings.toLocaleString('en')}` });
      // One check-out record per completed booking, as the operator's check-out writes it.
      const usage = await db.query(
        `INSERT INTO usage_records (resource_id, facility_id, organisation_id, booking_id, starts_at, ends_at, unit, units_used, unit_hours, source,
                                    recorded_by, recorded_by_label, recorded_at)
         SELECT bk.resource_id, bk.facility_id, bk.organisation_id, bk.id, bk.checked_in_at, bk.checked_out_at, r.unit, bk.units,
                round(extract(epoch FROM bk.checked_out_at - bk.checked_in_at) / 3600 * bk.units, 4), 'check_out', bk.checked_out_by,
                'Bench operator', bk.checked_out_at
           FROM bookings bk JOIN resources r ON r.id = bk.resource_id JOIN bench_resources b ON b.id = bk.resource_id
          WHERE b.n BETWEEN $1 AND $2 AND bk.state = 'completed'`,
        [from, to],
      );
      usageRecords += usage.rowCount ?? 0;
      bar.increment(1, { step: `usage ${usageRecords.toLocaleString('en')}` });
    }
    await db.query(`ALTER TABLE bookings ENABLE TRIGGER bookings_touch_report_days`);
    await db.query(`ALTER TABLE usage_records ENABLE TRIGGER usage_records_touch_report_days`);
    bar.stop();
    const loadSeconds = (Date.now() - t0) / 1000;
    let t = Date.now();
    await db.query('ANALYZE');
    const analyzeSeconds = (Date.now() - t) / 1000;
    const [counts] = (
      await db.query<{ facilities: number; resources: number; enterprises: number; bookings: number; held: number; usage: number; mb: number }>(
        `SELECT (SELECT count(*)::int FROM facilities) AS facilities, (SELECT count(*)::int FROM resources) AS resources,
                (SELECT count(*)::int FROM organisations WHERE kind = 'enterprise') AS enterprises,
                (SELECT count(*)::int FROM bookings) AS bookings, (SELECT count(*)::int FROM bookings WHERE booking_state_holds(state)) AS held,
                (SELECT count(*)::int FROM usage_records) AS usage, pg_database_size(current_database()) / 1048576.0 AS mb`,
      )
    ).rows;
    t = Date.now();
    return {
      facilities: counts.facilities,
      resources: counts.resources,
      enterprises: counts.enterprises,
      bookings: counts.bookings,
      heldBookings: counts.held,
      usageRecords: counts.usage,
      loadSeconds,
      bookingRowsPerSecond: bookings / loadSeconds,
      analyzeSeconds,
      databaseMb: Number(counts.mb),
    };
  } finally {
    bar.stop();
  }
}

interface Timed {
  status: number;
  ms: number;
  body: unknown;
}

async function timedGet(baseUrl: string, path: string, token?: string): Promise<Timed> {
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  const ms = performance.now() - t0;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, ms, body };
}

async function login(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(ms < 100 ? 1 : 0) : '?');
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

export async function provinceSection(opts: ProvinceOptions): Promise<SectionResult> {
  const database = await createBenchDatabase(opts.adminUrl);
  const work = mkdtempSync(join(tmpdir(), 'pb-bench-province-'));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  progress(`province: PostgreSQL ${database.pgVersion} at ${database.host}, database ${database.name}`);
  const childEnv = { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'test', LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', JWT_SECRET };
  let t = Date.now();
  await runNode('seed-demo', [CLI, 'seed-demo', '--no-history'], childEnv, work);
  progress(`province: migrations and demo catalogue in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const now = new Date();
  const today = localDate(now);
  const firstDay = localDate(new Date(now.getTime() - 351 * DAY_MS));
  const lastDay = localDate(new Date(now.getTime() + 13 * DAY_MS));
  const db = reportErrors('province load', new Client({ connectionString: database.url, application_name: 'pb-bench-province' }));
  await db.connect();
  onCleanup(() => db.end());
  const loaded = await loadProvince(db, opts, now, firstDay, lastDay);
  progress(
    `province: ${loaded.bookings.toLocaleString('en')} bookings (${loaded.heldBookings.toLocaleString('en')} holding), ${loaded.usageRecords.toLocaleString('en')} usage records, ` +
      `${loaded.resources} resources in ${loaded.facilities} facilities loaded in ${loaded.loadSeconds.toFixed(1)} s; ANALYZE ${loaded.analyzeSeconds.toFixed(1)} s; ${loaded.databaseMb.toFixed(0)} MB`,
  );

  // The daily snapshots of the reports' 12 months and the loaded past, as `rebuild-snapshots` (the operator's
  // command) builds them; the scheduled job would build the same days (it covers 400 days back).
  t = Date.now();
  const snapshotFrom = [firstDay, monthStart(today, -12)].sort()[0];
  const rebuild = await runNode('rebuild-snapshots', [CLI, 'rebuild-snapshots', '--from', snapshotFrom, '--to', today], childEnv, work, (line) => {
    if (/rebuild-snapshots \[/.test(line)) progress(`  ${line.trim()}`);
  });
  const snapshotSeconds = (Date.now() - t) / 1000;
  // Log lines go to stderr; stdout is the summary (pretty-printed JSON).
  const snapshotDays = (JSON.parse(rebuild.stdout.slice(rebuild.stdout.indexOf('{'))) as { days: number }).days;
  progress(`province: snapshots of ${snapshotDays ?? '?'} days rebuilt in ${snapshotSeconds.toFixed(1)} s`);

  let app = await startApp(database.url, work, opts.logLevel);
  onCleanup(() => app.stop());
  progress(`province: app (pid ${app.pid}) listening at ${app.baseUrl}`);
  let peakRssMb = 0;
  const notePeak = () => (peakRssMb = Math.max(peakRssMb, processMemoryMb(app.pid)?.peakRssMb ?? 0));

  // ---- availability search over the next two weeks ----
  const from = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
  const to = new Date(from.getTime() + 14 * DAY_MS);
  const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  const searches: Array<[string, string]> = [
    ['new-materials pilot line, 8 h', `kind=pilot_platform&direction=new_materials&minHours=8`],
    ['Dalian, any resource, 4 h', `city=210200&minHours=4`],
    ['GPU pool, 4 units, 24 h', `kind=intelligent_computing_centre&mode=pooled&units=4&minHours=24`],
    ['whole catalogue, 1 h', `minHours=1`],
    ['industrialisation stage, 8 h', `stage=industrialisation&minHours=8`],
    ['verification, Shenyang, 2 h', `kind=verification_centre&city=210100&minHours=2`],
  ];
  const searchMs: number[] = [];
  const perSearch = new Map<string, number[]>(searches.map(([name]) => [name, []]));
  let emptyAnswers = 0;
  for (let i = 0; i < 12; i++) await timedGet(app.baseUrl, `/api/v1/availability?${range}&${searches[i % searches.length][1]}`);
  for (let i = 0; i < opts.searchRequests; i++) {
    const [name, query] = searches[i % searches.length];
    const r = await timedGet(app.baseUrl, `/api/v1/availability?${range}&${query}`);
    if (r.status !== 200) throw new Error(`availability search "${name}": ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    if ((r.body as { items: unknown[] }).items.length === 0) emptyAnswers++;
    searchMs.push(r.ms);
    perSearch.get(name)!.push(r.ms);
    if ((i + 1) % 100 === 0) progress(`  search: ${i + 1}/${opts.searchRequests}`);
  }
  notePeak();
  const sortedSearch = [...searchMs].sort((a, b) => a - b);
  const search = { p50Ms: percentile(sortedSearch, 50), p95Ms: percentile(sortedSearch, 95), maxMs: sortedSearch[sortedSearch.length - 1] };

  // ---- reports: cold (first request of a fresh app) and warm ----
  const periodFrom = localMidnight(monthStart(today, -12));
  const periodTo = localMidnight(monthStart(today, 0));
  const period = `from=${encodeURIComponent(periodFrom)}&to=${encodeURIComponent(periodTo)}`;
  const reports: Array<[string, string]> = [
    ['utilisation by facility (snapshots)', `/api/v1/reports/utilisation?${period}&groupBy=facility`],
    ['utilisation by month (snapshots)', `/api/v1/reports/utilisation?${period}&groupBy=month`],
    ['indicators by resource', `/api/v1/reports/indicators?${period}`],
    ['utilisation by facility (raw)', `/api/v1/reports/utilisation?${period}&groupBy=facility&source=raw`],
    ['utilisation by month (raw)', `/api/v1/reports/utilisation?${period}&groupBy=month&source=raw`],
    ['indicators by city', `/api/v1/reports/indicators?${period}&groupBy=city`],
  ];
  const reportFigures: Array<{ name: string; rows: number; coldMs: number; warmMs: number }> = [];
  for (const [name, path] of reports) {
    // A fresh app for each cold figure: no warmed code paths, no prepared plans, no pooled connections.
    notePeak();
    await app.stop();
    app = await startApp(database.url, work, opts.logLevel);
    const token = await login(app.baseUrl, 'official@demo.local');
    const cold = await timedGet(app.baseUrl, path, token);
    if (cold.status !== 200) throw new Error(`${name}: ${cold.status} ${JSON.stringify(cold.body).slice(0, 500)}`);
    const warm: number[] = [];
    for (let i = 0; i < opts.reportRepeats; i++) warm.push((await timedGet(app.baseUrl, path, token)).ms);
    warm.sort((a, b) => a - b);
    const body = cold.body as { rows?: unknown[]; resources?: unknown[]; items?: unknown[] };
    const rows = (body.rows ?? body.resources ?? body.items ?? []).length;
    reportFigures.push({ name, rows, coldMs: cold.ms, warmMs: percentile(warm, 50) });
    progress(`  report ${name}: ${rows} rows, cold ${fmt(cold.ms)} ms, warm ${fmt(percentile(warm, 50))} ms`);
  }
  notePeak();
  await app.stop();

  const searchOk = search.p95Ms < TARGET_SEARCH_P95_MS;
  const slowestReport = Math.max(...reportFigures.map((r) => Math.max(r.coldMs, r.warmMs)));
  const reportsOk = slowestReport < TARGET_REPORT_MS;
  const table =
    formatTable(
      ['province', 'figure'],
      [
        ['facilities / resources / enterprises', `${loaded.facilities} / ${loaded.resources} / ${loaded.enterprises}`],
        ['bookings (holding now)', `${loaded.bookings.toLocaleString('en')} (${loaded.heldBookings.toLocaleString('en')})`],
        ['usage records', loaded.usageRecords.toLocaleString('en')],
        ['load (SQL set operations)', `${loaded.loadSeconds.toFixed(1)} s, ${Math.round(loaded.bookingRowsPerSecond).toLocaleString('en')} bookings/s`],
        ['ANALYZE / database size', `${loaded.analyzeSeconds.toFixed(1)} s / ${loaded.databaseMb.toFixed(0)} MB`],
        ['snapshot rebuild', `${snapshotDays ?? '?'} days in ${snapshotSeconds.toFixed(1)} s`],
      ],
    ) +
    '\n' +
    formatTable(
      ['availability search, 2 weeks', 'requests', 'p50 ms', 'p95 ms', 'max ms'],
      [
        ...searches.map(([name]) => {
          const s = [...perSearch.get(name)!].sort((a, b) => a - b);
          return [name, String(s.length), fmt(percentile(s, 50)), fmt(percentile(s, 95)), fmt(s[s.length - 1])];
        }),
        ['all', String(searchMs.length), fmt(search.p50Ms), fmt(search.p95Ms), fmt(search.maxMs)],
      ],
    ) +
    `target p95 < ${TARGET_SEARCH_P95_MS} ms: ${mark(searchOk)}${emptyAnswers > 0 ? ` (${emptyAnswers} answers without a free resource)` : ''}\n\n` +
    formatTable(
      ['report, 12 months', 'rows', 'cold ms', 'warm ms'],
      reportFigures.map((r) => [r.name, String(r.rows), fmt(r.coldMs), fmt(r.warmMs)]),
    ) +
    `target < ${TARGET_REPORT_MS} ms cold and warm: ${mark(reportsOk)} (slowest ${fmt(slowestReport)} ms); cold = first request of a fresh app process\n` +
    `app peak RSS over the section: ${peakRssMb.toFixed(0)} MB\n`;
  return {
    table,
    results: {
      ...loaded,
      loadSeconds: round(loaded.loadSeconds, 1),
      bookingRowsPerSecond: Math.round(loaded.bookingRowsPerSecond),
      analyzeSeconds: round(loaded.analyzeSeconds, 1),
      databaseMb: Math.round(loaded.databaseMb),
      snapshotDays: snapshotDays ?? null,
      snapshotSeconds: round(snapshotSeconds, 1),
      search: {
        requests: searchMs.length,
        p50Ms: round(search.p50Ms, 1),
        p95Ms: round(search.p95Ms, 1),
        maxMs: round(search.maxMs, 1),
        emptyAnswers,
        targetP95Ms: TARGET_SEARCH_P95_MS,
        met: searchOk,
        bySearch: Object.fromEntries(
          searches.map(([name, query]) => {
            const s = [...perSearch.get(name)!].sort((a, b) => a - b);
            return [name, { query, p50Ms: round(percentile(s, 50), 1), p95Ms: round(percentile(s, 95), 1) }];
          }),
        ),
      },
      reports: {
        period: { from: periodFrom, to: periodTo },
        items: reportFigures.map((r) => ({ ...r, coldMs: round(r.coldMs, 1), warmMs: round(r.warmMs, 1) })),
        targetMs: TARGET_REPORT_MS,
        met: reportsOk,
      },
      appPeakRssMb: round(peakRssMb, 1),
    },
  };
}
