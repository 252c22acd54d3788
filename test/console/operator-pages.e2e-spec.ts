import { join } from 'node:path';
import { Clock } from '../../src/common/clock';
import { ConsoleHarness, describeInBrowser, startConsole, textOf, waitForText } from './browser';

const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));
const HOUR = 3_600_000;
const SAMPLE = join(__dirname, '..', 'fixtures', 'sacct-sample.txt');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** A whole hour at least `hours` from now (UTC instants; the resource is open all week). */
const hourFromNow = (hours: number) => new Date(Math.ceil((Date.now() + hours * HOUR) / HOUR) * HOUR);

/** The operator's pages: approval queue, booking check-in/out, calendar, usage, Slurm import, resource rules, indicators. */
describeInBrowser('console: operator pages', () => {
  let h: ConsoleHarness;
  let sme: string;
  let operator: string;
  let compute: string;
  let resourceId: string;
  let facilityId: string;

  async function request(startsAt: Date, hours: number, purpose: string): Promise<string> {
    const res = await h.t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(sme))
      .send({
        resourceId,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + hours * HOUR).toISOString(),
        stage: 'pilot_maturation',
        serviceCategory: 'performance_testing',
        purpose,
      });
    if (res.status !== 201) throw new Error(`booking: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body.state).toBe('pending');
    return res.body.id as string;
  }
  const stateOf = async (id: string) =>
    (await h.t.sql<{ state: string; decision_reason: string | null }>(`SELECT state, decision_reason FROM bookings WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    h = await startConsole();
    [sme, operator, compute] = await Promise.all(['sme@demo.local', 'operator@demo.local', 'operator-compute@demo.local'].map((e) => h.t.login(e)));
    const operatorOrg = (await h.t.http().get('/api/v1/me').set(bearer(operator))).body.organisationId as string;
    const facilities = (await h.t.http().get('/api/v1/facilities').query({ operatorId: operatorOrg, kind: 'pilot_platform' }).set(bearer(operator)).expect(200))
      .body;
    const facility = facilities.items.find((f: { stages: string[] }) => f.stages.includes('pilot_maturation'));
    facilityId = facility.id;
    // A resource of operator@demo.local that needs approval and may be booked from now on (lead time 0, open all week).
    const created = await h.t.http().post('/api/v1/resources').set(bearer(operator)).send({
      facilityId,
      nameZh: '测试·中试反应釜',
      nameEn: 'Test pilot reactor',
      mode: 'exclusive',
      unit: 'hour',
      minDurationMinutes: 60,
      maxDurationMinutes: 480,
      leadTimeMinutes: 0,
      horizonDays: 60,
      approvalRequired: true,
      pricePerUnitHourFen: 5000,
      openingHours: allWeek,
    });
    if (created.status !== 201) throw new Error(`resource: ${created.status} ${JSON.stringify(created.body)}`);
    resourceId = created.body.id;
  });
  afterAll(async () => {
    h?.t.app.get(Clock).reset();
    await h?.close();
  });

  it('shows a pending request in the queue with the time left, approves it in one click (state and audit in SQL)', async () => {
    const id = await request(hourFromNow(72), 2, '中试放大验证：反应釜温控测试');
    const { page } = await h.newPage();
    await h.signIn(page, 'operator@demo.local');
    expect(new URL(page.url()).pathname).toBe('/operator/queue');
    expect(await textOf(page, 'h1')).toBe('审批队列');
    const item = `#b-${id}`;
    expect(await textOf(page, item)).toContain('中试放大验证：反应釜温控测试');
    expect(await textOf(page, `${item} .time-left`)).toMatch(/小时 \d+ 分钟|\d+ 分钟/);
    expect(await textOf(page, item)).toContain('¥100.00');
    await h.screenshot(page, 'readme-operator-queue');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    await page.locator(`${item} .approve-form button`).click();
    await waitForText(page, '.alert-ok', '已批准');
    expect(await page.locator(item).count()).toBe(0);
    expect((await stateOf(id)).state).toBe('approved');
    expect(await h.t.sql(`SELECT action FROM audit_entries WHERE entity_id = $1 AND action = 'booking.approved'`, [id])).toHaveLength(1);

    // Someone else decided first: the second approval shows wrong_state in Chinese.
    const again = await page.request.post(`/operator/queue/${id}/approve`, {
      form: { _csrf: await page.locator('input[name=_csrf]').first().inputValue() },
    });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain('当前状态下不能执行此操作');
  });

  it('rejects a request only with a reason: without one the error is beside the form and nothing changes', async () => {
    const id = await request(hourFromNow(96), 2, '样品性能测试');
    const { page } = await h.newPage();
    await h.signIn(page, 'operator@demo.local');
    const item = `#b-${id}`;
    await page.locator(`${item} .reject-form button`).click();
    await waitForText(page, `${item} .field-error`, '此项为必填项');
    expect(await textOf(page, `${item} .alert-error`)).toContain('表单有错误');
    expect(await stateOf(id)).toEqual({ state: 'pending', decision_reason: null });

    await page.locator(`#reason-${id}`).fill('该时段设备需校准');
    await page.locator(`${item} .reject-form button`).click();
    await waitForText(page, '.alert-ok', '已驳回');
    expect(await stateOf(id)).toEqual({ state: 'rejected', decision_reason: '该时段设备需校准' });
  });

  it('checks a booking in and out from its page (window now), with the audit trail; another operator gets the 404 page', async () => {
    // Starts in 5 minutes (lead time 0): check-in opens 30 minutes before the start.
    const id = await request(new Date(Date.now() + 5 * 60_000), 2, '现场调试');
    await h.t.http().post(`/api/v1/bookings/${id}/approve`).set(bearer(operator)).send({}).expect(200);
    const { page } = await h.newPage();
    await h.signIn(page, 'operator@demo.local');
    await page.goto(`/operator/bookings/${id}`);
    expect(await textOf(page, 'h1')).toContain('预约详情');
    expect(await textOf(page, 'main')).toContain('booking.approved');
    await page.locator('.check-in-form button').click();
    await waitForText(page, '.alert-ok', '已签到');
    expect((await stateOf(id)).state).toBe('in_use');
    // Check-out needs the start to have passed: the app's clock moves 10 minutes on (test set-up only).
    h.t.app.get(Clock).advance(10 * 60_000);
    try {
      await page.reload();
      await page.locator('#check-out-note').fill('运行正常');
      await page.locator('.check-out-form button').click();
      await waitForText(page, '.alert-ok', '已签退');
    } finally {
      h.t.app.get(Clock).reset();
    }
    expect((await stateOf(id)).state).toBe('completed');
    expect(await h.t.sql(`SELECT source FROM usage_records WHERE booking_id = $1`, [id])).toEqual([{ source: 'check_out' }]);
    expect(await textOf(page, 'main')).toContain('签退（booking.checked_out）');
    await h.screenshot(page, 'operator-booking');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    const other = await h.newPage();
    await h.signIn(other.page, 'operator-compute@demo.local');
    const res = await other.page.goto(`/operator/bookings/${id}`);
    expect(res!.status()).toBe(404);
    expect(await textOf(other.page, 'h1')).toBe('未找到（404）');
  });

  it('shows the calendar by day and week with bookings linked and maintenance windows', async () => {
    const start = hourFromNow(48);
    const id = await request(start, 3, '日历测试');
    const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(start);
    const mStart = new Date(start.getTime() + 5 * HOUR);
    await h.t
      .http()
      .post(`/api/v1/resources/${resourceId}/maintenance`)
      .set(bearer(operator))
      .send({ startsAt: mStart.toISOString(), endsAt: new Date(mStart.getTime() + HOUR).toISOString(), reason: '年度校准' })
      .expect(201);
    const { page } = await h.newPage();
    await h.signIn(page, 'operator@demo.local');
    await page.goto(`/operator/calendar?view=week&date=${localDate}&resource=${resourceId}`);
    expect(await page.locator(`a[href="/operator/bookings/${id}"]`).count()).toBe(1);
    expect(await textOf(page, 'main')).toContain('年度校准');
    await h.screenshot(page, 'operator-calendar');
    expect(await h.accessibilityViolations(page)).toEqual([]);
    await page.goto(`/operator/calendar?view=day&date=${localDate}`);
    expect(await page.locator(`a[href="/operator/bookings/${id}"]`).count()).toBe(1);
    await page.locator(`a[href="/operator/bookings/${id}"]`).click();
    expect(new URL(page.url()).pathname).toBe(`/operator/bookings/${id}`);
  });

  it('saves a resource rule (price in yuan stored in fen) and shows a bad value beside its field', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'operator@demo.local');
    await page.goto('/operator/resources');
    await h.screenshot(page, 'operator-resources');
    expect(await h.accessibilityViolations(page)).toEqual([]);
    await page.locator(`a[href="/operator/resources/${resourceId}"]`).click();
    await page.locator('#f-leadTimeMinutes').fill('30');
    await page.locator('#f-priceYuan').fill('62.5');
    await page.locator('.rules-form button[type=submit]').click();
    await waitForText(page, '.alert-ok', '资源规则已保存');
    expect(await h.t.sql(`SELECT lead_time_minutes, price_per_unit_hour_fen FROM resources WHERE id = $1`, [resourceId])).toEqual([
      { lead_time_minutes: 30, price_per_unit_hour_fen: '6250' },
    ]);

    await page.locator('#f-minDurationMinutes').fill('-5');
    await page.locator('.rules-form button[type=submit]').click();
    await waitForText(page, '#f-minDurationMinutes-error', '填写有误');
    expect(await page.locator('#f-minDurationMinutes').inputValue()).toBe('-5');
    expect(await h.t.sql(`SELECT min_duration_minutes FROM resources WHERE id = $1`, [resourceId])).toEqual([{ min_duration_minutes: 60 }]);
    await page.locator('#f-minDurationMinutes').fill('60');
    await page.locator('#f-priceYuan').fill('12.345');
    await page.locator('.rules-form button[type=submit]').click();
    await waitForText(page, '#f-priceYuan-error', '最多两位小数');
    await h.screenshot(page, 'operator-resource');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    // Put the lead time back for the other tests.
    await h.t.http().patch(`/api/v1/resources/${resourceId}`).set(bearer(operator)).send({ leadTimeMinutes: 0 }).expect(200);
  });

  it('imports a sacct file on a compute facility of operator-compute and shows imported, duplicate and rejected counts', async () => {
    const me = async (token: string) => (await h.t.http().get('/api/v1/me').set(bearer(token))).body.organisationId as string;
    const [smeOrg, sme2Org] = [await me(sme), await me(await h.t.login('sme2@demo.local'))];
    const fac = await h.t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(compute))
      .send({
        kind: 'intelligent_computing_centre',
        nameZh: '测试·智算中心',
        nameEn: 'Test AI Compute Centre',
        cityCode: '210100',
        address: '沈阳市浑南区测试路9号',
        directions: ['artificial_intelligence'],
        stages: ['lab_validation', 'pilot_maturation'],
      })
      .expect(201);
    const pool = async (unit: string, capacity: number, nameEn: string) =>
      (
        await h.t
          .http()
          .post('/api/v1/resources')
          .set(bearer(compute))
          .send({
            facilityId: fac.body.id,
            nameZh: `测试·${nameEn}`,
            nameEn,
            mode: 'pooled',
            capacity,
            unit,
            leadTimeMinutes: 0,
            approvalRequired: false,
            pricePerUnitHourFen: 800,
            openingHours: allWeek,
          })
          .expect(201)
      ).body.id as string;
    const gpu = await pool('gpu_hour', 64, 'GPU pool A100');
    const cpu = await pool('core_hour', 10_000, 'CPU pool');
    for (const body of [
      { kind: 'account', name: 'sme-xincai', organisationId: smeOrg },
      { kind: 'account', name: 'sme-qingneng', organisationId: sme2Org },
      { kind: 'partition', name: 'gpu-a100', resourceId: gpu },
      { kind: 'partition', name: 'cpu', resourceId: cpu },
    ]) {
      await h.t
        .http()
        .post('/api/v1/usage/mappings')
        .set(bearer(compute))
        .send({ facilityId: fac.body.id, cluster: 'lnhpc', ...body })
        .expect(201);
    }

    const { page } = await h.newPage();
    await h.signIn(page, 'operator-compute@demo.local');
    await page.goto('/operator/slurm');
    expect(await textOf(page, 'main')).toContain('sme-xincai');
    expect(await h.accessibilityViolations(page)).toEqual([]);
    // No file: the error is beside the file field (the browser would refuse to send the form, so it is posted by hand).
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const noFile = await page.request.post(`/operator/slurm?_csrf=${encodeURIComponent(csrf)}`, { multipart: { facilityId: fac.body.id, cluster: 'lnhpc' } });
    expect(noFile.status()).toBe(400);
    expect(await noFile.text()).toMatch(/id="f-file-error"[^>]*>此项为必填项/);

    await page.locator('#f-facilityId').selectOption(fac.body.id);
    await page.locator('#f-cluster').fill('lnhpc');
    await page.locator('#f-file').setInputFiles(SAMPLE);
    await page.locator('main form[enctype="multipart/form-data"] button[type=submit]').click();
    await page.locator('.import-result').waitFor();
    const result = await textOf(page, '.import-result');
    expect(result).toMatch(/新导入\s*10/);
    expect(result).toMatch(/重复（已导入过）\s*0/);
    expect(result).toMatch(/拒绝行数\s*6/);
    expect(await page.locator('.import-result tbody tr').count()).toBe(6);
    await h.screenshot(page, 'operator-slurm');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    await page.locator('#f-file').setInputFiles(SAMPLE);
    await page.locator('main form[enctype="multipart/form-data"] button[type=submit]').click();
    await waitForText(page, '.import-result', /重复（已导入过）\s*10/);
    expect(await textOf(page, '.import-result')).toMatch(/新导入\s*0/);
    expect((await h.t.sql<{ n: string }>(`SELECT count(*) AS n FROM usage_records WHERE facility_id = $1`, [fac.body.id]))[0].n).toBe('10');

    // The usage page lists the imported records; a correction supersedes one.
    await page.goto(`/operator/usage?resource=${gpu}`);
    await h.screenshot(page, 'operator-usage');
    expect(await h.accessibilityViolations(page)).toEqual([]);
    await page.locator('a[href$="/correct"]').first().click();
    await page.locator('#f-unitHours').fill('1.5');
    await page.locator('#f-note').fill('作业计费有误');
    await page.locator('main form button[type=submit]').click();
    await waitForText(page, '.alert-ok', '已提交更正记录');
    expect(await h.t.sql(`SELECT unit_hours, note FROM usage_records WHERE supersedes IS NOT NULL AND facility_id = $1`, [fac.body.id])).toEqual([
      { unit_hours: '1.5000', note: '作业计费有误' },
    ]);
  });

  it('shows the indicators with the annual-return download, and the queue on a 390 px phone', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'operator@demo.local');
    await page.goto('/operator/indicators');
    expect(await textOf(page, 'main')).toContain('服务企业数');
    await h.screenshot(page, 'operator-indicators');
    const year = new Date().getUTCFullYear();
    const csv = await page.request.get(`/operator/indicators/annual-return.csv?year=${year}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);
    expect(csv.headers()['content-disposition']).toContain(`annual-return-${year}.csv`);

    await request(hourFromNow(120), 2, '手机端查看');
    const phone = await h.newPage({ viewport: { width: 390, height: 844 } });
    await h.signIn(phone.page, 'operator@demo.local');
    expect(await textOf(phone.page, '.queue')).toContain('手机端查看');
    await h.screenshot(phone.page, 'operator-queue-phone');
    const overflow = await phone.page.evaluate('document.documentElement.scrollWidth');
    expect(overflow).toBeLessThanOrEqual(390);

    // In English (the language switch), the same pages with the same keys.
    const en = await h.newPage();
    await h.signIn(en.page, 'operator@demo.local');
    await en.page.locator('header form[action="/language"] button').click();
    expect(await textOf(en.page, 'h1')).toBe('Approval queue');
    expect(await textOf(en.page, '.queue')).toContain('Time left to decide');
    await en.page.goto(`/operator/resources/${resourceId}`);
    expect(await textOf(en.page, '#rules')).toBe('Booking rules');
  });
});
