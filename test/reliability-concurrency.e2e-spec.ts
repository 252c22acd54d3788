import { Clock } from '../src/common/clock';
import { createTestApp, TestApp } from './helpers/test-app';

/** Local wall-clock time in Asia/Shanghai (UTC+8) as an ISO instant. */
const sh = (local: string) => `${local}:00+08:00`;
/** "Now": Monday 2030-01-07 10:00 in Shanghai. */
const NOW = sh('2030-01-07T10:00');
const N = 200;
const allDay = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));

/**
 * Reliability at 200 simultaneous requests (issue 12), spread over two app instances on one database: the
 * database's guarantees (exclusion constraint, the resource lock of pools) hold, checked in SQL afterwards;
 * every request answered 201 is stored, no refused one is.
 */
describe('reliability: 200 concurrent booking requests on two instances', () => {
  let t: TestApp;
  let second: TestApp;
  let operator: string;
  let tokens: string[];
  let facilityId: string;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function createResource(body: Record<string, unknown>): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(operator))
      .send({
        facilityId,
        nameZh: '测试·并发设备',
        nameEn: 'Test concurrency equipment',
        mode: 'exclusive',
        unit: 'hour',
        minDurationMinutes: 30,
        maxDurationMinutes: 480,
        leadTimeMinutes: 0,
        horizonDays: 60,
        bufferBeforeMinutes: 0,
        bufferAfterMinutes: 0,
        approvalRequired: false,
        pricePerUnitHourFen: 10_000,
        smeDiscountPercent: 0,
        openingHours: allDay,
        ...body,
      });
    if (res.status !== 201) throw new Error(`resource: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  /** Fires all requests at once, alternating the two instances and the two demo SMEs. */
  const fire = (bodies: Array<Record<string, unknown>>) =>
    Promise.all(
      bodies.map((body, i) =>
        (i % 2 ? second : t)
          .http()
          .post('/api/v1/bookings')
          .set(bearer(tokens[i % tokens.length]))
          .send({ stage: 'pilot_maturation', serviceCategory: 'equipment_sharing', purpose: `race ${i}`, ...body }),
      ),
    );

  /** Every 201 is in the table under its id, and the table holds nothing else for the resource. */
  async function expectStoredExactlyTheAccepted(resourceId: string, results: Array<{ status: number; body: { id?: string } }>) {
    const accepted = results
      .filter((r) => r.status === 201)
      .map((r) => r.body.id!)
      .sort();
    const stored = (await t.sql<{ id: string }>(`SELECT id FROM bookings WHERE resource_id = $1 ORDER BY id`, [resourceId])).map((r) => r.id);
    expect(stored).toEqual(accepted);
    const booked = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'booking.requested' AND data->>'resourceId' = $1`, [
      resourceId,
    ]);
    expect(booked[0].n).toBe(accepted.length);
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { DATABASE_POOL_SIZE: '10' } });
    second = await createTestApp({ databaseUrl: t.databaseUrl, demo: false, env: { DATABASE_POOL_SIZE: '10' } });
    for (const app of [t, second]) app.app.get(Clock).freeze(NOW);
    operator = await t.login('operator@demo.local');
    tokens = [await t.login('sme@demo.local'), await t.login('sme2@demo.local')];
    const facility = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(operator))
      .send({
        kind: 'pilot_platform',
        nameZh: '测试·可靠性中试基地',
        nameEn: 'Test Reliability Pilot Base',
        cityCode: '210100',
        address: '沈阳市测试路2号',
        directions: ['new_materials'],
        stages: ['pilot_maturation'],
      });
    expect(facility.status).toBe(201);
    facilityId = facility.body.id;
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('one exclusive window: exactly one 201 and 199 × 409 slot_taken', async () => {
    const line = await createResource({ nameEn: 'Test one-window line', bufferAfterMinutes: 30 });
    const results = await fire(Array.from({ length: N }, () => ({ resourceId: line, startsAt: sh('2030-01-15T09:00'), endsAt: sh('2030-01-15T11:00') })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(N - 1);
    for (const r of refused)
      expect([r.status, r.body.code, r.headers['content-type']]).toEqual([409, 'slot_taken', expect.stringMatching(/^application\/problem\+json/)]);
    await expectStoredExactlyTheAccepted(line, results);
  });

  it('overlapping exclusive windows: no two held bookings overlap (buffers included), checked in SQL', async () => {
    const line = await createResource({ nameEn: 'Test overlapping-windows line', bufferBeforeMinutes: 15, bufferAfterMinutes: 15 });
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const base = Date.parse(sh('2030-01-16T00:00'));
    const results = await fire(
      Array.from({ length: N }, () => {
        const start = base + Math.floor(random() * 96) * 30 * 60_000; // within two days, on the half hour
        const end = start + (1 + Math.floor(random() * 8)) * 30 * 60_000;
        return { resourceId: line, startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString() };
      }),
    );
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThan(5);
    const [overlaps] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id AND a.blocked && b.blocked
        WHERE a.resource_id = $1 AND booking_state_holds(a.state) AND booking_state_holds(b.state)`,
      [line],
    );
    expect(overlaps.n).toBe(0);
    await expectStoredExactlyTheAccepted(line, results);
  });

  it('a pool of 50 under 200 requests of 1–5 units: the units held never exceed the capacity, checked in SQL', async () => {
    const pool = await createResource({ nameEn: 'Test concurrency pool', mode: 'pooled', capacity: 50 });
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const base = Date.parse(sh('2030-01-20T08:00'));
    const results = await fire(
      Array.from({ length: N }, () => {
        const start = base + Math.floor(random() * 8) * 3_600_000;
        const end = start + (1 + Math.floor(random() * 4)) * 3_600_000;
        return { resourceId: pool, startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), units: 1 + Math.floor(random() * 5) };
      }),
    );
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThan(10);
    expect(results.filter((r) => r.status === 409).length).toBeGreaterThan(10);
    const [peak] = await t.sql<{ peak: number }>(
      `WITH ev AS (SELECT lower(blocked) AS t, units AS d FROM bookings WHERE resource_id = $1 AND booking_state_holds(state)
                   UNION ALL SELECT upper(blocked), -units FROM bookings WHERE resource_id = $1 AND booking_state_holds(state))
       SELECT max(running)::int AS peak FROM (SELECT sum(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS running FROM ev) x`,
      [pool],
    );
    expect(peak.peak).toBeLessThanOrEqual(50);
    expect(peak.peak).toBeGreaterThan(40);
    await expectStoredExactlyTheAccepted(pool, results);
  });
});
