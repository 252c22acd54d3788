import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { Clock } from '../src/common/clock';
import { SACCT_UPLOAD_DIR } from '../src/usage/usage.controller';
import { writeSacctFile } from './helpers/sacct-generator';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const SAMPLE = join(__dirname, 'fixtures', 'sacct-sample.txt');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));
const HOUR = 3_600_000;

/**
 * The sample (test/fixtures/sacct-sample.txt), by hand. Line 1 is the header (columns in an unusual
 * order, with JobName extra). Mappings: sme-xincai → sme@demo.local's enterprise, sme-qingneng →
 * sme2's; partition gpu-a100 → the GPU pool (gpu_hour), cpu → the CPU pool (core_hour).
 *
 * GPU-hours = gres/gpu × ElapsedRaw / 3600:
 *   1001     4 × 7200 / 3600 = 8
 *   1003_1   1 × 2700 / 3600 = 0.75          (array task: a job of its own)
 *   1003_2   1 × 3600 / 3600 = 1             (TIMEOUT counts)
 *   1004+0   2 × 3600 / 3600 = 2             (heterogeneous component)
 *   1005     8 × 1200 / 3600 = 2.6667        (CANCELLED by 1234; 2.666… rounded to 4 decimals)
 *   1007     2 × 1800 / 3600 = 1             (NODE_FAIL; typed gres/gpu:a100=2)
 *   total    8 + 0.75 + 1 + 2 + 2.6667 + 1 = 15.4167
 * core-hours = cpu × ElapsedRaw / 3600:
 *   1002     64 × 1830 / 3600 = 32.5333      (FAILED)
 *   1004+1   32 × 3600 / 3600 = 32
 *   1006     10 × 360 / 3600 = 1             (OUT_OF_MEMORY)
 *   1020     16 × 3600 / 3600 = 16           (crosses local midnight)
 *   total    32.5333 + 32 + 1 + 16 = 81.5333
 * imported 10; steps 7 (1001.batch, 1001.extern, 1001.0, 1002.batch, 1003_2.batch, 1004+0.0, 1020.batch: their
 * own TRES would double the figures); pending 3 (1003_[3-5], 1009, 1010 cancelled before starting); running 1
 * (1008); zero 2 (1011 ran 0 s, 1021 no GPU on a GPU partition); unmapped 3 (unknown-lab × 2, partition debug × 1);
 * rejected 6 (lines 25–30). 10 + 7 + 3 + 1 + 2 + 3 + 6 = 32 data lines.
 * Per enterprise: sme-xincai GPU 8 + 0.75 + 1 + 1 = 10.75, cores 32.5333 + 16 = 48.5333;
 *                 sme-qingneng GPU 2 + 2.6667 = 4.6667, cores 32 + 1 = 33.
 */
describe('usage records and the Slurm accounting import (issue 9)', () => {
  let t: TestApp;
  let compute: string; // operator-compute@demo.local
  let operator: string; // operator@demo.local (another operator)
  let sme: string;
  let sme2: string;
  let official: string;
  let smeOrg: string;
  let sme2Org: string;
  let facilityId: string;
  let gpuPool: string;
  let cpuPool: string;
  let work: string;

  const upload = (token: string, file: string, fields: Record<string, string>) => {
    let req = t.http().post('/api/v1/usage/imports').set(bearer(token));
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', file);
  };
  const usage = (token: string, query: Record<string, unknown> = {}) => t.http().get('/api/v1/usage').query(query).set(bearer(token));
  async function createFacility(token: string, body: Record<string, unknown> = {}) {
    const res = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(token))
      .send({
        kind: 'intelligent_computing_centre',
        nameZh: '测试·智算中心',
        nameEn: 'Test AI Compute Centre',
        cityCode: '210100',
        address: '沈阳市浑南区测试路9号',
        directions: ['artificial_intelligence'],
        stages: ['lab_validation', 'pilot_maturation'],
        ...body,
      });
    if (res.status !== 201) throw new Error(`facility: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }
  async function createPool(token: string, facility: string, unit: string, capacity: number, nameEn: string) {
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(token))
      .send({
        facilityId: facility,
        nameZh: `测试·${nameEn}`,
        nameEn,
        mode: 'pooled',
        capacity,
        unit,
        minDurationMinutes: 60,
        maxDurationMinutes: 480,
        leadTimeMinutes: 0,
        horizonDays: 60,
        approvalRequired: false,
        pricePerUnitHourFen: 800,
        openingHours: allWeek,
      });
    if (res.status !== 201) throw new Error(`resource: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }
  async function mapAll(facility: string, gpu: string, cpu: string, cluster = 'lnhpc') {
    for (const body of [
      { kind: 'account', name: 'sme-xincai', organisationId: smeOrg },
      { kind: 'account', name: 'sme-qingneng', organisationId: sme2Org },
      { kind: 'partition', name: 'gpu-a100', resourceId: gpu },
      { kind: 'partition', name: 'cpu', resourceId: cpu },
    ]) {
      const res = await t
        .http()
        .post('/api/v1/usage/mappings')
        .set(bearer(compute))
        .send({ facilityId: facility, cluster, ...body });
      if (res.status !== 201) throw new Error(`mapping: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }

  beforeAll(async () => {
    t = await createTestApp(process.env.USAGE_DEBUG ? { env: { LOG_LEVEL: 'error' } } : {});
    [compute, operator, sme, sme2, official] = await Promise.all(
      ['operator-compute@demo.local', 'operator@demo.local', 'sme@demo.local', 'sme2@demo.local', 'official@demo.local'].map((e) => t.login(e)),
    );
    smeOrg = (await t.http().get('/api/v1/me').set(bearer(sme))).body.organisationId;
    sme2Org = (await t.http().get('/api/v1/me').set(bearer(sme2))).body.organisationId;
    facilityId = await createFacility(compute);
    gpuPool = await createPool(compute, facilityId, 'gpu_hour', 64, 'GPU pool A100');
    cpuPool = await createPool(compute, facilityId, 'core_hour', 10_000, 'CPU pool');
    await mapAll(facilityId, gpuPool, cpuPool);
    work = mkdtempSync(join(tmpdir(), 'pb-usage-'));
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await t.close();
  });

  describe('Slurm mappings', () => {
    it('are the facility operator’s: unique per facility + cluster + name, partitions only to gpu/core-hour resources of the facility', async () => {
      const list = await t.http().get('/api/v1/usage/mappings').query({ facilityId }).set(bearer(compute)).expect(200);
      expect(list.body.total).toBe(4);
      const dup = await t
        .http()
        .post('/api/v1/usage/mappings')
        .set(bearer(compute))
        .send({ facilityId, cluster: 'lnhpc', kind: 'account', name: 'sme-xincai', organisationId: sme2Org });
      expectProblem(dup, 409, 'mapping_exists');
      // the same name on another cluster is another mapping
      const other = await t
        .http()
        .post('/api/v1/usage/mappings')
        .set(bearer(compute))
        .send({ facilityId, cluster: 'other', kind: 'account', name: 'sme-xincai', organisationId: sme2Org });
      expect(other.status).toBe(201);
      const hourly = await createPoolOfUnit('hour');
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage/mappings')
          .set(bearer(compute))
          .send({ facilityId, cluster: 'lnhpc', kind: 'partition', name: 'bench', resourceId: hourly }),
        422,
        'unit_not_importable',
      );
      const [foreign] = await t.sql<{ id: string }>(
        `SELECT r.id FROM resources r JOIN facilities f ON f.id = r.facility_id WHERE f.id <> $1 AND r.unit = 'gpu_hour' LIMIT 1`,
        [facilityId],
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage/mappings')
          .set(bearer(compute))
          .send({ facilityId, cluster: 'lnhpc', kind: 'partition', name: 'x', resourceId: foreign.id }),
        422,
        'resource_not_in_facility',
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage/mappings')
          .set(bearer(operator))
          .send({ facilityId, cluster: 'lnhpc', kind: 'account', name: 'y', organisationId: smeOrg }),
        403,
      );
      expectProblem(
        await t.http().post('/api/v1/usage/mappings').set(bearer(compute)).send({ facilityId, cluster: 'lnhpc', kind: 'account', name: 'z' }),
        400,
        'validation_failed',
      );
      expect((await t.http().get('/api/v1/usage/mappings').set(bearer(operator)).expect(200)).body.total).toBe(0);
      expectProblem(await t.http().delete(`/api/v1/usage/mappings/${other.body.id}`).set(bearer(operator)), 404);
      await t.http().delete(`/api/v1/usage/mappings/${other.body.id}`).set(bearer(compute)).expect(204);
      expectProblem(await t.http().delete(`/api/v1/usage/mappings/${other.body.id}`).set(bearer(compute)), 404);
      const audit = await t.sql<{ action: string }>(`SELECT action FROM audit_entries WHERE entity_id = $1 ORDER BY seq`, [other.body.id]);
      expect(audit.map((a) => a.action)).toEqual(['slurm_mapping.created', 'slurm_mapping.deleted']);
    });

    async function createPoolOfUnit(unit: string) {
      return createPool(compute, facilityId, unit, 4, `Pool in ${unit}`);
    }
  });

  describe('sacct import', () => {
    let first: Record<string, any>;

    it('imports the sample: allocations only, hand-checked GPU- and core-hours, every kind of line reported', async () => {
      const res = await upload(compute, SAMPLE, { facilityId, cluster: 'lnhpc' });
      expect(res.status).toBe(201);
      first = res.body;
      expect(first).toEqual(
        expect.objectContaining({
          fileName: 'sacct-sample.txt',
          lines: 32,
          imported: 10,
          duplicates: 0,
          steps: 7,
          pending: 3,
          running: 1,
          runningJobIds: ['1008'],
          zero: 2,
          rejected: 6,
          unitHours: { gpu_hour: 15.4167, core_hour: 81.5333 },
          unmapped: { jobs: 3, accounts: [{ name: 'unknown-lab', jobs: 2 }], partitions: [{ name: 'debug', jobs: 1 }] },
        }),
      );
      expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(first.rejectedLines).toEqual([
        { line: 25, reason: expect.stringMatching(/fields/) },
        { line: 26, reason: expect.stringMatching(/^Start/) },
        { line: 27, reason: expect.stringMatching(/^JobID/) },
        { line: 28, reason: expect.stringMatching(/^ElapsedRaw/) },
        { line: 29, reason: expect.stringMatching(/^State/) },
        { line: 30, reason: expect.stringMatching(/^AllocTRES/) },
      ]);
      const rows = await t.sql<{ slurm_job_id: string; unit_hours: string; units_used: number; starts_at: Date; ends_at: Date; organisation_id: string }>(
        `SELECT slurm_job_id, unit_hours::text, units_used, starts_at, ends_at, organisation_id FROM usage_records WHERE import_id = $1 ORDER BY slurm_job_id`,
        [first.id],
      );
      const byJob = Object.fromEntries(rows.map((r) => [r.slurm_job_id, r]));
      expect(Object.keys(byJob).sort()).toEqual(['1001', '1002', '1003_1', '1003_2', '1004+0', '1004+1', '1005', '1006', '1007', '1020']);
      expect(byJob['1001']).toEqual(expect.objectContaining({ unit_hours: '8.0000', units_used: 4 }));
      expect(byJob['1002']).toEqual(expect.objectContaining({ unit_hours: '32.5333', units_used: 64 }));
      expect(byJob['1005']).toEqual(expect.objectContaining({ unit_hours: '2.6667', units_used: 8, organisation_id: sme2Org }));
      expect(byJob['1007'].unit_hours).toBe('1.0000');
      // Local times of Asia/Shanghai (UTC+8): 08:00 → 00:00Z; 23:30 → 15:30Z, 00:30 next day → 16:30Z
      expect(byJob['1001'].starts_at.toISOString()).toBe('2026-11-30T00:00:00.000Z');
      expect(byJob['1020'].starts_at.toISOString()).toBe('2026-11-30T15:30:00.000Z');
      expect(byJob['1020'].ends_at.toISOString()).toBe('2026-11-30T16:30:00.000Z');

      const totals = (await usage(compute, { facilityId }).expect(200)).body.totals;
      expect(totals).toEqual(expect.objectContaining({ unitHours: { core_hour: 81.5333, gpu_hour: 15.4167 }, records: 10 }));
      // per enterprise: the operator sees the GPU and core hours of each (the two SMEs' figures below)
      const per = Object.fromEntries(totals.byOrganisation.map((o: { organisationId: string }) => [o.organisationId, o]));
      expect(Object.keys(per).sort()).toEqual([smeOrg, sme2Org].sort());
      expect(per[smeOrg]).toEqual(expect.objectContaining({ nameZh: '演示·沈阳新材科技有限公司', unitHours: { core_hour: 48.5333, gpu_hour: 10.75 } }));
      expect(per[sme2Org].unitHours).toEqual({ core_hour: 33, gpu_hour: 4.6667 });
      expect(per[smeOrg].records + per[sme2Org].records).toBe(10);
      const mine = (await usage(sme, { source: 'import' }).expect(200)).body;
      expect(mine.totals.unitHours).toEqual({ core_hour: 48.5333, gpu_hour: 10.75 });
      expect(mine.items.every((i: { organisationId: string }) => i.organisationId === smeOrg)).toBe(true);
      const theirs = (await usage(sme2, { source: 'import' }).expect(200)).body;
      expect(theirs.totals.unitHours).toEqual({ core_hour: 33, gpu_hour: 4.6667 });
      expect(theirs.items.find((i: any) => i.slurm.jobId === '1004+0')).toEqual(
        expect.objectContaining({
          unit: 'gpu_hour',
          unitHours: 2,
          unitsUsed: 2,
          bookingId: null,
          localStartsAt: '2026-11-30T12:00:00+08:00',
          slurm: expect.objectContaining({ cluster: 'lnhpc', user: 'carol', account: 'sme-qingneng', partition: 'gpu-a100', state: 'COMPLETED' }),
        }),
      );
    });

    it('imports the same file again without a single new row, and the totals stay', async () => {
      const again = await upload(compute, SAMPLE, { facilityId, cluster: 'lnhpc' });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(expect.objectContaining({ imported: 0, duplicates: 10, steps: 7, rejected: 6, sha256: first.sha256, unitHours: {} }));
      expect((await t.sql(`SELECT count(*)::int AS n FROM usage_records WHERE source = 'import'`))[0].n).toBe(10);
      expect((await usage(compute, { facilityId }).expect(200)).body.totals).toEqual(
        expect.objectContaining({ unitHours: { core_hour: 81.5333, gpu_hour: 15.4167 }, records: 10 }),
      );
      // an overlapping file: two known jobs and one new (1008 has ended meanwhile)
      const overlap = join(work, 'overlap.txt');
      await writeLines(overlap, [
        'JobID|User|Account|Partition|Start|End|ElapsedRaw|AllocTRES|State',
        '1001|alice|sme-xincai|gpu-a100|2026-11-30T08:00:00|2026-11-30T10:00:00|7200|cpu=16,gres/gpu=4|COMPLETED',
        '1002|bob|sme-xincai|cpu|2026-11-30T09:00:00|2026-11-30T09:30:30|1830|cpu=64|FAILED',
        '1008|erin|sme-xincai|gpu-a100|2026-12-01T08:00:00|2026-12-01T11:00:00|10800|cpu=8,gres/gpu=1|COMPLETED', // 1 × 3 h = 3
      ]);
      const o = await upload(compute, overlap, { facilityId, cluster: 'lnhpc' });
      expect(o.body).toEqual(expect.objectContaining({ lines: 3, imported: 1, duplicates: 2, unitHours: { gpu_hour: 3 } }));
      const listed = (await t.http().get('/api/v1/usage/imports').query({ facilityId }).set(bearer(compute)).expect(200)).body;
      expect(listed.total).toBe(3);
      expect(listed.items[0]).toEqual(expect.objectContaining({ id: o.body.id, fileName: 'overlap.txt', importedByLabel: 'operator-compute@demo.local' }));
      expect((await t.http().get('/api/v1/usage/imports').set(bearer(official)).expect(200)).body.total).toBe(3);
      expect((await t.http().get('/api/v1/usage/imports').set(bearer(operator)).expect(200)).body.total).toBe(0);
      expectProblem(await t.http().get('/api/v1/usage/imports').set(bearer(sme)), 403);
      const audits = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'usage.imported'`);
      expect(audits[0].n).toBe(3);
      expect((await t.sql(`SELECT count(*)::int AS n FROM usage_imports`))[0].n).toBe(3);
    });

    it('refuses a file without the needed columns, a missing file, and another operator (nothing stored, no temp file left)', async () => {
      const before = new Set(existsSync(SACCT_UPLOAD_DIR) ? readdirSync(SACCT_UPLOAD_DIR) : []);
      const bad = join(work, 'bad-header.txt');
      await writeLines(bad, ['JobID|User|Account|Start|End', '1|a|b|2026-11-30T08:00:00|2026-11-30T09:00:00']);
      const body = expectProblem(await upload(compute, bad, { facilityId, cluster: 'lnhpc' }), 400, 'sacct_columns_missing');
      expect(body.detail).toMatch(/Partition, ElapsedRaw, AllocTRES, State/);
      const empty = join(work, 'empty.txt');
      await writeLines(empty, []);
      expectProblem(await upload(compute, empty, { facilityId, cluster: 'lnhpc' }), 400, 'empty_file');
      expectProblem(
        await t.http().post('/api/v1/usage/imports').set(bearer(compute)).field('facilityId', facilityId).field('cluster', 'lnhpc'),
        400,
        'validation_failed',
      );
      expectProblem(await upload(compute, SAMPLE, { facilityId, cluster: 'bad cluster!' }), 400, 'validation_failed');
      expectProblem(await upload(operator, SAMPLE, { facilityId, cluster: 'lnhpc' }), 403);
      expectProblem(await upload(official, SAMPLE, { facilityId, cluster: 'lnhpc' }), 403);
      expectProblem(await upload(compute, SAMPLE, { facilityId: 'x', cluster: 'lnhpc', extra: 'field' }), 400, 'validation_failed');
      expect((await t.sql(`SELECT count(*)::int AS n FROM usage_imports`))[0].n).toBe(3);
      const left = (existsSync(SACCT_UPLOAD_DIR) ? readdirSync(SACCT_UPLOAD_DIR) : []).filter((f) => !before.has(f));
      expect(left).toEqual([]);
    });

    it('reads sacct times in the facility’s zone (Europe/Berlin: CET in November, CEST in July)', async () => {
      const berlin = await createFacility(compute, { nameEn: 'Test Berlin partner node', timeZone: 'Europe/Berlin' });
      const gpu = await createPool(compute, berlin, 'gpu_hour', 8, 'Berlin GPUs');
      const cpu = await createPool(compute, berlin, 'core_hour', 256, 'Berlin CPUs');
      await mapAll(berlin, gpu, cpu);
      const file = join(work, 'berlin.txt');
      await writeLines(file, [
        'JobID|User|Account|Partition|Start|End|ElapsedRaw|AllocTRES|State',
        '1001|alice|sme-xincai|gpu-a100|2026-11-30T08:00:00|2026-11-30T10:00:00|7200|cpu=16,gres/gpu=4|COMPLETED',
        '2001|alice|sme-xincai|cpu|2026-07-01T10:00:00|2026-07-01T11:00:00|3600|cpu=4|COMPLETED',
      ]);
      const res = await upload(compute, file, { facilityId: berlin, cluster: 'lnhpc' });
      // 1001 is a job of another facility's cluster: not a duplicate there
      expect(res.body).toEqual(expect.objectContaining({ imported: 2, duplicates: 0 }));
      const items = (await usage(compute, { facilityId: berlin }).expect(200)).body.items as Array<{
        slurm: { jobId: string };
        startsAt: string;
        localStartsAt: string;
      }>;
      const job = (id: string) => items.find((i) => i.slurm.jobId === id)!;
      expect(job('1001')).toEqual(expect.objectContaining({ startsAt: '2026-11-30T07:00:00.000Z', localStartsAt: '2026-11-30T08:00:00+01:00' }));
      expect(job('2001')).toEqual(expect.objectContaining({ startsAt: '2026-07-01T08:00:00.000Z', localStartsAt: '2026-07-01T10:00:00+02:00' }));
    });

    it('streams a generated 200,000-line file through the API (steps, array tasks, pending, several states)', async () => {
      const big = join(work, 'big.txt');
      const expected = await writeSacctFile(big, { lines: 200_000 });
      const res = await upload(compute, big, { facilityId, cluster: 'lnhpc' });
      expect(res.status).toBe(201);
      // 20,000 blocks of 10 lines (test/helpers/sacct-generator.ts): 6 jobs, 3 steps, 1 pending each;
      // 4.5 GPU-hours and 9 core-hours each
      expect(expected).toEqual(expect.objectContaining({ jobs: 120_000, steps: 60_000, pending: 20_000, unitHours: { gpu_hour: 90_000, core_hour: 180_000 } }));
      expect(res.body).toEqual(
        expect.objectContaining({
          lines: 200_000,
          bytes: expected.bytes,
          imported: 120_000,
          steps: 60_000,
          pending: 20_000,
          running: 0,
          zero: 0,
          rejected: 0,
          duplicates: 0,
          unitHours: { gpu_hour: 90_000, core_hour: 180_000 },
        }),
      );
      const [row] = await t.sql<{ n: number; gpu: string }>(
        `SELECT count(*)::int AS n, sum(unit_hours) FILTER (WHERE unit = 'gpu_hour')::text AS gpu FROM usage_records WHERE import_id = $1`,
        [res.body.id],
      );
      expect(row).toEqual({ n: 120_000, gpu: '90000.0000' });
    }, 300_000);

    it('imports from the command line as a child process: progress on stderr, JSON on stdout (needs npm run build)', async () => {
      const cli = join(resolve(__dirname, '..'), 'dist', 'cli.js');
      if (!existsSync(cli)) return; // `npm test` builds first (pretest)
      const file = join(work, 'cli.txt');
      await writeLines(file, [
        'JobID|User|Account|Partition|Start|End|ElapsedRaw|AllocTRES|State',
        '7001|alice|sme-xincai|gpu-a100|2026-11-29T08:00:00|2026-11-29T08:30:00|1800|cpu=8,gres/gpu=3|COMPLETED', // 3 × 0.5 = 1.5
        '7001.batch||||2026-11-29T08:00:00|2026-11-29T08:30:00|1800|cpu=8,gres/gpu=3|COMPLETED',
      ]);
      const run = () =>
        spawnSync(process.execPath, [cli, 'import-sacct', '--facility', facilityId, '--cluster', 'lnhpc', file], {
          env: { ...process.env, DATABASE_URL: t.databaseUrl, JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456789', NODE_ENV: 'test' },
          encoding: 'utf8',
          timeout: 60_000,
        });
      const res = run();
      expect(res.status).toBe(0);
      expect(res.stderr).toMatch(/import-sacct: 2 lines read/);
      const summary = JSON.parse(res.stdout);
      expect(summary).toEqual(
        expect.objectContaining({ imported: 1, steps: 1, importedBy: null, importedByLabel: 'cli:import-sacct', unitHours: { gpu_hour: 1.5 } }),
      );
      expect(JSON.parse(run().stdout)).toEqual(expect.objectContaining({ imported: 0, duplicates: 1 }));
      const usage2 = spawnSync(process.execPath, [cli, 'import-sacct', file], { env: { ...process.env, DATABASE_URL: t.databaseUrl }, encoding: 'utf8' });
      expect(usage2.status).toBe(2);
      const env = { ...process.env, DATABASE_URL: t.databaseUrl, JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456789', NODE_ENV: 'test' };
      const badId = spawnSync(process.execPath, [cli, 'import-sacct', '--facility', 'nope', '--cluster', 'lnhpc', file], { env, encoding: 'utf8' });
      expect(badId.status).toBe(1);
      expect(badId.stderr).toMatch(/facilityId/);
      const noFile = spawnSync(process.execPath, [cli, 'import-sacct', '--facility', facilityId, '--cluster', 'lnhpc', join(work, 'missing.txt')], {
        env,
        encoding: 'utf8',
      });
      expect(noFile.status).toBe(1);
      expect(noFile.stderr).toMatch(/no such file/);
    }, 120_000);
  });

  describe('usage records', () => {
    afterAll(() => t.app.get(Clock).reset());

    it('check-out records the actual use: [check-in, check-out) × units used (default the booked units; more is 422)', async () => {
      const clock = t.app.get(Clock);
      const start = Date.parse('2030-01-08T09:00:00+08:00');
      clock.freeze(new Date(start - 2 * 24 * HOUR));
      [compute, sme] = await Promise.all([t.login('operator-compute@demo.local'), t.login('sme@demo.local')]);
      const book = async (hours: number, offsetHours: number) => {
        const res = await t
          .http()
          .post('/api/v1/bookings')
          .set(bearer(sme))
          .send({
            resourceId: gpuPool,
            units: 8,
            stage: 'lab_validation',
            serviceCategory: 'compute', // the default on a GPU pool, given here explicitly
            purpose: '模型训练 training',
            startsAt: new Date(start + offsetHours * HOUR).toISOString(),
            endsAt: new Date(start + (offsetHours + hours) * HOUR).toISOString(),
          });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const a = await book(4, 0);
      const b = await book(4, 5);
      clock.freeze(new Date(start - 10 * 60_000)); // check-in 10 min early
      [compute, sme] = await Promise.all([t.login('operator-compute@demo.local'), t.login('sme@demo.local')]);
      await t.http().post(`/api/v1/bookings/${a}/check-in`).set(bearer(compute)).expect(200);
      clock.freeze(new Date(start + 2 * HOUR + 20 * 60_000)); // 2 h 30 min after check-in
      [compute, sme] = await Promise.all([t.login('operator-compute@demo.local'), t.login('sme@demo.local')]);
      expectProblem(await t.http().post(`/api/v1/bookings/${a}/check-out`).set(bearer(compute)).send({ unitsUsed: 9 }), 422, 'units_used_exceed_booked');
      expectProblem(await t.http().post(`/api/v1/bookings/${a}/check-out`).set(bearer(compute)).send({ unitsUsed: 0 }), 400, 'validation_failed');
      expect((await t.sql(`SELECT state FROM bookings WHERE id = $1`, [a]))[0].state).toBe('in_use'); // nothing happened
      const done = await t.http().post(`/api/v1/bookings/${a}/check-out`).set(bearer(compute)).send({ unitsUsed: 6, note: '用了6卡 used 6 GPUs' });
      expect(done.status).toBe(200);
      const recA = (await usage(sme, { bookingId: a }).expect(200)).body;
      // 6 GPUs × 2.5 h = 15 GPU-hours
      expect(recA.items).toEqual([
        expect.objectContaining({
          bookingId: a,
          source: 'check_out',
          unit: 'gpu_hour',
          unitsUsed: 6,
          unitHours: 15,
          note: '用了6卡 used 6 GPUs',
          startsAt: new Date(start - 10 * 60_000).toISOString(),
          endsAt: new Date(start + 2 * HOUR + 20 * 60_000).toISOString(),
          recordedByLabel: 'operator-compute@demo.local',
        }),
      ]);
      clock.freeze(new Date(start + 5 * HOUR));
      [compute, sme] = await Promise.all([t.login('operator-compute@demo.local'), t.login('sme@demo.local')]);
      await t.http().post(`/api/v1/bookings/${b}/check-in`).set(bearer(compute)).expect(200);
      clock.freeze(new Date(start + 6 * HOUR + 45 * 60_000));
      [compute, sme] = await Promise.all([t.login('operator-compute@demo.local'), t.login('sme@demo.local')]);
      await t.http().post(`/api/v1/bookings/${b}/check-out`).set(bearer(compute)).expect(200);
      const recB = (await usage(compute, { bookingId: b }).expect(200)).body.items[0];
      expect(recB).toEqual(expect.objectContaining({ unitsUsed: 8, unitHours: 14 })); // 8 × 1.75 h
      const audit = await t.sql<{ action: string }>(`SELECT action FROM audit_entries WHERE entity_id = $1`, [recB.id]);
      expect(audit.map((x) => x.action)).toEqual(['usage.recorded']);
      clock.reset();
      [compute, sme, official, operator, sme2] = await Promise.all(
        ['operator-compute@demo.local', 'sme@demo.local', 'official@demo.local', 'operator@demo.local', 'sme2@demo.local'].map((e) => t.login(e)),
      );
    });

    let manualId: string;
    it('an operator adds a record by hand; a correction supersedes it, totals count only the newest, the superseded one cannot be corrected again', async () => {
      const added = await t.http().post('/api/v1/usage').set(bearer(compute)).send({
        resourceId: cpuPool,
        organisationId: sme2Org,
        startsAt: '2026-11-01T08:00:00+08:00',
        endsAt: '2026-11-01T12:00:00+08:00',
        unitsUsed: 100,
        note: '线下作业 offline run',
      });
      expect(added.status).toBe(201);
      expect(added.body).toEqual(
        expect.objectContaining({ source: 'manual', unitsUsed: 100, unitHours: 400, unit: 'core_hour', organisationId: sme2Org, superseded: false }),
      );
      manualId = added.body.id;
      const window = { resourceId: cpuPool, from: '2026-11-01T00:00:00+08:00', to: '2026-11-02T00:00:00+08:00' };
      expect((await usage(compute, window).expect(200)).body.totals.unitHours).toEqual({ core_hour: 400 });

      expectProblem(await t.http().post(`/api/v1/usage/corrections/${manualId}`).set(bearer(compute)).send({ unitsUsed: 50 }), 400, 'validation_failed'); // note required
      const fixed = await t.http().post(`/api/v1/usage/corrections/${manualId}`).set(bearer(compute)).send({ unitsUsed: 50, note: '实际50核 50 cores really' });
      expect(fixed.status).toBe(201);
      expect(fixed.body).toEqual(expect.objectContaining({ supersedes: manualId, unitsUsed: 50, unitHours: 200, superseded: false }));
      const old = (await t.http().get(`/api/v1/usage/${manualId}`).set(bearer(compute)).expect(200)).body;
      expect(old).toEqual(expect.objectContaining({ superseded: true, supersededBy: fixed.body.id, unitHours: 400 }));
      const listed = (await usage(compute, window).expect(200)).body;
      expect(listed.items.map((i: { id: string }) => i.id)).toEqual([fixed.body.id]);
      expect(listed.totals.unitHours).toEqual({ core_hour: 200 });
      const all = (await usage(compute, { ...window, includeSuperseded: true }).expect(200)).body;
      expect(all.total).toBe(2);
      expect(all.totals.unitHours).toEqual({ core_hour: 200 });

      expectProblem(
        await t.http().post(`/api/v1/usage/corrections/${manualId}`).set(bearer(compute)).send({ unitHours: 1, note: 'again' }),
        409,
        'already_superseded',
      );
      const third = await t
        .http()
        .post(`/api/v1/usage/corrections/${fixed.body.id}`)
        .set(bearer(compute))
        .send({ unitHours: 199.5, note: '扣除故障 minus outage' });
      expect(third.body).toEqual(expect.objectContaining({ supersedes: fixed.body.id, unitHours: 199.5 }));
      expect((await usage(compute, window).expect(200)).body.totals.unitHours).toEqual({ core_hour: 199.5 });
      const audit = await t.sql<{ action: string }>(`SELECT action FROM audit_entries WHERE entity_id = ANY($1) ORDER BY seq`, [
        [manualId, fixed.body.id, third.body.id],
      ]);
      expect(audit.map((a) => a.action)).toEqual(['usage.recorded', 'usage.corrected', 'usage.corrected']);

      // two corrections of the newest record at once: one wins, the other is told to correct the winner
      const race = await Promise.all(
        [1, 2].map((n) =>
          t
            .http()
            .post(`/api/v1/usage/corrections/${third.body.id}`)
            .set(bearer(compute))
            .send({ unitHours: 190 + n, note: `race ${n}` }),
        ),
      );
      expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
      expect((await usage(compute, window).expect(200)).body.totals).toEqual(
        expect.objectContaining({ unitHours: { core_hour: race.find((r) => r.status === 201)!.body.unitHours }, records: 1 }),
      );
    });

    it('refuses bad manual records', async () => {
      const body = { resourceId: cpuPool, organisationId: sme2Org, startsAt: '2026-11-01T08:00:00+08:00', endsAt: '2026-11-01T12:00:00+08:00' };
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage')
          .set(bearer(compute))
          .send({ ...body, endsAt: '2026-11-01T07:00:00+08:00' }),
        400,
        'validation_failed',
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage')
          .set(bearer(compute))
          .send({ ...body, unitsUsed: 10_001 }),
        422,
        'capacity_exceeded',
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage')
          .set(bearer(compute))
          .send({ ...body, unitHours: 1.23456 }),
        400,
        'validation_failed',
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage')
          .set(bearer(compute))
          .send({ ...body, organisationId: undefined }),
        400,
        'validation_failed',
      );
      // another operator's organisation (the facility's own operator may record its internal use: test/service-category.e2e-spec.ts)
      const [operatorOrg] = await t.sql<{ id: string }>(
        `SELECT id FROM organisations WHERE kind = 'operator' AND id <> (SELECT organisation_id FROM users WHERE email = 'operator-compute@demo.local') LIMIT 1`,
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage')
          .set(bearer(compute))
          .send({ ...body, organisationId: operatorOrg.id }),
        422,
        'not_an_enterprise',
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/usage')
          .set(bearer(compute))
          .send({ ...body, startsAt: '2026-11-31T08:00:00+08:00' }),
        400,
        'validation_failed',
      );
    });

    it('the database refuses UPDATE and DELETE of a record, a second superseded mark, and a second correction', async () => {
      await expect(t.sql(`UPDATE usage_records SET unit_hours = 1 WHERE id = $1`, [manualId])).rejects.toThrow(/append-only/);
      const [fresh] = await t.sql<{ id: string }>(`SELECT id FROM usage_records WHERE superseded_by IS NULL AND source = 'import' LIMIT 1`);
      await expect(t.sql(`UPDATE usage_records SET note = 'x' WHERE id = $1`, [fresh.id])).rejects.toThrow(/append-only/);
      await expect(t.sql(`UPDATE usage_records SET superseded_by = $1, superseded_at = now() WHERE id = $2`, [manualId, fresh.id])).rejects.toThrow(
        /append-only/,
      ); // manualId does not supersede it
      await expect(t.sql(`UPDATE usage_records SET superseded_by = NULL, superseded_at = NULL WHERE id = $1`, [manualId])).rejects.toThrow(/append-only/);
      await expect(t.sql(`DELETE FROM usage_records WHERE id = $1`, [fresh.id])).rejects.toThrow(/append-only/);
      await expect(t.sql(`TRUNCATE usage_records CASCADE`)).rejects.toThrow(/append-only/);
      await expect(
        t.sql(
          `INSERT INTO usage_records (resource_id, facility_id, organisation_id, starts_at, ends_at, unit, unit_hours, source, recorded_by_label, recorded_at, supersedes)
           SELECT resource_id, facility_id, organisation_id, starts_at, ends_at, unit, 1, 'manual', 'sql', now(), id FROM usage_records WHERE id = $1`,
          [manualId],
        ),
      ).rejects.toThrow(/usage_records_supersedes_key/);
      await expect(t.sql(`DELETE FROM usage_imports`)).rejects.toThrow(/append-only/);
    });

    it('scopes reading: an SME its own, an operator its facilities’, officials all (and cannot write)', async () => {
      const [{ n: all }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM usage_records WHERE superseded_by IS NULL`);
      const [{ n: own }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM usage_records WHERE superseded_by IS NULL AND organisation_id = $1`, [
        smeOrg,
      ]);
      expect((await usage(official).expect(200)).body.total).toBe(all);
      expect((await usage(await t.login('admin@demo.local')).expect(200)).body.total).toBe(all);
      const mine = (await usage(sme, { limit: 200 }).expect(200)).body;
      expect(mine.total).toBe(own);
      expect(mine.items.every((i: { organisationId: string }) => i.organisationId === smeOrg)).toBe(true);
      expect((await usage(sme, { organisationId: sme2Org }).expect(200)).body.total).toBe(0);
      expect((await usage(operator).expect(200)).body.total).toBe(0);
      expectProblem(await t.http().get(`/api/v1/usage/${manualId}`).set(bearer(sme)), 404); // sme2's record
      expect((await t.http().get(`/api/v1/usage/${manualId}`).set(bearer(sme2))).status).toBe(200);
      expectProblem(await t.http().get(`/api/v1/usage/${manualId}`).set(bearer(operator)), 404);
      expectProblem(await t.http().post(`/api/v1/usage/corrections/${manualId}`).set(bearer(operator)).send({ note: 'x' }), 404);
      const body = { resourceId: cpuPool, organisationId: sme2Org, startsAt: '2026-11-01T08:00:00+08:00', endsAt: '2026-11-01T09:00:00+08:00' };
      expectProblem(await t.http().post('/api/v1/usage').set(bearer(operator)).send(body), 403);
      expectProblem(await t.http().post('/api/v1/usage').set(bearer(official)).send(body), 403);
      expectProblem(await t.http().post('/api/v1/usage').set(bearer(sme)).send(body), 403);
      expectProblem(await t.http().post(`/api/v1/usage/corrections/${manualId}`).set(bearer(official)).send({ note: 'x' }), 403);
      expect((await t.http().get(`/api/v1/usage/${manualId}`).set(bearer(official))).status).toBe(200);
      expectProblem(await usage(sme, { source: 'nonsense' }), 400, 'validation_failed');
      expectProblem(await t.http().get('/api/v1/usage/not-a-uuid').set(bearer(sme)), 400);
    });
  });
});

async function writeLines(path: string, lines: string[]) {
  const out = createWriteStream(path);
  out.end(lines.length ? lines.join('\n') + '\n' : '');
  await once(out, 'finish');
}
