import { parse } from 'csv-parse/sync';
import { Clock } from '../src/common/clock';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const sh = (local: string) => `${local}:00+08:00`;
/** "Now": 2031-01-10 12:00 Shanghai; the year 2030 (8,760 h) is over. */
const NOW = sh('2031-01-10T12:00');
const Y0 = sh('2030-01-01T00:00');
const Y1 = sh('2031-01-01T00:00');

/**
 * A hand-built year 2030 (usage records span the whole year, so that any part of it is the same share):
 *
 * Facility FP (operator@demo.local = OP, pilot platform, Shenyang 210100, new_materials)
 *   P1 exclusive line (hour): SME 900 h + sme2 (not an SME) 100 h + OP itself 200 h (internal)
 *      effective 1,200 h (not below the 1,200 h line), external 1,000 h, sharing rate 1000/1200 = 0.8333
 *      bookings: b1 completed process_scale_up (SME, 5,000 fen), b2 completed type_testing (sme2, 3,000 fen),
 *                b3 cancelled small_batch_trial_production (9,999 fen: not counted), b4 completed internal (OP, 0 fen)
 *      → pilot services 2 (1 process_scale_up, 1 type_testing), income 8,000; firms served 2, SMEs 1
 *      flags: below_national_effective (1,200 < 1,599)
 *   P2 exclusive line (hour): SME 1,199 h → below_1200h, below_national_effective; external 1,199 h (≥ 273)
 * Facility FC (operator-dalian = OD, intelligent computing centre, Dalian 210200, artificial_intelligence)
 *   G1 pooled 8 GPUs (gpu_hour), open 24 h: sme2 2,176 card-hours (272 h), OD itself 800 card-hours (100 h)
 *      effective 372 h, external 272 h → all three flags (272 < 273); GPU card-hours delivered 2,976 of 8 × 8,760 = 70,080
 */
describe('reports: official indicators', () => {
  let t: TestApp;
  let operator: string;
  let dalian: string;
  let official: string;
  let admin: string;
  let sme: string;
  let opOrg: string;
  let odOrg: string;
  let smeOrg: string;
  let sme2Org: string;
  let smeUser: string;
  let fp: string;
  let fc: string;
  let p1: string;
  let p2: string;
  let g1: string;

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const get = (path: string, token: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const post = (path: string, token: string, body: Record<string, unknown>) => t.http().post(`/api/v1${path}`).set(bearer(token)).send(body);
  const csvOf = (req: ReturnType<typeof get>) =>
    req.buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });

  async function facility(token: string, body: Record<string, unknown>) {
    const r = await post('/facilities', token, {
      nameZh: '测试·指标设施',
      nameEn: 'Indicator facility',
      address: '测试路5号',
      stages: ['pilot_maturation'],
      ...body,
    });
    if (r.status !== 201) throw new Error(`facility: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  async function resource(token: string, body: Record<string, unknown>) {
    const r = await post('/resources', token, {
      nameZh: '测试·指标设备',
      nameEn: 'Indicator equipment',
      mode: 'exclusive',
      unit: 'hour',
      horizonDays: 60,
      minDurationMinutes: 60,
      maxDurationMinutes: 600,
      pricePerUnitHourFen: 1000,
      ...body,
    });
    if (r.status !== 201) throw new Error(`resource: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  const usage = (resourceId: string, facilityId: string, org: string, unitHours: number) =>
    t.sql(
      `INSERT INTO usage_records (resource_id, facility_id, organisation_id, starts_at, ends_at, unit, unit_hours, source, recorded_by_label, recorded_at)
       VALUES ($1, $2, $3, $4, $5, (SELECT unit FROM resources WHERE id = $1), $6, 'manual', 'test', now())`,
      [resourceId, facilityId, org, Y0, Y1, unitHours],
    );
  const booking = (resourceId: string, facilityId: string, org: string, day: string, state: string, category: string, priceFen: number) =>
    t.sql(
      `INSERT INTO bookings (resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, state, stage, service_category,
                             purpose, price_fen, list_price_fen, discount_percent, created_at)
       VALUES ($1, $2, $3, $4, tstzrange($5, $6), tstzrange($5, $6), true, 1, $7, 'pilot_maturation', $8, '指标测试 indicator test', $9, $9, 0, $5)`,
      [resourceId, facilityId, org, smeUser, sh(`${day}T09:00`), sh(`${day}T17:00`), state, category, priceFen],
    );

  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(Clock).freeze(new Date(NOW));
    [operator, dalian, official, admin, sme] = await Promise.all(
      ['operator', 'operator-dalian', 'official', 'admin', 'sme'].map((n) => t.login(`${n}@demo.local`)),
    );
    const me = async (token: string) => (await get('/me', token).expect(200)).body as { id: string; organisationId: string };
    opOrg = (await me(operator)).organisationId;
    odOrg = (await me(dalian)).organisationId;
    ({ id: smeUser, organisationId: smeOrg } = await me(sme));
    sme2Org = (await me(await t.login('sme2@demo.local'))).organisationId;
    await t.sql(`UPDATE organisations SET sme = (id = $1) WHERE id = ANY($2::uuid[])`, [smeOrg, [smeOrg, sme2Org]]);

    fp = await facility(operator, { kind: 'pilot_platform', cityCode: '210100', directions: ['new_materials'] });
    fc = await facility(dalian, { kind: 'intelligent_computing_centre', cityCode: '210200', directions: ['artificial_intelligence'] });
    p1 = await resource(operator, { facilityId: fp, nameZh: '指标·中试线一', nameEn: 'Line one' });
    p2 = await resource(operator, { facilityId: fp, nameZh: '指标·中试线二', nameEn: 'Line two' });
    g1 = await resource(dalian, {
      facilityId: fc,
      nameZh: '指标·GPU池',
      nameEn: 'GPU pool',
      mode: 'pooled',
      capacity: 8,
      unit: 'gpu_hour',
      openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
    });
    // the resources existed all year
    await t.sql(`UPDATE resources SET created_at = '2029-06-01T00:00:00+08:00' WHERE id = ANY($1::uuid[])`, [[p1, p2, g1]]);
    await usage(p1, fp, smeOrg, 900);
    await usage(p1, fp, sme2Org, 100);
    await usage(p1, fp, opOrg, 200);
    await usage(p2, fp, smeOrg, 1199);
    await usage(g1, fc, sme2Org, 2176);
    await usage(g1, fc, odOrg, 800);
    await booking(p1, fp, smeOrg, '2030-03-04', 'completed', 'process_scale_up', 5000);
    await booking(p1, fp, sme2Org, '2030-05-06', 'completed', 'type_testing', 3000);
    await booking(p1, fp, smeOrg, '2030-07-08', 'cancelled', 'small_batch_trial_production', 9999);
    await booking(p1, fp, opOrg, '2030-09-10', 'completed', 'process_scale_up', 0);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  type Row = Record<string, unknown> & { resourceId: string; flags: string[]; annualisedEffectiveHours: number };
  type Report = {
    resources: Row[];
    groups: Array<Record<string, unknown> & { key: string }>;
    total: Record<string, unknown>;
    snapshotDays: number;
    reference: Record<string, unknown>;
  };
  const indicators = async (token: string, query: string) => (await get(`/reports/indicators?${query}`, token).expect(200)).body as Report;
  const rowOf = (body: { resources: Row[] }, id: string) => {
    const row = body.resources.find((r) => r.resourceId === id);
    if (!row) throw new Error(`no row ${id}`);
    return row;
  };

  it('every indicator of a resource-year, by hand', async () => {
    const body = await indicators(official, 'year=2030');
    expect(body).toMatchObject({ year: 2030, yearHours: 8760, reference: { year: 2025, effectiveHours: 1599, externalHours: 273, fullUseHours: 1200 } });
    expect(rowOf(body, p1)).toMatchObject({
      effectiveHours: 1200,
      annualisedEffectiveHours: 1200,
      externalHours: 1000,
      annualisedExternalHours: 1000,
      sharingRate: 0.8333,
      firmsServed: 2,
      smeFirmsServed: 1,
      pilotServices: 2,
      servicesByCategory: { process_scale_up: 1, type_testing: 1, small_batch_trial_production: 0, compute: 0 },
      incomeFen: 8000,
      flags: ['below_national_effective'],
    });
    expect(rowOf(body, p2)).toMatchObject({ effectiveHours: 1199, externalHours: 1199, sharingRate: 1, flags: ['below_1200h', 'below_national_effective'] });
    expect(rowOf(body, g1)).toMatchObject({
      effectiveHours: 372,
      externalHours: 272,
      sharingRate: 0.7312,
      firmsServed: 1,
      smeFirmsServed: 0,
      pilotServices: 0,
      gpuHoursDelivered: 2976,
      gpuHoursAvailable: 70080,
      flags: ['below_1200h', 'below_national_effective', 'below_national_external'],
    });
  });

  it('a partial period is annualised; the current year runs to now', async () => {
    // Q1 2030: 90 days = 2,160 h; a year-long record contributes 2160/8760 of itself, annualised back to the whole
    const q1 = await indicators(official, `from=${encodeURIComponent(Y0)}&to=${encodeURIComponent(sh('2030-04-01T00:00'))}`);
    expect(rowOf(q1, p2)).toMatchObject({ effectiveHours: 295.6438, annualisedEffectiveHours: 1199, flags: ['below_1200h', 'below_national_effective'] });
    expect(rowOf(q1, p1)).toMatchObject({ annualisedEffectiveHours: 1200, pilotServices: 1, incomeFen: 5000 }); // b1 only ended in Q1
    // 2031 so far: nothing used, annualised over the 9.5 days since 1 January
    const current = await indicators(official, `year=2031&facilityId=${fp}`);
    expect(current).toMatchObject({ year: 2031, yearHours: 8760, to: new Date(NOW).toISOString() });
    expect(rowOf(current, p1)).toMatchObject({ effectiveHours: 0, flags: ['below_1200h', 'below_national_effective', 'below_national_external'] });
    expectProblem(await get('/reports/indicators?year=2032', official), 422, 'period_not_begun');
    expectProblem(await get(`/reports/indicators?year=2030&from=${encodeURIComponent(Y0)}`, official), 422, 'period_ambiguous');
    expectProblem(await get('/reports/indicators', official), 422, 'period_missing');
  });

  it('groups: by city, operator and direction; resources below the 1,200-hour line by city', async () => {
    const byCity = await indicators(official, 'year=2030&groupBy=city');
    const shenyang = byCity.groups.find((g) => g.key === '210100')!;
    // the demo catalogue's resources in Shenyang count too (idle: 0 h, flagged)
    expect(shenyang).toMatchObject({ labelZh: '沈阳', labelEn: 'Shenyang', pilotServices: 2, incomeFen: 8000, firmsServed: 2, smeFirmsServed: 1 });
    expect(shenyang.effectiveHours).toBe(2399);
    const below = await indicators(official, 'year=2030&groupBy=city&flag=below_1200h');
    expect(below.resources.every((r) => r.flags.includes('below_1200h'))).toBe(true);
    expect(below.resources.map((r) => r.resourceId)).toEqual(expect.arrayContaining([p2, g1]));
    expect(below.resources.map((r) => r.resourceId)).not.toContain(p1);
    const dalianRow = below.groups.find((g) => g.key === '210200')!;
    expect(dalianRow.flagged).toEqual(expect.objectContaining({ below_1200h: dalianRow.resources }));
    const fpOnly = await indicators(official, `year=2030&groupBy=facility&facilityId=${fp}`);
    expect(fpOnly.groups).toEqual([
      expect.objectContaining({
        key: fp,
        resources: 2,
        effectiveHours: 2399,
        annualisedEffectiveHoursPerResource: 1199.5,
        externalHours: 2199,
        sharingRate: 0.9166,
        firmsServed: 2,
        flagged: { below_1200h: 1, below_national_effective: 2, below_national_external: 0 },
      }),
    ]);
    expect(fpOnly.total).toMatchObject({ resources: 2, effectiveHours: 2399, incomeFen: 8000 });
    const byDirection = await indicators(official, `year=2030&groupBy=direction&facilityId=${fc}`);
    expect(byDirection.groups.map((g) => [g.key, g.labelZh])).toEqual([['artificial_intelligence', '人工智能']]);
  });

  it('role scoping: operators their own, enterprises 403, officials read and change nothing', async () => {
    const own = await indicators(operator, 'year=2030');
    expect(own.resources.map((r) => r.resourceId)).toEqual(expect.arrayContaining([p1, p2]));
    expect(own.resources.map((r) => r.resourceId)).not.toContain(g1);
    const theirs = await indicators(dalian, 'year=2030');
    expect(theirs.resources.map((r) => r.resourceId)).toContain(g1);
    expect(theirs.resources.map((r) => r.resourceId)).not.toContain(p1);
    expect((await indicators(operator, `year=2030&facilityId=${fc}`)).resources).toEqual([]);
    expectProblem(await get('/reports/indicators?year=2030', sme), 403);
    expectProblem(await get('/reports/annual-return?year=2030', sme), 403);
    expectProblem(
      await t
        .http()
        .put('/api/v1/reports/indicator-references/2030')
        .set(bearer(official))
        .send({ effectiveHours: 1, externalHours: 1, fullUseHours: 1, source: 'x' }),
      403,
    );
  });

  it('the annual return of an operator, as JSON and as CSV', async () => {
    const mine = (await get('/reports/annual-return?year=2030', operator).expect(200)).body as {
      operator: { id: string };
      resources: Row[];
      total: Record<string, unknown>;
      flagged: Row[];
    };
    expect(mine.operator.id).toBe(opOrg);
    expect(mine.resources.map((r) => r.resourceId)).toEqual(expect.arrayContaining([p1, p2]));
    expect(mine.flagged.map((r) => r.resourceId)).toEqual(expect.arrayContaining([p1, p2]));
    expect(mine.total).toMatchObject({ pilotServices: 2, incomeFen: 8000 });
    expectProblem(await get(`/reports/annual-return?year=2030&operatorId=${odOrg}`, operator), 403);
    expectProblem(await get('/reports/annual-return?year=2030', official), 400);
    expectProblem(await get(`/reports/annual-return?year=2030&operatorId=${smeOrg}`, official), 404);
    const other = (await get(`/reports/annual-return?year=2030&operatorId=${odOrg}`, official).expect(200)).body as { resources: Row[] };
    expect(other.resources.map((r) => r.resourceId)).toContain(g1);

    const res = await csvOf(get('/reports/annual-return?year=2030&format=csv', operator)).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records).toHaveLength(mine.resources.length + 1);
    const line = records.find((r) => r['资源 resource id'] === p1)!;
    expect(Number(line['年有效工作机时(年化) annualised effective hours'])).toBe(1200);
    expect(Number(line['共享率 sharing rate'])).toBe(0.8333);
    expect(Number(line['工艺放大熟化 process_scale_up'])).toBe(1);
    expect(line['预警 flags']).toBe('below_national_effective');
    expect(records.at(-1)!['名称 name (zh)']).toBe('合计');
    expect(Number(records.at(-1)!['服务收入(分) service income (fen)'])).toBe(8000);
  });

  it('CSV of the indicators by city parses back to the JSON figures', async () => {
    const json = await indicators(official, 'year=2030&groupBy=city');
    const res = await csvOf(get('/reports/indicators?year=2030&groupBy=city&format=csv', official)).expect(200);
    const records = parse<Record<string, string>>(res.body as Buffer, { bom: true, columns: true });
    expect(records).toHaveLength(json.groups.length + 1);
    for (const g of json.groups) {
      const line = records.find((r) => r['分组 key'] === g.key)!;
      expect(Number(line['有效工作机时 effective hours'])).toBe(g.effectiveHours);
      expect(Number(line['低于1200机时 below 1,200 h'])).toBe((g.flagged as Record<string, number>).below_1200h);
    }
  });

  it('an admin changes the reference values of a year: the flags follow, earlier years keep theirs', async () => {
    const put = await t
      .http()
      .put('/api/v1/reports/indicator-references/2030')
      .set(bearer(admin))
      .send({ effectiveHours: 1000, externalHours: 100, fullUseHours: 1199, source: '2030 provincial values (test)' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ year: 2030, effectiveHours: 1000, externalHours: 100, fullUseHours: 1199 });
    const body = await indicators(official, 'year=2030');
    expect(body.reference).toMatchObject({ year: 2030, fullUseHours: 1199 });
    expect(rowOf(body, p1).flags).toEqual([]);
    expect(rowOf(body, p2).flags).toEqual([]); // 1,199 is not below 1,199
    expect(rowOf(body, g1).flags).toEqual(['below_1200h', 'below_national_effective']);
    // 2029 still uses the 2025 values
    expect((await indicators(official, 'year=2029')).reference).toMatchObject({ year: 2025 });
    const list = (await get('/reports/indicator-references', operator).expect(200)).body as { items: Array<{ year: number }> };
    expect(list.items.map((r) => r.year)).toEqual([2030, 2025]);
    const [entry] = await t.sql<{ action: string }>(`SELECT action FROM audit_entries WHERE entity_type = 'indicator_reference' ORDER BY seq DESC LIMIT 1`);
    expect(entry.action).toBe('indicator_reference.created');
    expectProblem(
      await t
        .http()
        .put('/api/v1/reports/indicator-references/2030')
        .set(bearer(admin))
        .send({ effectiveHours: -1, externalHours: 1, fullUseHours: 1, source: 'x' }),
      400,
    );
    // put the national values back for the other tests
    await t.sql(`DELETE FROM indicator_references WHERE year = 2030`);
  });

  it('indicators read the daily snapshots for finished days, with the same figures', async () => {
    const q1 = `from=${encodeURIComponent(Y0)}&to=${encodeURIComponent(sh('2030-04-01T00:00'))}`;
    const live = await indicators(official, q1);
    expect(live.snapshotDays).toBe(0);
    const { ReportSnapshotsService } = await import('../src/reports/report-snapshots.service');
    const run = await t.app.get(ReportSnapshotsService).rebuild('2030-01-01', '2030-04-01');
    expect(run.days).toHaveLength(90);
    const snap = await indicators(official, q1);
    expect(snap.snapshotDays).toBe(90);
    expect({ ...snap, snapshotDays: 0 }).toEqual({ ...live, snapshotDays: 0 });
  }, 120_000);
});
