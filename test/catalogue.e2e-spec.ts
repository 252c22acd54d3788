import { DataSource } from 'typeorm';
import { CatalogueDemoSeeder } from '../src/catalogue/demo/catalogue-demo-seeder';
import { DEMO_OPERATORS } from '../src/catalogue/demo/demo-catalogue.data';
import { AccessService } from '../src/common/access/access.service';
import { ResourcesService } from '../src/catalogue/resources.service';
import { CITY_CODES } from '../src/common/cities';
import { DemoSeeder } from '../src/database/seed/demo-seeder';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const KINDS = ['verification_centre', 'pilot_platform', 'supercomputing_centre', 'intelligent_computing_centre'];
const DIRECTIONS = ['artificial_intelligence', 'new_energy', 'new_materials', 'green_low_carbon', 'deep_sea_earth_space', 'life_health'];
const STAGES = ['lab_validation', 'pilot_maturation', 'industrialisation'];
const MODES = ['exclusive', 'pooled'];
const UNITS = ['hour', 'gpu_hour', 'core_hour', 'run'];
const FACILITY_SUMMARY_KEYS = ['id', 'kind', 'nameZh', 'nameEn', 'cityCode', 'cityNameZh', 'cityNameEn', 'timeZone', 'directions', 'stages'];
const MISSING = '00000000-0000-4000-8000-000000000000';

type Item = Record<string, any>;

let serial = 0;
/** A unique tag so that `q` finds exactly what a test created. */
const tag = () => `${Date.now().toString(36)}${(serial++).toString(36)}`;

const facilityBody = (over: Record<string, unknown> = {}) => ({
  kind: 'pilot_platform',
  nameZh: `测试·营口储能中试平台${tag()}`,
  nameEn: `Test Yingkou Storage Pilot Platform ${tag()}`,
  cityCode: '210800',
  address: '营口市鲅鱼圈区测试路1号',
  directions: ['new_energy', 'new_materials'],
  stages: ['pilot_maturation'],
  contact: 'pilot@example.cn',
  ...over,
});

const resourceBody = (facilityId: string, over: Record<string, unknown> = {}) => ({
  facilityId,
  nameZh: `测试·反应釜${tag()}`,
  nameEn: `Test Reactor ${tag()}`,
  mode: 'exclusive',
  unit: 'hour',
  pricePerUnitHourFen: 50_000,
  ...over,
});

describe('catalogue: facilities, resources, opening hours, maintenance, search', () => {
  let t: TestApp;
  let admin: string;
  let op: string;
  let op2: string;
  let sme: string;
  let official: string;
  let opOrgId: string;
  let op2OrgId: string;
  let smeOrgId: string;

  const api = (path: string) => `/api/v1${path}`;
  const get = (path: string, token?: string) => {
    const req = t.http().get(api(path));
    return token ? req.auth(token, { type: 'bearer' }) : req;
  };
  const post = (path: string, token: string, body: unknown) =>
    t
      .http()
      .post(api(path))
      .auth(token, { type: 'bearer' })
      .send(body as object);
  const patch = (path: string, token: string, body: unknown) =>
    t
      .http()
      .patch(api(path))
      .auth(token, { type: 'bearer' })
      .send(body as object);
  const put = (path: string, token: string, body: unknown) =>
    t
      .http()
      .put(api(path))
      .auth(token, { type: 'bearer' })
      .send(body as object);
  const del = (path: string, token: string) => t.http().delete(api(path)).auth(token, { type: 'bearer' });
  const count = async (sql: string, params: unknown[] = []) => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`, params))[0].n;

  async function createFacility(token = op, over: Record<string, unknown> = {}): Promise<Item> {
    const res = await post('/facilities', token, facilityBody(over));
    if (res.status !== 201) throw new Error(`create facility: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  async function createResource(facilityId: string, token = op, over: Record<string, unknown> = {}): Promise<Item> {
    const res = await post('/resources', token, resourceBody(facilityId, over));
    if (res.status !== 201) throw new Error(`create resource: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  /** Every page of a search, following offsets. */
  async function allPages(path: string, limit: number, token?: string): Promise<{ ids: string[]; totals: number[] }> {
    const ids: string[] = [];
    const totals: number[] = [];
    for (let offset = 0; ; offset += limit) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await get(`${path}${sep}limit=${limit}&offset=${offset}`, token).expect(200);
      totals.push(res.body.total);
      ids.push(...res.body.items.map((i: Item) => i.id));
      if (res.body.items.length < limit) break;
    }
    return { ids, totals };
  }

  beforeAll(async () => {
    t = await createTestApp();
    [admin, op, op2, sme, official] = await Promise.all(
      ['admin@demo.local', 'operator@demo.local', DEMO_OPERATORS[0].userEmail, 'sme@demo.local', 'official@demo.local'].map((e) => t.login(e)),
    );
    opOrgId = (await get('/me', op).expect(200)).body.organisationId;
    op2OrgId = (await get('/me', op2).expect(200)).body.organisationId;
    smeOrgId = (await get('/me', sme).expect(200)).body.organisationId;
  });
  afterAll(() => t.close());

  describe('demo catalogue', () => {
    it('covers the 14 cities, 4 kinds and 6 directions with 40+ facilities and 150+ resources, run by several operators', async () => {
      expect(await count(`SELECT 1 FROM facilities`)).toBeGreaterThanOrEqual(40);
      expect(await count(`SELECT 1 FROM resources`)).toBeGreaterThanOrEqual(150);
      expect((await t.sql(`SELECT DISTINCT city_code FROM facilities ORDER BY 1`)).map((r) => r.city_code)).toEqual(CITY_CODES);
      expect((await t.sql(`SELECT DISTINCT kind FROM facilities ORDER BY 1`)).map((r) => r.kind)).toEqual([...KINDS].sort());
      expect((await t.sql(`SELECT DISTINCT unnest(directions) AS d FROM facilities ORDER BY 1`)).map((r) => r.d)).toEqual([...DIRECTIONS].sort());
      expect((await t.sql(`SELECT DISTINCT unnest(stages) AS s FROM facilities ORDER BY 1`)).map((r) => r.s)).toEqual([...STAGES].sort());
      expect(await count(`SELECT 1 FROM facilities WHERE operator_id = $1`, [opOrgId])).toBeGreaterThanOrEqual(2);
      expect(await count(`SELECT DISTINCT operator_id FROM facilities`)).toBeGreaterThanOrEqual(3);
      // every facility is run by an operator organisation
      expect(await count(`SELECT 1 FROM facilities f JOIN organisations o ON o.id = f.operator_id WHERE o.kind <> 'operator'`)).toBe(0);
    });

    it('was loaded through the services: every facility and resource has its audit entry', async () => {
      const facilities = await count(`SELECT 1 FROM facilities`);
      const resources = await count(`SELECT 1 FROM resources`);
      expect(await count(`SELECT 1 FROM audit_entries WHERE action = 'facility.created' AND actor_label = 'demo seed'`)).toBe(facilities);
      expect(await count(`SELECT 1 FROM audit_entries WHERE action = 'resource.created' AND actor_label = 'demo seed'`)).toBe(resources);
      const verify = await get('/audit/verify', official).expect(200);
      expect(verify.body.valid).toBe(true);
    });

    it('gives each demo operator an account that can log in and runs facilities', async () => {
      for (const demo of DEMO_OPERATORS) {
        const token = await t.login(demo.userEmail);
        const me = await get('/me', token).expect(200);
        expect(me.body.role).toBe('operator');
      }
      const operators = await t.sql(`SELECT DISTINCT operator_id FROM facilities`);
      expect(operators.length).toBeGreaterThanOrEqual(Math.min(3, DEMO_OPERATORS.length + 1));
    });

    it('is idempotent: seeding again creates nothing', async () => {
      const before = await t.sql(`SELECT (SELECT count(*) FROM facilities)::int AS f, (SELECT count(*) FROM resources)::int AS r,
        (SELECT count(*) FROM opening_hours)::int AS h, (SELECT count(*) FROM audit_entries)::int AS a, (SELECT count(*) FROM users)::int AS u`);
      const result = await t.app.get(DemoSeeder).seed();
      expect(result).toEqual(expect.objectContaining({ organisations: 0, users: 0, facilities: 0, resources: 0 }));
      const after = await t.sql(`SELECT (SELECT count(*) FROM facilities)::int AS f, (SELECT count(*) FROM resources)::int AS r,
        (SELECT count(*) FROM opening_hours)::int AS h, (SELECT count(*) FROM audit_entries)::int AS a, (SELECT count(*) FROM users)::int AS u`);
      expect(after).toEqual(before);
    });

    it('refuses demo data the API would refuse, naming the field', async () => {
      const em = t.app.get(DataSource).manager;
      const bad = {
        operator: 'operator',
        kind: 'pilot_platform',
        nameZh: '测试·坏数据',
        nameEn: 'Bad',
        cityCode: '999999',
        address: 'x',
        directions: ['new_energy'],
        stages: ['pilot_maturation'],
        timeZone: 'Asia/Shanghai',
        description: '',
        contact: '',
        resources: [],
      };
      await expect(
        em.transaction((tx) => t.app.get(CatalogueDemoSeeder).seed(tx, new Map([['operator', opOrgId]]), () => undefined, [bad as never])),
      ).rejects.toThrow(/cityCode/);
      expect(await count(`SELECT 1 FROM facilities WHERE name_zh = '测试·坏数据'`)).toBe(0);
    });
  });

  describe('public browsing (no token)', () => {
    it('lists active facilities with city names and the total', async () => {
      const res = await get('/facilities').expect(200);
      expect(res.body.total).toBe(await count(`SELECT 1 FROM facilities WHERE active`));
      expect(res.body).toEqual(expect.objectContaining({ limit: 20, offset: 0 }));
      expect(res.body.items).toHaveLength(20);
      for (const f of res.body.items) {
        expect(f).toEqual(
          expect.objectContaining({
            id: expect.any(String),
            kind: expect.any(String),
            nameZh: expect.any(String),
            nameEn: expect.any(String),
            cityCode: expect.any(String),
            cityNameZh: expect.any(String),
            cityNameEn: expect.any(String),
            timeZone: expect.any(String),
            active: true,
            operator: expect.objectContaining({ id: f.operatorId, nameZh: expect.any(String) }),
          }),
        );
        expect(f.search_text).toBeUndefined();
      }
      const shenyang = res.body.items.find((f: Item) => f.cityCode === '210100');
      expect(shenyang).toEqual(expect.objectContaining({ cityNameZh: '沈阳', cityNameEn: 'Shenyang' }));
    });

    it('lists active resources of active facilities, each with its facility in brief and opening hours', async () => {
      const res = await get('/resources?limit=200').expect(200);
      expect(res.body.total).toBe(await count(`SELECT 1 FROM resources r JOIN facilities f ON f.id = r.facility_id WHERE r.active AND f.active`));
      for (const r of res.body.items) {
        for (const key of FACILITY_SUMMARY_KEYS) expect(r.facility[key]).toBeDefined();
        expect(r.facility.id).toBe(r.facilityId);
        expect(Array.isArray(r.openingHours)).toBe(true);
        expect(typeof r.pricePerUnitHourFen).toBe('number');
        for (const i of r.openingHours)
          expect(i).toEqual({ weekday: expect.any(Number), opens: expect.stringMatching(/^\d{2}:\d{2}$/), closes: expect.stringMatching(/^\d{2}:\d{2}$/) });
      }
      const withHours = res.body.items.find((r: Item) => r.openingHours.length > 0);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM opening_hours WHERE resource_id = $1`, [withHours.id]);
      expect(withHours.openingHours).toHaveLength(n);
    });

    it('shows one facility with its resources, and one resource with hours, maintenance and facility', async () => {
      const [{ id }] = await t.sql<{ id: string }>(`SELECT id FROM facilities WHERE active ORDER BY name_zh LIMIT 1`);
      const f = await get(`/facilities/${id}`).expect(200);
      expect(f.body.resources.length).toBe(await count(`SELECT 1 FROM resources WHERE facility_id = $1 AND active`, [id]));
      const resourceId = f.body.resources[0].id;
      const r = await get(`/resources/${resourceId}`).expect(200);
      expect(r.body).toEqual(expect.objectContaining({ id: resourceId, facilityId: id, openingHours: expect.any(Array), maintenance: expect.any(Array) }));
      expect(r.body.facility).toEqual(expect.objectContaining({ id, nameZh: f.body.nameZh, cityNameEn: f.body.cityNameEn }));
      const hours = await get(`/resources/${resourceId}/opening-hours`).expect(200);
      expect(hours.body).toEqual({ resourceId, timeZone: f.body.timeZone, intervals: r.body.openingHours });
      const maintenance = await get(`/resources/${resourceId}/maintenance`).expect(200);
      expect(maintenance.body).toEqual(expect.objectContaining({ items: expect.any(Array), total: expect.any(Number) }));
    });

    it('refuses a bad token on a public route with 401 rather than ignoring it', async () => {
      expectProblem(await get('/facilities', 'not.a.jwt'), 401);
    });

    it('documents the routes in OpenAPI: browsing with optional bearer, editing with bearer', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      for (const path of [
        '/api/v1/facilities',
        '/api/v1/facilities/{id}',
        '/api/v1/resources',
        '/api/v1/resources/{id}',
        '/api/v1/resources/{id}/opening-hours',
        '/api/v1/resources/{id}/maintenance',
        '/api/v1/resources/{id}/maintenance/{maintenanceId}',
      ]) {
        expect(Object.keys(doc.paths)).toContain(path);
      }
      expect(doc.paths['/api/v1/facilities'].get.security).toEqual([{}, { bearer: [] }]);
      expect(doc.paths['/api/v1/facilities'].post.security).toEqual([{ bearer: [] }]);
      expect(doc.paths['/api/v1/facilities'].get.parameters.map((p: Item) => p.name)).toEqual(
        expect.arrayContaining(['kind', 'city', 'direction', 'stage', 'q', 'includeInactive']),
      );
      expect(doc.components.schemas.CreateResourceDto.properties.pricePerUnitHourFen.description).toMatch(/fen/);
      expect(doc.components.schemas.CreateFacilityDto.properties.directions).toBeDefined();
    });
  });

  describe('search filters', () => {
    const facilityFilters: Array<[string, string, string]> = [
      ...KINDS.map((v) => ['kind', v, `kind = $1`] as [string, string, string]),
      ...CITY_CODES.map((v) => ['city', v, `city_code = $1`] as [string, string, string]),
      ...DIRECTIONS.map((v) => ['direction', v, `$1 = ANY(directions)`] as [string, string, string]),
      ...STAGES.map((v) => ['stage', v, `$1 = ANY(stages)`] as [string, string, string]),
    ];

    it.each(facilityFilters)('facilities ?%s=%s: the SQL count, every item matching', async (param, value, where) => {
      const res = await get(`/facilities?${param}=${value}&limit=200`).expect(200);
      const expected = await count(`SELECT 1 FROM facilities WHERE active AND ${where}`, [value]);
      expect(expected).toBeGreaterThan(0);
      expect(res.body.total).toBe(expected);
      expect(res.body.items).toHaveLength(expected);
      for (const f of res.body.items) {
        if (param === 'kind') expect(f.kind).toBe(value);
        if (param === 'city') expect(f.cityCode).toBe(value);
        if (param === 'direction') expect(f.directions).toContain(value);
        if (param === 'stage') expect(f.stages).toContain(value);
      }
    });

    it('facilities: all filters combined', async () => {
      const [f] = await t.sql<Item>(`SELECT * FROM facilities WHERE active AND cardinality(directions) > 1 ORDER BY name_zh LIMIT 1`);
      const direction = f.directions[1];
      const stage = f.stages[0];
      const res = await get(`/facilities?kind=${f.kind}&city=${f.city_code}&direction=${direction}&stage=${stage}`).expect(200);
      const expected = await count(`SELECT 1 FROM facilities WHERE active AND kind = $1 AND city_code = $2 AND $3 = ANY(directions) AND $4 = ANY(stages)`, [
        f.kind,
        f.city_code,
        direction,
        stage,
      ]);
      expect(res.body.total).toBe(expected);
      expect(res.body.items.map((i: Item) => i.id)).toContain(f.id);
      for (const i of res.body.items) {
        expect(i).toEqual(expect.objectContaining({ kind: f.kind, cityCode: f.city_code }));
        expect(i.directions).toContain(direction);
        expect(i.stages).toContain(stage);
      }
      // A combination that matches nothing is an empty page, not an error.
      const none = await get(`/facilities?kind=${f.kind}&city=${f.city_code}&q=zzzz-no-such-thing`).expect(200);
      expect(none.body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
    });

    const resourceFilters: Array<[string, string, string]> = [
      ...KINDS.map((v) => ['kind', v, `f.kind = $1`] as [string, string, string]),
      ...MODES.map((v) => ['mode', v, `r.mode = $1`] as [string, string, string]),
      ...UNITS.map((v) => ['unit', v, `r.unit = $1`] as [string, string, string]),
      ['city', '210100', `f.city_code = $1`],
      ['city', '211400', `f.city_code = $1`],
      ...DIRECTIONS.map((v) => ['direction', v, `$1 = ANY(f.directions)`] as [string, string, string]),
      ...STAGES.map((v) => ['stage', v, `$1 = ANY(f.stages)`] as [string, string, string]),
    ];

    it.each(resourceFilters)('resources ?%s=%s: the SQL count, every item matching', async (param, value, where) => {
      const res = await get(`/resources?${param}=${value}&limit=200`).expect(200);
      const expected = await count(`SELECT 1 FROM resources r JOIN facilities f ON f.id = r.facility_id WHERE r.active AND f.active AND ${where}`, [value]);
      expect(res.body.total).toBe(expected);
      expect(res.body.items).toHaveLength(expected);
      for (const r of res.body.items) {
        if (param === 'kind') expect(r.facility.kind).toBe(value);
        if (param === 'mode') expect(r.mode).toBe(value);
        if (param === 'unit') expect(r.unit).toBe(value);
        if (param === 'city') expect(r.facility.cityCode).toBe(value);
        if (param === 'direction') expect(r.facility.directions).toContain(value);
        if (param === 'stage') expect(r.facility.stages).toContain(value);
      }
    });

    it("resources ?facilityId= lists exactly that facility's active resources", async () => {
      const [f] = await t.sql<Item>(`SELECT f.id FROM facilities f WHERE active AND (SELECT count(*) FROM resources WHERE facility_id = f.id) > 1 LIMIT 1`);
      const res = await get(`/resources?facilityId=${f.id}`).expect(200);
      expect(res.body.total).toBe(await count(`SELECT 1 FROM resources WHERE facility_id = $1 AND active`, [f.id]));
      for (const r of res.body.items) expect(r.facilityId).toBe(f.id);
    });

    it('resources: all filters combined', async () => {
      const [r] = await t.sql<Item>(
        `SELECT r.id, r.mode, r.unit, r.facility_id, f.kind, f.city_code, f.directions, f.stages FROM resources r JOIN facilities f ON f.id = r.facility_id
          WHERE r.active AND f.active AND r.mode = 'pooled' ORDER BY r.name_zh LIMIT 1`,
      );
      const res = await get(
        `/resources?facilityId=${r.facility_id}&kind=${r.kind}&mode=${r.mode}&unit=${r.unit}&city=${r.city_code}&direction=${r.directions[0]}&stage=${r.stages[0]}`,
      ).expect(200);
      const expected = await count(`SELECT 1 FROM resources WHERE facility_id = $1 AND mode = $2 AND unit = $3 AND active`, [r.facility_id, r.mode, r.unit]);
      expect(res.body.total).toBe(expected);
      expect(res.body.items.map((i: Item) => i.id)).toContain(r.id);
      for (const i of res.body.items) expect(i).toEqual(expect.objectContaining({ facilityId: r.facility_id, mode: r.mode, unit: r.unit }));
      const res2 = await get(`/resources?kind=${r.kind}&mode=${r.mode}&city=${r.city_code}`).expect(200);
      expect(res2.body.total).toBe(
        await count(
          `SELECT 1 FROM resources r JOIN facilities f ON f.id = r.facility_id WHERE r.active AND f.active AND f.kind = $1 AND r.mode = $2 AND f.city_code = $3`,
          [r.kind, r.mode, r.city_code],
        ),
      );
    });

    it.each([
      ['/facilities?kind=castle', 'kind'],
      ['/facilities?city=110000', 'city'],
      ['/facilities?city=Shenyang', 'city'],
      ['/facilities?direction=space_opera', 'direction'],
      ['/facilities?stage=mass_production', 'stage'],
      ['/facilities?kind=pilot_platform&kind=verification_centre', 'kind'],
      ['/facilities?operatorId=abc', 'operatorId'],
      ['/facilities?includeInactive=yes', 'includeInactive'],
      ['/facilities?limit=0', 'limit'],
      ['/facilities?limit=201', 'limit'],
      ['/facilities?offset=-1', 'offset'],
      ['/facilities?colour=blue', 'colour'],
      [`/facilities?q=${'x'.repeat(101)}`, 'q'],
      ['/resources?kind=castle', 'kind'],
      ['/resources?mode=shared', 'mode'],
      ['/resources?unit=minute', 'unit'],
      ['/resources?city=999999', 'city'],
      ['/resources?direction=x', 'direction'],
      ['/resources?stage=x', 'stage'],
      ['/resources?facilityId=not-a-uuid', 'facilityId'],
    ])('an unknown or malformed filter is 400, not an empty list: %s', async (path, field) => {
      const body = expectProblem(await get(path), 400, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
    });
  });

  describe('text search (q)', () => {
    let facility: Item;
    let resource: Item;
    let token: string;

    beforeAll(async () => {
      token = tag();
      facility = await createFacility(op, {
        nameZh: `测试·海参养殖中试基地${token}`,
        nameEn: `Test SeaCucumber Aquaculture Base ${token}`,
        description: `Purity 100%_pure 纯度百分百 ${token}`,
      });
      resource = await createResource(facility.id, op, { nameZh: `测试·育苗水槽${token}`, nameEn: `Test Hatchery Tank Quokka${token}` });
      await createResource(facility.id, op, { nameZh: `测试·投喂机器人${token}`, nameEn: `Test Feeding Robot ${token}` });
    });

    it('finds a facility by a Chinese substring of its name', async () => {
      const res = await get(`/facilities?q=${encodeURIComponent(`海参养殖中试基地${token}`)}`).expect(200);
      expect(res.body.total).toBe(1);
      expect(res.body.items[0].id).toBe(facility.id);
      const part = await get(`/facilities?q=${encodeURIComponent('海参养殖')}`).expect(200);
      expect(part.body.items.map((i: Item) => i.id)).toContain(facility.id);
      expect(part.body.total).toBe(await count(`SELECT 1 FROM facilities WHERE active AND search_text LIKE '%海参养殖%'`));
    });

    it('finds a facility by an English substring, case-insensitively, and by its description', async () => {
      for (const q of [`seacucumber aquaculture base ${token}`, `SEACUCUMBER AQUACULTURE BASE ${token.toUpperCase()}`, `纯度百分百 ${token}`]) {
        const res = await get(`/facilities?q=${encodeURIComponent(q)}`).expect(200);
        expect(res.body.total).toBe(1);
        expect(res.body.items[0].id).toBe(facility.id);
      }
    });

    it('matches % and _ literally', async () => {
      const res = await get(`/facilities?q=${encodeURIComponent('100%_pure')}`).expect(200);
      expect(res.body.items.map((i: Item) => i.id)).toEqual([facility.id]);
      for (const q of ['%', '_', '0%_p']) {
        const r = await get(`/facilities?q=${encodeURIComponent(q)}`).expect(200);
        expect(r.body.total).toBe(await count(`SELECT 1 FROM facilities WHERE active AND strpos(search_text, $1) > 0`, [q]));
      }
      const none = await get(`/facilities?q=${encodeURIComponent('100%%pure')}`).expect(200);
      expect(none.body.total).toBe(0);
    });

    it('counts demo matches in Chinese and English exactly', async () => {
      for (const q of ['中试', 'Pilot', 'gpu', '超算']) {
        const res = await get(`/facilities?q=${encodeURIComponent(q)}&limit=200`).expect(200);
        const expected = await count(`SELECT 1 FROM facilities WHERE active AND strpos(search_text, lower($1)) > 0`, [q]);
        expect(res.body.total).toBe(expected);
        for (const f of res.body.items) expect(`${f.nameZh} ${f.nameEn} ${f.description}`.toLowerCase()).toContain(q.toLowerCase());
      }
    });

    it('takes several words, split on spaces and the ideographic space U+3000, as terms that must all match', async () => {
      // The demo catalogue has "大模型训练" but never "大模型 训练" as one string.
      const resourceIds = async (terms: string[]) =>
        (
          await t.sql<{ id: string }>(
            `SELECT r.id FROM resources r JOIN facilities f ON f.id = r.facility_id
              WHERE r.active AND f.active AND ${terms.map((_, i) => `(strpos(r.search_text, lower($${i + 1})) > 0 OR strpos(f.search_text, lower($${i + 1})) > 0)`).join(' AND ')}`,
            terms,
          )
        )
          .map((r) => r.id)
          .sort();
      const facilityCount = (terms: string[]) =>
        count(`SELECT 1 FROM facilities WHERE active AND ${terms.map((_, i) => `strpos(search_text, lower($${i + 1})) > 0`).join(' AND ')}`, terms);
      const both = await resourceIds(['大模型', '训练']);
      expect(both.length).toBeGreaterThan(0);
      expect(both.length).toBeLessThan((await resourceIds(['训练'])).length);
      for (const q of ['大模型 训练', '大模型\u3000训练', '  训练\t大模型  ', '训练 大模型 训练']) {
        const res = await get(`/resources?q=${encodeURIComponent(q)}&limit=200`).expect(200);
        expect(res.body.total).toBe(both.length);
        expect(res.body.items.map((r: Item) => r.id).sort()).toEqual(both);
      }
      const facilities = await facilityCount(['大模型', '训练']);
      expect(facilities).toBeGreaterThan(0);
      const res = await get(`/facilities?q=${encodeURIComponent('大模型\u3000训练')}&limit=200`).expect(200);
      expect(res.body.total).toBe(facilities);
      // Words in any order, mixed languages and case; one word that matches nothing empties the result.
      const mixed = await get(`/facilities?q=${encodeURIComponent(`BASE 海参 ${token} seacucumber`)}`).expect(200);
      expect(mixed.body.items.map((i: Item) => i.id)).toEqual([facility.id]);
      const none = await get(`/facilities?q=${encodeURIComponent(`海参 ${token} zzzz-no-such-thing`)}`).expect(200);
      expect(none.body.total).toBe(0);
      const split = await get(`/resources?q=${encodeURIComponent(`海参养殖 QUOKKA${token}`)}`).expect(200);
      expect(split.body.items.map((i: Item) => i.id)).toEqual([resource.id]);
    });

    it('ignores a blank q', async () => {
      const all = await get('/facilities').expect(200);
      const blank = await get('/facilities?q=%20%20').expect(200);
      expect(blank.body.total).toBe(all.body.total);
    });

    it('finds resources by their own names, in Chinese and English', async () => {
      for (const q of [`育苗水槽${token}`, `hatchery tank QUOKKA${token}`]) {
        const res = await get(`/resources?q=${encodeURIComponent(q)}`).expect(200);
        expect(res.body.total).toBe(1);
        expect(res.body.items[0]).toEqual(expect.objectContaining({ id: resource.id, facility: expect.objectContaining({ id: facility.id }) }));
      }
    });

    it("finds resources by their facility's name too", async () => {
      const res = await get(`/resources?q=${encodeURIComponent(`海参养殖中试基地${token}`)}`).expect(200);
      expect(res.body.total).toBe(2);
      for (const r of res.body.items) expect(r.facilityId).toBe(facility.id);
    });

    it('counts resource matches in the demo catalogue exactly', async () => {
      for (const q of ['演示', 'Demo', 'GPU', '反应', 'pilot']) {
        const res = await get(`/resources?q=${encodeURIComponent(q)}&limit=200`).expect(200);
        const expected = await count(
          `SELECT 1 FROM resources r JOIN facilities f ON f.id = r.facility_id
            WHERE r.active AND f.active AND (strpos(r.search_text, lower($1)) > 0 OR strpos(f.search_text, lower($1)) > 0)`,
          [q],
        );
        expect(res.body.total).toBe(expected);
        if (q === '演示') expect(expected).toBeGreaterThanOrEqual(150);
      }
    });
  });

  describe('pagination', () => {
    it('pages through facilities in a stable order with a constant total', async () => {
      const expected = (await t.sql<{ id: string }>(`SELECT id FROM facilities WHERE active ORDER BY city_code, name_zh, id`)).map((r) => r.id);
      const { ids, totals } = await allPages('/facilities', 7);
      expect(ids).toEqual(expected);
      expect(new Set(totals)).toEqual(new Set([expected.length]));
    });

    it('pages through filtered resources in a stable order', async () => {
      const expected = (
        await t.sql<{ id: string }>(
          `SELECT r.id FROM resources r JOIN facilities f ON f.id = r.facility_id WHERE r.active AND f.active AND r.mode = 'exclusive'
            ORDER BY f.city_code, f.name_zh, f.id, r.name_zh, r.id`,
        )
      ).map((r) => r.id);
      const { ids, totals } = await allPages('/resources?mode=exclusive', 25);
      expect(ids).toEqual(expected);
      expect(new Set(totals)).toEqual(new Set([expected.length]));
    });

    it('answers an offset past the end with an empty page and the total', async () => {
      const res = await get('/resources?offset=100000').expect(200);
      expect(res.body.items).toEqual([]);
      expect(res.body.total).toBe(await count(`SELECT 1 FROM resources r JOIN facilities f ON f.id = r.facility_id WHERE r.active AND f.active`));
      expect(res.body.offset).toBe(100000);
    });
  });

  describe('operators publish and edit their own facilities and resources', () => {
    it('an operator creates a facility for its own organisation, with defaults and an audit entry in the same transaction', async () => {
      const body = facilityBody();
      const res = await post('/facilities', op, body).expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          operatorId: opOrgId,
          kind: 'pilot_platform',
          nameZh: body.nameZh,
          cityCode: '210800',
          cityNameZh: '营口',
          cityNameEn: 'Yingkou',
          timeZone: 'Asia/Shanghai',
          description: '',
          active: true,
          resources: [],
        }),
      );
      const audit = await t.sql<Item>(
        `SELECT action, organisation_id, actor_label, data FROM audit_entries WHERE entity_type = 'facility' AND entity_id = $1`,
        [res.body.id],
      );
      expect(audit).toEqual([expect.objectContaining({ action: 'facility.created', organisation_id: opOrgId, actor_label: 'operator@demo.local' })]);
      expect(audit[0].data).toEqual(expect.objectContaining({ nameZh: body.nameZh, directions: body.directions }));
    });

    it('an operator naming its own organisation is fine; another one is 403', async () => {
      await post('/facilities', op, facilityBody({ operatorId: opOrgId })).expect(201);
      expectProblem(await post('/facilities', op, facilityBody({ operatorId: op2OrgId })), 403, 'not_your_organisation');
    });

    it('an admin must name an operator organisation', async () => {
      const created = await post('/facilities', admin, facilityBody({ operatorId: op2OrgId, timeZone: 'UTC' })).expect(201);
      expect(created.body).toEqual(expect.objectContaining({ operatorId: op2OrgId, timeZone: 'UTC' }));
      const missing = expectProblem(await post('/facilities', admin, facilityBody()), 400, 'validation_failed');
      expect(missing.errors!.map((e) => e.field)).toEqual(['operatorId']);
      const notOperator = expectProblem(await post('/facilities', admin, facilityBody({ operatorId: smeOrgId })), 400, 'not_an_operator');
      expect(notOperator.errors!.map((e) => e.field)).toEqual(['operatorId']);
      expectProblem(await post('/facilities', admin, facilityBody({ operatorId: MISSING })), 404);
    });

    it("an operator cannot edit another operator's facility or its resources (403 not_your_facility), nor a missing one (404)", async () => {
      const f = await createFacility(op);
      const r = await createResource(f.id, op);
      const maintenance = await post(`/resources/${r.id}/maintenance`, op, {
        startsAt: '2031-01-01T00:00:00Z',
        endsAt: '2031-01-02T00:00:00Z',
        reason: '检修',
      }).expect(201);
      expectProblem(await patch(`/facilities/${f.id}`, op2, { nameEn: 'Hijacked' }), 403, 'not_your_facility');
      expectProblem(await patch(`/facilities/${f.id}`, op2, { active: false }), 403, 'not_your_facility');
      expectProblem(await post('/resources', op2, resourceBody(f.id)), 403, 'not_your_facility');
      expectProblem(await patch(`/resources/${r.id}`, op2, { nameEn: 'Hijacked' }), 403, 'not_your_facility');
      expectProblem(await put(`/resources/${r.id}/opening-hours`, op2, { intervals: [] }), 403, 'not_your_facility');
      expectProblem(
        await post(`/resources/${r.id}/maintenance`, op2, { startsAt: '2031-02-01T00:00:00Z', endsAt: '2031-02-02T00:00:00Z', reason: 'x' }),
        403,
        'not_your_facility',
      );
      expectProblem(await del(`/resources/${r.id}/maintenance/${maintenance.body.id}`, op2), 403, 'not_your_facility');
      const [row] = await t.sql<Item>(`SELECT name_en, active FROM facilities WHERE id = $1`, [f.id]);
      expect(row).toEqual({ name_en: f.nameEn, active: true });
      expect(await count(`SELECT 1 FROM resources WHERE facility_id = $1`, [f.id])).toBe(1);

      expectProblem(await patch(`/facilities/${MISSING}`, op, { nameEn: 'x' }), 404, 'not_found');
      expectProblem(await post('/resources', op, resourceBody(MISSING)), 404, 'not_found');
      expectProblem(await patch(`/resources/${MISSING}`, op, { nameEn: 'x' }), 404, 'not_found');
      expectProblem(await put(`/resources/${MISSING}/opening-hours`, op, { intervals: [] }), 404, 'not_found');
      expectProblem(
        await post(`/resources/${MISSING}/maintenance`, op, { startsAt: '2031-02-01T00:00:00Z', endsAt: '2031-02-02T00:00:00Z', reason: 'x' }),
        404,
      );
      expectProblem(await del(`/resources/${MISSING}/maintenance/${maintenance.body.id}`, op), 404);
    });

    it('admins edit any facility; enterprises and officials edit none (403); anonymous callers get 401', async () => {
      const f = await createFacility(op);
      const r = await createResource(f.id, op);
      const res = await patch(`/facilities/${f.id}`, admin, { contact: 'admin-fixed@example.cn' }).expect(200);
      expect(res.body.contact).toBe('admin-fixed@example.cn');
      await patch(`/resources/${r.id}`, admin, { capacity: 1, smeDiscountPercent: 30 }).expect(200);
      for (const token of [sme, official]) {
        expectProblem(await post('/facilities', token, facilityBody()), 403, 'forbidden');
        expectProblem(await patch(`/facilities/${f.id}`, token, { nameEn: 'x' }), 403, 'forbidden');
        expectProblem(await post('/resources', token, resourceBody(f.id)), 403, 'forbidden');
        expectProblem(await patch(`/resources/${r.id}`, token, { nameEn: 'x' }), 403, 'forbidden');
        expectProblem(await put(`/resources/${r.id}/opening-hours`, token, { intervals: [] }), 403, 'forbidden');
        expectProblem(
          await post(`/resources/${r.id}/maintenance`, token, { startsAt: '2031-02-01T00:00:00Z', endsAt: '2031-02-02T00:00:00Z', reason: 'x' }),
          403,
        );
      }
      expectProblem(await t.http().post(api('/facilities')).send(facilityBody()), 401);
      expectProblem(
        await t
          .http()
          .patch(api(`/facilities/${f.id}`))
          .send({ nameEn: 'x' }),
        401,
      );
      expectProblem(await t.http().post(api('/resources')).send(resourceBody(f.id)), 401);
      expectProblem(
        await t
          .http()
          .put(api(`/resources/${r.id}/opening-hours`))
          .send({ intervals: [] }),
        401,
      );
    });

    it('updates only what changed and records the changes; an empty patch changes nothing', async () => {
      const f = await createFacility(op);
      const res = await patch(`/facilities/${f.id}`, op, { nameEn: 'Test Renamed Platform', directions: ['life_health'], timeZone: 'Asia/Urumqi' }).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({ nameEn: 'Test Renamed Platform', directions: ['life_health'], timeZone: 'Asia/Urumqi', nameZh: f.nameZh }),
      );
      const audit = await t.sql<Item>(`SELECT action, data FROM audit_entries WHERE entity_id = $1 ORDER BY seq`, [f.id]);
      expect(audit.map((a) => a.action)).toEqual(['facility.created', 'facility.updated']);
      expect(audit[1].data.changes).toEqual({
        nameEn: { from: f.nameEn, to: 'Test Renamed Platform' },
        directions: { from: f.directions, to: ['life_health'] },
        timeZone: { from: 'Asia/Shanghai', to: 'Asia/Urumqi' },
      });
      await patch(`/facilities/${f.id}`, op, {}).expect(200);
      await patch(`/facilities/${f.id}`, op, { nameEn: 'Test Renamed Platform' }).expect(200);
      expect(await count(`SELECT 1 FROM audit_entries WHERE entity_id = $1`, [f.id])).toBe(2);
    });

    it('publishes a resource with defaults, and keeps money in integer fen', async () => {
      const f = await createFacility(op);
      const res = await post('/resources', op, resourceBody(f.id, { spec: { volumeLitres: 500, material: '316L' } })).expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          facilityId: f.id,
          mode: 'exclusive',
          capacity: 1,
          unit: 'hour',
          minDurationMinutes: 60,
          maxDurationMinutes: 480,
          leadTimeMinutes: 1440,
          horizonDays: 90,
          bufferBeforeMinutes: 0,
          bufferAfterMinutes: 0,
          approvalRequired: true,
          pricePerUnitHourFen: 50000,
          smeDiscountPercent: 0,
          maxUnitHoursPer30Days: null,
          maxOpenRequests: null,
          spec: { volumeLitres: 500, material: '316L' },
          active: true,
          openingHours: [],
          maintenance: [],
        }),
      );
      expect(res.body.facility).toEqual(expect.objectContaining({ id: f.id, cityNameZh: '营口', kind: 'pilot_platform' }));
      const pool = await post(
        '/resources',
        op,
        resourceBody(f.id, {
          mode: 'pooled',
          capacity: 512,
          unit: 'gpu_hour',
          pricePerUnitHourFen: 1_200,
          smeDiscountPercent: 40,
          maxUnitHoursPer30Days: 20_000,
          maxOpenRequests: 5,
          minDurationMinutes: 600,
        }),
      ).expect(201);
      expect(pool.body).toEqual(
        expect.objectContaining({ capacity: 512, minDurationMinutes: 600, maxDurationMinutes: 600, maxUnitHoursPer30Days: 20000, maxOpenRequests: 5 }),
      );
      const audit = await t.sql<Item>(`SELECT action, organisation_id FROM audit_entries WHERE entity_id = $1`, [pool.body.id]);
      expect(audit).toEqual([{ action: 'resource.created', organisation_id: opOrgId }]);
    });
  });

  describe('validation of every field', () => {
    let facilityId: string;
    beforeAll(async () => {
      facilityId = (await createFacility(op)).id;
    });

    it('lists every missing required facility field', async () => {
      const body = expectProblem(await post('/facilities', op, {}), 400, 'validation_failed');
      expect([...new Set(body.errors!.map((e) => e.field))].sort()).toEqual(['address', 'cityCode', 'directions', 'kind', 'nameEn', 'nameZh', 'stages']);
    });

    it.each<[string, Record<string, unknown>]>([
      ['kind', { kind: 'castle' }],
      ['kind', { kind: null }],
      ['nameZh', { nameZh: '' }],
      ['nameZh', { nameZh: '   ' }],
      ['nameZh', { nameZh: 'x'.repeat(201) }],
      ['nameEn', { nameEn: 42 }],
      ['cityCode', { cityCode: '110000' }],
      ['cityCode', { cityCode: 210100 }],
      ['address', { address: '' }],
      ['directions', { directions: [] }],
      ['directions', { directions: 'new_energy' }],
      ['directions', { directions: ['new_energy', 'new_energy'] }],
      ['directions', { directions: ['space_opera'] }],
      ['stages', { stages: [] }],
      ['stages', { stages: ['mass_production'] }],
      ['timeZone', { timeZone: 'Mars/Olympus_Mons' }],
      ['timeZone', { timeZone: 'asia/shanghai' }],
      ['timeZone', { timeZone: '' }],
      ['timeZone', { timeZone: null }],
      ['description', { description: 'x'.repeat(5001) }],
      ['description', { description: null }],
      ['contact', { contact: 'x'.repeat(501) }],
      ['active', { active: 'yes' }],
      ['operatorId', { operatorId: 'not-a-uuid' }],
      ['rating', { rating: 5 }],
    ])('POST /facilities refuses a bad %s: %j', async (field, over) => {
      const before = await count(`SELECT 1 FROM facilities`);
      const body = expectProblem(await post('/facilities', op, facilityBody(over)), 400, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
      expect(await count(`SELECT 1 FROM facilities`)).toBe(before);
    });

    it.each<[string, Record<string, unknown>]>([
      ['nameZh', { nameZh: null }],
      ['description', { description: null }],
      ['directions', { directions: null }],
      ['directions', { directions: [] }],
      ['active', { active: null }],
      ['timeZone', { timeZone: 'Europe/Atlantis' }],
      ['operatorId', { operatorId: MISSING }],
      ['cityCode', { cityCode: '000000' }],
    ])('PATCH /facilities refuses a bad %s: %j', async (field, over) => {
      const body = expectProblem(await patch(`/facilities/${facilityId}`, op, over), 400, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
    });

    it('lists every missing required resource field', async () => {
      const body = expectProblem(await post('/resources', op, {}), 400, 'validation_failed');
      expect([...new Set(body.errors!.map((e) => e.field))].sort()).toEqual(['facilityId', 'mode', 'nameEn', 'nameZh', 'pricePerUnitHourFen', 'unit']);
    });

    it.each<[string, Record<string, unknown>]>([
      ['facilityId', { facilityId: 'abc' }],
      ['nameZh', { nameZh: '' }],
      ['nameEn', { nameEn: null }],
      ['description', { description: null }],
      ['mode', { mode: 'shared' }],
      ['capacity', { capacity: 0 }],
      ['capacity', { capacity: 1.5 }],
      ['capacity', { capacity: '2' }],
      ['capacity', { mode: 'exclusive', capacity: 2 }],
      ['capacity', { mode: 'pooled' }],
      ['unit', { unit: 'minute' }],
      ['minDurationMinutes', { minDurationMinutes: 0 }],
      ['maxDurationMinutes', { maxDurationMinutes: 0 }],
      ['maxDurationMinutes', { minDurationMinutes: 120, maxDurationMinutes: 60 }],
      ['leadTimeMinutes', { leadTimeMinutes: -1 }],
      ['horizonDays', { horizonDays: 0 }],
      ['horizonDays', { horizonDays: 100000 }],
      ['bufferBeforeMinutes', { bufferBeforeMinutes: -5 }],
      ['bufferAfterMinutes', { bufferAfterMinutes: 'x' }],
      ['approvalRequired', { approvalRequired: 'yes' }],
      ['pricePerUnitHourFen', { pricePerUnitHourFen: -1 }],
      ['pricePerUnitHourFen', { pricePerUnitHourFen: 12.5 }],
      ['pricePerUnitHourFen', { pricePerUnitHourFen: '100' }],
      ['pricePerUnitHourFen', { pricePerUnitHourFen: 1e15 }],
      ['smeDiscountPercent', { smeDiscountPercent: 101 }],
      ['smeDiscountPercent', { smeDiscountPercent: -1 }],
      ['maxUnitHoursPer30Days', { maxUnitHoursPer30Days: 0 }],
      ['maxOpenRequests', { maxOpenRequests: 0 }],
      ['spec', { spec: [1, 2] }],
      ['spec', { spec: 'fast' }],
      ['active', { active: 1 }],
      ['openingHours', { openingHours: {} }],
      ['openingHours[0].weekday', { openingHours: [{ weekday: 8, opens: '08:00', closes: '17:00' }] }],
      [
        'openingHours[1]',
        {
          openingHours: [
            { weekday: 1, opens: '08:00', closes: '17:00' },
            { weekday: 1, opens: '16:00', closes: '18:00' },
          ],
        },
      ],
      ['openingHours[0].closes', { openingHours: [{ weekday: 1, opens: '18:00', closes: '08:00' }] }],
    ])('POST /resources refuses a bad %s: %j', async (field, over) => {
      const before = await t.sql(`SELECT (SELECT count(*) FROM resources)::int AS r, (SELECT count(*) FROM audit_entries)::int AS a`);
      const body = expectProblem(await post('/resources', op, resourceBody(facilityId, over)), 400, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
      expect(await t.sql(`SELECT (SELECT count(*) FROM resources)::int AS r, (SELECT count(*) FROM audit_entries)::int AS a`)).toEqual(before);
    });

    it('PATCH /resources checks the merged rules and refuses nulls for required fields', async () => {
      const pool = await createResource(facilityId, op, { mode: 'pooled', capacity: 512, unit: 'gpu_hour', minDurationMinutes: 60, maxDurationMinutes: 600 });
      const toExclusive = expectProblem(await patch(`/resources/${pool.id}`, op, { mode: 'exclusive' }), 400, 'validation_failed');
      expect(toExclusive.errors!.map((e) => e.field)).toEqual(['capacity']);
      const tooLong = expectProblem(await patch(`/resources/${pool.id}`, op, { minDurationMinutes: 700 }), 400, 'validation_failed');
      expect(tooLong.errors!.map((e) => e.field)).toEqual(['maxDurationMinutes']);
      for (const [field, value] of [
        ['nameZh', null],
        ['capacity', null],
        ['spec', null],
        ['facilityId', MISSING],
        ['openingHours', []],
      ] as const) {
        const body = expectProblem(await patch(`/resources/${pool.id}`, op, { [field]: value }), 400, 'validation_failed');
        expect(body.errors!.map((e) => e.field)).toContain(field);
      }
      const ok = await patch(`/resources/${pool.id}`, op, { mode: 'exclusive', capacity: 1, maxOpenRequests: 3 }).expect(200);
      expect(ok.body).toEqual(expect.objectContaining({ mode: 'exclusive', capacity: 1, maxOpenRequests: 3 }));
      const cleared = await patch(`/resources/${pool.id}`, op, { maxOpenRequests: null }).expect(200);
      expect(cleared.body.maxOpenRequests).toBeNull();
      const audit = await t.sql<Item>(`SELECT action, data FROM audit_entries WHERE entity_id = $1 ORDER BY seq`, [pool.id]);
      expect(audit.map((a) => a.action)).toEqual(['resource.created', 'resource.updated', 'resource.updated']);
      expect(audit[1].data.changes).toEqual({
        mode: { from: 'pooled', to: 'exclusive' },
        capacity: { from: 512, to: 1 },
        maxOpenRequests: { from: null, to: 3 },
      });
    });

    it('non-UUID ids are 400 and unknown ones 404, for reading and editing', async () => {
      expectProblem(await get('/facilities/not-a-uuid'), 400);
      expectProblem(await get('/resources/123'), 400);
      expectProblem(await get('/resources/123/opening-hours'), 400);
      expectProblem(await get('/resources/123/maintenance'), 400);
      expectProblem(await patch('/facilities/not-a-uuid', op, { nameEn: 'x' }), 400);
      expectProblem(await get(`/facilities/${MISSING}`), 404, 'not_found');
      expectProblem(await get(`/resources/${MISSING}`), 404, 'not_found');
      expectProblem(await get(`/resources/${MISSING}/opening-hours`), 404, 'not_found');
      expectProblem(await get(`/resources/${MISSING}/maintenance`), 404, 'not_found');
    });
  });

  describe('opening hours', () => {
    let resourceId: string;
    beforeAll(async () => {
      const f = await createFacility(op);
      resourceId = (await createResource(f.id, op)).id;
    });

    it('replaces the weekly schedule, sorted, including a window across midnight, and records it', async () => {
      const intervals = [
        { weekday: 6, opens: '00:00', closes: '08:00' },
        { weekday: 1, opens: '13:30', closes: '17:30' },
        { weekday: 5, opens: '20:00', closes: '24:00' },
        { weekday: 1, opens: '08:30', closes: '12:00' },
        { weekday: 5, opens: '08:00', closes: '20:00' },
      ];
      const res = await put(`/resources/${resourceId}/opening-hours`, op, { intervals }).expect(200);
      const sorted = [intervals[3], intervals[1], intervals[4], intervals[2], intervals[0]];
      expect(res.body).toEqual({ resourceId, timeZone: 'Asia/Shanghai', intervals: sorted });
      expect((await get(`/resources/${resourceId}/opening-hours`).expect(200)).body.intervals).toEqual(sorted);
      expect((await get(`/resources/${resourceId}`).expect(200)).body.openingHours).toEqual(sorted);
      const rows = await t.sql(`SELECT weekday, opens::text, closes::text FROM opening_hours WHERE resource_id = $1 ORDER BY weekday, opens`, [resourceId]);
      expect(rows[3]).toEqual({ weekday: 5, opens: '20:00:00', closes: '24:00:00' });
      const [audit] = await t.sql<Item>(`SELECT action, data FROM audit_entries WHERE entity_id = $1 ORDER BY seq DESC LIMIT 1`, [resourceId]);
      expect(audit.action).toBe('resource.opening_hours_replaced');
      expect(audit.data).toEqual(expect.objectContaining({ previous: [], intervals: sorted }));

      const again = await put(`/resources/${resourceId}/opening-hours`, op, { intervals: [{ weekday: 7, opens: '00:00', closes: '24:00' }] }).expect(200);
      expect(again.body.intervals).toEqual([{ weekday: 7, opens: '00:00', closes: '24:00' }]);
      expect(await count(`SELECT 1 FROM opening_hours WHERE resource_id = $1`, [resourceId])).toBe(1);
    });

    it('refuses overlapping intervals naming them, and leaves the schedule as it was', async () => {
      const before = (await get(`/resources/${resourceId}/opening-hours`).expect(200)).body;
      const body = expectProblem(
        await put(`/resources/${resourceId}/opening-hours`, op, {
          intervals: [
            { weekday: 2, opens: '08:00', closes: '12:00' },
            { weekday: 3, opens: '08:00', closes: '12:00' },
            { weekday: 2, opens: '11:00', closes: '14:00' },
            { weekday: 2, opens: '12:00', closes: '13:00' }, // touches [0] (fine) but overlaps [2]
          ],
        }),
        400,
        'validation_failed',
      );
      expect(body.errors).toEqual([
        { field: 'intervals[2]', message: expect.stringContaining('intervals[0]') },
        { field: 'intervals[3]', message: expect.stringContaining('intervals[2]') },
      ]);
      const dup = expectProblem(
        await put(`/resources/${resourceId}/opening-hours`, op, {
          intervals: [
            { weekday: 4, opens: '09:00', closes: '10:00' },
            { weekday: 4, opens: '09:00', closes: '10:00' },
          ],
        }),
        400,
      );
      expect(dup.errors!.map((e) => e.field)).toEqual(['intervals[1]']);
      expect((await get(`/resources/${resourceId}/opening-hours`).expect(200)).body).toEqual(before);
    });

    it.each<[string, unknown]>([
      ['intervals[0].closes', { weekday: 1, opens: '17:00', closes: '08:00' }],
      ['intervals[0].closes', { weekday: 1, opens: '08:00', closes: '08:00' }],
      ['intervals[0].opens', { weekday: 1, opens: '7:00', closes: '08:00' }],
      ['intervals[0].opens', { weekday: 1, opens: '24:00', closes: '24:00' }],
      ['intervals[0].closes', { weekday: 1, opens: '08:00', closes: '24:30' }],
      ['intervals[0].closes', { weekday: 1, opens: '08:00', closes: '12:60' }],
      ['intervals[0].closes', { weekday: 1, opens: '08:00', closes: '17:00:00' }],
      ['intervals[0].closes', { weekday: 1, opens: '08:00' }],
      ['intervals[0].weekday', { weekday: 0, opens: '08:00', closes: '17:00' }],
      ['intervals[0].weekday', { weekday: 8, opens: '08:00', closes: '17:00' }],
      ['intervals[0].weekday', { weekday: 1.5, opens: '08:00', closes: '17:00' }],
      ['intervals[0].weekday', { weekday: '1', opens: '08:00', closes: '17:00' }],
      ['intervals[0].note', { weekday: 1, opens: '08:00', closes: '17:00', note: 'x' }],
      ['intervals[0]', 'Mon 8-17'],
    ])('refuses a malformed interval (%s): %j', async (field, interval) => {
      const body = expectProblem(await put(`/resources/${resourceId}/opening-hours`, op, { intervals: [interval] }), 400, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
    });

    it('refuses a body without a list of intervals', async () => {
      for (const body of [{}, { intervals: 'always' }, { intervals: null }]) {
        const problem = expectProblem(await put(`/resources/${resourceId}/opening-hours`, op, body), 400, 'validation_failed');
        expect(problem.errors!.map((e) => e.field)).toContain('intervals');
      }
    });

    it('an empty list closes the resource', async () => {
      const res = await put(`/resources/${resourceId}/opening-hours`, op, { intervals: [] }).expect(200);
      expect(res.body.intervals).toEqual([]);
      expect(await count(`SELECT 1 FROM opening_hours WHERE resource_id = $1`, [resourceId])).toBe(0);
    });

    it('is backed by the database: overlapping or inverted rows are refused by constraints', async () => {
      await t.sql(`INSERT INTO opening_hours (resource_id, weekday, opens, closes) VALUES ($1, 3, '08:00', '12:00')`, [resourceId]);
      await expect(t.sql(`INSERT INTO opening_hours (resource_id, weekday, opens, closes) VALUES ($1, 3, '11:59', '13:00')`, [resourceId])).rejects.toThrow(
        /opening_hours_no_overlap/,
      );
      await t.sql(`INSERT INTO opening_hours (resource_id, weekday, opens, closes) VALUES ($1, 3, '12:00', '24:00')`, [resourceId]);
      await expect(t.sql(`INSERT INTO opening_hours (resource_id, weekday, opens, closes) VALUES ($1, 4, '12:00', '12:00')`, [resourceId])).rejects.toThrow(
        /opening_hours_well_formed/,
      );
      await put(`/resources/${resourceId}/opening-hours`, op, { intervals: [] }).expect(200);
    });

    it('can be given when the resource is published', async () => {
      const f = await createFacility(op);
      const res = await post(
        '/resources',
        op,
        resourceBody(f.id, {
          openingHours: [
            { weekday: 2, opens: '09:00', closes: '17:00' },
            { weekday: 1, opens: '09:00', closes: '17:00' },
          ],
        }),
      ).expect(201);
      expect(res.body.openingHours).toEqual([
        { weekday: 1, opens: '09:00', closes: '17:00' },
        { weekday: 2, opens: '09:00', closes: '17:00' },
      ]);
    });
  });

  describe('maintenance windows', () => {
    let resourceId: string;
    beforeAll(async () => {
      const f = await createFacility(op);
      resourceId = (await createResource(f.id, op)).id;
    });

    it('adds a half-open window given with offsets, shows it as upcoming and records it', async () => {
      const res = await post(`/resources/${resourceId}/maintenance`, op, {
        startsAt: '2030-03-01T08:00:00+08:00',
        endsAt: '2030-03-01T18:00:00+08:00',
        reason: ' 年度检修 annual service ',
      }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        resourceId,
        startsAt: '2030-03-01T00:00:00.000Z',
        endsAt: '2030-03-01T10:00:00.000Z',
        reason: '年度检修 annual service',
        createdAt: expect.any(String),
      });
      const [row] = await t.sql<Item>(
        `SELECT lower_inc(period) AS li, upper_inc(period) AS ui, lower(period) = '2030-03-01T00:00:00Z'::timestamptz AS starts_ok, created_by FROM maintenance_windows WHERE id = $1`,
        [res.body.id],
      );
      expect(row).toEqual({ li: true, ui: false, starts_ok: true, created_by: expect.any(String) });
      const detail = await get(`/resources/${resourceId}`).expect(200);
      expect(detail.body.maintenance).toEqual([res.body]);
      const [audit] = await t.sql<Item>(`SELECT action, entity_type, organisation_id, data FROM audit_entries WHERE entity_id = $1`, [res.body.id]);
      expect(audit).toEqual({
        action: 'maintenance.added',
        entity_type: 'maintenance_window',
        organisation_id: opOrgId,
        data: { resourceId, startsAt: '2030-03-01T00:00:00.000Z', endsAt: '2030-03-01T10:00:00.000Z', reason: '年度检修 annual service' },
      });
    });

    it('lists windows overlapping [from, to), half-open at both ends', async () => {
      await post(`/resources/${resourceId}/maintenance`, op, {
        startsAt: '2030-04-01T10:00:00Z',
        endsAt: '2030-04-01T12:00:00Z',
        reason: 'filter change',
      }).expect(201);
      const q = (from: string, to: string) =>
        get(`/resources/${resourceId}/maintenance?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`).expect(200);
      expect((await q('2030-04-01T12:00:00Z', '2030-04-02T00:00:00Z')).body.total).toBe(0);
      expect((await q('2030-04-01T00:00:00Z', '2030-04-01T10:00:00Z')).body.total).toBe(0);
      const hit = await q('2030-04-01T11:59:00Z', '2030-04-01T13:00:00Z');
      expect(hit.body.items.map((m: Item) => m.reason)).toEqual(['filter change']);
      const all = await q('2030-01-01T00:00:00+08:00', '2031-01-01T00:00:00+08:00');
      expect(all.body.total).toBe(2);
      expect(all.body.items.map((m: Item) => m.startsAt)).toEqual(['2030-03-01T00:00:00.000Z', '2030-04-01T10:00:00.000Z']);
      const upcoming = await get(`/resources/${resourceId}/maintenance`).expect(200);
      expect(upcoming.body.total).toBe(2);
    });

    it('shows past windows only when asked for them', async () => {
      await t.sql(
        `INSERT INTO maintenance_windows (resource_id, period, reason) VALUES ($1, tstzrange('2020-01-01T00:00Z', '2020-01-02T00:00Z', '[)'), 'old')`,
        [resourceId],
      );
      const detail = await get(`/resources/${resourceId}`).expect(200);
      expect(detail.body.maintenance.map((m: Item) => m.reason)).not.toContain('old');
      const past = await get(`/resources/${resourceId}/maintenance?from=2019-12-31T00:00:00Z&to=2020-02-01T00:00:00Z`).expect(200);
      expect(past.body.items.map((m: Item) => m.reason)).toEqual(['old']);
    });

    it.each<[string, Record<string, unknown>]>([
      ['endsAt', { startsAt: '2030-05-01T10:00:00Z', endsAt: '2030-05-01T10:00:00Z' }],
      ['endsAt', { startsAt: '2030-05-01T10:00:00Z', endsAt: '2030-05-01T09:00:00Z' }],
      ['startsAt', { startsAt: '2030-05-01T10:00:00', endsAt: '2030-05-01T12:00:00Z' }],
      ['startsAt', { startsAt: '2030-02-30T10:00:00Z', endsAt: '2030-05-01T12:00:00Z' }],
      ['startsAt', { startsAt: 'tomorrow', endsAt: '2030-05-01T12:00:00Z' }],
      ['startsAt', { startsAt: 1893456000000, endsAt: '2030-05-01T12:00:00Z' }],
      ['startsAt', { startsAt: '1999-12-31T10:00:00Z', endsAt: '2030-05-01T12:00:00Z' }],
      ['endsAt', { startsAt: '2030-05-01T10:00:00Z', endsAt: '2230-05-01T12:00:00Z' }],
      ['endsAt', { startsAt: '2030-05-01T10:00:00Z' }],
      ['reason', { startsAt: '2030-05-01T10:00:00Z', endsAt: '2030-05-01T12:00:00Z', reason: '  ' }],
      ['reason', { startsAt: '2030-05-01T10:00:00Z', endsAt: '2030-05-01T12:00:00Z', reason: null }],
    ])('refuses a bad %s: %j', async (field, over) => {
      const before = await count(`SELECT 1 FROM maintenance_windows`);
      const body = expectProblem(await post(`/resources/${resourceId}/maintenance`, op, { reason: 'service', ...over }), 400, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
      expect(await count(`SELECT 1 FROM maintenance_windows`)).toBe(before);
    });

    it('refuses bad list bounds', async () => {
      expectProblem(await get(`/resources/${resourceId}/maintenance?from=yesterday`), 400);
      expectProblem(await get(`/resources/${resourceId}/maintenance?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`), 400);
      expectProblem(await get(`/resources/${resourceId}/maintenance?to=2030-01-01T00:00:00`), 400);
    });

    it("removes a window (204), once; another resource's window is 404", async () => {
      const m = await post(`/resources/${resourceId}/maintenance`, op, {
        startsAt: '2030-06-01T00:00:00Z',
        endsAt: '2030-06-02T00:00:00Z',
        reason: 'to remove',
      }).expect(201);
      const f = await createFacility(op);
      const other = await createResource(f.id, op);
      expectProblem(await del(`/resources/${other.id}/maintenance/${m.body.id}`, op), 404, 'not_found');
      expectProblem(await del(`/resources/${resourceId}/maintenance/not-a-uuid`, op), 400);
      await del(`/resources/${resourceId}/maintenance/${m.body.id}`, op).expect(204);
      expectProblem(await del(`/resources/${resourceId}/maintenance/${m.body.id}`, op), 404, 'not_found');
      expect(await count(`SELECT 1 FROM maintenance_windows WHERE id = $1`, [m.body.id])).toBe(0);
      const actions = await t.sql<Item>(`SELECT action FROM audit_entries WHERE entity_id = $1 ORDER BY seq`, [m.body.id]);
      expect(actions.map((a) => a.action)).toEqual(['maintenance.added', 'maintenance.removed']);
    });
  });

  describe('inactive facilities and resources', () => {
    let facility: Item;
    let resource: Item;
    let second: Item;

    beforeAll(async () => {
      facility = await createFacility(op, { kind: 'verification_centre', cityCode: '211300' });
      resource = await createResource(facility.id, op);
      second = await createResource(facility.id, op);
    });

    const activeFacilities = () => count(`SELECT 1 FROM facilities WHERE active`);

    it('deactivating a facility hides it and its resources from everyone but its operator and admins', async () => {
      const publicTotal = (await get('/facilities').expect(200)).body.total;
      const res = await patch(`/facilities/${facility.id}`, op, { active: false }).expect(200);
      expect(res.body.active).toBe(false);
      const [audit] = await t.sql<Item>(`SELECT action, data FROM audit_entries WHERE entity_id = $1 ORDER BY seq DESC LIMIT 1`, [facility.id]);
      expect(audit).toEqual({ action: 'facility.deactivated', data: { changes: { active: { from: true, to: false } } } });

      const after = await get('/facilities?limit=200').expect(200);
      expect(after.body.total).toBe(publicTotal - 1);
      expect(after.body.total).toBe(await activeFacilities());
      expect(after.body.items.map((f: Item) => f.id)).not.toContain(facility.id);
      expect((await get(`/resources?facilityId=${facility.id}`).expect(200)).body.total).toBe(0);
      expect((await get('/facilities?city=211300&kind=verification_centre&limit=200').expect(200)).body.items.map((f: Item) => f.id)).not.toContain(
        facility.id,
      );

      for (const token of [undefined, sme, official, op2]) {
        expectProblem(await get(`/facilities/${facility.id}`, token), 404, 'not_found');
        expectProblem(await get(`/resources/${resource.id}`, token), 404, 'not_found');
        expectProblem(await get(`/resources/${resource.id}/opening-hours`, token), 404, 'not_found');
        expectProblem(await get(`/resources/${resource.id}/maintenance`, token), 404, 'not_found');
      }
      for (const token of [op, admin]) {
        const f = await get(`/facilities/${facility.id}`, token).expect(200);
        expect(f.body).toEqual(expect.objectContaining({ id: facility.id, active: false }));
        expect(f.body.resources.map((r: Item) => r.id).sort()).toEqual([resource.id, second.id].sort());
        const r = await get(`/resources/${resource.id}`, token).expect(200);
        expect(r.body.facility.active).toBe(false);
      }
      // still editable by its operator
      await patch(`/facilities/${facility.id}`, op, { description: '暂停开放 closed for refit' }).expect(200);
    });

    it('includeInactive: operators see their own inactive items, admins all; others may not ask', async () => {
      const mine = await get('/facilities?includeInactive=true&limit=200', op).expect(200);
      expect(mine.body.total).toBe(await count(`SELECT 1 FROM facilities WHERE active OR operator_id = $1`, [opOrgId]));
      expect(mine.body.items.map((f: Item) => f.id)).toContain(facility.id);
      const theirs = await get('/facilities?includeInactive=true&limit=200', op2).expect(200);
      expect(theirs.body.total).toBe(await count(`SELECT 1 FROM facilities WHERE active OR operator_id = $1`, [op2OrgId]));
      expect(theirs.body.items.map((f: Item) => f.id)).not.toContain(facility.id);
      const all = await get('/facilities?includeInactive=true&limit=200', admin).expect(200);
      expect(all.body.total).toBe(await count(`SELECT 1 FROM facilities`));
      const ownOnly = await get(`/facilities?includeInactive=true&operatorId=${opOrgId}&limit=200`, op).expect(200);
      expect(ownOnly.body.total).toBe(await count(`SELECT 1 FROM facilities WHERE operator_id = $1`, [opOrgId]));

      const resources = await get(`/resources?includeInactive=true&facilityId=${facility.id}`, op).expect(200);
      expect(resources.body.total).toBe(2);
      expect((await get(`/resources?includeInactive=true&facilityId=${facility.id}`, op2).expect(200)).body.total).toBe(0);
      expect((await get(`/resources?includeInactive=true&facilityId=${facility.id}`, admin).expect(200)).body.total).toBe(2);

      expectProblem(await get('/facilities?includeInactive=true'), 401);
      expectProblem(await get('/resources?includeInactive=true'), 401);
      expectProblem(await get('/facilities?includeInactive=true', sme), 403);
      expectProblem(await get('/resources?includeInactive=true', official), 403);
      // includeInactive=false is the default behaviour, for anyone
      expect((await get('/facilities?includeInactive=false').expect(200)).body.total).toBe(await activeFacilities());
    });

    it('reactivating shows it again', async () => {
      await patch(`/facilities/${facility.id}`, op, { active: true }).expect(200);
      await get(`/facilities/${facility.id}`).expect(200);
      await get(`/resources/${resource.id}`).expect(200);
      const [audit] = await t.sql<Item>(`SELECT action FROM audit_entries WHERE entity_id = $1 ORDER BY seq DESC LIMIT 1`, [facility.id]);
      expect(audit.action).toBe('facility.reactivated');
    });

    it('a deactivated resource of an active facility is hidden the same way', async () => {
      await patch(`/resources/${second.id}`, op, { active: false }).expect(200);
      const [audit] = await t.sql<Item>(`SELECT action FROM audit_entries WHERE entity_id = $1 ORDER BY seq DESC LIMIT 1`, [second.id]);
      expect(audit.action).toBe('resource.deactivated');
      const publicView = await get(`/facilities/${facility.id}`).expect(200);
      expect(publicView.body.resources.map((r: Item) => r.id)).toEqual([resource.id]);
      const ownerView = await get(`/facilities/${facility.id}`, op).expect(200);
      expect(ownerView.body.resources).toHaveLength(2);
      expect(ownerView.body.resources.find((r: Item) => r.id === second.id).active).toBe(false);
      expectProblem(await get(`/resources/${second.id}`), 404);
      expectProblem(await get(`/resources/${second.id}`, sme), 404);
      await get(`/resources/${second.id}`, op).expect(200);
      const search = await get(`/resources?facilityId=${facility.id}`).expect(200);
      expect(search.body.items.map((r: Item) => r.id)).toEqual([resource.id]);
      const own = await get(`/resources?facilityId=${facility.id}&includeInactive=true`, op).expect(200);
      expect(own.body.total).toBe(2);
      // its schedule can still be prepared while hidden
      await put(`/resources/${second.id}/opening-hours`, op, { intervals: [{ weekday: 1, opens: '08:00', closes: '12:00' }] }).expect(200);
    });
  });

  describe('an operator publishes a resource that a visitor then finds', () => {
    it('publishes with opening hours and a maintenance window, and the public search shows it', async () => {
      const token = tag();
      const f = await createFacility(op, {
        kind: 'intelligent_computing_centre',
        cityCode: '210200',
        directions: ['artificial_intelligence'],
        stages: ['lab_validation', 'industrialisation'],
        nameEn: `Test Dalian AI Compute ${token}`,
      });
      const r = await post('/resources', op, {
        facilityId: f.id,
        nameZh: `测试·推理算力池${token}`,
        nameEn: `Test Inference Pool ${token}`,
        mode: 'pooled',
        capacity: 64,
        unit: 'gpu_hour',
        minDurationMinutes: 60,
        maxDurationMinutes: 2880,
        leadTimeMinutes: 0,
        horizonDays: 30,
        approvalRequired: false,
        pricePerUnitHourFen: 900,
        smeDiscountPercent: 30,
        spec: { gpu: 'demo-infer-L', memoryGb: 24 },
      }).expect(201);
      await put(`/resources/${r.body.id}/opening-hours`, op, {
        intervals: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
      }).expect(200);
      await post(`/resources/${r.body.id}/maintenance`, op, {
        startsAt: '2030-07-01T00:00:00+08:00',
        endsAt: '2030-07-01T06:00:00+08:00',
        reason: '机房巡检',
      }).expect(201);

      const found = await get(
        `/resources?q=${encodeURIComponent(`推理算力池${token}`)}&city=210200&direction=artificial_intelligence&stage=industrialisation&kind=intelligent_computing_centre&mode=pooled&unit=gpu_hour`,
      ).expect(200);
      expect(found.body.total).toBe(1);
      expect(found.body.items[0]).toEqual(
        expect.objectContaining({ id: r.body.id, capacity: 64, openingHours: expect.arrayContaining([{ weekday: 7, opens: '00:00', closes: '24:00' }]) }),
      );
      expect(found.body.items[0].facility).toEqual(
        expect.objectContaining({
          id: f.id,
          cityCode: '210200',
          cityNameZh: '大连',
          cityNameEn: 'Dalian',
          kind: 'intelligent_computing_centre',
          timeZone: 'Asia/Shanghai',
        }),
      );
      const detail = await get(`/resources/${r.body.id}`).expect(200);
      expect(detail.body.maintenance).toEqual([
        expect.objectContaining({ startsAt: '2030-06-30T16:00:00.000Z', endsAt: '2030-06-30T22:00:00.000Z', reason: '机房巡检' }),
      ]);
      const english = await get(`/facilities?q=${encodeURIComponent(`dalian ai compute ${token}`)}`).expect(200);
      expect(english.body.items.map((i: Item) => i.id)).toEqual([f.id]);
    });
  });

  describe('named queries for the booking engine', () => {
    it('findResourceForBooking loads the resource with its facility whatever its state; lockResource needs a transaction', async () => {
      const f = await createFacility(op);
      const r = await createResource(f.id, op);
      await patch(`/facilities/${f.id}`, op, { active: false }).expect(200);
      const resources = t.app.get(ResourcesService);
      const ds = t.app.get(DataSource);
      const found = await resources.findResourceForBooking(ds.manager, r.id);
      expect(found).toEqual(
        expect.objectContaining({ id: r.id, active: true, facility: expect.objectContaining({ id: f.id, active: false, timeZone: 'Asia/Shanghai' }) }),
      );
      expect(await resources.findResourceForBooking(ds.manager, MISSING)).toBeNull();
      const locked = await ds.transaction(async (em) => {
        const row = await resources.lockResource(em, r.id);
        const [lock] = await em.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'tuple' OR (relation = 'resources'::regclass AND mode = 'RowShareLock')`,
        );
        return { row, lock };
      });
      expect(locked.row?.id).toBe(r.id);
      expect(locked.lock.n).toBeGreaterThan(0);
      await expect(resources.lockResource(ds.manager, r.id)).rejects.toThrow();
      // who may change it is the access layer's answer (facility.manage)
      const access = t.app.get(AccessService);
      const me = (await get('/me', op2).expect(200)).body;
      await expect(
        access.requireAccess({ userId: me.id, email: me.email, role: 'operator', organisationId: op2OrgId }, 'facility.manage', [f.id]),
      ).rejects.toThrow(/another operator/);
      await expect(
        access.requireAccess({ userId: 'x', email: 'a@b', role: 'admin', organisationId: null }, 'facility.manage', [f.id]),
      ).resolves.toBeUndefined();
    });
  });
});
