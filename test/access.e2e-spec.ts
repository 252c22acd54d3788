import { DataSource, EntityManager } from 'typeorm';
import { BookingStore } from '../src/bookings/booking-store';
import { bookingView } from '../src/bookings/booking-view';
import { AccessService } from '../src/common/access/access.service';
import { PERMISSIONS } from '../src/common/access/permissions';
import type { AuthUser } from '../src/common/auth/auth-user';
import { Clock } from '../src/common/clock';
import { JobsService } from '../src/jobs/jobs.service';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const sh = (local: string) => `${local}:00+08:00`;
/** Monday 2030-01-07 10:00 in Shanghai. */
const NOW = sh('2030-01-07T10:00');
const HOUR = 3_600_000;
const MISSING = '00000000-0000-4000-8000-000000000000';
/** Chain projects of sme and sme2 (created in beforeAll: a booking names its own organisation's project). */
let PROJECT_1: string;
let PROJECT_2: string;

interface Item {
  id: string;
  state: string;
  startsAt: string;
  createdAt: string;
  expiresAt: string | null;
  facility: { id: string };
  organisation: { id: string; creditCode: string | null; sme: boolean | null };
  projectId: string | null;
  requester: { id: string; displayName: string; email: string; phone: string | null } | null;
}

describe('access layer, the operator’s view of a booking, and the booking list', () => {
  let t: TestApp;
  let operator: string;
  let dalian: string;
  let sme: string;
  let sme2: string;
  let official: string;
  let admin: string;
  const who: Record<string, AuthUser> = {};
  let smeOrg: string;
  let sme2Org: string;
  let dalianOrg: string;
  let facA: string; // operator, pilot platform, Huludao
  let facB: string; // operator, supercomputing centre, Shenyang
  let facC: string; // operator-dalian, verification centre, Dalian
  const res: Record<string, string> = {};
  const b: Record<string, Item> = {};

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const get = (path: string, token: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const act = (token: string, id: string, action: string, body: Record<string, unknown> = {}) =>
    t.http().post(`/api/v1/bookings/${id}/${action}`).set(bearer(token)).send(body);
  const list = async (query: string, token = official): Promise<{ items: Item[]; total: number }> => {
    const r = await get(`/bookings?${/(^|&)limit=/.test(query) ? '' : 'limit=200&'}${query}`, token);
    if (r.status !== 200) throw new Error(`list ${query}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const ids = (items: Item[]) => items.map((i) => i.id);

  async function login() {
    [operator, dalian, sme, sme2, official, admin] = await Promise.all(
      ['operator', 'operator-dalian', 'sme', 'sme2', 'official', 'admin'].map((name) => t.login(`${name}@demo.local`)),
    );
  }
  async function setNow(instant: string | number) {
    t.app.get(Clock).freeze(new Date(instant));
    await login();
  }
  async function facility(token: string, body: Record<string, unknown>) {
    const r = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(token))
      .send({
        nameZh: '测试·权限设施',
        nameEn: 'Test access facility',
        address: '测试路1号',
        directions: ['new_materials'],
        stages: ['pilot_maturation'],
        ...body,
      });
    if (r.status !== 201) throw new Error(`facility: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  async function resource(token: string, facilityId: string) {
    const r = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(token))
      .send({
        facilityId,
        nameZh: '测试·权限设备',
        nameEn: 'Test access equipment',
        mode: 'exclusive',
        unit: 'hour',
        leadTimeMinutes: 0,
        horizonDays: 60,
        minDurationMinutes: 60,
        maxDurationMinutes: 600,
        approvalRequired: true,
        pricePerUnitHourFen: 10_000,
        openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
      });
    if (r.status !== 201) throw new Error(`resource: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  /** Books, then moves the clock one minute on, so that every booking has its own createdAt. */
  async function book(token: string, resourceId: string, from: string, to: string, extra: Record<string, unknown> = {}): Promise<Item> {
    const r = await t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(token))
      .send({
        resourceId,
        startsAt: sh(from),
        endsAt: sh(to),
        stage: 'pilot_maturation',
        // res.b is of a supercomputing centre: a compute resource, whose category defaults to compute
        ...(resourceId === res.b ? {} : { serviceCategory: resourceId === res.c ? 'performance_testing' : 'process_scale_up' }),
        purpose: '权限测试 access test',
        ...extra,
      });
    if (r.status !== 201) throw new Error(`booking: ${r.status} ${JSON.stringify(r.body)}`);
    t.app.get(Clock).advance(60_000);
    return r.body;
  }

  beforeAll(async () => {
    t = await createTestApp();
    await setNow(NOW);
    for (const [name, token] of Object.entries({ operator, dalian, sme, sme2, official, admin })) {
      const me = (await get('/me', token).expect(200)).body;
      who[name] = { userId: me.id, email: me.email, role: me.role, organisationId: me.organisationId };
    }
    smeOrg = who.sme.organisationId!;
    sme2Org = who.sme2.organisationId!;
    dalianOrg = who.dalian.organisationId!;
    await t.sql(`UPDATE users SET phone = '+86 138 0000 0001' WHERE email = 'sme@demo.local'`);

    facA = await facility(operator, { kind: 'pilot_platform', cityCode: '211400' });
    facB = await facility(operator, { kind: 'supercomputing_centre', cityCode: '210100' });
    facC = await facility(dalian, { kind: 'verification_centre', cityCode: '210200' });
    res.a1 = await resource(operator, facA);
    res.a2 = await resource(operator, facA);
    res.b = await resource(operator, facB);
    res.c = await resource(dalian, facC);
    const newProject = async (token: string) =>
      (await t.http().post('/api/v1/projects').set(bearer(token)).send({ titleZh: '测试·权限项目', direction: 'new_materials' }).expect(201)).body.id as string;
    PROJECT_1 = await newProject(sme);
    PROJECT_2 = await newProject(sme2);

    b.smeA = await book(sme, res.a1, '2030-01-10T09:00', '2030-01-10T12:00', { projectId: PROJECT_1 });
    b.sme2A = await book(sme2, res.a2, '2030-01-10T09:00', '2030-01-10T11:00', { projectId: PROJECT_2 }); // same start as smeA
    b.smeB = await book(sme, res.b, '2030-01-08T14:00', '2030-01-08T16:00');
    b.smeC = await book(sme, res.c, '2030-01-12T09:00', '2030-01-12T10:00', { projectId: PROJECT_1 });
    b.soon = await book(sme2, res.a1, '2030-01-07T20:00', '2030-01-07T22:00'); // starts within the 48 h: deadline = start
    b.decided = await book(sme, res.a2, '2030-01-15T09:00', '2030-01-15T10:00');
    expect((await act(operator, b.decided.id, 'approve')).status).toBe(200);
    await setNow(NOW);
  });
  afterAll(() => t.close());

  describe('the access layer, directly', () => {
    /** An EntityManager that counts the statements it runs. */
    function counting(): { em: EntityManager; count: () => number } {
      const manager = t.app.get(DataSource).manager;
      let n = 0;
      const em = Object.create(manager) as EntityManager;
      em.query = ((sql: string, params?: unknown[]) => {
        n++;
        return manager.query(sql, params);
      }) as EntityManager['query'];
      return { em, count: () => n };
    }

    it('answers in bulk with one query: of three bookings, one is the caller’s → one allowed', async () => {
      const access = t.app.get(AccessService);
      const { em, count } = counting();
      const allowed = await access.check(who.sme2, 'booking.read', [b.smeA.id, b.sme2A.id, b.smeC.id], em);
      expect([...allowed]).toEqual([b.sme2A.id]);
      expect(count()).toBe(1);
      expect([...(await access.check(who.operator, 'booking.decide', [b.smeA.id, b.smeB.id, b.smeC.id]))].sort()).toEqual([b.smeA.id, b.smeB.id].sort());
      expect([...(await access.check(who.dalian, 'booking.read', [b.smeA.id, b.smeB.id, b.smeC.id]))]).toEqual([b.smeC.id]);
      expect((await access.check(who.official, 'booking.read', [b.smeA.id, b.sme2A.id, b.smeC.id, MISSING])).size).toBe(3);
      expect((await access.check(who.official, 'booking.decide', [b.smeA.id, b.sme2A.id, b.smeC.id])).size).toBe(0);
      expect((await access.check(who.sme, 'booking.read', ['not-a-uuid', MISSING])).size).toBe(0);
    });

    it('requireAccess: 404 for rows the caller may not see (or unknown), 403 for rows it sees but may not act on', async () => {
      const access = t.app.get(AccessService);
      await expect(access.requireAccess(who.sme, 'booking.read', [b.smeA.id, b.smeC.id])).resolves.toBeUndefined();
      await expect(access.requireAccess(who.sme, 'booking.read', [b.smeA.id, b.sme2A.id])).rejects.toMatchObject({ status: 404, code: 'not_found' });
      await expect(access.requireAccess(who.sme, 'booking.read', [MISSING])).rejects.toMatchObject({ status: 404 });
      await expect(access.requireAccess(who.official, 'booking.decide', [b.smeA.id])).rejects.toMatchObject({ status: 403, code: 'forbidden' });
      await expect(access.requireAccess(who.admin, 'booking.cancel_own', [b.smeA.id])).rejects.toMatchObject({ status: 403 });
      await expect(access.requireAccess(who.dalian, 'booking.decide', [b.smeA.id])).rejects.toMatchObject({ status: 404 });
      await expect(access.requireAccess(who.sme, 'booking.decide', [b.smeA.id])).rejects.toMatchObject({ status: 403 });
      await expect(access.requireAccess(who.operator, 'booking.check_in', [b.smeA.id, b.sme2A.id, b.smeB.id])).resolves.toBeUndefined();
      // the catalogue is public: another operator's facility is seen, so changing it is 403 not_your_facility
      await expect(access.requireAccess(who.dalian, 'facility.manage', [facA])).rejects.toMatchObject({ status: 403, code: 'not_your_facility' });
      await expect(access.requireAccess(who.dalian, 'resource.manage', [res.a1])).rejects.toMatchObject({ status: 403, code: 'not_your_facility' });
      await expect(access.requireAccess(who.dalian, 'facility.manage', [MISSING])).rejects.toMatchObject({ status: 404 });
      await expect(access.requireAccess(who.admin, 'facility.manage', [facA, facC])).resolves.toBeUndefined();
      await expect(access.requireAccess(undefined, 'facility.read', [facA, facC])).resolves.toBeUndefined();
      await expect(access.requireAccess(who.sme, 'organisation.read', [sme2Org])).rejects.toMatchObject({ status: 404 });
      await expect(access.requireAccess(who.sme, 'user.read', [who.sme2.userId])).rejects.toMatchObject({ status: 404 });
    });

    it('gives list queries the same rule as a predicate (the booking list’s scope)', async () => {
      const access = t.app.get(AccessService);
      for (const name of ['sme', 'sme2', 'operator', 'dalian', 'official']) {
        const scope = access.scope(who[name], 'booking.read');
        const [{ n }] = await t.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM bookings b JOIN facilities f ON f.id = b.facility_id WHERE ${scope.sql}`,
          scope.params,
        );
        const token = { sme, sme2, operator, dalian, official }[name]!;
        expect((await list('', token)).total).toBe(n);
      }
      expect(access.scope(who.sme, 'booking.decide').sql).toBe('FALSE');
    });

    it('says which permissions a role can hold at all; officials change nothing', () => {
      const access = t.app.get(AccessService);
      expect(access.holds(who.official, 'booking.read')).toBe(true);
      expect(access.holds(who.official, 'booking.decide')).toBe(false);
      expect(access.holds(undefined, 'facility.read')).toBe(true);
      expect(access.holds(undefined, 'booking.read')).toBe(false);
      expect(access.holds(who.admin, 'facility.manage')).toBe(true);
      const officialWrites = Object.entries(PERMISSIONS).filter(([name, rule]) => !/\.read(_\w+)?$/.test(name) && 'official' in rule.roles);
      expect(officialWrites).toEqual([]);
    });
  });

  describe('through the API', () => {
    it('answers cross-tenant reads with 404', async () => {
      expectProblem(await get(`/bookings/${b.sme2A.id}`, sme), 404);
      expectProblem(await get(`/bookings/${b.smeA.id}`, dalian), 404);
      expectProblem(await get(`/bookings/${b.smeA.id}.ics`, sme2), 404);
      expectProblem(await get(`/organisations/${sme2Org}`, sme), 404);
      expectProblem(await get(`/organisations/${smeOrg}`, dalian), 404);
      expectProblem(await get(`/users/${who.sme2.userId}`, sme), 404);
      expectProblem(await get(`/users/${who.sme.userId}`, official), 404);
      const [{ id: theirs }] = await t.sql<{ id: string }>(`SELECT id::text FROM notifications WHERE recipient_user_id = $1 LIMIT 1`, [who.operator.userId]);
      expectProblem(await t.http().post(`/api/v1/notifications/${theirs}/read`).set(bearer(dalian)), 404);
      await t.http().post(`/api/v1/notifications/${theirs}/read`).set(bearer(operator)).expect(200);
      await get(`/organisations/${smeOrg}`, sme).expect(200);
      await get(`/organisations/${sme2Org}`, official).expect(200);
      await get(`/users/${who.sme.userId}`, sme).expect(200);
      await get(`/users/${who.sme.userId}`, admin).expect(200);
    });

    it('refuses officials’ (and admins’) writes with 403, and changes nothing', async () => {
      for (const action of ['approve', 'reject', 'cancel', 'check-in', 'check-out']) {
        expectProblem(await act(official, b.smeA.id, action, { reason: 'x' }), 403);
      }
      expectProblem(await act(admin, b.smeA.id, 'cancel'), 403);
      expectProblem(await t.http().patch(`/api/v1/facilities/${facA}`).set(bearer(official)).send({ nameEn: 'x' }), 403);
      expectProblem(await t.http().patch(`/api/v1/facilities/${facA}`).set(bearer(dalian)).send({ nameEn: 'x' }), 403, 'not_your_facility');
      expectProblem(await act(dalian, b.smeA.id, 'approve'), 404); // another operator does not even see it
      expectProblem(await act(sme2, b.smeA.id, 'cancel'), 404);
      expect((await get(`/bookings/${b.smeA.id}`, sme).expect(200)).body.state).toBe('pending');
    });

    it('lists organisations and users through the same rules', async () => {
      const orgs = await get('/organisations?limit=200', official).expect(200);
      expect(orgs.body.items.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([smeOrg, sme2Org, dalianOrg]));
      const users = await get(`/users?organisationId=${smeOrg}`, admin).expect(200);
      expect(users.body.items.map((u: { email: string }) => u.email)).toEqual(['sme@demo.local']);
    });
  });

  describe('what an operator needs on a booking', () => {
    const requesterOfSme = () => ({ id: who.sme.userId, displayName: 'Demo SME 沈阳新材', email: 'sme@demo.local', phone: '+86 138 0000 0001' });

    it('shows the facility’s operator, officials and admins the requester and the enterprise', async () => {
      const [{ credit_code: creditCode }] = await t.sql<{ credit_code: string }>(`SELECT credit_code FROM organisations WHERE id = $1`, [smeOrg]);
      for (const token of [operator, official, admin]) {
        const view = (await get(`/bookings/${b.smeA.id}`, token).expect(200)).body as Item;
        expect(view.requester).toEqual(requesterOfSme());
        expect(view.organisation).toEqual(expect.objectContaining({ id: smeOrg, creditCode, sme: true }));
      }
      const inList = (await list(`facilityId=${facA}`, operator)).items.find((i) => i.id === b.sme2A.id)!;
      expect(inList.requester).toEqual({ id: who.sme2.userId, displayName: 'Demo SME 2 大连氢能', email: 'sme2@demo.local', phone: null });
      expect(inList.organisation.sme).toBe(true);
    });

    it('shows the SME its own organisation the same way', async () => {
      const view = (await get(`/bookings/${b.smeA.id}`, sme).expect(200)).body as Item;
      expect(view.requester).toEqual(requesterOfSme());
      expect(view.organisation.creditCode).toMatch(/^[0-9A-Z]{18}$/);
      expect((await list('', sme)).items.every((i) => i.requester !== null && i.organisation.creditCode !== null)).toBe(true);
    });

    it('never shows them to a reader without booking.read_parties (role-aware view)', async () => {
      const store = t.app.get(BookingStore);
      const em = t.app.get(DataSource).manager;
      const internal = bookingView((await store.findById(em, b.smeA.id))!);
      expect(internal.requester).toBeNull();
      expect(internal.organisation).toEqual(expect.objectContaining({ creditCode: null, sme: null }));
      expect(internal.requestedBy).toBe(who.sme.userId);
    });

    it('gives a pending booking its decision deadline, min(request + 48 h, start); null once decided', async () => {
      expect(b.smeA.expiresAt).toBe(new Date(Date.parse(b.smeA.createdAt) + 48 * HOUR).toISOString());
      expect(b.soon.expiresAt).toBe(b.soon.startsAt);
      expect((await get(`/bookings/${b.decided.id}`, sme).expect(200)).body.expiresAt).toBeNull();
    });

    it('expires a booking exactly at its expiresAt: the job and the view share one rule', async () => {
      const soon = (await get(`/bookings/${b.soon.id}`, sme2).expect(200)).body as Item;
      try {
        t.app.get(Clock).freeze(new Date(Date.parse(soon.expiresAt!) - 1));
        expect((await t.app.get(JobsService).run('expiry')).changed).not.toContain(soon.id);
        t.app.get(Clock).freeze(new Date(soon.expiresAt!));
        expect((await t.app.get(JobsService).run('expiry')).changed).toEqual([soon.id]);
      } finally {
        await setNow(NOW);
      }
      const after = (await get(`/bookings/${soon.id}`, sme2).expect(200)).body;
      expect(after).toEqual(expect.objectContaining({ state: 'expired', expiresAt: null }));
    });
  });

  describe('booking list: filters and sort', () => {
    it('filters by the facility’s city and kind', async () => {
      expect(ids((await list('city=211400')).items).sort()).toEqual([b.smeA.id, b.sme2A.id, b.soon.id, b.decided.id].sort());
      expect(ids((await list('kind=supercomputing_centre')).items)).toEqual([b.smeB.id]);
      expect(ids((await list('kind=verification_centre&city=210200')).items)).toEqual([b.smeC.id]);
      expect((await list('kind=verification_centre&city=211400')).total).toBe(0);
      // combined with the tenant scope: an operator sees only its own facilities in that city
      expect((await list('city=210200', operator)).total).toBe(0);
      expect(ids((await list('city=210200', dalian)).items)).toEqual([b.smeC.id]);
    });

    it('filters by operator, organisation and project', async () => {
      expect(ids((await list(`operatorId=${dalianOrg}`)).items)).toEqual([b.smeC.id]);
      expect((await list(`operatorId=${dalianOrg}`, operator)).total).toBe(0);
      expect(ids((await list(`organisationId=${sme2Org}`)).items).sort()).toEqual([b.sme2A.id, b.soon.id].sort());
      expect(ids((await list(`organisationId=${smeOrg}&facilityId=${facA}`, operator)).items).sort()).toEqual([b.smeA.id, b.decided.id].sort());
      expect(ids((await list(`projectId=${PROJECT_1}`)).items).sort()).toEqual([b.smeA.id, b.smeC.id].sort());
      expect(ids((await list(`projectId=${PROJECT_1}`, sme2)).items)).toEqual([]);
      expect(ids((await list(`projectId=${PROJECT_2}`, sme2)).items)).toEqual([b.sme2A.id]);
    });

    it('gives an SME filtering by another organisation an empty list, not that organisation’s rows', async () => {
      const theirs = await list(`organisationId=${sme2Org}`, sme);
      expect(theirs).toEqual(expect.objectContaining({ items: [], total: 0 }));
      expect((await list(`organisationId=${smeOrg}`, sme)).total).toBe(4);
    });

    it('refuses unknown filter values with 400', async () => {
      for (const q of ['city=999999', 'kind=factory', 'operatorId=x', 'organisationId=x', 'projectId=x', 'sort=price', 'sort=+startsAt', 'sort=startsat']) {
        expectProblem(await get(`/bookings?${q}`, official), 400);
      }
    });

    type Key = 'startsAt' | 'createdAt' | 'expiresAt';
    const compare = (key: Key, desc: boolean) => (x: Item, y: Item) => {
      const a = x[key];
      const c = y[key];
      if (a !== c) {
        if (a === null) return 1; // no deadline: last either way
        if (c === null) return -1;
        return (a < c ? -1 : 1) * (desc ? -1 : 1);
      }
      return x.id < y.id ? -1 : 1;
    };

    it.each([
      ['startsAt', false],
      ['startsAt', true],
      ['createdAt', false],
      ['createdAt', true],
      ['expiresAt', false],
      ['expiresAt', true],
    ] as Array<[Key, boolean]>)('sorts by %s (descending: %s) with id as tie-breaker', async (key, desc) => {
      const { items } = await list(`sort=${desc ? '-' : ''}${key}`);
      expect(items.length).toBe(6);
      expect(ids(items)).toEqual(ids([...items].sort(compare(key, desc))));
      // and page by page in the same order
      const paged: string[] = [];
      for (let offset = 0; offset < 6; offset += 2) paged.push(...ids((await list(`sort=${desc ? '-' : ''}${key}&limit=2&offset=${offset}`)).items));
      expect(paged).toEqual(ids(items));
    });

    it('keeps the default order: start descending, id ascending for equal starts', async () => {
      const { items } = await list('');
      expect(ids(items)).toEqual(ids((await list('sort=-startsAt')).items));
      const sameStart = ids(items.filter((i) => i.startsAt === b.smeA.startsAt));
      expect(sameStart).toEqual([b.smeA.id, b.sme2A.id].sort());
      expect(items[0].id).toBe(b.decided.id);
    });

    it('puts pending bookings by deadline first and the decided ones last (expiresAt)', async () => {
      const { items } = await list('sort=expiresAt');
      expect(items.slice(-2).every((i) => i.expiresAt === null)).toBe(true);
      expect(items.slice(0, 4).every((i) => i.state === 'pending')).toBe(true);
    });
  });
});
