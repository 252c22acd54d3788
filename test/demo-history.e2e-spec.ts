import { CITY_CODES } from '../src/common/cities';
import { DemoHistoryLoader } from '../src/database/seed/demo-history-loader';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The demo province with a past (issue 16): the demo catalogue plus a year of generated activity, loaded as a
 * fresh `npm start` loads it. Figures over HTTP as the demo official sees them; every booking checked in SQL
 * against the rules of its resource; a second load changes nothing.
 */
describe('demo history', () => {
  let t: TestApp;
  let official: string;
  let now: Date;
  const count = async (sql: string, params: unknown[] = []) => Number((await t.sql<{ n: string }>(sql, params))[0].n);

  beforeAll(async () => {
    t = await createTestApp({ demoHistory: true });
    official = await t.login('official@demo.local');
    now = new Date();
  }, 600_000);
  afterAll(() => t?.close());

  /** The first instant of a month in Asia/Shanghai, `back` months before the current one. */
  const monthStart = (back: number) => {
    const sh = new Date(now.getTime() + 8 * 3_600_000);
    return new Date(Date.UTC(sh.getUTCFullYear(), sh.getUTCMonth() - back, 1) - 8 * 3_600_000).toISOString();
  };

  it('has bookings in every state, usage, corrections, imports, mappings, projects and internal use', async () => {
    const states = await t.sql<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM bookings GROUP BY state`);
    const byState = Object.fromEntries(states.map((s) => [s.state, s.n]));
    for (const s of ['pending', 'approved', 'rejected', 'cancelled', 'expired', 'completed', 'no_show']) expect(byState[s]).toBeGreaterThan(0);
    expect(byState.completed).toBeGreaterThan(byState.rejected + byState.cancelled + byState.expired + byState.no_show);
    expect(await count(`SELECT count(*) AS n FROM bookings WHERE state = 'rejected' AND decision_reason IS NULL`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM usage_records WHERE source = 'check_out'`)).toBe(byState.completed);
    expect(await count(`SELECT count(*) AS n FROM usage_records WHERE supersedes IS NOT NULL`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM usage_imports`)).toBeGreaterThanOrEqual(12);
    expect(await count(`SELECT count(DISTINCT unit) AS n FROM usage_records WHERE source = 'import'`)).toBe(2); // core and GPU hours
    expect(await count(`SELECT count(*) AS n FROM slurm_mappings`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM projects WHERE stage = 'industrialisation'`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM bookings WHERE project_id IS NOT NULL`)).toBeGreaterThan(0);
    expect(
      await count(`SELECT count(*) AS n FROM bookings b JOIN facilities f ON f.id = b.facility_id WHERE b.organisation_id = f.operator_id`),
    ).toBeGreaterThan(0);
    expect(await count(`SELECT count(DISTINCT service_category) AS n FROM bookings`)).toBe(7);
    expect(await count(`SELECT count(DISTINCT organisation_id) AS n FROM bookings`)).toBeGreaterThanOrEqual(26);
  });

  it('keeps every rule of each booking’s resource (checked in SQL)', async () => {
    // inside the opening hours
    expect(await count(`SELECT count(*) AS n FROM bookings b WHERE NOT resource_opening(b.resource_id, lower(b.period), upper(b.period)) @> b.period`)).toBe(0);
    // clear of maintenance, buffers included
    expect(await count(`SELECT count(*) AS n FROM bookings b JOIN maintenance_windows m ON m.resource_id = b.resource_id AND m.period && b.blocked`)).toBe(0);
    // duration bounds, lead time and horizon at the time of the request, buffers
    expect(
      await count(`SELECT count(*) AS n FROM bookings b JOIN resources r ON r.id = b.resource_id
                    WHERE upper(b.period) - lower(b.period) NOT BETWEEN make_interval(mins => r.min_duration_minutes) AND make_interval(mins => r.max_duration_minutes)
                       OR lower(b.period) - b.created_at < make_interval(mins => r.lead_time_minutes)
                       OR upper(b.period) - b.created_at > make_interval(days => r.horizon_days)
                       OR b.blocked <> tstzrange(lower(b.period) - make_interval(mins => r.buffer_before_minutes), upper(b.period) + make_interval(mins => r.buffer_after_minutes))`),
    ).toBe(0);
    // exclusive resources: no two bookings that held or used the resource overlap, buffers included
    expect(
      await count(`SELECT count(*) AS n FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id AND a.blocked && b.blocked
                    WHERE a.exclusive AND a.state IN ('pending','approved','in_use','completed','no_show') AND b.state IN ('pending','approved','in_use','completed','no_show')`),
    ).toBe(0);
    // pools: the units held at any booking's start never exceed the capacity
    expect(
      await count(`SELECT count(*) AS n FROM (
                     SELECT a.id FROM bookings a JOIN resources r ON r.id = a.resource_id
                       JOIN bookings b ON b.resource_id = a.resource_id AND b.period @> lower(a.period)
                      WHERE r.mode = 'pooled' AND a.state IN ('pending','approved','in_use','completed','no_show') AND b.state IN ('pending','approved','in_use','completed','no_show')
                      GROUP BY a.id, r.capacity HAVING sum(b.units) > r.capacity) x`),
    ).toBe(0);
    // fair use: no enterprise holds more than the limit in any rolling 30 days (windows starting at a booking's start;
    // the operator's own use is not limited)
    expect(
      await count(`SELECT count(*) AS n FROM (
                     SELECT a.id FROM bookings a JOIN resources r ON r.id = a.resource_id AND r.max_unit_hours_per_30_days IS NOT NULL
                       JOIN facilities f ON f.id = a.facility_id AND f.operator_id <> a.organisation_id
                       JOIN bookings b ON b.resource_id = a.resource_id AND b.organisation_id = a.organisation_id
                            AND b.period && tstzrange(lower(a.period), lower(a.period) + interval '30 days')
                            AND (booking_state_holds(b.state) OR b.state = 'completed')
                      WHERE booking_state_holds(a.state) OR a.state = 'completed'
                      GROUP BY a.id, r.max_unit_hours_per_30_days
                     HAVING sum(b.units * extract(epoch FROM least(upper(b.period), lower(a.period) + interval '30 days') - greatest(lower(b.period), lower(a.period))) / 3600)
                            > r.max_unit_hours_per_30_days) x`),
    ).toBe(0);
    // open requests within the limit
    expect(
      await count(`SELECT count(*) AS n FROM (SELECT 1 FROM bookings b JOIN resources r ON r.id = b.resource_id
                    WHERE b.state = 'pending' AND r.max_open_requests IS NOT NULL GROUP BY b.resource_id, b.organisation_id, r.max_open_requests
                   HAVING count(*) > r.max_open_requests) x`),
    ).toBe(0);
    // the life cycle in order, nothing after now, approvals only where the resource asks for them
    expect(
      await count(
        `SELECT count(*) AS n FROM bookings b JOIN resources r ON r.id = b.resource_id JOIN facilities f ON f.id = b.facility_id
          WHERE b.created_at > $1 OR b.updated_at > $1 OR b.decided_at < b.created_at OR b.checked_in_at < b.decided_at
             OR b.checked_out_at < b.checked_in_at OR b.cancelled_at >= lower(b.period)
             OR (b.state = 'pending' AND b.created_at + interval '48 hours' <= $1)
             OR (b.decided_by IS NOT NULL AND (NOT r.approval_required OR b.organisation_id = f.operator_id))
             OR (b.state = 'approved' AND lower(b.period) + interval '30 minutes' < $1)
             OR (b.organisation_id = f.operator_id AND b.price_fen <> 0)`,
        [now],
      ),
    ).toBe(0);
    // every booking's transitions are in the audit log (version = transitions)
    expect(
      await count(`SELECT count(*) AS n FROM bookings b
                    WHERE b.version <> (SELECT count(*) FROM audit_entries a WHERE a.entity_type = 'booking' AND a.entity_id = b.id::text AND a.action <> 'booking.requested')`),
    ).toBe(0);
  });

  it('answers last month’s utilisation by city with use in every one of the 14 cities', async () => {
    const res = await t
      .http()
      .get(`/api/v1/reports/utilisation?from=${monthStart(1)}&to=${monthStart(0)}&groupBy=city`)
      .auth(official, { type: 'bearer' })
      .expect(200);
    const used = new Map<string, number>();
    for (const row of res.body.rows as Array<{ key: string; usedUnitHours: number }>) used.set(row.key, (used.get(row.key) ?? 0) + row.usedUnitHours);
    for (const city of CITY_CODES) expect([city, used.get(city) ?? 0]).toEqual([city, expect.any(Number)]);
    expect(CITY_CODES.filter((c) => !((used.get(c) ?? 0) > 0))).toEqual([]);
    expect(res.body.snapshotDays).toBeGreaterThan(0); // the load built the snapshots of the finished days
  });

  it('flags resources below the 1,200-hour line and shows others above the national average; sharing rates differ by city', async () => {
    const from = new Date(Date.parse(monthStart(0)) - 365 * 86_400_000).toISOString();
    const res = await t
      .http()
      .get(`/api/v1/reports/indicators?from=${from}&to=${monthStart(0)}&groupBy=city`)
      .auth(official, { type: 'bearer' })
      .expect(200);
    const resources = res.body.resources as Array<{ flags: string[]; annualisedEffectiveHours: number }>;
    expect(resources.filter((r) => r.flags.includes('below_1200h')).length).toBeGreaterThan(0);
    expect(resources.filter((r) => r.annualisedEffectiveHours > res.body.reference.effectiveHours).length).toBeGreaterThan(0);
    const rates = (res.body.groups as Array<{ sharingRate: number | null }>).map((g) => g.sharingRate).filter((r): r is number => r !== null);
    expect(rates.length).toBe(14);
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.1);
  });

  it('verifies the audit chain, and the operator’s queue and the SME’s calendar are not empty', async () => {
    const verify = await t.http().get('/api/v1/audit/verify').auth(official, { type: 'bearer' }).expect(200);
    expect(verify.body).toMatchObject({ valid: true, unsealed: 0 });
    expect(verify.body.entries).toBeGreaterThan(10_000);
    const operator = await t.login('operator@demo.local');
    const queue = await t.http().get('/api/v1/bookings?state=pending').auth(operator, { type: 'bearer' }).expect(200);
    expect(queue.body.total).toBeGreaterThan(0);
    const sme = await t.login('sme@demo.local');
    const mine = await t.http().get(`/api/v1/bookings?startFrom=${now.toISOString()}`).auth(sme, { type: 'bearer' }).expect(200);
    expect(mine.body.total).toBeGreaterThan(0);
    const inbox = await t.http().get('/api/v1/notifications').auth(operator, { type: 'bearer' }).expect(200);
    expect(inbox.body.total).toBeGreaterThan(0);
  });

  it('loading twice changes nothing', async () => {
    const tables = [
      'bookings',
      'usage_records',
      'usage_imports',
      'slurm_mappings',
      'maintenance_windows',
      'projects',
      'notifications',
      'audit_entries',
      'organisations',
      'users',
    ];
    const counts = async () => {
      const n: number[] = [];
      for (const x of tables) n.push(await count(`SELECT count(*) AS n FROM ${x}`));
      return n;
    };
    const before = await counts();
    const again = await t.app.get(DemoHistoryLoader).load();
    expect(again.loaded).toBe(false);
    expect(await counts()).toEqual(before);
  });
});
