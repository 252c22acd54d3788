import { parse } from 'csv-parse/sync';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { Clock } from '../src/common/clock';
import { JobsService } from '../src/jobs/jobs.service';
import { ReportSnapshotsService } from '../src/reports/report-snapshots.service';
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
 *   Units are never added together: F has a row in hours (R1) and one in GPU card-hours (R2).
 *   F, hour (R1): available 14, held 6, used 4 → utilisation 0.2857, booking rate 0.4286
 *      started: b5, b3 = 2, no-shows 1 → 0.5; decided: b5 (70 h), b3 (1 h), b4 (24 h, rejected) → 2/3 = 0.6667, median 24
 *      SME used 0 (u4 is sme2's) → 0; per stage pilot 4; enterprises served 1; income 8000
 *   F, gpu_hour (R2): available 480, held 36, used 32 → utilisation 0.0667, booking rate 0.075
 *      started: b2, g1 (b1 started before the period) = 2, no-shows 0 → 0; decided: b2 (3 h) → 1/1, median 3
 *      SME used: u1 4 + u3 4 = 8 → 8/32 = 0.25; per stage lab 4, industrialisation 24, unassigned 4
 *      enterprises served: 2; income 1600 + 2400 = 4000
 * Facility G (operator-dalian, verification_centre, Dalian 210200, new_energy)
 *   R3 exclusive, daily 09–17                                    available 16
 *      c1 completed Mon 09–11, SME, lab_validation, 5000 fen; u5 (c1) 2 unit-hours      held 2, used 2, income 5000
 * Everything (official), per unit: hour (R1 + R3) available 30, held 8, used 6, income 13000, 2 enterprises, 3 started;
 * gpu_hour (R2) available 480, held 36, used 32, income 4000, 2 enterprises, 2 started.
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
                             price_fen, list_price_fen, discount_percent, decided_by, decided_at, created_at, service_category)
       VALUES ($1, $2, $3, $4, tstzrange($5, $6), tstzrange($5, $6), $7, $8, $9, $10, '报表测试 report test', $11, $11, 0, $12, $13, $14,
               CASE WHEN $7 THEN 'process_scale_up' ELSE 'compute' END) RETURNING id`,
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
       VALUES ($1, $2, $3, $4, $5, $6, (SELECT unit FROM resources WHERE id = $1), $7, 'manual', 'test', now(), $8) RETURNING id`,
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
    unit: string;
    availableUnitHours: number | null;
    heldUnitHours: number;
    usedUnitHours: number;
    from: string;
    to: string;
    drillDown: Record<'bookings' | 'started' | 'noShows' | 'decisions' | 'income', string | null> & { usage: string };
  };
  type Report = { rows: Row[]; totals: Row[]; snapshotDays: number; source: string };
  const report = async (token: string, query: string) => (await get(`/reports/utilisation?${period}&${query}`, token).expect(200)).body as Report;
  const rowOf = (rows: Row[], key: string, unit = 'hour') => {
    const row = rows.find((r) => r.key === key && r.unit === unit);
    if (!row) throw new Error(`no row ${key} ${unit}`);
    return row;
  };
  const totalOf = (body: Report, unit = 'hour') => rowOf(body.totals, 'total', unit);

  it('every figure of a facility, by hand, one row per unit', async () => {
    const { rows } = await report(official, 'groupBy=facility');
    expect(rowOf(rows, facF, 'hour')).toMatchObject({
      labelZh: '测试·报表设施',
      availableUnitHours: 14,
      heldUnitHours: 6,
      usedUnitHours: 4,
      utilisation: 0.2857,
      bookingRate: 0.4286,
      bookingsStarted: 2,
      noShows: 1,
      noShowRate: 0.5,
      decided: 3,
      approved: 2,
      approvalRate: 0.6667,
      medianDecisionHours: 24,
      smeUsedUnitHours: 0,
      smeShare: 0,
      usedByStage: { lab_validation: 0, pilot_maturation: 4, industrialisation: 0, unassigned: 0 },
      enterprisesServed: 1,
      incomeFen: 8000,
    });
    expect(rowOf(rows, facF, 'gpu_hour')).toMatchObject({
      availableUnitHours: 480,
      heldUnitHours: 36,
      usedUnitHours: 32,
      utilisation: 0.0667,
      bookingRate: 0.075,
      bookingsStarted: 2,
      noShows: 0,
      noShowRate: 0,
      decided: 1,
      approved: 1,
      approvalRate: 1,
      medianDecisionHours: 3,
      smeUsedUnitHours: 8,
      smeShare: 0.25,
      usedByStage: { lab_validation: 4, pilot_maturation: 0, industrialisation: 24, unassigned: 4 },
      enterprisesServed: 2,
      incomeFen: 4000,
    });
    expect(rows.filter((r) => r.key === facF)).toHaveLength(2);
  });

  it('per resource: opening gaps and maintenance, a pooled GPU resource', async () => {
    const body = await report(official, 'groupBy=resource');
    const { rows } = body;
    expect(rowOf(rows, r1)).toMatchObject({
      availableUnitHours: 14,
      heldUnitHours: 6,
      usedUnitHours: 4,
      utilisation: 0.2857,
      bookingRate: 0.4286,
      incomeFen: 8000,
    });
    expect(rowOf(rows, r2, 'gpu_hour')).toMatchObject({
      availableUnitHours: 480,
      heldUnitHours: 36,
      usedUnitHours: 32,
      utilisation: 0.0667,
      bookingRate: 0.075,
      incomeFen: 4000,
    });
    expect(rowOf(rows, r3)).toMatchObject({ availableUnitHours: 16, heldUnitHours: 2, usedUnitHours: 2, incomeFen: 5000 });
    // everything, each resource once, per unit: hours R1 + R3, GPU card-hours R2 (and the demo catalogue's units, all 0)
    expect(body.totals.map((t) => t.unit)).toEqual(['core_hour', 'gpu_hour', 'hour', 'run']);
    expect(totalOf(body, 'core_hour')).toMatchObject({ availableUnitHours: 0, usedUnitHours: 0 });
    expect(totalOf(body, 'hour')).toMatchObject({
      availableUnitHours: 30,
      heldUnitHours: 8,
      usedUnitHours: 6,
      incomeFen: 13000,
      enterprisesServed: 2,
      bookingsStarted: 3,
    });
    expect(totalOf(body, 'gpu_hour')).toMatchObject({
      availableUnitHours: 480,
      heldUnitHours: 36,
      usedUnitHours: 32,
      incomeFen: 4000,
      enterprisesServed: 2,
      bookingsStarted: 2,
    });
  });

  it('per direction: a facility counts in each of its directions; the total counts it once', async () => {
    const body = await report(official, 'groupBy=direction');
    const { rows } = body;
    expect(rowOf(rows, 'new_materials')).toMatchObject({ labelZh: '新材料', labelEn: 'New materials', availableUnitHours: 14, usedUnitHours: 4 });
    expect(rowOf(rows, 'new_materials', 'gpu_hour')).toMatchObject({ availableUnitHours: 480, usedUnitHours: 32 });
    expect(rowOf(rows, 'artificial_intelligence')).toMatchObject({ availableUnitHours: 14, usedUnitHours: 4 });
    expect(rowOf(rows, 'new_energy')).toMatchObject({ availableUnitHours: 16, usedUnitHours: 2 });
    expect(totalOf(body).availableUnitHours).toBe(30);
    const filtered = await report(official, 'groupBy=facility&direction=new_energy');
    expect(filtered.rows.map((r) => r.key)).toContain(facG);
    expect(filtered.rows.map((r) => r.key)).not.toContain(facF);
  });

  it('per city, kind, operator and stage', async () => {
    expect(rowOf((await report(official, 'groupBy=city')).rows, '210100', 'gpu_hour')).toMatchObject({
      labelZh: '沈阳',
      labelEn: 'Shenyang',
      usedUnitHours: 32,
    });
    expect(rowOf((await report(official, 'groupBy=kind')).rows, 'verification_centre')).toMatchObject({
      labelZh: '检验检测验证中心',
      labelEn: 'Test and verification centre',
      usedUnitHours: 2,
    });
    expect(rowOf((await report(official, 'groupBy=operator')).rows, operatorOrg)).toMatchObject({ availableUnitHours: 14, heldUnitHours: 6 });
    const stages = (await report(official, 'groupBy=stage')).rows;
    // stage rows: no available hours; lab in hours: b3 2 + c1 2 = 4 held, used 2; in GPU card-hours b1 8 held, u1 4 used
    expect(rowOf(stages, 'lab_validation')).toMatchObject({
      labelZh: '实验验证',
      availableUnitHours: null,
      utilisation: null,
      heldUnitHours: 4,
      usedUnitHours: 2,
    });
    expect(rowOf(stages, 'lab_validation', 'gpu_hour')).toMatchObject({ heldUnitHours: 8, usedUnitHours: 4 });
    expect(rowOf(stages, 'unassigned', 'gpu_hour')).toMatchObject({ heldUnitHours: 0, usedUnitHours: 4, drillDown: { bookings: null } });
  });

  it('per month: each month its part of the period (Asia/Shanghai)', async () => {
    // [Thu 02-28 00:00, Wed 03-06 00:00): February is Thursday 28th alone
    const q = `from=${encodeURIComponent(sh('2030-02-28T00:00'))}&to=${encodeURIComponent(TO)}&groupBy=month&facilityId=${facF}`;
    const body = (await get(`/reports/utilisation?${q}`, official).expect(200)).body as Report;
    expect(body.rows.map((r) => `${r.key} ${r.unit}`)).toEqual(['2030-02 gpu_hour', '2030-02 hour', '2030-03 gpu_hour', '2030-03 hour']);
    // February: R1 Thu 8 h, R2 10 × 24 = 240; nothing booked
    expect(rowOf(body.rows, '2030-02')).toMatchObject({
      labelZh: '2030年2月',
      from: new Date(sh('2030-02-28T00:00')).toISOString(),
      to: new Date(sh('2030-03-01T00:00')).toISOString(),
      availableUnitHours: 8,
      heldUnitHours: 0,
    });
    expect(rowOf(body.rows, '2030-02', 'gpu_hour')).toMatchObject({ availableUnitHours: 240, heldUnitHours: 0 });
    // March 1–5: R1 Fri 8 + Mon 8 + Tue 6 = 22, held and used as for Monday–Tuesday; R2 10 × 120 = 1200, and
    // b1 (Sun 22:00 – Mon 02:00) and u1 now lie wholly inside: held 36 − 8 + 16 = 44, used 32 − 4 + 8 = 36
    expect(rowOf(body.rows, '2030-03')).toMatchObject({ availableUnitHours: 22, heldUnitHours: 6, usedUnitHours: 4, incomeFen: 8000 });
    expect(rowOf(body.rows, '2030-03', 'gpu_hour')).toMatchObject({ availableUnitHours: 1200, heldUnitHours: 44, usedUnitHours: 36, incomeFen: 4000 });
    expect(totalOf(body, 'gpu_hour')).toMatchObject({ availableUnitHours: 1440, heldUnitHours: 44, usedUnitHours: 36 });
    expect(totalOf(body, 'hour')).toMatchObject({ availableUnitHours: 30, heldUnitHours: 6, usedUnitHours: 4 });
  });

  it('role scoping: an operator its facilities; an enterprise 403 there and its own at my-usage', async () => {
    const own = await report(operator, 'groupBy=facility');
    expect(own.rows.map((r) => r.key)).toContain(facF);
    expect(own.rows.map((r) => r.key)).not.toContain(facG);
    expect(totalOf(own)).toMatchObject({ availableUnitHours: 14, usedUnitHours: 4 });
    expect(totalOf(own, 'gpu_hour')).toMatchObject({ availableUnitHours: 480, usedUnitHours: 32 });
    const theirs = await report(dalian, 'groupBy=facility');
    expect(theirs.rows.map((r) => r.key)).toContain(facG);
    expect(theirs.rows.map((r) => r.key)).not.toContain(facF);
    expect(totalOf(theirs)).toMatchObject({ availableUnitHours: 16, usedUnitHours: 2 });
    expect(theirs.totals.filter((x) => x.unit !== 'hour').every((x) => x.usedUnitHours === 0 && x.availableUnitHours === 0)).toBe(true);
    // another operator's facility named: nothing of it
    const foreign = await report(operator, `groupBy=facility&facilityId=${facG}`);
    expect(foreign.rows).toEqual([]);
    expect(foreign.totals).toEqual([]);
    // the operator's own drill-down: the records it may list, the same counts
    const f = rowOf(own.rows, facF, 'gpu_hour');
    expect((await get(f.drillDown.bookings!, operator).expect(200)).body.total).toBe(3); // b1, b2, g1
    expect((await get(f.drillDown.usage, operator).expect(200)).body.total).toBe(3); // u1, u2b, u3 (u2a superseded)
    expect((await get(rowOf(own.rows, facF).drillDown.bookings!, operator).expect(200)).body.total).toBe(2); // b5, b3 (b4 rejected is not counted)
    expect(totalOf(await report(admin, 'groupBy=facility')).availableUnitHours).toBe(30);
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
    // the rows, then a total per unit
    expect(records).toHaveLength(json.rows.length + json.totals.length);
    expect(records.slice(-4).map((r) => [r['分组 key'], r['计量单位 unit'], r['名称 name (zh)']])).toEqual([
      ['total', 'core_hour', '合计'],
      ['total', 'gpu_hour', '合计'],
      ['total', 'hour', '合计'],
      ['total', 'run', '合计'],
    ]);
    expect(Number(records.at(-2)!['使用单位小时 used unit-hours'])).toBe(totalOf(json).usedUnitHours);
    for (const [id, unit] of [
      [r1, 'hour'],
      [r2, 'gpu_hour'],
      [r3, 'hour'],
    ]) {
      const csv = records.find((r) => r['分组 key'] === id)!;
      const row = rowOf(json.rows, id, unit);
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
    for (const [groupBy, key, unit] of [
      ['resource', r2, 'gpu_hour'],
      ['facility', facF, 'hour'],
      ['facility', facF, 'gpu_hour'],
      ['direction', 'artificial_intelligence', 'gpu_hour'],
      ['stage', 'industrialisation', 'gpu_hour'],
      ['city', '210200', 'hour'],
    ] as const) {
      const row = rowOf((await report(official, `groupBy=${groupBy}`)).rows, key, unit);
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
    const unassigned = rowOf((await report(official, 'groupBy=stage')).rows, 'unassigned', 'gpu_hour');
    const usage = (await get(unassigned.drillDown.usage, official).expect(200)).body as { items: Array<{ bookingId: string | null }> };
    expect(usage.items).toHaveLength(1);
    expect(usage.items[0].bookingId).toBeNull();
  });

  it('drill-down of the counts: started, no-shows, decisions and income list exactly the bookings behind them', async () => {
    const hour = rowOf((await report(official, 'groupBy=facility')).rows, facF, 'hour');
    const list = async (link: string | null) =>
      ((await get(link!, official).expect(200)).body as { items: Array<{ state: string; price: { fen: number } }> }).items;
    expect(await list(hour.drillDown.started)).toHaveLength(hour.bookingsStarted as number); // b5, b3
    expect((await list(hour.drillDown.noShows)).map((b) => b.state)).toEqual(['no_show']);
    const decisions = await list(hour.drillDown.decisions); // b5, b3, b4 (rejected)
    expect(decisions).toHaveLength(hour.decided as number);
    expect(decisions.filter((b) => b.state !== 'rejected')).toHaveLength(hour.approved as number);
    const gpu = rowOf((await report(official, 'groupBy=facility')).rows, facF, 'gpu_hour');
    const income = await list(gpu.drillDown.income); // b1, g1 (b2 ends after the period)
    expect(income.reduce((a, b) => a + b.price.fen, 0)).toBe(gpu.incomeFen);
    expect(await list(gpu.drillDown.decisions)).toHaveLength(1); // b2; g1 was approved automatically: no decision
  });

  describe('daily snapshots', () => {
    const groups = ['resource', 'facility', 'operator', 'city', 'kind', 'direction', 'stage', 'month'];
    /** Every groupBy, as official and as operator: the snapshot path and the raw path give the same report. */
    async function expectSnapshotsEqualRaw(query: string, snapshotDays: number) {
      for (const token of [official, operator]) {
        for (const groupBy of groups) {
          const q = `${query}&groupBy=${groupBy}`;
          const snap = (await get(`/reports/utilisation?${q}`, token).expect(200)).body as Report;
          const raw = (await get(`/reports/utilisation?${q}&source=raw`, token).expect(200)).body as Report;
          expect({ groupBy, snapshotDays: snap.snapshotDays, source: snap.source }).toEqual({ groupBy, snapshotDays, source: 'snapshots' });
          expect({ groupBy, raw: raw.snapshotDays }).toEqual({ groupBy, raw: 0 });
          expect({ ...snap, source: 'x', snapshotDays: 0 }).toEqual({ ...raw, source: 'x', snapshotDays: 0 });
        }
      }
    }
    const wide = `from=${encodeURIComponent(sh('2030-03-01T06:30'))}&to=${encodeURIComponent(sh('2030-03-06T12:00'))}`;

    it('the days of the period are built from the same facts: snapshot and raw figures are identical', async () => {
      // nothing built yet: everything is live
      expect((await report(official, 'groupBy=facility')).snapshotDays).toBe(0);
      const run = await t.app.get(ReportSnapshotsService).rebuild('2030-03-01', '2030-03-08');
      // 03-06 is today (the clock says 12:00) and 03-07 is ahead: only finished days are built
      expect(run.days).toEqual(['2030-03-01', '2030-03-02', '2030-03-03', '2030-03-04', '2030-03-05']);
      expect((await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM report_day_facts WHERE day = '2030-03-04'`))[0].n).toBeGreaterThan(5);
      const fresh = await report(official, 'groupBy=facility');
      expect(fresh.snapshotDays).toBe(2);
      expect(rowOf(fresh.rows, facF, 'hour')).toMatchObject({
        availableUnitHours: 14,
        heldUnitHours: 6,
        usedUnitHours: 4,
        medianDecisionHours: 24,
        enterprisesServed: 1,
      });
      await expectSnapshotsEqualRaw(period, 2);
      // a period with partial days at both ends and today: 03-02 … 03-05 from snapshots, the edges and today live
      await expectSnapshotsEqualRaw(wide, 4);
    }, 120_000);

    it('a late correction marks its day stale: the report stays exact at once, and the next run rebuilds the day', async () => {
      const [u3] = await t.sql<{ id: string }>(`SELECT id FROM usage_records WHERE resource_id = $1 AND booking_id IS NULL AND superseded_by IS NULL`, [r2]);
      // u3 (Tue 22:00 – Wed 02:00, 8 unit-hours) corrected to 16 unit-hours by the operator: Tuesday's half is now 8
      const corrected = await post(`/usage/corrections/${u3.id}`, operator, { unitHours: 16, note: '补录 late correction' });
      expect(corrected.status).toBe(201);
      expect((await t.sql<{ day: string }>(`SELECT DISTINCT day::text AS day FROM report_day_changes ORDER BY 1`)).map((r) => r.day)).toEqual(
        expect.arrayContaining(['2030-03-05']),
      );
      const stale = await report(official, 'groupBy=facility');
      expect(stale.snapshotDays).toBe(1); // 03-04 only; 03-05 is live until rebuilt
      expect(rowOf(stale.rows, facF, 'gpu_hour')).toMatchObject({ usedUnitHours: 36, usedByStage: expect.objectContaining({ unassigned: 8 }) });
      await expectSnapshotsEqualRaw(period, 1);
      // a finished day's booking changed behind the API's back (an operator's late no-show): also marked
      await t.sql(`UPDATE bookings SET state = 'completed' WHERE resource_id = $1 AND state = 'no_show'`, [r1]);
      expect((await report(official, 'groupBy=facility')).snapshotDays).toBe(0);
      await expectSnapshotsEqualRaw(period, 0);

      const run = await t.app.get(JobsService).run('report-snapshots');
      expect(run).toEqual(expect.objectContaining({ job: 'report-snapshots', ran: true }));
      expect(run.changed).toEqual(expect.arrayContaining(['2030-03-04', '2030-03-05']));
      expect((await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM report_day_changes WHERE day < '2030-03-06'`))[0].n).toBe(0);
      await expectSnapshotsEqualRaw(period, 2);
      const rebuilt = await report(official, 'groupBy=facility');
      expect(rowOf(rebuilt.rows, facF, 'hour')).toMatchObject({ noShows: 0, bookingsStarted: 2 });
      expect(rowOf(rebuilt.rows, facF, 'gpu_hour')).toMatchObject({ usedUnitHours: 36 });
      // put the data set back for the other tests
      await t.sql(`UPDATE bookings SET state = 'no_show' WHERE resource_id = $1 AND state = 'completed' AND lower(period) = $2`, [r1, sh('2030-03-04T13:00')]);
    }, 120_000);

    it('the job takes the lock like the other jobs: a second builder skips while one runs', async () => {
      const service = t.app.get(ReportSnapshotsService);
      const holder = new Client({ connectionString: t.databaseUrl });
      await holder.connect();
      try {
        await holder.query(`SELECT pg_advisory_lock(7316100, 7)`);
        expect(await service.refresh()).toEqual({ ran: false, days: [], factRows: 0 });
      } finally {
        await holder.query(`SELECT pg_advisory_unlock(7316100, 7)`);
        await holder.end();
      }
    });

    it('npm run cli -- rebuild-snapshots: a range of finished days with progress, and clear errors', () => {
      const cli = join(resolve(__dirname, '..'), 'dist', 'cli.js');
      const env = { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'warn' };
      // the CLI runs on the real clock: days of last month are finished
      const day = (offset: number) => new Date(Date.now() + 8 * H + offset * 24 * H).toISOString().slice(0, 10);
      const res = spawnSync(process.execPath, [cli, 'rebuild-snapshots', '--from', day(-5), '--to', day(-2)], { env, encoding: 'utf8', timeout: 60_000 });
      expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/rebuild-snapshots: 3 days, \d+ fact rows/) });
      expect(res.stderr).toMatch(/3\/3 days/);
      expect(JSON.parse(res.stdout)).toEqual(expect.objectContaining({ days: 3, first: day(-5), last: day(-3) }));
      const bad = spawnSync(process.execPath, [cli, 'rebuild-snapshots', '--from', '2026-02-30', '--to', day(0)], { env, encoding: 'utf8' });
      expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('--from must be a date YYYY-MM-DD') });
      const missing = spawnSync(process.execPath, [cli, 'rebuild-snapshots', '--from', day(-3)], { env, encoding: 'utf8' });
      expect({ status: missing.status, stderr: missing.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('rebuild-snapshots needs --from') });
    }, 90_000);
  });
});
