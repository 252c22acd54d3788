import { attributeOf, ConsoleHarness, describeInBrowser, startConsole, textOf, waitForText } from './browser';

/**
 * The SME's pages: catalogue with filters, resource page with its week, booking form with the price preview,
 * booking (and a second SME refused the same slot), .ics, cancel, search, projects, usage, notifications.
 * The resource booked is the demo 场发射扫描电镜 (Field-Emission SEM, a bench of the Shenyang materials test
 * centre): exclusive, approval required (so the booking is pending), 1–4 h, booked a day ahead.
 */
describeInBrowser('console: SME pages', () => {
  let h: ConsoleHarness;
  let resourceId: string;
  let kind: string;
  let sme2Org: string;
  let bookingId: string;
  let bookPath: string;

  beforeAll(async () => {
    h = await startConsole();
    const [r] = await h.t.sql<{ id: string; kind: string }>(
      `SELECT r.id, f.kind FROM resources r JOIN facilities f ON f.id = r.facility_id WHERE r.name_en = 'Demo Field-Emission SEM'`,
    );
    resourceId = r.id;
    kind = r.kind;
    [{ organisation_id: sme2Org }] = await h.t.sql<{ organisation_id: string }>(`SELECT organisation_id FROM users WHERE email = 'sme2@demo.local'`);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers a project, filters the catalogue, opens the resource, goes to a later week, books a free slot with the price shown', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'sme@demo.local');

    // A chain project to book for.
    await page.goto('/sme/projects');
    await page.locator('#f-titleZh').fill('测试·高熵合金涂层');
    await page.locator('#f-direction').selectOption('new_materials');
    await Promise.all([page.waitForURL(/\/sme\/projects\/[0-9a-f-]{36}/), page.locator('form[action="/sme/projects"] button[type=submit]').click()]);
    expect(await textOf(page, '.alert-ok')).toBe('项目已登记。');
    expect(await textOf(page, '.chain li.current')).toContain('实验验证');

    await page.goto('/sme/catalogue');
    expect(await textOf(page, 'h1')).toBe('资源目录');
    await h.screenshot(page, 'sme-catalogue');
    expect(await h.accessibilityViolations(page)).toEqual([]);
    await page.locator('#f-kind').selectOption(kind);
    await page.locator('#f-q').fill('扫描电镜');
    await Promise.all([page.waitForURL(/q=/), page.locator('form[role=search] button[type=submit]').click()]);
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    expect(await textOf(page, 'table tbody')).toContain('场发射扫描电镜');
    expect(await attributeOf(page, 'table tbody tr td:nth-child(2) a', 'href')).toMatch(/^\/sme\/facilities\//);

    await Promise.all([page.waitForURL(`**/sme/resources/${resourceId}`), page.locator(`a[href="/sme/resources/${resourceId}"]`).first().click()]);
    expect(await textOf(page, 'h1')).toBe('演示·场发射扫描电镜');
    expect(await textOf(page, 'dl.facts')).toContain('需要运营方审批');
    // Two weeks on (htmx swaps the week in place and pushes the URL).
    await page.locator('#week nav a', { hasText: '下一周' }).click();
    await page.waitForURL(/week=/);
    await page.locator('#week nav a', { hasText: '下一周' }).click();
    await page.waitForURL((u) => {
      const w = u.searchParams.get('week');
      return !!w && Date.parse(w) > Date.now() + 7 * 86_400_000;
    });
    await waitForText(page, '#week td.cell-free a', '空闲');
    expect(await textOf(page, '.legend')).toContain('已占用');
    await h.screenshot(page, 'sme-resource-week');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    const slot = page.locator('#week td.cell-free a').first();
    bookPath = (await slot.getAttribute('href'))!;
    await Promise.all([page.waitForURL(/\/book\?/), slot.click()]);
    expect(await page.locator('#f-start').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    // The price is shown before sending, from the booking service's pricing (250 ¥/h, SME discount 20%: ¥200.00 for one hour).
    expect(await textOf(page, '#price .price-total')).toContain('¥200.00');
    await page.locator('#f-projectId').selectOption({ index: 1 });
    await page.locator('#f-stage').selectOption('lab_validation');
    await page.locator('#f-serviceCategory').selectOption('performance_testing');
    await page.locator('#f-purpose').fill('涂层断口形貌分析');
    await page.locator('button[value=quote]').click();
    await waitForText(page, '#price .price-total', '原价 ¥250.00');
    await h.screenshot(page, 'readme-sme-booking');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    // The form as sent, to send it a second time below (a double submit carries the same idempotency key).
    const sent: Record<string, string> = await page.evaluate(
      `Object.fromEntries([...new FormData(document.getElementById('booking-form')).entries()].concat([['intent', 'book']]))`,
    );
    expect(sent.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    await Promise.all([page.waitForURL(/\/sme\/bookings\/[0-9a-f-]{36}\?notice=sme\.booked/), page.locator('button[value=book]').click()]);
    bookingId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await textOf(page, '.alert-ok')).toBe('预约已提交。');
    expect(await textOf(page, '.booking-state .badge')).toBe('待审批');
    expect(await textOf(page, 'dl.facts')).toContain('应付 ¥200.00');
    await h.screenshot(page, 'sme-booking');
    const [row] = await h.t.sql<{ state: string; price_fen: string; project_id: string | null }>(
      `SELECT state, price_fen, project_id FROM bookings WHERE id = $1`,
      [bookingId],
    );
    expect(row).toEqual(expect.objectContaining({ state: 'pending', price_fen: '20000' }));
    expect(row.project_id).not.toBeNull();

    // A double submit of the same form (same idempotency key) books nothing twice: it answers the same booking.
    const again = await page.request.post(new URL(bookPath, h.baseUrl).pathname, { form: sent, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(again.headers().location).toContain(`/sme/bookings/${bookingId}`);
    const count = await h.t.sql<{ n: string }>(`SELECT count(*) AS n FROM bookings WHERE resource_id = $1 AND state = 'pending'`, [resourceId]);
    expect(count[0].n).toBe('1');

    // The .ics of the booking, through the cookie session.
    const ics = await page.request.get(`/sme/bookings/${bookingId}.ics`);
    expect(ics.status()).toBe(200);
    expect(ics.headers()['content-type']).toMatch(/^text\/calendar/);
    const body = await ics.text();
    expect(body).toContain(bookingId);
    expect(body).toMatch(/SUMMARY[^\n]*场发射扫描电镜/);

    // The project's chain lists the booking under its stage.
    await page.goto(`/sme/projects/${row.project_id}`);
    expect(await textOf(page, '#stage-lab_validation')).toContain('场发射扫描电镜');
    await h.screenshot(page, 'sme-project');
  });

  it('shows a second SME the Chinese slot_taken message beside the form, with the conflicting window, and stores nothing', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'sme2@demo.local');
    await page.goto(bookPath);
    await page.locator('#f-stage').selectOption('lab_validation');
    await page.locator('#f-serviceCategory').selectOption('type_testing');
    await page.locator('#f-purpose').fill('同一时段');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('button[value=book]').click()]);
    expect(response.status()).toBe(409);
    await waitForText(page, '#form-error', '该时段已被预约');
    expect(await textOf(page, '#form-error')).toContain('另一家企业已预约该时段');
    expect(await textOf(page, '#form-error')).toContain('冲突时段');
    expect(await page.locator('#f-purpose').inputValue()).toBe('同一时段');
    await h.screenshot(page, 'sme-slot-taken');
    expect(await h.t.sql(`SELECT id FROM bookings WHERE organisation_id = $1 AND resource_id = $2`, [sme2Org, resourceId])).toEqual([]);
    // The week view now shows the slot as busy (in text, not colour alone).
    const start = new URL(bookPath, h.baseUrl).searchParams.get('start')!;
    await page.goto(`/sme/resources/${resourceId}?week=${start.slice(0, 10)}`);
    expect(await page.locator('#week td.cell-busy').count()).toBeGreaterThanOrEqual(1);
    expect(await textOf(page, '#week td.cell-busy')).toBe('已占用');
  });

  it('lists my bookings, cancels with a reason, and shows the notice in the notifications', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'sme@demo.local');
    await page.goto('/sme/bookings?state=pending');
    expect(await textOf(page, 'table tbody')).toContain('场发射扫描电镜');
    await h.screenshot(page, 'sme-bookings');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    // The private calendar feed link: created, shown once, then revoked.
    await page.locator('#f-label').fill('办公室电脑');
    await page.locator('form[action="/sme/calendar-tokens"] button').click();
    const url = await page.locator('#feed-url').inputValue();
    expect(url).toMatch(/\/api\/v1\/calendar\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await page.request.get(url);
    expect(feed.status()).toBe(200);
    expect(await feed.text()).toContain(bookingId);
    page.once('dialog', (d) => void d.accept());
    await page.locator('form[action$="/revoke"] button').first().click();
    await waitForText(page, '.alert-ok', '订阅链接已撤销');
    expect((await page.request.get(url)).status()).toBe(404);

    await page.goto(`/sme/bookings/${bookingId}`);
    await page.locator('#f-reason').fill('样品未按期制备完成');
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForURL(/notice=sme\.cancelled/), page.locator('form[action$="/cancel"] button').click()]);
    expect(await textOf(page, '.booking-state .badge')).toBe('已取消');
    expect(await h.t.sql(`SELECT state, cancel_reason FROM bookings WHERE id = $1`, [bookingId])).toEqual([
      { state: 'cancelled', cancel_reason: '样品未按期制备完成' },
    ]);

    await page.goto('/inbox');
    expect(await textOf(page, 'h1')).toBe('通知');
    expect(await textOf(page, 'table tbody')).toContain('预约已取消');
    await h.screenshot(page, 'sme-notifications');
    expect(await h.accessibilityViolations(page)).toEqual([]);
    await page.locator('form[action$="/read"] button').first().click();
    await waitForText(page, '.alert-ok', '已标为已读');
    expect(await textOf(page, 'table tbody tr .badge')).toBe('已读');

    // The operator's inbox has the request notice (the page serves every role).
    const op = await h.newPage();
    await h.signIn(op.page, 'operator@demo.local');
    await op.page.goto('/inbox');
    expect(await textOf(op.page, 'table tbody')).toContain('新的预约申请');
  });

  it('finds a free window in the availability search and opens the booking form pre-filled', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'sme@demo.local');
    await page.goto('/sme/search');
    await page.locator('#f-direction').selectOption('new_materials');
    await page.locator('#f-minHours').fill('8');
    await Promise.all([page.waitForURL(/minHours=8/), page.locator('form[role=search] button[type=submit]').click()]);
    await waitForText(page, '#results', '找到');
    const book = page.locator('.search-results a.button').first();
    await book.waitFor();
    await h.screenshot(page, 'sme-search');
    await Promise.all([page.waitForURL(/\/book\?start=/), book.click()]);
    const start = await page.locator('#f-start').inputValue();
    const end = await page.locator('#f-end').inputValue();
    expect(Date.parse(`${end}:00Z`) - Date.parse(`${start}:00Z`)).toBe(8 * 3_600_000);
    expect(await textOf(page, '#price .price-total')).toMatch(/¥/);
  });

  it('shows projects with their chain, usage and spend, and works at 390 px wide', async () => {
    const { page } = await h.newPage({ viewport: { width: 390, height: 844 } });
    await h.signIn(page, 'sme@demo.local');
    await page.goto('/sme/projects');
    expect(await textOf(page, '.project-list')).toContain('测试·高熵合金涂层');
    expect(await textOf(page, '.project-list .chain li.current')).toContain('（当前）');
    await h.screenshot(page, 'sme-projects-phone');
    await page.goto('/sme/usage');
    expect(await textOf(page, 'h1')).toBe('使用与费用');
    await h.screenshot(page, 'sme-usage-phone');
    await page.goto(`/sme/resources/${resourceId}`);
    await h.screenshot(page, 'sme-resource-week-phone');
    await page.goto(bookPath);
    await h.screenshot(page, 'sme-booking-form-phone');
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
  });

  it('moves a project along the chain from its page: evidence required beside the field, then the next stage, and back with a reason', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'sme@demo.local');
    const [{ id }] = await h.t.sql<{ id: string }>(
      `SELECT p.id FROM projects p JOIN users u ON u.organisation_id = p.organisation_id WHERE u.email = 'sme@demo.local' AND p.title_zh = '测试·高熵合金涂层'`,
    );
    await page.goto(`/sme/projects/${id}`);
    // The browser itself stops an empty required field; without that check (an old browser, a hand-made request) the server says why.
    await page.evaluate(`document.getElementById('f-evidence').removeAttribute('required')`);
    await page.locator(`form[action="/sme/projects/${id}/advance"] button[type=submit]`).click();
    await waitForText(page, '#f-evidence-error', '必填');
    expect(await h.t.sql(`SELECT stage FROM projects WHERE id = $1`, [id])).toEqual([{ stage: 'lab_validation' }]);
    await page.locator('#f-evidence').fill('小试样品检测报告 No. 2026-118');
    await Promise.all([page.waitForURL(/notice=sme\.projectAdvanced/), page.locator(`form[action="/sme/projects/${id}/advance"] button[type=submit]`).click()]);
    expect(await textOf(page, '.chain li.current')).toContain('中试熟化');
    expect(await h.t.sql(`SELECT stage FROM projects WHERE id = $1`, [id])).toEqual([{ stage: 'pilot_maturation' }]);
    page.once('dialog', (d) => void d.accept());
    await page.locator(`form[action="/sme/projects/${id}/revert"] #f-reason`).fill('中试放大失败，回到小试');
    await Promise.all([page.waitForURL(/notice=sme\.projectReverted/), page.locator(`form[action="/sme/projects/${id}/revert"] button[type=submit]`).click()]);
    expect(await h.t.sql(`SELECT stage FROM projects WHERE id = $1`, [id])).toEqual([{ stage: 'lab_validation' }]);
    expect(await h.t.sql(`SELECT action FROM audit_entries WHERE entity_id = $1 AND action LIKE 'project.%' ORDER BY seq`, [id])).toEqual([
      { action: 'project.created' },
      { action: 'project.advanced' },
      { action: 'project.reverted' },
    ]);
    expect(await h.accessibilityViolations(page)).toEqual([]);
  });
});
