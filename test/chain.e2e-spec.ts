import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { ChainProjects1764210800000 } from '../src/database/migrations/1764210800000-ChainProjects';
import { DemoSeeder } from '../src/database/seed/demo-seeder';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const sh = (local: string) => `${local}:00+08:00`;
/** Monday 2030-01-07 10:00 in Shanghai: "today" is 2030-01-07. */
const NOW = sh('2030-01-07T10:00');
const MISSING = '00000000-0000-4000-8000-000000000000';

interface Project {
  id: string;
  titleZh: string;
  titleEn: string | null;
  stage: string;
  stageEnteredOn: string;
  startedOn: string;
  direction: string;
  organisation: { id: string; cityCode: string | null; cityNameEn: string | null };
  history: Array<{ stage: string; enteredOn: string; leftOn: string | null; move: string; evidence: string | null; reason: string | null; by: string | null }>;
}

describe('chain projects (lab → pilot → industry)', () => {
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
  let facA: string; // operator, pilot platform
  let facB: string; // operator, intelligent computing centre
  let facC: string; // operator-dalian, verification centre
  let resA: string; // exclusive, 100 yuan/h, 20 % SME discount, approval required
  let resB: string; // pooled (100 GPUs), 2 yuan per GPU-hour, no approval
  let resC: string; // exclusive, 50 yuan/h, approval required

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const get = (path: string, token: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const post = (path: string, token: string, body: Record<string, unknown> = {}) => t.http().post(`/api/v1${path}`).set(bearer(token)).send(body);
  const clock = () => t.app.get(Clock);

  async function login() {
    [sme, sme2, operator, dalian, official, admin] = await Promise.all(
      ['sme', 'sme2', 'operator', 'operator-dalian', 'official', 'admin'].map((name) => t.login(`${name}@demo.local`)),
    );
  }
  async function setNow(instant: string) {
    clock().freeze(new Date(instant));
    await login();
  }
  async function project(token: string, body: Record<string, unknown> = {}): Promise<Project> {
    const r = await post('/projects', token, {
      titleZh: '测试·链项目',
      titleEn: 'Test chain project',
      direction: 'new_materials',
      startedOn: '2030-01-02',
      ...body,
    });
    if (r.status !== 201) throw new Error(`project: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
  async function facility(token: string, body: Record<string, unknown>) {
    const r = await post('/facilities', token, {
      nameZh: '测试·链设施',
      nameEn: 'Test chain facility',
      address: '测试路2号',
      directions: ['new_materials'],
      stages: ['lab_validation', 'pilot_maturation'],
      ...body,
    });
    if (r.status !== 201) throw new Error(`facility: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  async function resource(token: string, body: Record<string, unknown>) {
    const r = await post('/resources', token, {
      nameZh: '测试·链设备',
      nameEn: 'Test chain equipment',
      mode: 'exclusive',
      unit: 'hour',
      leadTimeMinutes: 0,
      horizonDays: 60,
      minDurationMinutes: 60,
      maxDurationMinutes: 600,
      approvalRequired: true,
      openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
      ...body,
    });
    if (r.status !== 201) throw new Error(`resource: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  }
  // resB (a GPU pool of an intelligent-computing centre) is a compute resource: its category defaults to compute
  const book = (token: string, resourceId: string, from: string, to: string, extra: Record<string, unknown> = {}) =>
    post('/bookings', token, {
      resourceId,
      startsAt: sh(from),
      endsAt: sh(to),
      purpose: '链测试 chain test',
      ...(resourceId === resB ? {} : { serviceCategory: resourceId === resC ? 'type_testing' : 'process_scale_up' }),
      ...extra,
    });
  async function booked(token: string, resourceId: string, from: string, to: string, extra: Record<string, unknown> = {}) {
    const r = await book(token, resourceId, from, to, extra);
    if (r.status !== 201) throw new Error(`booking: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: string; stage: string; projectId: string | null; state: string; price: { fen: number } };
  }
  async function act(token: string, id: string, action: string, body: Record<string, unknown> = {}) {
    const r = await post(`/bookings/${id}/${action}`, token, body);
    if (r.status !== 200) throw new Error(`${action}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const auditOf = (projectId: string) =>
    t.sql<{ action: string; data: Record<string, unknown>; actor_user_id: string | null; organisation_id: string }>(
      `SELECT action, data, actor_user_id, organisation_id FROM audit_entries WHERE entity_type = 'project' AND entity_id = $1 ORDER BY seq`,
      [projectId],
    );
  const historyRows = (projectId: string) =>
    t.sql<{ stage: string; entered_on: string; left_on: string | null }>(
      `SELECT stage, entered_on::text, left_on::text FROM project_stage_history WHERE project_id = $1 ORDER BY id`,
      [projectId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    await setNow(NOW);
    const me = async (token: string) => (await get('/me', token).expect(200)).body as { id: string; organisationId: string };
    ({ id: smeUser, organisationId: smeOrg } = await me(sme));
    sme2Org = (await me(sme2)).organisationId;
    facA = await facility(operator, { kind: 'pilot_platform', cityCode: '210100' });
    facB = await facility(operator, { kind: 'intelligent_computing_centre', cityCode: '210100' });
    facC = await facility(dalian, { kind: 'verification_centre', cityCode: '210200' });
    resA = await resource(operator, {
      facilityId: facA,
      nameZh: '测试·中试线',
      nameEn: 'Test pilot line',
      pricePerUnitHourFen: 10_000,
      smeDiscountPercent: 20,
    });
    resB = await resource(operator, {
      facilityId: facB,
      nameZh: '测试·GPU池',
      nameEn: 'Test GPU pool',
      mode: 'pooled',
      capacity: 100,
      unit: 'gpu_hour',
      pricePerUnitHourFen: 200,
      approvalRequired: false,
    });
    resC = await resource(dalian, { facilityId: facC, nameZh: '测试·检测台', nameEn: 'Test bench', pricePerUnitHourFen: 5_000 });
  });
  afterAll(() => t.close());

  describe('creating and moving a project', () => {
    it('creates a project at lab_validation with one open history row and an audit entry', async () => {
      const p = await project(sme, { titleZh: '高熵合金粉末', titleEn: null, description: '实验室验证', startedOn: '2030-01-02' });
      expect(p).toMatchObject({
        titleZh: '高熵合金粉末',
        titleEn: null,
        description: '实验室验证',
        direction: 'new_materials',
        stage: 'lab_validation',
        stageEnteredOn: '2030-01-02',
        startedOn: '2030-01-02',
        organisation: { id: smeOrg, cityCode: '210100', cityNameEn: 'Shenyang' },
      });
      expect(p.history).toEqual([expect.objectContaining({ stage: 'lab_validation', enteredOn: '2030-01-02', leftOn: null, move: 'start', by: smeUser })]);
      const audit = await auditOf(p.id);
      expect(audit).toEqual([expect.objectContaining({ action: 'project.created', actor_user_id: smeUser, organisation_id: smeOrg })]);
      // startedOn defaults to today (Asia/Shanghai); a later stage can be given with its entry date
      const q = await project(sme, { startedOn: undefined });
      expect(q.startedOn).toBe('2030-01-07');
      const r = await project(sme, { stage: 'pilot_maturation', startedOn: '2029-06-01', stageEnteredOn: '2029-12-01' });
      expect(r).toMatchObject({ stage: 'pilot_maturation', stageEnteredOn: '2029-12-01', startedOn: '2029-06-01' });
    });

    it('refuses bad project input: dates in the future or invalid, stage entered before the start, other roles', async () => {
      const base = { titleZh: '项目', direction: 'new_energy' };
      expectProblem(await post('/projects', sme, { ...base, startedOn: '2030-01-08' }), 422, 'in_the_future');
      expectProblem(await post('/projects', sme, { ...base, startedOn: '2030-01-01', stageEnteredOn: '2029-12-31' }), 422, 'before_project_start');
      for (const startedOn of ['2030-02-30', '2030-1-5', '2030-01-05T00:00:00Z', 20300105]) {
        const body = expectProblem(await post('/projects', sme, { ...base, startedOn }), 400, 'validation_failed');
        expect(body.errors).toEqual([expect.objectContaining({ field: 'startedOn' })]);
      }
      expectProblem(await post('/projects', sme, { ...base, direction: 'mining' }), 400);
      expectProblem(await post('/projects', sme, { ...base, titleZh: '  ' }), 400);
      expectProblem(await post('/projects', sme, { ...base, stage: 'done' }), 400);
      expectProblem(await post('/projects', sme, { ...base, organisationId: sme2Org }), 400); // unknown field
      expectProblem(await post('/projects', operator, base), 403);
      expectProblem(await post('/projects', official, base), 403);
      // today is the date in Shanghai (10:00 +08:00 is 02:00Z: the same day in both here)
      expect((await project(sme, { startedOn: '2030-01-07' })).startedOn).toBe('2030-01-07');
    });

    it('advances to the end with evidence, keeps every move as history, refuses past the end with 409', async () => {
      const p = await project(sme, { startedOn: '2030-01-02' });
      expectProblem(await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-01', evidence: '报告' }), 422, 'before_stage_entry');
      expectProblem(await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-08', evidence: '报告' }), 422, 'in_the_future');
      const body = expectProblem(await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-05' }), 400, 'validation_failed');
      expect([...new Set(body.errors!.map((e) => e.field))]).toEqual(['evidence']);
      expectProblem(await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-05', evidence: '   ' }), 400, 'validation_failed');
      expectProblem(await post(`/projects/${p.id}/advance`, sme, { on: '2030-02-30', evidence: '报告' }), 400, 'validation_failed');
      expect(await historyRows(p.id)).toHaveLength(1);
      expect(await auditOf(p.id)).toHaveLength(1); // refused moves leave neither history nor audit

      let r = await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-02', evidence: '小试报告 lab report' }); // same day as entry: allowed
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ stage: 'pilot_maturation', stageEnteredOn: '2030-01-02' });
      r = await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-07', evidence: '首批订单 first order' });
      expect(r.body).toMatchObject({ stage: 'industrialisation', stageEnteredOn: '2030-01-07' });
      expect((r.body as Project).history).toEqual([
        expect.objectContaining({ stage: 'lab_validation', enteredOn: '2030-01-02', leftOn: '2030-01-02', move: 'start' }),
        expect.objectContaining({
          stage: 'pilot_maturation',
          enteredOn: '2030-01-02',
          leftOn: '2030-01-07',
          move: 'advance',
          evidence: '小试报告 lab report',
          by: smeUser,
        }),
        expect.objectContaining({ stage: 'industrialisation', enteredOn: '2030-01-07', leftOn: null, move: 'advance', evidence: '首批订单 first order' }),
      ]);
      const refused = expectProblem(await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-07', evidence: '再来' }), 409, 'last_stage');
      expect(refused.stage).toBe('industrialisation');
      expect((await get(`/projects/${p.id}`, sme).expect(200)).body.stage).toBe('industrialisation');

      // every move audited, with what it moved
      const audit = await auditOf(p.id);
      expect(audit.map((a) => a.action)).toEqual(['project.created', 'project.advanced', 'project.advanced']);
      expect(audit[1].data).toEqual({ from: 'lab_validation', to: 'pilot_maturation', on: '2030-01-02', evidence: '小试报告 lab report' });
      expect(audit[2]).toMatchObject({ actor_user_id: smeUser, organisation_id: smeOrg, data: { from: 'pilot_maturation', to: 'industrialisation' } });
      expect((await get('/audit/verify', official).expect(200)).body.valid).toBe(true);
    });

    it('reverts one stage only with a reason, and can advance again', async () => {
      const p = await project(sme, { startedOn: '2030-01-02' });
      expectProblem(await post(`/projects/${p.id}/revert`, sme, { on: '2030-01-03', reason: '样品失效' }), 409, 'first_stage');
      await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-04', evidence: '小试报告' }).expect(200);
      const body = expectProblem(await post(`/projects/${p.id}/revert`, sme, { on: '2030-01-05' }), 400, 'validation_failed');
      expect([...new Set(body.errors!.map((e) => e.field))]).toEqual(['reason']);
      expectProblem(await post(`/projects/${p.id}/revert`, sme, { on: '2030-01-05', reason: '' }), 400, 'validation_failed');
      expectProblem(await post(`/projects/${p.id}/revert`, sme, { on: '2030-01-03', reason: '放大失败' }), 422, 'before_stage_entry');
      expectProblem(await post(`/projects/${p.id}/revert`, sme, { on: '2030-01-09', reason: '放大失败' }), 422, 'in_the_future');
      expectProblem(await post(`/projects/${p.id}/revert`, sme, { on: '2030-01-05', evidence: 'x', reason: '放大失败' }), 400); // evidence is not a revert field
      const r = await post(`/projects/${p.id}/revert`, sme, { on: '2030-01-05', reason: '放大失败 scale-up failed' }).expect(200);
      expect(r.body).toMatchObject({ stage: 'lab_validation', stageEnteredOn: '2030-01-05' });
      expect(r.body.history[2]).toMatchObject({ stage: 'lab_validation', move: 'revert', reason: '放大失败 scale-up failed', evidence: null, leftOn: null });
      await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-07', evidence: '第二次小试' }).expect(200);
      expect(await historyRows(p.id)).toEqual([
        { stage: 'lab_validation', entered_on: '2030-01-02', left_on: '2030-01-04' },
        { stage: 'pilot_maturation', entered_on: '2030-01-04', left_on: '2030-01-05' },
        { stage: 'lab_validation', entered_on: '2030-01-05', left_on: '2030-01-07' },
        { stage: 'pilot_maturation', entered_on: '2030-01-07', left_on: null },
      ]);
      const audit = await auditOf(p.id);
      expect(audit.map((a) => a.action)).toEqual(['project.created', 'project.advanced', 'project.reverted', 'project.advanced']);
      expect(audit[2].data).toEqual({ from: 'pilot_maturation', to: 'lab_validation', on: '2030-01-05', reason: '放大失败 scale-up failed' });
    });

    it('concurrent moves of one project queue on its row: each sees the stage and entry date the other left', async () => {
      for (let round = 0; round < 5; round++) {
        const p = await project(sme, { startedOn: '2030-01-02' });
        const [late, early] = await Promise.all([
          post(`/projects/${p.id}/advance`, sme, { on: '2030-01-06', evidence: '晚' }),
          post(`/projects/${p.id}/advance`, sme, { on: '2030-01-04', evidence: '早' }),
        ]);
        const statuses = [late.status, early.status];
        // the early one first: both pass (pilot on the 4th, industry on the 6th); the late one first: the early one is before its entry
        if (statuses.every((s) => s === 200)) {
          expect((await get(`/projects/${p.id}`, sme).expect(200)).body).toMatchObject({ stage: 'industrialisation', stageEnteredOn: '2030-01-06' });
        } else {
          expect(statuses).toEqual([200, 422]);
          expect(early.body.code).toBe('before_stage_entry');
          expect((await get(`/projects/${p.id}`, sme).expect(200)).body).toMatchObject({ stage: 'pilot_maturation', stageEnteredOn: '2030-01-06' });
        }
        const [{ open }] = await t.sql<{ open: number }>(`SELECT count(*)::int AS open FROM project_stage_history WHERE project_id = $1 AND left_on IS NULL`, [
          p.id,
        ]);
        expect(open).toBe(1);
      }
    });

    it('takes "today" from the Clock: a day later, that day is allowed', async () => {
      const p = await project(sme, { startedOn: '2030-01-07' });
      expectProblem(await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-08', evidence: '报告' }), 422, 'in_the_future');
      await setNow(sh('2030-01-08T00:30')); // 2030-01-07T16:30Z: still the 7th in UTC, already the 8th in Shanghai
      await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-08', evidence: '报告' }).expect(200);
      await setNow(NOW);
    });

    it('updates descriptive fields only, audited with the changes', async () => {
      const p = await project(sme, { titleEn: 'Old title' });
      const r = await t
        .http()
        .patch(`/api/v1/projects/${p.id}`)
        .set(bearer(sme))
        .send({ titleZh: '新标题', titleEn: null, direction: 'life_health' })
        .expect(200);
      expect(r.body).toMatchObject({ titleZh: '新标题', titleEn: null, direction: 'life_health', stage: 'lab_validation' });
      const audit = await auditOf(p.id);
      expect(audit[1]).toMatchObject({
        action: 'project.updated',
        data: { changes: { titleZh: { to: '新标题' }, titleEn: { from: 'Old title', to: null }, direction: { to: 'life_health' } } },
      });
      expectProblem(await t.http().patch(`/api/v1/projects/${p.id}`).set(bearer(sme)).send({ stage: 'industrialisation' }), 400);
      expectProblem(await t.http().patch(`/api/v1/projects/${p.id}`).set(bearer(sme)).send({ startedOn: '2030-01-01' }), 400);
      await t.http().patch(`/api/v1/projects/${p.id}`).set(bearer(sme)).send({ titleZh: '新标题' }).expect(200); // no change: no entry
      expect(await auditOf(p.id)).toHaveLength(2);
    });

    it('the database keeps the rules: stage values, one open row, append-only history, one step at a time, stage = open row', async () => {
      const p = await project(sme, { startedOn: '2030-01-02' });
      await post(`/projects/${p.id}/advance`, sme, { on: '2030-01-03', evidence: '报告' }).expect(200);
      const refuses = (sql: string, error: RegExp, params: unknown[] = [p.id]) => expect(t.sql(sql, params)).rejects.toThrow(error);
      await refuses(`UPDATE project_stage_history SET evidence = 'forged' WHERE project_id = $1`, /append-only/);
      await refuses(`UPDATE project_stage_history SET left_on = '2030-01-05' WHERE project_id = $1 AND left_on IS NOT NULL`, /append-only/); // redate a closed row
      await refuses(`UPDATE project_stage_history SET left_on = NULL WHERE project_id = $1 AND left_on IS NOT NULL`, /append-only/); // reopen it
      await refuses(
        `UPDATE project_stage_history SET entered_on = '2030-01-01', left_on = '2030-01-05' WHERE project_id = $1 AND left_on IS NULL`,
        /append-only/,
      );
      await refuses(`DELETE FROM project_stage_history WHERE project_id = $1`, /append-only/);
      await refuses(`TRUNCATE project_stage_history CASCADE`, /append-only/, []);
      await refuses(
        `INSERT INTO project_stage_history (project_id, stage, entered_on, move, entered_at) VALUES ($1, 'pilot_maturation', '2030-01-04', 'start', now())`,
        /project_stage_history_one_open/,
      );
      await refuses(`UPDATE projects SET stage = 'finished' WHERE id = $1`, /check constraint/);
      await refuses(`UPDATE projects SET stage = 'industrialisation' WHERE id = $1`, /open history row is pilot_maturation/); // deferred: checked at commit
      await refuses(`UPDATE projects SET direction = 'mining' WHERE id = $1`, /check constraint/);
      await refuses(`UPDATE project_stage_history SET left_on = '2030-01-02' WHERE project_id = $1 AND left_on IS NULL`, /check constraint/); // left before entered
      await refuses(
        `INSERT INTO project_stage_history (project_id, stage, entered_on, move, entered_at) VALUES ($1, 'lab_validation', '2030-01-04', 'advance', now())`,
        /check constraint/,
      ); // an advance without evidence
      // a jump of two stages is refused even with a matching history
      const lab = await project(sme, { startedOn: '2030-01-02' });
      await refuses(
        `WITH c AS (UPDATE project_stage_history SET left_on = '2030-01-03' WHERE project_id = $1 AND left_on IS NULL RETURNING project_id),
              h AS (INSERT INTO project_stage_history (project_id, stage, entered_on, move, evidence, entered_at) SELECT project_id, 'industrialisation', '2030-01-03', 'advance', 'x', now() FROM c)
         UPDATE projects SET stage = 'industrialisation' WHERE id = $1`,
        /one stage at a time/,
        [lab.id],
      );
      // closing the open row is the one change allowed (the app does it with the move, in one transaction)
      await t.sql(
        `WITH c AS (UPDATE project_stage_history SET left_on = '2030-01-04' WHERE project_id = $1 AND left_on IS NULL RETURNING project_id),
              h AS (INSERT INTO project_stage_history (project_id, stage, entered_on, move, evidence, entered_at) SELECT project_id, 'industrialisation', '2030-01-04', 'advance', 'x', now() FROM c)
         UPDATE projects SET stage = 'industrialisation' WHERE id = $1`,
        [p.id],
      );
      expect((await get(`/projects/${p.id}`, sme).expect(200)).body).toMatchObject({ stage: 'industrialisation', stageEnteredOn: '2030-01-04' });
    });
  });

  describe('bookings name a project', () => {
    let own: Project;
    let other: Project;

    beforeAll(async () => {
      own = await project(sme, { titleZh: '自有项目', startedOn: '2030-01-02' });
      other = await project(sme2, { titleZh: '别人的项目', startedOn: '2030-01-02' });
    });

    it('an own project: the stage defaults to the project’s current stage; another stage is allowed and recorded', async () => {
      const a = await booked(sme, resA, '2030-01-20T09:00', '2030-01-20T10:00', { projectId: own.id });
      expect(a).toMatchObject({ stage: 'lab_validation', projectId: own.id });
      await post(`/projects/${own.id}/advance`, sme, { on: '2030-01-06', evidence: '报告' }).expect(200);
      const b = await booked(sme, resA, '2030-01-20T11:00', '2030-01-20T12:00', { projectId: own.id });
      expect(b.stage).toBe('pilot_maturation');
      const c = await booked(sme, resA, '2030-01-20T13:00', '2030-01-20T14:00', { projectId: own.id, stage: 'industrialisation' });
      expect(c.stage).toBe('industrialisation');
      const [entry] = await t.sql<{ data: Record<string, unknown> }>(`SELECT data FROM audit_entries WHERE action = 'booking.requested' AND entity_id = $1`, [
        c.id,
      ]);
      expect(entry.data).toMatchObject({ stage: 'industrialisation', projectId: own.id, projectStage: 'pilot_maturation' });
      expect((await get(`/bookings?projectId=${own.id}`, sme).expect(200)).body.total).toBe(3);
    });

    it('without a project the stage stays required', async () => {
      const body = expectProblem(await book(sme, resA, '2030-01-21T09:00', '2030-01-21T10:00'), 400, 'validation_failed');
      expect(body.errors).toEqual([expect.objectContaining({ field: 'stage' })]);
      expectProblem(await book(sme, resA, '2030-01-21T09:00', '2030-01-21T10:00', { projectId: null }), 400, 'validation_failed');
      expectProblem(await book(sme, resA, '2030-01-21T09:00', '2030-01-21T10:00', { projectId: own.id, stage: 'later' }), 400, 'validation_failed');
      expect((await booked(sme, resA, '2030-01-21T09:00', '2030-01-21T10:00', { stage: 'lab_validation' })).projectId).toBeNull();
    });

    it('another organisation’s project or an unknown id is 422 unknown_project, the same answer for both', async () => {
      const foreign = expectProblem(await book(sme, resA, '2030-01-22T09:00', '2030-01-22T10:00', { projectId: other.id }), 422, 'unknown_project');
      const unknown = expectProblem(await book(sme, resA, '2030-01-22T09:00', '2030-01-22T10:00', { projectId: MISSING }), 422, 'unknown_project');
      expect(foreign.detail).toBe(unknown.detail);
      expect(JSON.stringify(foreign)).not.toContain('别人的项目');
      expect(Object.keys(foreign).sort()).toEqual(Object.keys(unknown).sort());
      expectProblem(await book(sme, resA, '2030-01-22T09:00', '2030-01-22T10:00', { projectId: 'not-a-uuid', stage: 'lab_validation' }), 400);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE project_id = $1`, [other.id]);
      expect(n).toBe(0);
      // the database agrees: a booking can only name its own organisation's project
      const [row] = await t.sql<{ id: string }>(`SELECT id FROM bookings WHERE organisation_id = $1 LIMIT 1`, [smeOrg]);
      await expect(t.sql(`UPDATE bookings SET project_id = $2 WHERE id = $1`, [row.id, other.id])).rejects.toThrow(/bookings_project_fk/);
      await expect(t.sql(`UPDATE bookings SET project_id = $2 WHERE id = $1`, [row.id, MISSING])).rejects.toThrow(/bookings_project_fk/);
    });
  });

  describe('the chain view, on a hand-built project', () => {
    let pc: Project;
    let none: Project;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      await setNow(NOW);
      pc = await project(sme, { titleZh: '固态电池隔膜', direction: 'new_energy', startedOn: '2030-01-02' });
      none = await project(sme, { titleZh: '未预约项目', startedOn: '2030-01-02' });
      // lab (the project's stage, defaulted): pilot line 3 h, GPU pool 8 GPUs × 2 h
      ids.lab1 = (await booked(sme, resA, '2030-01-08T09:00', '2030-01-08T12:00', { projectId: pc.id })).id;
      ids.lab2 = (await booked(sme, resB, '2030-01-08T14:00', '2030-01-08T16:00', { projectId: pc.id, units: 8 })).id;
      // ahead of the project: a pilot-stage test bench run of 4 h in Dalian
      ids.pilot1 = (await booked(sme, resC, '2030-01-09T09:00', '2030-01-09T13:00', { projectId: pc.id, stage: 'pilot_maturation' })).id;
      // not counted: pending, cancelled, rejected
      ids.pending = (await booked(sme, resA, '2030-01-11T09:00', '2030-01-11T10:00', { projectId: pc.id })).id;
      ids.cancelled = (await booked(sme, resA, '2030-01-12T09:00', '2030-01-12T10:00', { projectId: pc.id })).id;
      await act(sme, ids.cancelled, 'cancel');
      ids.rejected = (await booked(sme, resC, '2030-01-12T09:00', '2030-01-12T10:00', { projectId: pc.id })).id;
      await act(dalian, ids.rejected, 'reject', { reason: '资料不全' });
      // the project reaches the pilot stage today; the next booking defaults to it: pilot line 2 h, approved, never used
      await post(`/projects/${pc.id}/advance`, sme, { on: '2030-01-07', evidence: '小试报告' }).expect(200);
      ids.pilot2 = (await booked(sme, resA, '2030-01-10T09:00', '2030-01-10T11:00', { projectId: pc.id })).id;
      await act(operator, ids.lab1, 'approve');
      await act(operator, ids.pilot2, 'approve');
      await act(dalian, ids.pilot1, 'approve');
      // use, with the clock moved: pilot line 09:00–11:30 (2.5 h of 3), GPUs 14:00–15:45 (8 × 1.75 h), bench 09:00–13:00 (4 h)
      await setNow(sh('2030-01-08T09:00'));
      await act(operator, ids.lab1, 'check-in');
      await setNow(sh('2030-01-08T11:30'));
      await act(operator, ids.lab1, 'check-out');
      await setNow(sh('2030-01-08T14:00'));
      await act(operator, ids.lab2, 'check-in');
      await setNow(sh('2030-01-08T15:45'));
      await act(operator, ids.lab2, 'check-out');
      await setNow(sh('2030-01-09T09:00'));
      await act(dalian, ids.pilot1, 'check-in');
      await setNow(sh('2030-01-09T13:00'));
      await act(dalian, ids.pilot1, 'check-out', { note: '完成' });
      await setNow(NOW);
    });

    it('gives per stage: dates, facilities and resources, booked and used unit-hours, cost in fen; and totals', async () => {
      const r = await get(`/projects/${pc.id}/chain`, sme).expect(200);
      const view = r.body;
      expect(view.project).toMatchObject({ id: pc.id, stage: 'pilot_maturation' });
      expect(view.stages.map((s: { stage: string }) => s.stage)).toEqual(['lab_validation', 'pilot_maturation', 'industrialisation']);
      const [lab, pilot, industry] = view.stages;

      // pilot line: 100 yuan/h × 3 h = 30,000 fen, less 20 % SME discount = 24,000 fen; used 11:30 − 09:00 = 2.5 h
      // GPU pool: 8 × 2 h = 16 GPU-hours × 200 fen = 3,200 fen (no discount); used 8 × 1.75 h = 14
      expect(lab).toMatchObject({
        stage: 'lab_validation',
        current: false,
        enteredOn: '2030-01-02',
        leftOn: '2030-01-07',
        periods: [{ enteredOn: '2030-01-02', leftOn: '2030-01-07' }],
        bookings: 2,
        bookedUnitHours: 3 + 16,
        usedUnitHours: 2.5 + 14,
        costFen: 24_000 + 3_200,
      });
      expect(lab.facilities).toHaveLength(2);
      const labA = lab.facilities.find((f: { id: string }) => f.id === facA);
      expect(labA).toMatchObject({ kind: 'pilot_platform', cityCode: '210100', bookings: 1, bookedUnitHours: 3, usedUnitHours: 2.5, costFen: 24_000 });
      expect(labA.resources).toEqual([
        { id: resA, nameZh: '测试·中试线', nameEn: 'Test pilot line', unit: 'hour', bookings: 1, bookedUnitHours: 3, usedUnitHours: 2.5, costFen: 24_000 },
      ]);
      expect(lab.facilities.find((f: { id: string }) => f.id === facB).resources).toEqual([
        { id: resB, nameZh: '测试·GPU池', nameEn: 'Test GPU pool', unit: 'gpu_hour', bookings: 1, bookedUnitHours: 16, usedUnitHours: 14, costFen: 3_200 },
      ]);

      // bench: 50 yuan/h × 4 h = 20,000 fen, used 4 h; pilot line 2 h approved and not used: booked 2, used 0, cost 0
      expect(pilot).toMatchObject({
        stage: 'pilot_maturation',
        current: true,
        enteredOn: '2030-01-07',
        leftOn: null,
        periods: [{ enteredOn: '2030-01-07', leftOn: null }],
        bookings: 2,
        bookedUnitHours: 4 + 2,
        usedUnitHours: 4,
        costFen: 20_000,
      });
      expect(pilot.facilities.map((f: { id: string }) => f.id).sort()).toEqual([facA, facC].sort());
      expect(pilot.facilities.find((f: { id: string }) => f.id === facA)).toMatchObject({ bookings: 1, bookedUnitHours: 2, usedUnitHours: 0, costFen: 0 });
      expect(pilot.facilities.find((f: { id: string }) => f.id === facC)).toMatchObject({
        cityCode: '210200',
        bookings: 1,
        bookedUnitHours: 4,
        usedUnitHours: 4,
        costFen: 20_000,
      });

      expect(industry).toEqual({
        stage: 'industrialisation',
        current: false,
        enteredOn: null,
        leftOn: null,
        periods: [],
        bookings: 0,
        bookedUnitHours: 0,
        usedUnitHours: 0,
        costFen: 0,
        facilities: [],
      });
      expect(view.totals).toEqual({ bookings: 4, bookedUnitHours: 25, usedUnitHours: 20.5, costFen: 47_200, facilities: 3, resources: 3 });

      // the figures follow the rows: the prices are the bookings' own
      const [{ fen }] = await t.sql<{ fen: string }>(`SELECT sum(price_fen)::text AS fen FROM bookings WHERE project_id = $1 AND state = 'completed'`, [pc.id]);
      expect(Number(fen)).toBe(47_200);
    });

    it('officials and admins see the whole chain; an operator only its own facilities’ bookings in it', async () => {
      const all = (await get(`/projects/${pc.id}/chain`, official).expect(200)).body;
      expect(all.totals).toEqual({ bookings: 4, bookedUnitHours: 25, usedUnitHours: 20.5, costFen: 47_200, facilities: 3, resources: 3 });
      expect((await get(`/projects/${pc.id}/chain`, admin).expect(200)).body.totals.costFen).toBe(47_200);
      const op = (await get(`/projects/${pc.id}/chain`, operator).expect(200)).body;
      expect(op.totals).toEqual({ bookings: 3, bookedUnitHours: 21, usedUnitHours: 16.5, costFen: 27_200, facilities: 2, resources: 2 });
      const dl = (await get(`/projects/${pc.id}/chain`, dalian).expect(200)).body;
      expect(dl.totals).toEqual({ bookings: 1, bookedUnitHours: 4, usedUnitHours: 4, costFen: 20_000, facilities: 1, resources: 1 });
      expect(dl.stages[0].bookings).toBe(0);
      // an empty project: three stages of zeros
      const empty = (await get(`/projects/${none.id}/chain`, sme).expect(200)).body;
      expect(empty.totals).toEqual({ bookings: 0, bookedUnitHours: 0, usedUnitHours: 0, costFen: 0, facilities: 0, resources: 0 });
      expect(empty.stages[0]).toMatchObject({ current: true, enteredOn: '2030-01-02', leftOn: null });
    });

    it('tenant isolation: another SME gets 404; operators see the projects that booked their facilities; officials read all but cannot move', async () => {
      for (const path of [`/projects/${pc.id}`, `/projects/${pc.id}/chain`]) expectProblem(await get(path, sme2), 404);
      expectProblem(await post(`/projects/${pc.id}/advance`, sme2, { on: '2030-01-07', evidence: 'x' }), 404);
      expectProblem(await post(`/projects/${pc.id}/revert`, sme2, { on: '2030-01-07', reason: 'x' }), 404);
      expectProblem(await t.http().patch(`/api/v1/projects/${pc.id}`).set(bearer(sme2)).send({ titleZh: '抢' }), 404);
      expectProblem(await get(`/projects/${MISSING}`, sme), 404);
      expectProblem(await get(`/projects/not-a-uuid`, sme), 400);

      const listed = async (token: string, query = '') => {
        const r = await get(`/projects?limit=200${query}`, token).expect(200);
        return { ids: (r.body.items as Project[]).map((p) => p.id), total: r.body.total as number, items: r.body.items as Project[] };
      };
      const smeList = await listed(sme);
      expect(smeList.ids).toEqual(expect.arrayContaining([pc.id, none.id]));
      expect(smeList.items.every((p) => p.organisation.id === smeOrg)).toBe(true);
      expect((await listed(sme2)).items.every((p) => p.organisation.id === sme2Org)).toBe(true);
      expect((await listed(sme2)).ids).not.toContain(pc.id);

      // operator: pc booked its facilities; `none` did not
      expect((await get(`/projects/${pc.id}`, operator).expect(200)).body.id).toBe(pc.id);
      expectProblem(await get(`/projects/${none.id}`, operator), 404);
      expectProblem(await get(`/projects/${none.id}/chain`, operator), 404);
      const opList = await listed(operator);
      expect(opList.ids).toContain(pc.id);
      expect(opList.ids).not.toContain(none.id);
      const [{ n }] = await t.sql<{ n: number }>(
        `SELECT count(DISTINCT b.project_id)::int AS n FROM bookings b JOIN facilities f ON f.id = b.facility_id JOIN organisations o ON o.id = f.operator_id
          JOIN users u ON u.organisation_id = o.id WHERE u.email = 'operator@demo.local' AND b.project_id IS NOT NULL`,
      );
      expect(opList.total).toBe(n);
      expect((await listed(dalian)).ids).toEqual([pc.id]); // only pc booked the Dalian bench
      expectProblem(await post(`/projects/${pc.id}/advance`, operator, { on: '2030-01-07', evidence: 'x' }), 403);

      // officials and admins read all, and cannot move or edit
      const [{ total }] = await t.sql<{ total: number }>(`SELECT count(*)::int AS total FROM projects`);
      expect((await listed(official)).total).toBe(total);
      expect((await listed(admin)).total).toBe(total);
      expect((await get(`/projects/${pc.id}`, official).expect(200)).body.history).toHaveLength(2);
      expectProblem(await post(`/projects/${pc.id}/advance`, official, { on: '2030-01-07', evidence: 'x' }), 403);
      expectProblem(await post(`/projects/${pc.id}/revert`, official, { on: '2030-01-07', reason: 'x' }), 403);
      expectProblem(await t.http().patch(`/api/v1/projects/${pc.id}`).set(bearer(official)).send({ titleZh: 'x' }), 403);
      expectProblem(await post(`/projects/${pc.id}/advance`, admin, { on: '2030-01-07', evidence: 'x' }), 403);
      expect((await get(`/projects/${pc.id}`, sme).expect(200)).body.stage).toBe('pilot_maturation');
    });

    it('lists with filters (direction, stage, city of the enterprise, organisation) and pages in a stable order', async () => {
      const q = async (query: string, token = official) =>
        (await get(`/projects?limit=200&${query}`, token).expect(200)).body as { items: Project[]; total: number };
      expect((await q('direction=new_energy')).items.every((p) => p.direction === 'new_energy')).toBe(true);
      expect((await q('direction=new_energy')).items.map((p) => p.id)).toContain(pc.id);
      expect((await q('stage=industrialisation')).items.every((p) => p.stage === 'industrialisation')).toBe(true);
      expect((await q('stage=pilot_maturation')).items.map((p) => p.id)).toContain(pc.id);
      const dalianCity = await q('city=210200');
      expect(dalianCity.total).toBeGreaterThan(0);
      expect(dalianCity.items.every((p) => p.organisation.id === sme2Org)).toBe(true);
      expect((await q(`organisationId=${sme2Org}`)).total).toBe(dalianCity.total);
      expect((await q(`organisationId=${sme2Org}`, sme)).total).toBe(0);
      expect((await q('city=210100&direction=new_energy&stage=pilot_maturation')).items.map((p) => p.id)).toContain(pc.id);
      for (const bad of ['direction=mining', 'stage=done', 'city=999999', 'organisationId=x', 'limit=0', 'limit=201']) {
        expectProblem(await get(`/projects?${bad}`, official), 400);
      }
      const all = await q('');
      const pages: string[] = [];
      for (let offset = 0; offset < all.total; offset += 3) {
        pages.push(...((await get(`/projects?limit=3&offset=${offset}`, official).expect(200)).body.items as Project[]).map((p) => p.id));
      }
      expect(pages).toEqual(all.items.map((p) => p.id));
    });
  });

  it('the demo seed gives sme@demo.local two projects, once', async () => {
    const demo = (await get('/projects?limit=200', sme).expect(200)).body.items.filter((p: Project) => p.titleZh.startsWith('演示·'));
    expect(demo.map((p: Project) => p.stage).sort()).toEqual(['lab_validation', 'pilot_maturation']);
    const before = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM projects`);
    expect((await t.app.get(DemoSeeder).seed()).projects).toBe(0);
    expect(await t.sql(`SELECT count(*)::int AS n FROM projects`)).toEqual(before);
  });

  // Last: it takes the chain tables down and up again.
  it('the migration keeps dangling project ids aside, sets them to NULL and adds the foreign key (down, then up, with bookings that name projects)', async () => {
    const [{ n: named }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE project_id IS NOT NULL`);
    expect(named).toBeGreaterThan(5);
    const before = await t.sql<{ id: string; project_id: string }>(`SELECT id, project_id FROM bookings WHERE project_id IS NOT NULL ORDER BY id`);
    const migration = new ChainProjects1764210800000();
    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner); // the projects are gone; the bookings' ids now point nowhere, as before this issue
      await runner.commitTransaction();
      expect(await t.sql(`SELECT count(*)::int AS n FROM bookings WHERE project_id IS NOT NULL`)).toEqual([{ n: named }]);
      await runner.startTransaction();
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await t.sql(`SELECT count(*)::int AS n FROM bookings WHERE project_id IS NOT NULL`)).toEqual([{ n: 0 }]);
    expect(await t.sql(`SELECT booking_id::text AS id, project_ref::text AS project_id FROM bookings_dropped_project_refs ORDER BY booking_id`)).toEqual(
      before,
    );
    expectProblem(await book(sme, resA, '2030-01-25T09:00', '2030-01-25T10:00', { projectId: before[0].project_id }), 422, 'unknown_project');
    const fresh = await project(sme);
    expect((await booked(sme, resA, '2030-01-25T09:00', '2030-01-25T10:00', { projectId: fresh.id })).stage).toBe('lab_validation');
  });
});
