import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { Clock } from '../../src/common/clock';
import { ConsoleHarness, describeInBrowser, SCREENSHOT_DIR, scriptBytesOf, startConsole, textOf, waitForText } from './browser';

/**
 * The whole day, across the three kinds of user, in Chinese, in a browser only: an SME finds a free slot
 * in the week view and books it seeing the price; a second SME cannot take it and is told why; the operator
 * approves it from the queue; the SME sees it approved and downloads the .ics; on the day the operator checks it
 * in and out; the official's dashboard shows its hours and drills down to it. Every page's script is measured.
 */
describeInBrowser('console: a booking from request to the official’s dashboard', () => {
  let h: ConsoleHarness;
  let resourceId: string;
  const scriptCosts: Record<string, number> = {};

  beforeAll(async () => {
    h = await startConsole();
    [{ id: resourceId }] = await h.t.sql<{ id: string }>(`SELECT id FROM resources WHERE name_en = 'Demo Field-Emission SEM'`);
  });
  afterAll(async () => {
    h?.t.app.get(Clock).reset();
    writeFileSync(join(SCREENSHOT_DIR, 'page-script-bytes.json'), JSON.stringify(scriptCosts, null, 2));
    await h?.close();
  });

  /** The gzipped script of the page as loaded, recorded under its name (the README's page-cost table). */
  async function measure(page: Page, name: string) {
    await page.waitForLoadState('load');
    const bytes = await scriptBytesOf(page);
    scriptCosts[name] = bytes;
    expect(bytes).toBeLessThan(200 * 1024);
  }

  it('runs the whole day in the browser', async () => {
    // 1. The SME: resource page, two weeks on in the week view, a free slot, the form with its price, sent.
    const sme = await h.newPage();
    await h.signIn(sme.page, 'sme@demo.local');
    await measure(sme.page, 'SME catalogue');
    await sme.page.goto(`/sme/resources/${resourceId}`);
    await measure(sme.page, 'SME resource and week view');
    for (let i = 0; i < 2; i++) {
      await sme.page.locator('#week nav a', { hasText: '下一周' }).click();
      await sme.page.waitForURL((u) => u.searchParams.get('week') !== null && Date.parse(u.searchParams.get('week')!) > Date.now() + i * 7 * 86_400_000);
    }
    const slot = sme.page.locator('#week td.cell-free a').first();
    await slot.waitFor();
    const bookPath = (await slot.getAttribute('href'))!;
    await Promise.all([sme.page.waitForURL(/\/book\?/), slot.click()]);
    await measure(sme.page, 'SME booking form');
    expect(await textOf(sme.page, '#price .price-total')).toContain('¥200.00');
    await sme.page.locator('#f-stage').selectOption('lab_validation');
    await sme.page.locator('#f-serviceCategory').selectOption('performance_testing');
    await sme.page.locator('#f-purpose').fill('涂层断口形貌分析');
    await Promise.all([sme.page.waitForURL(/\/sme\/bookings\/[0-9a-f-]{36}/), sme.page.locator('button[value=book]').click()]);
    const bookingId = new URL(sme.page.url()).pathname.split('/').pop()!;
    expect(await textOf(sme.page, '.booking-state .badge')).toBe('待审批');
    expect(await textOf(sme.page, 'dl.facts')).toContain('¥200.00');
    const [{ starts_at: startsAt, ends_at: endsAt }] = await h.t.sql<{ starts_at: Date; ends_at: Date }>(
      `SELECT lower(period) AS starts_at, upper(period) AS ends_at FROM bookings WHERE id = $1`,
      [bookingId],
    );

    // 2. A second SME on the same slot: refused, told why in Chinese, nothing stored.
    const sme2 = await h.newPage();
    await h.signIn(sme2.page, 'sme2@demo.local');
    await sme2.page.goto(bookPath);
    await sme2.page.locator('#f-stage').selectOption('lab_validation');
    await sme2.page.locator('#f-serviceCategory').selectOption('type_testing');
    await sme2.page.locator('#f-purpose').fill('同一时段');
    const [refused] = await Promise.all([sme2.page.waitForResponse((r) => r.request().method() === 'POST'), sme2.page.locator('button[value=book]').click()]);
    expect(refused.status()).toBe(409);
    await waitForText(sme2.page, '#form-error', '该时段已被预约');
    expect(await h.t.sql(`SELECT id FROM bookings WHERE resource_id = $1`, [resourceId])).toEqual([{ id: bookingId }]);

    // 3. The operator approves it from the queue.
    const operator = await h.newPage();
    await h.signIn(operator.page, 'operator@demo.local');
    expect(new URL(operator.page.url()).pathname).toBe('/operator/queue');
    await measure(operator.page, 'operator approval queue');
    await operator.page.locator(`#b-${bookingId} .approve-form button`).click();
    await waitForText(operator.page, '.alert-ok', '已批准');

    // 4. The SME sees it approved and downloads the .ics.
    await sme.page.goto('/sme/bookings');
    await measure(sme.page, 'SME my bookings');
    await sme.page.goto(`/sme/bookings/${bookingId}`);
    expect(await textOf(sme.page, '.booking-state .badge')).toBe('已批准');
    const icsHref = (await sme.page.locator('a[href$=".ics"]').first().getAttribute('href'))!;
    const ics = await sme.page.request.get(icsHref);
    expect(ics.headers()['content-type']).toMatch(/^text\/calendar/);
    expect(await ics.text()).toContain(bookingId);

    // 5. On the day (the app's clock travels to the start: test set-up), the operator checks it in and, an hour on, out.
    const clock = h.t.app.get(Clock);
    clock.travel(new Date(new Date(startsAt).getTime() + 60_000));
    const onTheDay = await h.newPage();
    await h.signIn(onTheDay.page, 'operator@demo.local');
    await onTheDay.page.goto(`/operator/bookings/${bookingId}`);
    await measure(onTheDay.page, 'operator booking (check-in/out)');
    await onTheDay.page.locator('.check-in-form button').click();
    await waitForText(onTheDay.page, '.alert-ok', '已签到');
    clock.travel(new Date(endsAt));
    await onTheDay.page.reload();
    await onTheDay.page.locator('.check-out-form button').click();
    await waitForText(onTheDay.page, '.alert-ok', '已签退');
    const [usage] = await h.t.sql<{ unit_hours: string }>(`SELECT unit_hours FROM usage_records WHERE booking_id = $1`, [bookingId]);
    expect(Number(usage.unit_hours)).toBeGreaterThan(0.9);

    // 6. The official's dashboard for that month shows the hours in Shenyang and drills down to the booking.
    const official = await h.newPage();
    await h.signIn(official.page, 'official@demo.local');
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date(startsAt)).slice(0, 7);
    await official.page.goto(`/official?from=${month}&to=${month}`);
    await measure(official.page, 'official dashboard (with ECharts)');
    const shenyang = '#by-city tr[data-key="210100"][data-unit="hour"]';
    expect(Number((await textOf(official.page, `${shenyang} td.used`)).replace(/,/g, ''))).toBeCloseTo(Number(usage.unit_hours), 1);
    await Promise.all([official.page.waitForURL(/\/official\/drill\?/), official.page.locator(`${shenyang} td.used a`).click()]);
    await measure(official.page, 'official drill-down');
    expect(await textOf(official.page, 'main')).toContain('场发射扫描电镜');
    await official.page.locator('nav.tabs a', { hasText: '预约' }).click();
    expect(await textOf(official.page, `#b-${bookingId}`)).toContain('已完成');

    // 7. The SME's usage and spend for the year show the booking's price (the my-usage report).
    const later = await h.newPage();
    await h.signIn(later.page, 'sme@demo.local');
    await later.page.goto('/sme/usage');
    expect(await textOf(later.page, '.figure')).toBe('¥200.00');
    expect(await textOf(later.page, 'main')).toContain('场发射扫描电镜');
    clock.reset();
  });
});
