import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { FACILITY_KINDS, isComputeResource, RESOURCE_UNITS, SERVICE_CATEGORIES } from '../src/catalogue/catalogue.constants';
import { Clock } from '../src/common/clock';
import { dataSourceOptions, runMigrations } from '../src/database/data-source-options';
import { MIGRATIONS } from '../src/database/migrations';
import { ServiceCategories1764221600000 } from '../src/database/migrations/1764221600000-ServiceCategories';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

/** Local wall-clock time in Asia/Shanghai (UTC+8, no DST) as an ISO instant. */
const sh = (local: string) => `${local}:00+08:00`;
/** "Now": Monday 2030-01-07 10:00 in Shanghai. */
const NOW = sh('2030-01-07T10:00');
const TYPE = 'https://pilot-booking.dev/problems/';
const PILOT_SERVICES = SERVICE_CATEGORIES.filter((c) => c !== 'compute');
const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

interface Booking {
  id: string;
  state: string;
  serviceCategory: string;
  internal: boolean;
  organisation: { id: string };
  price: { fen: number; listFen: number; discountPercent: number };
}

describe('service categories and internal use (issue 11)', () => {
  let t: TestApp;
  let operator: string; // operator@demo.local: runs pilot, lab and ai
  let dalian: string; // operator-dalian@demo.local: runs foreign
  let sme: string;
  let sme2: string;
  let official: string;
  let admin: string;
  let operatorOrg: string;
  let dalianOrg: string;
  let smeOrg: string;
  let line: string; // pilot platform, exclusive, hours, approval required, priced, fair-use limits
  let gpus: string; // pilot platform, pooled GPU hours: a compute resource by its unit
  let cluster: string; // intelligent-computing centre, exclusive hours: a compute resource by its facility
  let tester: string; // verification centre, exclusive hours
  let foreignLine: string; // dalian's pilot platform
  let foreignHidden: string; // dalian's, deactivated
  const internalIds: string[] = [];
  let smeBooking: Booking;

  async function setNow(instant: string) {
    t.app.get(Clock).freeze(instant);
    [operator, dalian, sme, sme2, official, admin] = await Promise.all(
      ['operator@demo.local', 'operator-dalian@demo.local', 'sme@demo.local', 'sme2@demo.local', 'official@demo.local', 'admin@demo.local'].map((e) =>
        t.login(e),
      ),
    );
  }
  const book = (token: string, resourceId: string, from: string, to: string, extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(token))
      .send({ resourceId, startsAt: sh(from), endsAt: sh(to), stage: 'pilot_maturation', purpose: '服务类别 service category', ...extra });
  const get = (path: string, token: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const countBookings = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM bookings`))[0].n;

  async function facility(token: string, kind: string): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(token))
      .send({
        kind,
        nameZh: `测试·${kind}`,
        nameEn: `Test ${kind}`,
        cityCode: '210100',
        address: '沈阳市测试路11号',
        directions: ['new_materials'],
        stages: ['pilot_maturation', 'industrialisation'],
      });
    if (res.status !== 201) throw new Error(`facility: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }
  async function resource(token: string, facilityId: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(token))
      .send({
        facilityId,
        nameZh: '测试·设备',
        nameEn: 'Test equipment',
        mode: 'exclusive',
        unit: 'hour',
        minDurationMinutes: 60,
        maxDurationMinutes: 600,
        leadTimeMinutes: 0,
        horizonDays: 60,
        approvalRequired: true,
        pricePerUnitHourFen: 10_000,
        smeDiscountPercent: 20,
        openingHours: allWeek,
        ...body,
      });
    if (res.status !== 201) throw new Error(`resource: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  beforeAll(async () => {
    t = await createTestApp();
    await setNow(NOW);
    operatorOrg = (await get('/me', operator).expect(200)).body.organisationId;
    dalianOrg = (await get('/me', dalian).expect(200)).body.organisationId;
    smeOrg = (await get('/me', sme).expect(200)).body.organisationId;
    const pilot = await facility(operator, 'pilot_platform');
    const lab = await facility(operator, 'verification_centre');
    const ai = await facility(operator, 'intelligent_computing_centre');
    const foreign = await facility(dalian, 'pilot_platform');
    line = await resource(operator, pilot, { nameEn: 'Test pilot line', maxUnitHoursPer30Days: 4, maxOpenRequests: 1 });
    gpus = await resource(operator, pilot, {
      nameEn: 'Test GPU pool',
      mode: 'pooled',
      capacity: 8,
      unit: 'gpu_hour',
      approvalRequired: false,
      pricePerUnitHourFen: 1200,
    });
    cluster = await resource(operator, ai, { nameEn: 'Test cluster slot' });
    tester = await resource(operator, lab, { nameEn: 'Test climate chamber' });
    foreignLine = await resource(dalian, foreign, { nameEn: 'Test Dalian line' });
    foreignHidden = await resource(dalian, foreign, { nameEn: 'Test Dalian hidden line' });
    await t.http().patch(`/api/v1/resources/${foreignHidden}`).set(bearer(dalian)).send({ active: false }).expect(200);
  });
  afterAll(() => t.close());

  describe('the service category of a booking', () => {
    it('is required on a resource that is not a compute resource: 400 naming the field, nothing stored', async () => {
      const before = await countBookings();
      const required = {
        type: `${TYPE}validation_failed`,
        title: 'Bad Request',
        status: 400,
        detail: 'The request has 1 invalid field: serviceCategory.',
        code: 'validation_failed',
        instance: '/api/v1/bookings',
        errors: [{ field: 'serviceCategory', message: 'serviceCategory is required' }],
      };
      expect(expectProblem(await book(sme, line, '2030-01-20T09:00', '2030-01-20T10:00'), 400, 'validation_failed')).toEqual(required);
      expect(expectProblem(await book(sme, line, '2030-01-20T09:00', '2030-01-20T10:00', { serviceCategory: null }), 400)).toEqual(required);
      expect(expectProblem(await book(operator, tester, '2030-01-20T09:00', '2030-01-20T10:00'), 400)).toEqual(required);
      expect(expectProblem(await book(sme, line, '2030-01-20T09:00', '2030-01-20T10:00', { serviceCategory: 'consulting' }), 400)).toEqual({
        ...required,
        errors: [{ field: 'serviceCategory', message: `serviceCategory must be one of the following values: ${SERVICE_CATEGORIES.join(', ')}` }],
      });
      expect(await countBookings()).toBe(before);
    });

    it('defaults to compute on a compute resource: GPU hours wherever they are, any resource of a computing centre', async () => {
      const pool = await book(sme, gpus, '2030-01-20T09:00', '2030-01-20T10:00', { units: 2 });
      expect(pool.status).toBe(201);
      expect(pool.body).toMatchObject({ serviceCategory: 'compute', internal: false, state: 'approved' });
      const slot = await book(sme, cluster, '2030-01-20T09:00', '2030-01-20T10:00');
      expect(slot.status).toBe(201);
      expect(slot.body).toMatchObject({ serviceCategory: 'compute', state: 'pending' });
      const explicit = await book(sme2, gpus, '2030-01-20T09:00', '2030-01-20T10:00', { units: 1, serviceCategory: 'compute' });
      expect(explicit.status).toBe(201);
      expect(explicit.body.serviceCategory).toBe('compute');
    });

    it('refuses compute on a resource that is not a compute resource, and a pilot service on a compute one (422 service_category_not_offered)', async () => {
      const before = await countBookings();
      expect(expectProblem(await book(sme, line, '2030-01-21T09:00', '2030-01-21T10:00', { serviceCategory: 'compute' }), 422)).toEqual({
        type: `${TYPE}service_category_not_offered`,
        title: 'Unprocessable Content',
        status: 422,
        detail: 'This resource is not a compute resource: book it for one of the pilot-platform services.',
        code: 'service_category_not_offered',
        instance: '/api/v1/bookings',
        serviceCategory: 'compute',
        allowed: PILOT_SERVICES,
      });
      const onCompute = {
        type: `${TYPE}service_category_not_offered`,
        title: 'Unprocessable Content',
        status: 422,
        detail: 'This is a compute resource: it is booked for compute only (serviceCategory compute, the default).',
        code: 'service_category_not_offered',
        instance: '/api/v1/bookings',
        serviceCategory: 'type_testing',
        allowed: ['compute'],
      };
      expect(expectProblem(await book(sme, gpus, '2030-01-21T09:00', '2030-01-21T10:00', { units: 1, serviceCategory: 'type_testing' }), 422)).toEqual(
        onCompute,
      );
      expect(expectProblem(await book(operator, cluster, '2030-01-21T09:00', '2030-01-21T10:00', { serviceCategory: 'type_testing' }), 422)).toEqual(onCompute);
      expect(await countBookings()).toBe(before);
    });

    it('is shown by the booking, kept in its audit entry, and filters the list', async () => {
      const res = await book(sme, tester, '2030-01-22T09:00', '2030-01-22T11:00', { serviceCategory: 'type_testing' });
      expect(res.status).toBe(201);
      smeBooking = res.body as Booking;
      expect(smeBooking).toMatchObject({ serviceCategory: 'type_testing', internal: false, organisation: { id: smeOrg }, state: 'pending' });
      expect((await get(`/bookings/${smeBooking.id}`, official).expect(200)).body).toMatchObject({ serviceCategory: 'type_testing', internal: false });
      const [audit] = await t.sql<{ data: Record<string, unknown> }>(`SELECT data FROM audit_entries WHERE entity_id = $1 AND action = 'booking.requested'`, [
        smeBooking.id,
      ]);
      expect(audit.data).toMatchObject({ serviceCategory: 'type_testing', internal: false, stage: 'pilot_maturation', priceFen: 16_000 });

      const testing = (await get('/bookings?serviceCategory=type_testing&limit=200', sme).expect(200)).body;
      expect(testing.items.map((b: Booking) => b.id)).toEqual([smeBooking.id]);
      const compute = (await get('/bookings?serviceCategory=compute&limit=200', official).expect(200)).body;
      expect(compute.total).toBe(3);
      expect(compute.items.every((b: Booking) => b.serviceCategory === 'compute')).toBe(true);
      expect(expectProblem(await get('/bookings?serviceCategory=consulting', sme), 400, 'validation_failed').errors).toEqual([
        { field: 'serviceCategory', message: `serviceCategory must be one of the following values: ${SERVICE_CATEGORIES.join(', ')}` },
      ]);
    });
  });

  describe('internal use: an operator books its own resource', () => {
    it('is approved at once without a decision, never priced, for the operator’s own organisation, and tells nobody', async () => {
      const res = await book(operator, line, '2030-01-08T09:00', '2030-01-08T12:00', { serviceCategory: 'process_scale_up' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        state: 'approved',
        internal: true,
        serviceCategory: 'process_scale_up',
        organisation: { id: operatorOrg },
        decidedBy: null,
        decidedAt: new Date(NOW).toISOString(),
        expiresAt: null,
        price: { fen: 0, listFen: 0, discountPercent: 0, currency: 'CNY' },
      });
      internalIds.push(res.body.id);
      const [row] = await t.sql(
        `SELECT decided_by, price_fen::int AS price, list_price_fen::int AS list, organisation_id::text AS org FROM bookings WHERE id = $1`,
        [res.body.id],
      );
      expect(row).toEqual({ decided_by: null, price: 0, list: 0, org: operatorOrg });
      const [audit] = await t.sql<{ data: Record<string, unknown> }>(`SELECT data FROM audit_entries WHERE entity_id = $1 AND action = 'booking.requested'`, [
        res.body.id,
      ]);
      expect(audit.data).toMatchObject({ internal: true, autoApproved: true, state: 'approved', priceFen: 0, serviceCategory: 'process_scale_up' });
      expect(await t.sql(`SELECT count(*)::int AS n FROM notifications WHERE booking_id = $1`, [res.body.id])).toEqual([{ n: 0 }]);
    });

    it('takes its slot: an SME asking for the same window gets 409 slot_taken', async () => {
      const body = expectProblem(await book(sme2, line, '2030-01-08T10:00', '2030-01-08T11:00', { serviceCategory: 'process_scale_up' }), 409, 'slot_taken');
      expect(body.conflicts).toEqual([
        {
          startsAt: '2030-01-08T01:00:00.000Z',
          endsAt: '2030-01-08T04:00:00.000Z',
          blockedFrom: '2030-01-08T01:00:00.000Z',
          blockedUntil: '2030-01-08T04:00:00.000Z',
        },
      ]);
      // and two internal bookings of one window are no exception either
      expectProblem(await book(operator, line, '2030-01-08T11:00', '2030-01-08T13:00', { serviceCategory: 'equipment_sharing' }), 409, 'slot_taken');
    });

    it('is not held to the fair-use limits (at most 4 unit-hours in 30 days, one open request), an SME is', async () => {
      const more = await book(operator, line, '2030-01-09T09:00', '2030-01-09T12:00', {
        serviceCategory: 'small_batch_trial_production',
        stage: 'industrialisation',
      });
      expect(more.status).toBe(201);
      expect(more.body).toMatchObject({ internal: true, state: 'approved', serviceCategory: 'small_batch_trial_production' });
      internalIds.push(more.body.id);
      const pool = await book(operator, gpus, '2030-01-09T09:00', '2030-01-09T10:00', { units: 8 });
      expect(pool.body).toMatchObject({ internal: true, serviceCategory: 'compute', price: { fen: 0, listFen: 0 } });
      internalIds.push(pool.body.id);
      // 6 internal unit-hours held, beyond the limit of 4; an SME gets 5 refused
      const refused = expectProblem(
        await book(sme, line, '2030-01-10T09:00', '2030-01-10T14:00', { serviceCategory: 'process_scale_up' }),
        422,
        'quota_exceeded',
      );
      expect(refused).toMatchObject({ limit: 'max_unit_hours_per_30_days', max: 4, remaining: 4 });
      expect((await book(sme, line, '2030-01-10T09:00', '2030-01-10T11:00', { serviceCategory: 'process_scale_up' })).status).toBe(201);
      expectProblem(await book(sme, line, '2030-01-11T09:00', '2030-01-11T10:00', { serviceCategory: 'process_scale_up' }), 422, 'quota_exceeded');
    });

    it('is checked in and out as usual; its usage record is internal', async () => {
      const id = internalIds[0];
      await setNow(sh('2030-01-08T09:05'));
      expect((await t.http().post(`/api/v1/bookings/${id}/check-in`).set(bearer(operator)).expect(200)).body).toMatchObject({
        state: 'in_use',
        internal: true,
      });
      await setNow(sh('2030-01-08T11:35'));
      expect((await t.http().post(`/api/v1/bookings/${id}/check-out`).set(bearer(operator)).send({ note: '自用完成' }).expect(200)).body.state).toBe(
        'completed',
      );
      const records = (await get(`/usage?bookingId=${id}`, operator).expect(200)).body;
      expect(records.items).toEqual([expect.objectContaining({ source: 'check_out', organisationId: operatorOrg, internal: true, unitHours: 2.5 })]);
      await setNow(NOW);
    });

    it('is told apart from external use in the lists (internal=true|false), for the operator and officials alike', async () => {
      for (const token of [operator, official]) {
        const internal = (await get('/bookings?internal=true&limit=200', token).expect(200)).body;
        expect(internal.items.map((b: Booking) => b.id).sort()).toEqual([...internalIds].sort());
        expect(internal.items.every((b: Booking) => b.internal && b.organisation.id === operatorOrg)).toBe(true);
        const external = (await get('/bookings?internal=false&limit=200', token).expect(200)).body;
        expect(external.items.some((b: Booking) => b.internal)).toBe(false);
        expect(external.items.map((b: Booking) => b.id)).toContain(smeBooking.id);
        const all = (await get('/bookings?limit=1', token).expect(200)).body;
        expect(internal.total + external.total).toBe(all.total);
      }
      const [{ n }] = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM bookings b JOIN facilities f ON f.id = b.facility_id WHERE b.organisation_id = f.operator_id`,
      );
      expect(n).toBe(internalIds.length);
      expect((await get('/bookings?internal=true', sme).expect(200)).body.total).toBe(0); // an SME sees only its own, never internal
      expect((await get('/bookings?internal=true&serviceCategory=compute', operator).expect(200)).body.total).toBe(1);
      expect(expectProblem(await get('/bookings?internal=maybe', operator), 400, 'validation_failed').errors).toEqual([
        { field: 'internal', message: 'internal must be a boolean value' },
      ]);
    });

    it('is only on the operator’s own facilities: another operator’s resource is 403 not_your_facility (404 if it is hidden)', async () => {
      const before = await countBookings();
      const foreign = {
        type: `${TYPE}not_your_facility`,
        title: 'Forbidden',
        status: 403,
        detail: 'This facility is run by another operator; an operator books only the resources of its own facilities.',
        code: 'not_your_facility',
        instance: '/api/v1/bookings',
      };
      expect(expectProblem(await book(operator, foreignLine, '2030-01-08T09:00', '2030-01-08T10:00', { serviceCategory: 'process_scale_up' }), 403)).toEqual(
        foreign,
      );
      expect(expectProblem(await book(dalian, line, '2030-01-12T09:00', '2030-01-12T10:00', { serviceCategory: 'process_scale_up' }), 403)).toEqual(foreign);
      expect(expectProblem(await book(operator, foreignHidden, '2030-01-08T09:00', '2030-01-08T10:00', { serviceCategory: 'process_scale_up' }), 404)).toEqual({
        type: `${TYPE}not_found`,
        title: 'Not Found',
        status: 404,
        detail: 'Resource was not found.',
        code: 'not_found',
        instance: '/api/v1/bookings',
      });
      // dalian books its own line: internal for dalian
      const own = await book(dalian, foreignLine, '2030-01-08T09:00', '2030-01-08T10:00', { serviceCategory: 'application_validation' });
      expect(own.body).toMatchObject({ internal: true, organisation: { id: dalianOrg }, state: 'approved' });
      internalIds.push(own.body.id);
      expect(await countBookings()).toBe(before + 1);
      expect((await get('/bookings?internal=true&limit=200', operator).expect(200)).body.items.map((b: Booking) => b.id)).not.toContain(own.body.id);
    });

    it('is not for officials or admins (403), and an enterprise cannot book in another organisation’s name', async () => {
      const before = await countBookings();
      for (const token of [official, admin]) {
        const refused = expectProblem(
          await book(token, line, '2030-01-12T09:00', '2030-01-12T10:00', { serviceCategory: 'process_scale_up' }),
          403,
          'forbidden',
        );
        expect(refused.type).toBe(`${TYPE}forbidden`);
      }
      expect(
        expectProblem(
          await book(sme, line, '2030-01-12T09:00', '2030-01-12T10:00', { serviceCategory: 'process_scale_up', organisationId: operatorOrg }),
          400,
          'validation_failed',
        ).errors,
      ).toEqual([{ field: 'organisationId', message: 'organisationId is not an accepted field' }]);
      expect(await countBookings()).toBe(before);
      expect(smeBooking).toMatchObject({ organisation: { id: smeOrg }, internal: false });
    });
  });

  describe('internal use: manual usage records', () => {
    const record = (token: string, body: Record<string, unknown>) =>
      t
        .http()
        .post('/api/v1/usage')
        .set(bearer(token))
        .send({ startsAt: sh('2030-01-02T09:00'), endsAt: sh('2030-01-02T13:00'), ...body });

    it('accepts the operator’s own use of its own facility, shown as internal; lists filter on it', async () => {
      const own = await record(operator, { resourceId: tester, organisationId: operatorOrg, note: '内部校准 internal calibration' });
      expect(own.status).toBe(201);
      expect(own.body).toMatchObject({ organisationId: operatorOrg, internal: true, source: 'manual', unitHours: 4 });
      const theirs = await record(operator, { resourceId: tester, organisationId: smeOrg });
      expect(theirs.body).toMatchObject({ organisationId: smeOrg, internal: false });
      expect((await get(`/usage/${own.body.id}`, official).expect(200)).body.internal).toBe(true);
      const internal = (await get(`/usage?resourceId=${tester}&internal=true`, operator).expect(200)).body;
      expect(internal.items.map((u: { id: string }) => u.id)).toEqual([own.body.id]);
      expect(internal.totals).toMatchObject({ records: 1, unitHours: { hour: 4 } });
      const external = (await get(`/usage?resourceId=${tester}&internal=false`, operator).expect(200)).body;
      expect(external.items.map((u: { id: string }) => u.id)).toEqual([theirs.body.id]);
      expect((await get(`/usage?internal=true`, sme).expect(200)).body.total).toBe(0);
      expectProblem(await get('/usage?internal=maybe', operator), 400, 'validation_failed');
    });

    it('refuses another operator’s organisation (422 not_an_enterprise), another operator’s facility (403) and officials (403)', async () => {
      expectProblem(await record(operator, { resourceId: tester, organisationId: dalianOrg }), 422, 'not_an_enterprise');
      expectProblem(await record(dalian, { resourceId: tester, organisationId: dalianOrg }), 403);
      expectProblem(await record(official, { resourceId: tester, organisationId: operatorOrg }), 403);
    });
  });

  describe('the database', () => {
    it('holds a category for every booking, and refuses an unknown one (CHECK) or none (NOT NULL)', async () => {
      expect(await t.sql(`SELECT count(*)::int AS n FROM bookings WHERE service_category IS NULL`)).toEqual([{ n: 0 }]);
      await expect(t.sql(`UPDATE bookings SET service_category = 'consulting' WHERE id = $1`, [smeBooking.id])).rejects.toMatchObject({ code: '23514' });
      await expect(t.sql(`UPDATE bookings SET service_category = NULL WHERE id = $1`, [smeBooking.id])).rejects.toMatchObject({ code: '23502' });
      const [check] = await t.sql<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND conname = 'bookings_service_category_check'`,
      );
      expect([...check.def.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort()).toEqual([...SERVICE_CATEGORIES].sort());
    });

    it('defines compute resources as isComputeResource does, for every kind and unit (resource_is_compute, IMMUTABLE)', async () => {
      for (const kind of FACILITY_KINDS) {
        for (const unit of RESOURCE_UNITS) {
          const [row] = await t.sql<{ compute: boolean }>(`SELECT resource_is_compute($1, $2) AS compute`, [kind, unit]);
          expect([kind, unit, row.compute]).toEqual([kind, unit, isComputeResource({ kind, unit })]);
        }
      }
      expect(await t.sql(`SELECT provolatile FROM pg_proc WHERE proname = 'resource_is_compute'`)).toEqual([{ provolatile: 'i' }]);
    });

    it('marks a booking’s days stale when its category changes (bookings_touch_report_days compares it)', async () => {
      const [{ src }] = await t.sql<{ src: string }>(`SELECT prosrc AS src FROM pg_proc WHERE proname = 'bookings_touch_report_days'`);
      expect(src).toContain('OLD.resource_id, OLD.service_category)');
      expect(src).toContain('NEW.resource_id, NEW.service_category)');
      // the trigger marks days that have started or have a snapshot: 2030-01-22 (the SME's booking) gets a snapshot row
      await t.sql(`INSERT INTO report_days (day, computed_at, fact_rows) VALUES ('2030-01-22', now(), 0)`);
      const changes = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM report_day_changes WHERE day = '2030-01-22'`))[0].n;
      const before = await changes();
      await t.sql(`UPDATE bookings SET purpose = purpose || ' ' WHERE id = $1`, [smeBooking.id]); // not a figure: no mark
      expect(await changes()).toBe(before);
      await t.sql(`UPDATE bookings SET service_category = 'performance_testing' WHERE id = $1`, [smeBooking.id]);
      expect(await changes()).toBe(before + 1);
      await t.sql(`DELETE FROM report_days WHERE day = '2030-01-22'`);
    });

    it('the migration fills existing bookings by the rule (compute; verification → performance_testing; pilot → process_scale_up, or small_batch_trial_production at industrialisation)', async () => {
      const adminUrl = process.env.TEST_ADMIN_DATABASE_URL!;
      const name = `pb_test_${randomBytes(6).toString('hex')}`;
      const server = new Client({ connectionString: adminUrl });
      await server.connect();
      await server.query(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const before = new DataSource(
        dataSourceOptions(url.toString(), { migrations: MIGRATIONS.slice(0, MIGRATIONS.indexOf(ServiceCategories1764221600000)), extra: { max: 1 } }),
      );
      const db = new Client({ connectionString: url.toString() });
      try {
        await before.initialize();
        await before.runMigrations({ transaction: 'each' });
        await before.destroy();
        await db.connect();
        const one = async (sql: string, params: unknown[] = []) => (await db.query<{ id: string }>(sql, params)).rows[0].id;
        const op = await one(`INSERT INTO organisations (kind, name_zh) VALUES ('operator', '测试·运营方') RETURNING id`);
        const ent = await one(
          `INSERT INTO organisations (kind, name_zh, credit_code, sme) VALUES ('enterprise', '测试·企业', '91210100MA0000001X', true) RETURNING id`,
        );
        const user = await one(
          `INSERT INTO users (email, display_name, role, organisation_id, password_hash) VALUES ('e@x.cn', 'E', 'enterprise', $1, 'x') RETURNING id`,
          [ent],
        );
        const facilityOf = (kind: string) =>
          one(
            `INSERT INTO facilities (operator_id, kind, name_zh, name_en, city_code, address, directions, stages)
             VALUES ($1, $2, '测试', 'Test', '210100', '测试路', ARRAY['new_materials'], ARRAY['pilot_maturation']) RETURNING id`,
            [op, kind],
          );
        const cases: Array<[kind: string, unit: string, stage: string, expected: string]> = [
          ['pilot_platform', 'hour', 'pilot_maturation', 'process_scale_up'],
          ['pilot_platform', 'run', 'lab_validation', 'process_scale_up'],
          ['pilot_platform', 'hour', 'industrialisation', 'small_batch_trial_production'],
          ['pilot_platform', 'gpu_hour', 'industrialisation', 'compute'],
          ['verification_centre', 'run', 'industrialisation', 'performance_testing'],
          ['verification_centre', 'core_hour', 'pilot_maturation', 'compute'],
          ['supercomputing_centre', 'hour', 'industrialisation', 'compute'],
          ['intelligent_computing_centre', 'run', 'pilot_maturation', 'compute'],
        ];
        const expected = new Map<string, string>();
        for (const [i, [kind, unit, stage, category]] of cases.entries()) {
          const facility = await facilityOf(kind);
          const pooled = unit === 'gpu_hour' || unit === 'core_hour';
          const res = await one(
            `INSERT INTO resources (facility_id, name_zh, name_en, mode, capacity, unit, min_duration_minutes, max_duration_minutes, horizon_days, price_per_unit_hour_fen)
             VALUES ($1, '测试', 'Test', $2, $3, $4, 60, 480, 30, 100) RETURNING id`,
            [facility, pooled ? 'pooled' : 'exclusive', pooled ? 8 : 1, unit],
          );
          const from = `2029-06-${String(i + 1).padStart(2, '0')}T09:00:00+08:00`;
          const to = `2029-06-${String(i + 1).padStart(2, '0')}T11:00:00+08:00`;
          const id = await one(
            `INSERT INTO bookings (resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, state, stage, purpose, price_fen, list_price_fen, discount_percent)
             VALUES ($1, $2, $3, $4, tstzrange($5, $6), tstzrange($5, $6), $7, 1, 'completed', $8, '迁移测试', 200, 200, 0) RETURNING id`,
            [res, facility, ent, user, from, to, !pooled, stage],
          );
          expected.set(id, category);
        }
        const staleBefore = (await db.query(`SELECT count(*)::int AS n FROM report_day_changes`)).rows[0].n as number;

        // the app's own path: every pending migration, this one included
        expect(await runMigrations(url.toString())).toContain('ServiceCategories1764221600000');

        const rows = (await db.query<{ id: string; service_category: string }>(`SELECT id, service_category FROM bookings`)).rows;
        expect(new Map(rows.map((r) => [r.id, r.service_category]))).toEqual(expected);
        // filling the new column is no change to any figure: no day was marked stale by it
        expect((await db.query(`SELECT count(*)::int AS n FROM report_day_changes`)).rows[0].n).toBe(staleBefore);
        await expect(db.query(`UPDATE bookings SET service_category = 'consulting'`)).rejects.toMatchObject({ code: '23514' });
      } finally {
        await db.end().catch(() => undefined);
        if (before.isInitialized) await before.destroy();
        await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await server.end();
      }
    });
  });
});
