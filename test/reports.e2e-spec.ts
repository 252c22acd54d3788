import { parse } from 'csv-parse/sync';
import { Clock } from '../src/common/clock';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const sh = (local: string) => `${local}:00+08:00`;
/** "Now": Wednesday 2030-03-06 12:00 in Shanghai, after the period. */
const NOW = sh('2030-03-06T12:00');
/** The period: Monday 2030-03-04 and Tuesday 2030-03-05, Shanghai. */
const FROM = sh('2030-03-04T00:00');
const TO = sh('2030-03-06T00:00');
const H = 3_600_000;

/**
 * The hand-built data set (all times Shanghai; the demo catalogue's resources lose their opening hours, so they count 0):
 *
 * Facility F (operator@demo.local, pilot_platform, Shenyang 210100, directions new_materials + artificial_intelligence)
 *   R1 exclusive line, Mon–Fri 08–12 and 13–17 (a lunch gap), maintenance Tue 08–10
 *      available = Mon 8 h + Tue (8 − 2) h = 14
 *      b5 completed Mon 08–12, non-SME, pilot_maturation, 8000 fen; created Fri 03-01 09:00, decided Mon 07:00 (70 h)  held 4, income 8000
 *      b3 no_show   Mon 13–15, SME, lab_validation; created Mon 10:00, decided Mon 11:00 (1 h)                        held 2
 *      b4 rejected  Tue 10–12, SME; created Mon 07:00, decided Tue 07:00 (24 h)                                      held 0
 *      u4 (b5) 08–12, 4 unit-hours                                                                                   used 4
 *   R2 pooled GPUs, capacity 10, open 24 h                       available = 10 × 48 = 480
 *      b1 completed Sun 22:00 – Mon 02:00, 4 GPUs, SME, lab_validation, 1600 fen (clipped at the start)  held 2 h × 4 = 8, income 1600
 *      b2 completed Tue 22:00 – Wed 02:00, 2 GPUs, non-SME, pilot_maturation, 1600 fen (clipped at the end): held 2 h × 2 = 4,
 *         no income (ends after the period); created Mon 09:00, decided Mon 12:00 (3 h)
 *      g1 completed Mon 00–06, 4 GPUs, non-SME, industrialisation, 2400 fen, no approval                    held 24, income 2400
 *      u1 (b1) Sun 22:00 – Mon 02:00, 8 unit-hours → half in the period                                    used 4
 *      u2a (g1) 30 unit-hours, superseded by u2b (g1) 24 unit-hours                                       used 24
 *      u3 (no booking) Tue 22:00 – Wed 02:00, SME, 8 unit-hours → half                                    used 4 (unassigned)
 *   F: available 494, held 42, used 36 → utilisation 36/494 = 0.0729, booking rate 42/494 = 0.085
 *      started: b5, b3, b2, g1 (b1 started before the period) = 4, no-shows 1 → 0.25
 *      decided in the period: b5 (70 h), b3 (1 h), b4 (24 h, rejected), b2 (3 h) → 3/4 = 0.75, median (3 + 24)/2 = 13.5
 *      SME used: u1 4 + u3 4 = 8 → 8/36 = 0.2222; per stage lab 4, pilot 4, industrialisation 24, unassigned 4
 *      enterprises served: 2; income 1600 + 8000 + 2400 = 12000
 * Facility G (operator-dalian, verification_centre, Dalian 210200, new_energy)
 *   R3 exclusive, daily 09–17                                    available 16
 *      c1 completed Mon 09–11, SME, lab_validation, 5000 fen; u5 (c1) 2 unit-hours      held 2, used 2, income 5000
 * Everything (official): available 510, held 44, used 38, income 17000.
 */
describe('reports: utilisation figures', () => {
  let t: TestApp;
  let sme: string;
  let sme2: string;
  let operator: string;
  let dalian: string;
  let official: string;
  let admin: string;
  let smeOrg: string;
  let sme2Org: string;
  let smeUser: string;
  let sme2User: string;
  let operatorUser: string;
  let operatorOrg: string;
  let facF: string;
  let facG: string;
  let r1: string;
  let r2: string;
  let r3: string;

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const get = (path: string, token: string) =>
    t
      .http()
      .get(path.startsWith('/api/') ? path : `/api/v1${path}`)
      .set(bearer(token));
  const post = (path: string, token: string, body: Record<string, unknown> = {}) => t.http().post(`/api/v1${path}`).set(bearer(token)).send(body);
  const period = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;

  async function facility(token: string, body: Record<string, unknown>) {
    const r = await post('/facilities', token, {
      nameZh: '测试·报表设施',
      nameEn: 'Report facility',
      address: '测试路3号',
      stages: ['lab_validation', 'pilot_maturation'],
      ...body,
    });
    if (r.status !== 201) throw new Error(`facility: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  async function resource(token: string, body: Record<string, unknown>) {
    const r = await post('/resources', token, {
      nameZh: '测试·报表设备',
      nameEn: 'Report equipment',
      mode: 'exclusive',
      unit: 'hour',
      leadTimeMinutes: 0,
      horizonDays: 60,
      minDurationMinutes: 60,
      maxDurationMinutes: 600,
      approvalRequired: true,
      pricePerUnitHourFen: 1000,
      ...body,
    });
    if (r.status !== 201) throw new Error(`resource: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  async function booking(b: {
    resource: string;
    facility: string;
    org: string;
    user: string;
    from: string;
    to: string;
    units?: number;
    state: string;
    stage: string;
    priceFen: number;
    createdAt?: string;
    decidedAt?: string;
  }) {
    const exclusive = b.resource !== r2;
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO bookings (resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, state, stage, purpose,
                             price_fen, list_price_fen, discount_percent, decided_by, decided_at, created_at)
       VALUES ($1, $2, $3, $4, tstzrange($5, $6), tstzrange($5, $6), $7, $8, $9, $10, '报表测试 report test', $11, $11, 0, $12, $13, $14) RETURNING id`,
      [
        b.resource,
        b.facility,
        b.org,
        b.user,
        sh(b.from),
        sh(b.to),
        exclusive,
        b.units ?? 1,
        b.state,
        b.stage,
        b.priceFen,
        b.decidedAt ? operatorUser : null,
        b.decidedAt ? sh(b.decidedAt) : null,
        sh(b.createdAt ?? '2030-03-01T09:00'),
      ],
    );
    return row.id;
  }
  async function usage(u: {
    resource: string;
    facility: string;
    org: string;
    booking: string | null;
    from: string;
    to: string;
    unitHours: number;
    supersedes?: string;
  }) {
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO usage_records (resource_id, facility_id, organisation_id, booking_id, starts_at, ends_at, unit, unit_hours, source, recorded_by_label, recorded_at, supersedes)
       VALUES ($1, $2, $3, $4, $5, $6, 'hour', $7, 'manual', 'test', now(), $8) RETURNING id`,
      [u.resource, u.facility, u.org, u.booking, sh(u.from), sh(u.to), u.unitHours, u.supersedes ?? null],
    );
    if (u.supersedes) await t.sql(`UPDATE usage_records SET superseded_by = $2, superseded_at = now() WHERE id = $1`, [u.supersedes, row.id]);
    return row.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(Clock).freeze(new Date(NOW));
    [sme, sme2, operator, dalian, official, admin] = await Promise.all(
      ['sme', 'sme2', 'operator', 'operator-dalian', 'official', 'admin'].map((name) => t.login(`${name}@demo.local`)),
    );
    const me = async (token: string) => (await get('/me', token).expect(200)).body as { id: string; organisationId: string };
    ({ id: smeUser, organisationId: smeOrg } = await me(sme));
    ({ id: sme2User, organisationId: sme2Org } = await me(sme2));
    ({ id: operatorUser, organisationId: operatorOrg } = await me(operator));
    // sme2's enterprise is the non-SME one of the data set
    await t.sql(`UPDATE organisations SET sme = true WHERE id = $1`, [smeOrg]);
    await t.sql(`UPDATE organisations SET sme = false WHERE id = $1`, [sme2Org]);

    facF = await facility(operator, { kind: 'pilot_platform', cityCode: '210100', directions: ['new_materials', 'artificial_intelligence'] });
    facG = await facility(dalian, { kind: 'verification_centre', cityCode: '210200', directions: ['new_energy'] });
    const weekdays = [1, 2, 3, 4, 5].flatMap((weekday) => [
      { weekday, opens: '08:00', closes: '12:00' },
      { weekday, opens: '13:00', closes: '17:00' },
    ]);
    r1 = await resource(operator, { facilityId: facF, nameZh: '报表·中试线', nameEn: 'Report line', openingHours: weekdays });
    r2 = await resource(operator, {
      facilityId: facF,
      nameZh: '报表·GPU池',
      nameEn: 'Report GPU pool',
      mode: 'pooled',
      capacity: 10,
      unit: 'gpu_hour',
      approvalRequired: false,
      openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
    });
    r3 = await resource(dalian, {
      facilityId: facG,
      openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '09:00', closes: '17:00' })),
    });
    // the demo catalogue counts nothing: no opening hours (and it has no bookings or usage)
    await t.sql(`DELETE FROM opening_hours WHERE resource_id <> ALL($1::uuid[])`, [[r1, r2, r3]]);
    await t.sql(`INSERT INTO maintenance_windows (resource_id, period, reason) VALUES ($1, tstzrange($2, $3), '检修 service')`, [
      r1,
      sh('2030-03-05T08:00'),
      sh('2030-03-05T10:00'),
    ]);

    const F = { facility: facF };
    const S = { org: smeOrg, user: smeUser };
    const N = { org: sme2Org, user: sme2User };
    const b5 = await booking({
      ...F,
      ...N,
      resource: r1,
      from: '2030-03-04T08:00',
      to: '2030-03-04T12:00',
      state: 'completed',
      stage: 'pilot_maturation',
      priceFen: 8000,
      createdAt: '2030-03-01T09:00',
      decidedAt: '2030-03-04T07:00',
    });
    await booking({
      ...F,
      ...S,
      resource: r1,
      from: '2030-03-04T13:00',
      to: '2030-03-04T15:00',
      state: 'no_show',
      stage: 'lab_validation',
      priceFen: 2000,
      createdAt: '2030-03-04T10:00',
      decidedAt: '2030-03-04T11:00',
    });
    await booking({
      ...F,
      ...S,
      resource: r1,
      from: '2030-03-05T10:00',
      to: '2030-03-05T12:00',
      state: 'rejected',
      stage: 'lab_validation',
      priceFen: 2000,
      createdAt: '2030-03-04T07:00',
      decidedAt: '2030-03-05T07:00',
    });
    const b1 = await booking({
      ...F,
      ...S,
      resource: r2,
      from: '2030-03-03T22:00',
      to: '2030-03-04T02:00',
      units: 4,
      state: 'completed',
      stage: 'lab_validation',
      priceFen: 1600,
    });
    await booking({
      ...F,
      ...N,
      resource: r2,
      from: '2030-03-05T22:00',
      to: '2030-03-06T02:00',
      units: 2,
      state: 'completed',
      stage: 'pilot_maturation',
      priceFen: 1600,
      createdAt: '2030-03-04T09:00',
      decidedAt: '2030-03-04T12:00',
    });
    const g1 = await booking({
      ...F,
      ...N,
      resource: r2,
      from: '2030-03-04T00:00',
      to: '2030-03-04T06:00',
      units: 4,
      state: 'completed',
      stage: 'industrialisation',
      priceFen: 2400,
    });
    await usage({ ...F, org: sme2Org, resource: r1, booking: b5, from: '2030-03-04T08:00', to: '2030-03-04T12:00', unitHours: 4 });
    await usage({ ...F, org: smeOrg, resource: r2, booking: b1, from: '2030-03-03T22:00', to: '2030-03-04T02:00', unitHours: 8 });
    const u2a = await usage({ ...F, org: sme2Org, resource: r2, booking: g1, from: '2030-03-04T00:00', to: '2030-03-04T06:00', unitHours: 30 });
    await usage({ ...F, org: sme2Org, resource: r2, booking: g1, from: '2030-03-04T00:00', to: '2030-03-04T06:00', unitHours: 24, supersedes: u2a });
    await usage({ ...F, org: smeOrg, resource: r2, booking: null, from: '2030-03-05T22:00', to: '2030-03-06T02:00', unitHours: 8 });
    const c1 = await booking({
      facility: facG,
      ...S,
      resource: r3,
      from: '2030-03-04T09:00',
      to: '2030-03-04T11:00',
      state: 'completed',
      stage: 'lab_validation',
      priceFen: 5000,
    });
    await usage({ facility: facG, org: smeOrg, resource: r3, booking: c1, from: '2030-03-04T09:00', to: '2030-03-04T11:00', unitHours: 2 });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  type Row = Record<string, unknown> & {
    key: string;
    availableUnitHours: number | null;
    heldUnitHours: number;
    usedUnitHours: number;
    from: string;
    to: string;
    drillDown: { bookings: string | null; usage: string };
  };
  const report = async (token: string, query: string) =>
    (await get(`/reports/utilisation?${period}&${query}`, token).expect(200)).body as { rows: Row[]; total: Row };
  const rowOf = (rows: Row[], key: string) => {
    const row = rows.find((r) => r.key === key);
    if (!row) throw new Error(`no row ${key}`);
    return row;
  };

  it('every figure of a facility, by hand', async () => {
    const { rows } = await report(official, 'groupBy=facility');
    expect(rowOf(rows, facF)).toMatchObject({
      labelZh: '测试·报表设施',
      availableUnitHours: 494,
      heldUnitHours: 42,
      usedUnitHours: 36,
      utilisation: 0.0729,
      bookingRate: 0.085,
      bookingsStarted: 4,
      noShows: 1,
      noShowRate: 0.25,
      decided: 4,
      approved: 3,
      approvalRate: 0.75,
      medianDecisionHours: 13.5,
      smeUsedUnitHours: 8,
      smeShare: 0.2222,
      usedByStage: { lab_validation: 4, pilot_maturation: 4, industrialisation: 24, unassigned: 4 },
      enterprisesServed: 2,
      incomeFen: 12000,
    });
  });

  it('per resource: opening gaps and maintenance, a pooled GPU resource', async () => {
    const { rows, total } = await report(official, 'groupBy=resource');
    expect(rowOf(rows, r1)).toMatchObject({
      availableUnitHours: 14,
      heldUnitHours: 6,
      usedUnitHours: 4,
      utilisation: 0.2857,
      bookingRate: 0.4286,
      incomeFen: 8000,
    });
    expect(rowOf(rows, r2)).toMatchObject({
      availableUnitHours: 480,
      heldUnitHours: 36,
      usedUnitHours: 32,
      utilisation: 0.0667,
      bookingRate: 0.075,
      incomeFen: 4000,
    });
    expect(rowOf(rows, r3)).toMatchObject({ availableUnitHours: 16, heldUnitHours: 2, usedUnitHours: 2, incomeFen: 5000 });
    // everything, each resource once: 494 + 16, 42 + 2, 36 + 2; 3 enterprises? no: sme and sme2 → 2
    expect(total).toMatchObject({ availableUnitHours: 510, heldUnitHours: 44, usedUnitHours: 38, incomeFen: 17000, enterprisesServed: 2, bookingsStarted: 5 });
  });

  it('per direction: a facility counts in each of its directions; the total counts it once', async () => {
    const { rows, total } = await report(official, 'groupBy=direction');
    expect(rowOf(rows, 'new_materials')).toMatchObject({ availableUnitHours: 494, usedUnitHours: 36 });
    expect(rowOf(rows, 'artificial_intelligence')).toMatchObject({ availableUnitHours: 494, usedUnitHours: 36 });
    expect(rowOf(rows, 'new_energy')).toMatchObject({ availableUnitHours: 16, usedUnitHours: 2 });
    expect(total.availableUnitHours).toBe(510);
    const filtered = await report(official, 'groupBy=facility&direction=new_energy');
    expect(filtered.rows.map((r) => r.key)).toContain(facG);
    expect(filtered.rows.map((r) => r.key)).not.toContain(facF);
  });

  it('per city, kind, operator and stage', async () => {
    expect(rowOf((await report(official, 'groupBy=city')).rows, '210100')).toMatchObject({ labelZh: '沈阳', labelEn: 'Shenyang', usedUnitHours: 36 });
    expect(rowOf((await report(official, 'groupBy=kind')).rows, 'verification_centre')).toMatchObject({ usedUnitHours: 2 });
    expect(rowOf((await report(official, 'groupBy=operator')).rows, operatorOrg)).toMatchObject({ availableUnitHours: 494, heldUnitHours: 42 });
    const stages = (await report(official, 'groupBy=stage')).rows;
    // stage rows: no available hours; lab: b3 2 + b1 8 + c1 2 = 12 held, used 4 + 2 = 6
    expect(rowOf(stages, 'lab_validation')).toMatchObject({ availableUnitHours: null, utilisation: null, heldUnitHours: 12, usedUnitHours: 6 });
    expect(rowOf(stages, 'unassigned')).toMatchObject({ heldUnitHours: 0, usedUnitHours: 4, drillDown: { bookings: null } });
  });

  it('per month: each month its part of the period (Asia/Shanghai)', async () => {
    // [Thu 02-28 00:00, Wed 03-06 00:00): February is Thursday 28th alone
    const q = `from=${encodeURIComponent(sh('2030-02-28T00:00'))}&to=${encodeURIComponent(TO)}&groupBy=month&facilityId=${facF}`;
    const body = (await get(`/reports/utilisation?${q}`, official).expect(200)).body as { rows: Row[]; total: Row };
    expect(body.rows.map((r) => r.key)).toEqual(['2030-02', '2030-03']);
    // February: R1 Thu 8 h, R2 10 × 24 = 240 → 248; nothing booked
    expect(body.rows[0]).toMatchObject({
      from: new Date(sh('2030-02-28T00:00')).toISOString(),
      to: new Date(sh('2030-03-01T00:00')).toISOString(),
      availableUnitHours: 248,
      heldUnitHours: 0,
    });
    // March 1–5: R1 Fri 8 + Mon 8 + Tue 6 = 22, R2 10 × 120 = 1200 → 1222; held and used as for Monday–Tuesday, except that
    // b1 (Sun 22:00 – Mon 02:00) and u1 now lie wholly inside: held 42 − 8 + 16 = 50, used 36 − 4 + 8 = 40
    expect(body.rows[1]).toMatchObject({ availableUnitHours: 1222, heldUnitHours: 50, usedUnitHours: 40, incomeFen: 12000 });
    expect(body.total).toMatchObject({ availableUnitHours: 1470, heldUnitHours: 50, usedUnitHours: 40 });
  });

  it('role scoping: an operator its facilities; an enterprise 403 there and its own at my-usage', async () => {
    const own = await report(operator, 'groupBy=facility');
    expect(own.rows.map((r) => r.key)).toContain(facF);
    expect(own.rows.map((r) => r.key)).not.toContain(facG);
    expect(own.total).toMatchObject({ availableUnitHours: 494, usedUnitHours: 36 });
    const theirs = await report(dalian, 'groupBy=facility');
    expect(theirs.rows.map((r) => r.key)).toContain(facG);
    expect(theirs.rows.map((r) => r.key)).not.toContain(facF);
    expect(theirs.total).toMatchObject({ availableUnitHours: 16, usedUnitHours: 2 });
    // another operator's facility named: nothing of it
    const foreign = await report(operator, `groupBy=facility&facilityId=${facG}`);
    expect(foreign.rows).toEqual([]);
    expect(foreign.total).toMatchObject({ availableUnitHours: 0, heldUnitHours: 0, usedUnitHours: 0, incomeFen: 0 });
    // the operator's own drill-down: the records it may list, the same counts
    const f = rowOf(own.rows, facF);
    expect((await get(f.drillDown.bookings!, operator).expect(200)).body.total).toBe(5); // b5, b3, b1, b2, g1 (b4 rejected is not counted)
    expect((await get(f.drillDown.usage, operator).expect(200)).body.total).toBe(4); // u4, u1, u2b, u3 (u2a superseded)
    expect((await report(admin, 'groupBy=facility')).total.availableUnitHours).toBe(510);
    expectProblem(await get(`/reports/utilisation?${period}`, sme), 403);
    expectProblem(await get(`/reports/my-usage?${period}`, official), 403);

    const mine = (await get(`/reports/my-usage?${period}`, sme).expect(200)).body as {
      rows: Array<{ resourceId: string; stage: string; heldUnitHours: number; usedUnitHours: number; spendFen: number }>;
      total: Record<string, number>;
    };
    // sme: b3 (R1 lab, held 2), b1 + u1 (R2 lab, 8 / 4, 1600), u3 (R2 unassigned, used 4), c1 + u5 (R3 lab, 2 / 2, 5000); b4 rejected is no hold
    expect(mine.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resourceId: r1, stage: 'lab_validation', heldUnitHours: 2, usedUnitHours: 0, spendFen: 0 }),
        expect.objectContaining({ resourceId: r2, stage: 'lab_validation', heldUnitHours: 8, usedUnitHours: 4, spendFen: 1600 }),
        expect.objectContaining({ resourceId: r2, stage: 'unassigned', heldUnitHours: 0, usedUnitHours: 4, spendFen: 0 }),
        expect.objectContaining({ resourceId: r3, stage: 'lab_validation', heldUnitHours: 2, usedUnitHours: 2, spendFen: 5000 }),
      ]),
    );
    expect(mine.rows).toHaveLength(4);
    expect(mine.total).toEqual({ heldUnitHours: 12, usedUnitHours: 10, spendFen: 6600 });
  });

  it('refuses a period that ends before it starts, and unknown groups', async () => {
    expectProblem(await get(`/reports/utilisation?from=${encodeURIComponent(TO)}&to=${encodeURIComponent(FROM)}`, official), 400);
    expectProblem(await get(`/reports/utilisation?${period}&groupBy=planet`, official), 400);
  });

  it('CSV: BOM, Chinese and English headers, the same numbers as JSON', async () => {
    const json = await report(official, 'groupBy=resource');
    const res = await get(`/reports/utilisation?${period}&groupBy=resource&format=csv`, official)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(Object.keys(records[0])).toEqual(
      expect.arrayContaining(['分组 key', '利用率 utilisation', '可用单位小时 available unit-hours', '收入(分) income (fen)']),
    );
    expect(records).toHaveLength(json.rows.length);
    for (const id of [r1, r2, r3]) {
      const csv = records.find((r) => r['分组 key'] === id)!;
      const row = rowOf(json.rows, id);
      expect(Number(csv['可用单位小时 available unit-hours'])).toBe(row.availableUnitHours);
      expect(Number(csv['使用单位小时 used unit-hours'])).toBe(row.usedUnitHours);
      expect(Number(csv['预约单位小时 held unit-hours'])).toBe(row.heldUnitHours);
      expect(Number(csv['利用率 utilisation'])).toBe(row.utilisation);
      expect(Number(csv['收入(分) income (fen)'])).toBe(row.incomeFen);
    }
  });

  it('drill-down: the links list the records that sum back to the row', async () => {
    const start = new Date(FROM).getTime();
    const end = new Date(TO).getTime();
    const clip = (a: string, b: string) => Math.max(0, Math.min(end, new Date(b).getTime()) - Math.max(start, new Date(a).getTime())) / H;
    const round = (n: number) => Math.round(n * 10_000) / 10_000;
    for (const [groupBy, key] of [
      ['resource', r2],
      ['facility', facF],
      ['direction', 'artificial_intelligence'],
      ['stage', 'industrialisation'],
      ['city', '210200'],
    ] as const) {
      const row = rowOf((await report(official, `groupBy=${groupBy}`)).rows, key);
      const bookings = (await get(row.drillDown.bookings!, official).expect(200)).body as {
        items: Array<{ startsAt: string; endsAt: string; units: number; state: string }>;
      };
      const held = round(bookings.items.reduce((a, b) => a + b.units * clip(b.startsAt, b.endsAt), 0));
      expect({ groupBy, held }).toEqual({ groupBy, held: row.heldUnitHours });
      const usage = (await get(row.drillDown.usage, official).expect(200)).body as { items: Array<{ startsAt: string; endsAt: string; unitHours: number }> };
      const used = round(
        usage.items.reduce((a, u) => {
          const length = new Date(u.endsAt).getTime() - new Date(u.startsAt).getTime();
          return a + (length === 0 ? u.unitHours : (u.unitHours * clip(u.startsAt, u.endsAt) * H) / length);
        }, 0),
      );
      expect({ groupBy, used }).toEqual({ groupBy, used: row.usedUnitHours });
    }
    // the unassigned stage: usage without a booking
    const unassigned = rowOf((await report(official, 'groupBy=stage')).rows, 'unassigned');
    const usage = (await get(unassigned.drillDown.usage, official).expect(200)).body as { items: Array<{ bookingId: string | null }> };
    expect(usage.items).toHaveLength(1);
    expect(usage.items[0].bookingId).toBeNull();
  });
});
