import { parse } from 'csv-parse/sync';
import { Clock } from '../../src/common/clock';
import { join } from 'node:path';
import { ConsoleHarness, describeInBrowser, SCREENSHOT_DIR, startConsole, textOf } from './browser';

const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));
const HOUR = 3_600_000;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const fmt = (n: number, digits = 1) => new Intl.NumberFormat('zh-CN', { maximumFractionDigits: digits }).format(n);
/** The month (YYYY-MM) of an instant in Asia/Shanghai. */
const monthOf = (at: Date) => new Date(at.getTime() + 8 * HOUR).toISOString().slice(0, 7);

/**
 * The official's pages over real data: an SME booking on a resource of operator@demo.local, approved, checked in and
 * checked out by the operator through the API (the app's clock moved on for the check-out), then the dashboard, the
 * drill-down, the CSV, the 1,200-hour list and the audit chain — all read-only.
 */
describeInBrowser('console: official pages', () => {
  let h: ConsoleHarness;
  let bookingId: string;
  let resourceId: string;
  let cityCode: string;
  let usedHours: number;
  let smeOrgName: string;
  const RESOURCE_NAME = '测试·看板中试设备';

  beforeAll(async () => {
    h = await startConsole();
    const [sme, operator] = await Promise.all(['sme@demo.local', 'operator@demo.local'].map((e) => h.t.login(e)));
    const me = async (token: string) => (await h.t.http().get('/api/v1/me').set(bearer(token)).expect(200)).body as { organisationId: string };
    const operatorOrg = (await me(operator)).organisationId;
    const smeOrg = (await me(sme)).organisationId;
    smeOrgName = (await h.t.sql<{ name_zh: string }>(`SELECT name_zh FROM organisations WHERE id = $1`, [smeOrg]))[0].name_zh;
    const facilities = (await h.t.http().get('/api/v1/facilities').query({ operatorId: operatorOrg, kind: 'pilot_platform' }).set(bearer(operator)).expect(200))
      .body;
    const facility = facilities.items.find((f: { stages: string[] }) => f.stages.includes('pilot_maturation'));
    cityCode = facility.cityCode;
    const created = await h.t.http().post('/api/v1/resources').set(bearer(operator)).send({
      facilityId: facility.id,
      nameZh: RESOURCE_NAME,
      nameEn: 'Dashboard test reactor',
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
    // Starts in 5 minutes (lead time 0; check-in opens 30 minutes before the start), two hours long.
    const start = new Date(Date.now() + 5 * 60_000);
    const booked = await h.t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(sme))
      .send({
        resourceId,
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() + 2 * HOUR).toISOString(),
        stage: 'pilot_maturation',
        serviceCategory: 'performance_testing',
        purpose: '看板测试：中试放大',
      });
    if (booked.status !== 201) throw new Error(`booking: ${booked.status} ${JSON.stringify(booked.body)}`);
    bookingId = booked.body.id;
    await h.t.http().post(`/api/v1/bookings/${bookingId}/approve`).set(bearer(operator)).send({}).expect(200);
    await h.t.http().post(`/api/v1/bookings/${bookingId}/check-in`).set(bearer(operator)).send({}).expect(200);
    // The check-out needs the start to have passed: the app's clock moves on 90 minutes (set-up only; the access
    // token of before has expired by then, so the operator signs in again).
    h.t.app.get(Clock).advance(90 * 60_000);
    try {
      const later = await h.t.login('operator@demo.local');
      await h.t.http().post(`/api/v1/bookings/${bookingId}/check-out`).set(bearer(later)).send({ note: '运行正常' }).expect(200);
    } finally {
      h.t.app.get(Clock).reset();
    }
    const [usage] = await h.t.sql<{ unit_hours: string }>(`SELECT unit_hours FROM usage_records WHERE booking_id = $1`, [bookingId]);
    usedHours = Number(usage.unit_hours);
    expect(usedHours).toBeGreaterThan(0);
  });
  afterAll(async () => {
    h?.t.app.get(Clock).reset();
    await h?.close();
  });

  it('shows the dashboard: the city figure holds the booking’s hours, charts with tables, no mutating form; a 390 px phone too', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'official@demo.local');
    expect(new URL(page.url()).pathname).toBe('/official');
    expect(await textOf(page, 'h1')).toBe('全省运行看板');
    const row = `#by-city tr[data-key="${cityCode}"][data-unit="hour"]`;
    expect(await textOf(page, `${row} td.used`)).toBe(fmt(usedHours));
    expect(await textOf(page, '#fig-utilisation-hour')).toContain('利用率');
    expect(await textOf(page, '#fig-effective')).toContain('有效工作机时');
    expect(await textOf(page, '#fig-sharing')).toContain('共享率');
    expect(await textOf(page, `#ind-city tr[data-key="${cityCode}"] td.effective`)).toBe(fmt(usedHours));
    // three charts, drawn by ECharts, each with its table
    await page.waitForSelector('#by-city .chart[data-drawn] canvas');
    expect(await page.locator('main .chart[data-chart]').count()).toBe(3);
    expect(await page.locator('#by-month table').count()).toBe(1);
    expect(await page.locator('#by-direction table').count()).toBe(1);
    // read-only: the only POST forms are the layout's language switch and sign-out
    expect(await page.locator('main form[method="post"]').count()).toBe(0);
    await h.screenshot(page, 'readme-official-dashboard');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    const phone = await h.newPage({ viewport: { width: 390, height: 844 } });
    await h.signIn(phone.page, 'official@demo.local');
    await phone.page.waitForSelector('#by-city .chart[data-drawn] canvas');
    await h.screenshot(phone.page, 'official-dashboard-phone');
    await phone.page.screenshot({ path: join(SCREENSHOT_DIR, 'official-dashboard-phone-top.png') });
    await phone.page.locator('#by-city').screenshot({ path: join(SCREENSHOT_DIR, 'official-dashboard-phone-city.png') });
    const overflow = await phone.page.evaluate('document.documentElement.scrollWidth');
    expect(Number(overflow)).toBeLessThanOrEqual(400);
  });

  it('drills a city figure down to the usage record and the booking behind it', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'official@demo.local');
    await Promise.all([page.waitForURL(/\/official\/drill\?/), page.locator(`#by-city tr[data-key="${cityCode}"][data-unit="hour"] td.used a`).click()]);
    const url = new URL(page.url());
    expect(url.searchParams.get('city')).toBe(cityCode);
    expect(url.searchParams.get('unit')).toBe('hour');
    expect(await textOf(page, 'h1')).toBe('数据明细');
    const main = await textOf(page, 'main');
    expect(main).toContain(RESOURCE_NAME);
    expect(main).toContain(smeOrgName);
    expect(await textOf(page, '.drill-total')).toContain(fmt(usedHours, 2));
    await h.screenshot(page, 'official-drill-usage');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    await page.locator('nav.tabs a', { hasText: '预约' }).click();
    await page.waitForSelector(`#b-${bookingId}`);
    expect(await textOf(page, `#b-${bookingId}`)).toContain(RESOURCE_NAME);
    expect(await textOf(page, `#b-${bookingId}`)).toContain('已完成');
    await h.screenshot(page, 'official-drill-bookings');
    expect(await h.accessibilityViolations(page)).toEqual([]);
  });

  it('downloads the city report as CSV with the same figure', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'official@demo.local');
    const href = await page.locator('#by-city a[href^="/official/utilisation.csv"]').getAttribute('href');
    expect(href).toContain('groupBy=city');
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^text\/csv/);
    expect(res.headers()['content-disposition']).toMatch(/^attachment/);
    const rows = parse<Record<string, string>>((await res.text()).replace(/^\uFEFF/, ''), { columns: true });
    const row = rows.find((r) => r['分组 key'] === cityCode && r['计量单位 unit'] === 'hour');
    expect(row).toBeDefined();
    expect(Number(row!['使用单位小时 used unit-hours'])).toBeCloseTo(usedHours, 3);

    const ind = await page.request.get(`/official/indicators.csv?groupBy=city&from=${monthOf(new Date())}&to=${monthOf(new Date())}`);
    expect(ind.status()).toBe(200);
    expect(ind.headers()['content-type']).toMatch(/^text\/csv/);
  });

  it('lists the resources below the 1,200-hour line with their drill-down', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'official@demo.local');
    await page.goto('/official/below-line');
    expect(await textOf(page, 'h1')).toBe('低于 1200 小时的设备');
    // The demo catalogue's resources have no use this year: each is below the line, with its facility, city and rows.
    const demo = (await h.t.sql<{ id: string; name_zh: string }>(`SELECT id, name_zh FROM resources WHERE name_zh LIKE '演示·%' ORDER BY name_zh LIMIT 1`))[0];
    const row = `#r-${demo.id}`;
    expect(await textOf(page, row)).toContain(demo.name_zh);
    expect(await page.locator(`${row} a[href*="resourceId=${demo.id}"]`).count()).toBe(1);
    // The test resource exists for minutes and was used most of them: annualised it is far above 1,200 hours.
    expect(await page.locator(`#r-${resourceId}`).count()).toBe(0);
    await Promise.all([page.waitForURL(/\/official\/drill\?/), page.locator(`${row} a`).click()]);
    expect(new URL(page.url()).searchParams.get('resourceId')).toBe(demo.id);
    expect(await textOf(page, 'main')).toContain('没有符合条件的记录');
    await page.goBack();
    await h.screenshot(page, 'official-below-line');
    expect(await h.accessibilityViolations(page)).toEqual([]);
  });

  it('shows the audit chain as valid and filters the entries', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'official@demo.local');
    await page.goto('/official/audit');
    expect(await textOf(page, 'h1')).toBe('审计日志');
    expect(await textOf(page, '.audit-verify')).toContain('校验通过');
    await page.locator('#f-action').fill('booking.checked_out');
    await Promise.all([page.waitForURL(/action=booking.checked_out/), page.locator('main form.filters button').click()]);
    expect(await textOf(page, 'main table tbody')).toContain(bookingId);
    expect(await page.locator('main form[method="post"]').count()).toBe(0);
    await h.screenshot(page, 'official-audit');
    expect(await h.accessibilityViolations(page)).toEqual([]);
  });

  it('cannot change anything: an admin route answers the 403 page', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'official@demo.local');
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const post = await page.request.post('/admin/organisations', { form: { _csrf: csrf, kind: 'authority', nameZh: '不应创建' } });
    expect(post.status()).toBe(403);
    expect(await post.text()).toContain('无权访问');
    expect(await h.t.sql(`SELECT id FROM organisations WHERE name_zh = '不应创建'`)).toEqual([]);
    const res = await page.goto('/admin/users');
    expect(res!.status()).toBe(403);
    expect(await textOf(page, 'h1')).toBe('无权访问（403）');
  });
});
