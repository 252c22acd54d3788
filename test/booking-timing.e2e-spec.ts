import { randomUUID } from 'node:crypto';
import { BOOKING_STATES, holdsSlot } from '../src/bookings/booking-transitions';
import { isComputeResource } from '../src/catalogue/catalogue.constants';
import { Clock } from '../src/common/clock';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

/** Local wall-clock time in Asia/Shanghai (UTC+8, no DST) as an ISO instant. */
const sh = (local: string) => `${local}:00+08:00`;
const NOW = sh('2030-01-07T10:00'); // a Monday
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));

interface Window {
  startsAt: string;
  endsAt: string;
  localStartsAt: string;
  localEndsAt: string;
  hours: number;
  freeUnits: number;
  longestBookingMinutes: number;
}

describe('booking timing (issue 14)', () => {
  let t: TestApp;
  let operator: string;
  let sme: string;
  let facilityId: string;
  let bench: string; // exclusive, lead time 60 min, approval required, open all week
  /** Resources measured in GPU or core hours: compute resources, whose service category defaults to compute. */
  const computeResources = new Set<string>();

  async function setNow(instant: string | number) {
    t.app.get(Clock).freeze(new Date(instant));
    [operator, sme] = await Promise.all([t.login('operator@demo.local'), t.login('sme@demo.local')]);
  }
  const book = (token: string, body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(token))
      .send({
        stage: 'pilot_maturation',
        ...(computeResources.has(body.resourceId as string) ? {} : { serviceCategory: 'process_scale_up' }),
        purpose: '时间规则 timing',
        ...body,
      });
  const act = (token: string, id: string, action: string, body?: unknown) => {
    const req = t.http().post(`/api/v1/bookings/${id}/${action}`).set(bearer(token));
    return body === undefined ? req : req.send(body as object);
  };
  async function createResource(body: Record<string, unknown>): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(operator))
      .send({
        facilityId,
        nameZh: '测试·计时台',
        nameEn: 'Test timing bench',
        mode: 'exclusive',
        unit: 'hour',
        minDurationMinutes: 60,
        maxDurationMinutes: 480,
        leadTimeMinutes: 60,
        horizonDays: 60,
        approvalRequired: true,
        pricePerUnitHourFen: 10_000,
        openingHours: allWeek,
        ...body,
      });
    if (res.status !== 201) throw new Error(`resource: ${res.status} ${JSON.stringify(res.body)}`);
    if (body.unit === 'gpu_hour' || body.unit === 'core_hour') computeResources.add(res.body.id);
    return res.body.id;
  }
  const availability = async (resourceId: string, query: Record<string, unknown> = {}) =>
    (await t.http().get(`/api/v1/resources/${resourceId}/availability`).query(query).expect(200)).body as { windows: Window[]; slotMinutes: number };

  beforeAll(async () => {
    t = await createTestApp();
    await setNow(NOW);
    const facility = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(operator))
      .send({
        kind: 'pilot_platform',
        nameZh: '测试·计时中试基地',
        nameEn: 'Test Timing Pilot Base',
        cityCode: '210100',
        address: '沈阳市测试路14号',
        directions: ['new_materials'],
        stages: ['pilot_maturation'],
      });
    expect(facility.status).toBe(201);
    facilityId = facility.body.id;
    bench = await createResource({});
  });
  afterAll(() => t.close());

  describe('dates: strict ISO 8601, calendar-valid, everywhere', () => {
    it('refuses a date that does not exist instead of rolling it over (2027-02-29 was booked as 2027-03-01)', async () => {
      const res = await book(sme, { resourceId: bench, startsAt: '2027-02-29T08:00:00+08:00', endsAt: '2027-02-29T10:00:00+08:00' });
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'startsAt' }), expect.objectContaining({ field: 'endsAt' })]));
      expect((await t.sql(`SELECT count(*)::int AS n FROM bookings WHERE lower(period) >= '2027-02-28' AND lower(period) < '2027-03-02'`))[0].n).toBe(0);
    });

    it('refuses 24:00, minute 60, second 60, impossible offsets and missing offsets; accepts a real leap day', async () => {
      for (const [startsAt, endsAt] of [
        ['2030-01-08T24:00:00+08:00', '2030-01-09T02:00:00+08:00'],
        ['2030-01-08T09:60:00+08:00', '2030-01-08T11:00:00+08:00'],
        ['2030-01-08T09:00:60+08:00', '2030-01-08T11:00:00+08:00'],
        ['2030-01-08T09:00:00+15:00', '2030-01-08T11:00:00+15:00'],
        ['2030-01-08T09:00:00+08:75', '2030-01-08T11:00:00+08:00'],
        ['2030-04-31T09:00:00+08:00', '2030-05-01T11:00:00+08:00'],
        ['2030-01-08T09:00:00', '2030-01-08T11:00:00'],
        ['2030-01-08 09:00:00+08:00', '2030-01-08T11:00:00+08:00'],
      ]) {
        expectProblem(await book(sme, { resourceId: bench, startsAt, endsAt }), 400, 'validation_failed');
      }
      const leap = await t.http().get(`/api/v1/resources/${bench}/availability`).query({ from: '2028-02-29T00:00:00+08:00', to: '2028-03-01T00:00:00+08:00' });
      expect(leap.status).toBe(200); // a valid instant, only beyond the horizon
    });

    it('uses the same parser for availability, booking lists and maintenance', async () => {
      const bad = '2027-02-29T08:00:00+08:00';
      expectProblem(await t.http().get(`/api/v1/resources/${bench}/availability`).query({ from: bad }), 400, 'validation_failed');
      expectProblem(await t.http().get('/api/v1/availability').query({ to: bad }), 400, 'validation_failed');
      expectProblem(await t.http().get('/api/v1/bookings').query({ from: bad }).set(bearer(sme)), 400, 'validation_failed');
      expectProblem(await t.http().get(`/api/v1/resources/${bench}/maintenance`).query({ to: '2030-01-08T24:00:00+08:00' }), 400, 'validation_failed');
      const maintenance = (body: Record<string, unknown>) =>
        t
          .http()
          .post(`/api/v1/resources/${bench}/maintenance`)
          .set(bearer(operator))
          .send({ reason: '检修', ...body });
      const refused = expectProblem(await maintenance({ startsAt: bad, endsAt: '2027-03-01T18:00:00+08:00' }), 400, 'validation_failed');
      expect(refused.errors).toEqual([expect.objectContaining({ field: 'startsAt' })]);
      expectProblem(await maintenance({ startsAt: '2030-06-31T08:00:00+08:00', endsAt: '2030-07-01T18:00:00+08:00' }), 400, 'validation_failed');
      const ok = await maintenance({ startsAt: '2030-02-20T08:00:00.5+08:00', endsAt: '2030-02-20T18:00:00Z' });
      expect(ok.status).toBe(201);
      expect(ok.body.startsAt).toBe('2030-02-20T00:00:00.500Z');
    });

    it('gives a start in the past its own code, in_the_past (not lead_time)', async () => {
      const past = expectProblem(await book(sme, { resourceId: bench, startsAt: sh('2030-01-07T09:00'), endsAt: sh('2030-01-07T11:00') }), 422, 'in_the_past');
      expect(past.now).toBe(new Date(NOW).toISOString());
      expectProblem(await book(sme, { resourceId: bench, startsAt: sh('2030-01-07T10:30'), endsAt: sh('2030-01-07T11:30') }), 422, 'lead_time');
    });
  });

  describe('time rules of the life cycle', () => {
    let twoDaysAhead: string;
    beforeAll(async () => {
      const res = await book(sme, { resourceId: bench, startsAt: sh('2030-01-09T09:00'), endsAt: sh('2030-01-09T11:00') });
      expect(res.status).toBe(201);
      twoDaysAhead = res.body.id;
      expect((await act(operator, twoDaysAhead, 'approve', { reason: '同意' })).status).toBe(200);
    });
    afterEach(() => setNow(NOW));

    it('refuses to check in a booking two days ahead, and to check it out (it ended completed within 0.1 s)', async () => {
      const early = expectProblem(await act(operator, twoDaysAhead, 'check-in'), 409, 'too_early_to_check_in');
      expect(early).toEqual(expect.objectContaining({ state: 'approved', checkInOpensAt: '2030-01-09T00:30:00.000Z' }));
      expectProblem(await act(operator, twoDaysAhead, 'check-out'), 409, 'wrong_state'); // not checked in
      expect((await t.sql(`SELECT state FROM bookings WHERE id = $1`, [twoDaysAhead]))[0].state).toBe('approved');
    });

    it('opens check-in CHECK_IN_EARLY_MINUTES (30) before the start; check-out waits for the start', async () => {
      const start = Date.parse(sh('2030-01-09T09:00'));
      await setNow(start - 30 * MIN - 1);
      expectProblem(await act(operator, twoDaysAhead, 'check-in'), 409, 'too_early_to_check_in');
      await setNow(start - 30 * MIN);
      const checkedIn = await act(operator, twoDaysAhead, 'check-in');
      expect(checkedIn.status).toBe(200);
      expect(checkedIn.body.state).toBe('in_use');
      await setNow(start - 1);
      const notStarted = expectProblem(await act(operator, twoDaysAhead, 'check-out', {}), 409, 'not_started');
      expect(notStarted).toEqual(expect.objectContaining({ state: 'in_use', startsAt: new Date(start).toISOString() }));
      await setNow(start + 90 * MIN);
      expectProblem(await act(operator, twoDaysAhead, 'check-out', { actualUnits: 1 }), 400, 'validation_failed');
      const done = await act(operator, twoDaysAhead, 'check-out', { note: '样件已取走 samples collected' });
      expect(done.status).toBe(200);
      expect(done.body.state).toBe('completed');
      const [audit] = await t.sql<{ data: Record<string, unknown> }>(`SELECT data FROM audit_entries WHERE entity_id = $1 AND action = 'booking.checked_out'`, [
        twoDaysAhead,
      ]);
      expect(audit.data).toEqual(expect.objectContaining({ note: '样件已取走 samples collected', from: 'in_use', to: 'completed' }));
    });

    it('refuses check-in once the window is over (booking_over), and unknown fields in its body', async () => {
      const res = await book(sme, { resourceId: bench, startsAt: sh('2030-01-10T09:00'), endsAt: sh('2030-01-10T11:00') });
      await act(operator, res.body.id, 'approve');
      await setNow(sh('2030-01-10T09:10'));
      expectProblem(await act(operator, res.body.id, 'check-in', { at: 'now' }), 400, 'validation_failed');
      expectProblem(await act(operator, res.body.id, 'check-out', { actualUnits: 1 }), 400, 'validation_failed');
      await setNow(sh('2030-01-10T11:00'));
      expectProblem(await act(operator, res.body.id, 'check-in'), 409, 'booking_over');
      await setNow(sh('2030-01-10T10:59'));
      expect((await act(operator, res.body.id, 'check-in', {})).body.state).toBe('in_use'); // empty body is fine
      expect((await act(operator, res.body.id, 'check-out')).body.state).toBe('completed'); // so is none
    });
  });

  describe('held states, defined once', () => {
    it('booking_state_holds agrees with HOLDING_STATES for every state, and the state CHECK lists BOOKING_STATES', async () => {
      for (const state of BOOKING_STATES) {
        const [row] = await t.sql<{ holds: boolean }>(`SELECT booking_state_holds($1) AS holds`, [state]);
        expect([state, row.holds]).toEqual([state, holdsSlot(state)]);
      }
      const [check] = await t.sql<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%state%pending%'`,
      );
      expect([...check.def.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort()).toEqual([...BOOKING_STATES].sort());
      const [volatility] = await t.sql<{ provolatile: string }>(`SELECT provolatile FROM pg_proc WHERE proname = 'booking_state_holds'`);
      expect(volatility.provolatile).toBe('i'); // IMMUTABLE: usable in the constraint
    });

    it('keeps the exclusion constraint in force (on booking_state_holds), refusing a double booking made in SQL', async () => {
      const [exclusion] = await t.sql<{ def: string }>(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'bookings_no_overlap'`);
      expect(exclusion.def).toMatch(/EXCLUDE USING gist \(resource_id WITH =, blocked WITH &&\) WHERE \(\(exclusive AND booking_state_holds\(state\)\)\)/);
      const res = await book(sme, { resourceId: bench, startsAt: sh('2030-01-11T09:00'), endsAt: sh('2030-01-11T11:00') });
      expect(res.status).toBe(201);
      const copy = `INSERT INTO bookings (resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, state, stage, purpose,
                                          price_fen, list_price_fen, discount_percent, service_category)
                    SELECT resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, $2, stage, purpose, price_fen, list_price_fen, discount_percent,
                           service_category
                      FROM bookings WHERE id = $1`;
      for (const state of BOOKING_STATES) {
        const attempt = t.sql(copy, [res.body.id, state]);
        if (holdsSlot(state)) await expect(attempt).rejects.toMatchObject({ code: '23P01' });
        else await expect(attempt).resolves.toBeDefined(); // released states do not hold the slot
      }
      // and the triggers use it too: maintenance over the held booking is refused
      expectProblem(
        await t
          .http()
          .post(`/api/v1/resources/${bench}/maintenance`)
          .set(bearer(operator))
          .send({ startsAt: sh('2030-01-11T10:00'), endsAt: sh('2030-01-11T12:00'), reason: '检修' }),
        409,
        'maintenance_overlaps_bookings',
      );
    });
  });

  describe('availability that can be booked', () => {
    it('has a slot grain per resource (default 15; a divisor of a day), shown on the resource', async () => {
      const res = await t.http().get(`/api/v1/resources/${bench}`).expect(200);
      expect(res.body.slotMinutes).toBe(15);
      for (const slotMinutes of [0, 7, 1441, 25, 1.5, '15']) {
        const bad = await t.http().post('/api/v1/resources').set(bearer(operator)).send({
          facilityId,
          nameZh: '测试·坏粒度',
          nameEn: 'Test bad grain',
          mode: 'exclusive',
          unit: 'hour',
          pricePerUnitHourFen: 100,
          slotMinutes,
        });
        expect([slotMinutes, expectProblem(bad, 400, 'validation_failed').errors?.[0].field]).toEqual([slotMinutes, 'slotMinutes']);
      }
      const hourly = await createResource({ nameZh: '测试·整点台', nameEn: 'Test hourly bench', slotMinutes: 60 });
      expect((await t.http().patch(`/api/v1/resources/${hourly}`).set(bearer(operator)).send({ slotMinutes: 30 })).body.slotMinutes).toBe(30);
      expectProblem(await t.http().patch(`/api/v1/resources/${hourly}`).set(bearer(operator)).send({ slotMinutes: 45.5 }), 400);
    });

    it('starts windows on the grain, after now + lead time + a margin, so that booking the first window a moment later passes', async () => {
      await setNow('2030-01-07T07:53:17.123+08:00');
      const { windows } = await availability(bench);
      // 07:53:17.123 + 60 min lead + 1 min → 08:54:17.123 → 09:00 on the 15-minute grid
      expect(windows[0].localStartsAt).toBe('2030-01-07T09:00:00+08:00');
      expect(windows[0].longestBookingMinutes).toBe(480);
      t.app.get(Clock).advance(45_000); // the request comes 45 s later
      const res = await book(sme, {
        resourceId: bench,
        startsAt: windows[0].startsAt,
        endsAt: new Date(Date.parse(windows[0].startsAt) + 480 * MIN).toISOString(),
      });
      expect(res.status).toBe(201);
      await act(sme, res.body.id, 'cancel');
      await setNow(NOW);
    });

    it('aligns on the grain of the facility’s local day, also at a half-hour offset', async () => {
      const india = await t
        .http()
        .post('/api/v1/facilities')
        .set(bearer(operator))
        .send({
          kind: 'verification_centre',
          nameZh: '测试·班加罗尔合作实验室',
          nameEn: 'Test Bengaluru partner lab',
          cityCode: '210100',
          address: '沈阳市测试路15号 (Bengaluru partner)',
          directions: ['life_health'],
          stages: ['lab_validation'],
          timeZone: 'Asia/Calcutta',
        });
      expect(india.status).toBe(201);
      const lab = await createResource({ facilityId: india.body.id, nameZh: '测试·印度台', nameEn: 'Test India bench', leadTimeMinutes: 0, slotMinutes: 60 });
      const { windows } = await availability(lab);
      // now is 07:30 in India (UTC+05:30): + 1 min margin → 07:31 → 08:00 local on the hourly grid (not 08:30 as in UTC)
      expect(windows[0].localStartsAt).toBe('2030-01-07T08:00:00+05:30');
      const res = await book(sme, {
        resourceId: lab,
        startsAt: windows[0].startsAt,
        endsAt: new Date(Date.parse(windows[0].startsAt) + windows[0].longestBookingMinutes * MIN).toISOString(),
      });
      expect(res.status).toBe(201);
    });

    it('aligns in SQL (slot_align_up) across DST changes and day boundaries, never before the instant', async () => {
      const align = async (at: string, zone: string, slot: number) =>
        (await t.sql<{ a: Date }>(`SELECT slot_align_up($1, $2, $3) AS a`, [at, zone, slot]))[0].a.toISOString();
      expect(await align('2030-03-31T00:59:30Z', 'Europe/Berlin', 60)).toBe('2030-03-31T01:00:00.000Z'); // 01:59:30 CET → 03:00 CEST
      expect(await align('2030-10-27T01:15:00Z', 'Europe/Berlin', 15)).toBe('2030-10-27T01:15:00.000Z'); // 02:15 CET, the second pass
      // 02:50 CEST, just before clocks go back: the grid point is 03:00 CET, an hour later (never earlier than asked)
      expect(await align('2030-10-27T00:50:00Z', 'Europe/Berlin', 15)).toBe('2030-10-27T02:00:00.000Z');
      expect(await align('2030-01-07T23:50:00Z', 'Asia/Shanghai', 1440)).toBe('2030-01-08T16:00:00.000Z'); // next local midnight
      expect(await align('2030-01-07T16:00:00Z', 'Asia/Shanghai', 1440)).toBe('2030-01-07T16:00:00.000Z'); // already on it
    });

    it('drops windows shorter than the minimum duration and says the longest booking each allows', async () => {
      const press = await createResource({
        nameZh: '测试·短窗压机',
        nameEn: 'Test short-window press',
        leadTimeMinutes: 0,
        minDurationMinutes: 90,
        maxDurationMinutes: 240,
        slotMinutes: 30,
        openingHours: [
          { weekday: 2, opens: '08:10', closes: '09:50' },
          { weekday: 2, opens: '10:00', closes: '11:20' },
          { weekday: 2, opens: '13:00', closes: '23:00' },
        ],
      });
      const { windows } = await availability(press, { from: sh('2030-01-08T00:00'), to: sh('2030-01-09T00:00') });
      // 08:10–09:50 → 08:30–09:50 (80 min < 90): dropped; 10:00–11:20 (80 min): dropped; 13:00–23:00: 600 min, at most 240
      expect(windows.map((w) => [w.localStartsAt.slice(11, 16), w.localEndsAt.slice(11, 16), w.hours, w.longestBookingMinutes])).toEqual([
        ['13:00', '23:00', 10, 240],
      ]);
      const pooled = await createResource({
        nameZh: '测试·长窗池',
        nameEn: 'Test long-window pool',
        mode: 'pooled',
        capacity: 4,
        unit: 'gpu_hour',
        leadTimeMinutes: 0,
        minDurationMinutes: 60,
        maxDurationMinutes: 480,
        horizonDays: 3,
      });
      const long = await availability(pooled, { units: 2 });
      // one window from 10:15 (now + 1 min margin, on the grain) to the horizon (3 days), but no booking may exceed 8 hours
      expect(long.windows).toHaveLength(1);
      expect(long.windows[0]).toEqual(
        expect.objectContaining({ localStartsAt: '2030-01-07T10:15:00+08:00', hours: 71.75, longestBookingMinutes: 480, freeUnits: 4 }),
      );
      const nearHorizon = await availability(pooled, { from: new Date(Date.parse(NOW) + 3 * DAY - 100 * MIN).toISOString() });
      expect(nearHorizon.windows[0].longestBookingMinutes).toBe(90); // from 08:20 → 08:30 on the grain; the horizon is at 10:00
    });

    it('compares minHours with what can be booked: the maximum and minimum durations', async () => {
      const short = await createResource({ nameZh: '测试·四小时台', nameEn: 'Test four-hour bench', leadTimeMinutes: 0, maxDurationMinutes: 240 });
      const long = await createResource({
        nameZh: '测试·整日台',
        nameEn: 'Test whole-day bench',
        leadTimeMinutes: 0,
        minDurationMinutes: 1440,
        maxDurationMinutes: 2880,
      });
      const search = async (minHours?: number) =>
        (
          await t
            .http()
            .get('/api/v1/availability')
            .query({ facilityId, limit: 50, ...(minHours ? { minHours } : {}) })
            .expect(200)
        ).body.items as Array<{
          resource: { id: string };
          windows: Window[];
        }>;
      const eight = await search(8);
      expect(eight.map((i) => i.resource.id)).not.toContain(short); // free for days, but at most 4 h per booking
      expect(eight.map((i) => i.resource.id)).not.toContain(long); // an 8-hour booking is too short for it
      expect(eight.map((i) => i.resource.id)).toContain(bench);
      for (const item of eight) for (const w of item.windows) expect(w.longestBookingMinutes).toBeGreaterThanOrEqual(480);
      expect((await search(4)).map((i) => i.resource.id)).toContain(short);
      expect((await search()).map((i) => i.resource.id)).toEqual(expect.arrayContaining([short, long, bench]));
    });
  });
});

describe('every demo resource: the first window availability returns can be booked', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  // an awkward moment on a Monday morning, and a Friday night (night shifts, week-ends ahead)
  it.each([
    ['2030-01-07T07:53:17.123+08:00', 'sme@demo.local'],
    ['2030-01-11T21:07:43.456+08:00', 'sme2@demo.local'],
  ])('at %s, as %s', async (now, email) => {
    t.app.get(Clock).freeze(now);
    const token = await t.login(email);
    const list = await t.http().get('/api/v1/resources').query({ limit: 200 }).expect(200);
    const resources = list.body.items as Array<{
      id: string;
      nameEn: string;
      mode: string;
      unit: string;
      facility: { kind: string };
      minDurationMinutes: number;
      maxUnitHoursPer30Days: number | null;
    }>;
    expect(resources.length).toBeGreaterThanOrEqual(165);
    const failures: string[] = [];
    for (const r of resources) {
      t.app.get(Clock).freeze(now);
      let { windows } = (await t.http().get(`/api/v1/resources/${r.id}/availability`).expect(200)).body as { windows: Window[] };
      if (windows.length === 0) {
        windows = (
          await t
            .http()
            .get(`/api/v1/resources/${r.id}/availability`)
            .query({ to: new Date(Date.parse(now) + 92 * DAY).toISOString() })
            .expect(200)
        ).body.windows;
      }
      if (windows.length === 0) {
        failures.push(`${r.nameEn}: no window`);
        continue;
      }
      const w = windows[0];
      const units = 1;
      const fitsQuota = r.maxUnitHoursPer30Days === null || (units * w.longestBookingMinutes) / 60 <= r.maxUnitHoursPer30Days;
      const minutes = fitsQuota ? w.longestBookingMinutes : r.minDurationMinutes;
      t.app.get(Clock).advance(20_000); // sent 20 s after asking
      const res = await t
        .http()
        .post('/api/v1/bookings')
        .set(bearer(token))
        .send({
          resourceId: r.id,
          startsAt: w.startsAt,
          endsAt: new Date(Date.parse(w.startsAt) + minutes * MIN).toISOString(),
          ...(r.mode === 'pooled' ? { units } : {}),
          stage: 'pilot_maturation',
          // compute resources default to compute; the others need a category
          ...(isComputeResource({ kind: r.facility.kind, unit: r.unit }) ? {} : { serviceCategory: 'equipment_sharing' }),
          purpose: '演示目录全量预约 every demo resource',
        });
      if (res.status !== 201) failures.push(`${r.nameEn} ${w.localStartsAt} +${minutes} min: ${res.status} ${res.body.code} ${res.body.detail}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('the README example session, at any hour of the day', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    '2030-01-07T00:00:00.000+08:00',
    '2030-01-08T05:59:59.999+08:00',
    '2030-01-09T07:53:17.123+08:00',
    '2030-01-10T09:30:00.000+08:00',
    '2030-01-11T12:00:00.001+08:00',
    '2030-01-12T16:45:30.000+08:00',
    '2030-01-13T20:14:59.500+08:00',
    '2030-01-14T23:59:59.999+08:00',
  ])('at %s', async (now) => {
    const api = '/api/v1';
    const clock = t.app.get(Clock);
    clock.freeze(now);
    const [SME, SME2, OP] = await Promise.all(['sme@demo.local', 'sme2@demo.local', 'operator@demo.local'].map((e) => t.login(e)));
    const OPORG = (await t.http().get(`${api}/me`).set(bearer(OP)).expect(200)).body.organisationId;

    // which pilot line in new materials is free for 8 hours in the next two weeks?
    const free = await t.http().get(`${api}/availability?kind=pilot_platform&direction=new_materials&mode=exclusive&minHours=8&limit=3`).expect(200);
    expect(free.body.items.length).toBeGreaterThan(0);

    // take one run by operator@demo.local and book its first 8-hour window
    clock.advance(3_000);
    const FOUND = (await t.http().get(`${api}/availability?kind=pilot_platform&mode=exclusive&minHours=8&operatorId=${OPORG}&limit=1`).expect(200)).body;
    const RES = FOUND.items[0].resource.id;
    const START = FOUND.items[0].windows[0].startsAt as string;
    const END = new Date(Date.parse(START) + 8 * 3600e3).toISOString();
    clock.advance(5_000);
    const BOOKING = await t
      .http()
      .post(`${api}/bookings`)
      .set(bearer(SME))
      .set('Idempotency-Key', randomUUID())
      .send({ resourceId: RES, startsAt: START, endsAt: END, stage: 'pilot_maturation', serviceCategory: 'process_scale_up', purpose: '5 m3 scale-up' });
    expect([BOOKING.status, BOOKING.body.code]).toEqual([201, undefined]);
    expect(BOOKING.body.state).toBe('pending');
    const ID = BOOKING.body.id;

    // a second SME can never take the same window
    const second = await t
      .http()
      .post(`${api}/bookings`)
      .set(bearer(SME2))
      .send({ resourceId: RES, startsAt: START, endsAt: END, stage: 'lab_validation', serviceCategory: 'process_scale_up', purpose: 'same slot' });
    expectProblem(second, 409, 'slot_taken');

    // the operator sees the request and approves it; the SME sees it approved
    const inbox = await t.http().get(`${api}/notifications?unread=true&limit=1`).set(bearer(OP)).expect(200);
    expect(inbox.body.items[0].kind).toBe('booking_requested');
    expect((await t.http().post(`${api}/bookings/${ID}/approve`).set(bearer(OP)).send({ reason: '资料齐全' })).status).toBe(200);
    expect((await t.http().get(`${api}/bookings/${ID}`).set(bearer(SME)).expect(200)).body.state).toBe('approved');

    // leave the catalogue as a fresh start would find it for the next hour
    expect((await t.http().post(`${api}/bookings/${ID}/cancel`).set(bearer(OP)).send({ reason: 'test run over' })).status).toBe(200);
    await t.http().post(`${api}/notifications/${inbox.body.items[0].id}/read`).set(bearer(OP));
  });
});
