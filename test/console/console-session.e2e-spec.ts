import { attributeOf, ConsoleHarness, describeInBrowser, startConsole, textOf, waitForText } from './browser';

/** The browser session: sign-in, cookies, CSRF, the API untouched by cookies, sign-out, language, error pages. */
describeInBrowser('console: browser session', () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsole();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the sign-in page in Chinese, refuses a wrong password beside the form, and signs in with an httpOnly SameSite cookie', async () => {
    const { context, page } = await h.newPage();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await attributeOf(page, 'html', 'lang')).toBe('zh-CN');
    expect(await textOf(page, 'h1')).toBe('登录');
    await page.locator('#f-email').fill('sme@demo.local');
    await page.locator('#f-password').fill('not-the-password');
    await page.locator('main button[type=submit]').click();
    await waitForText(page, '.alert-error', '邮箱或密码不正确');
    expect(await page.locator('#f-email').inputValue()).toBe('sme@demo.local');
    await h.screenshot(page, 'sign-in');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    await h.signIn(page, 'sme@demo.local');
    expect(new URL(page.url()).pathname).toBe('/sme/catalogue');
    const session = (await context.cookies()).find((c) => c.name === 'pb_session');
    expect(session).toEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Lax' }));
    // The API reads only the Authorization header: the page session is not a credential there.
    const api = await page.request.get('/api/v1/me');
    expect(api.status()).toBe(401);
    expect(api.headers()['content-type']).toMatch(/application\/problem\+json/);
  });

  it('refuses a form without its CSRF token (another site posting with the cookie) and changes nothing', async () => {
    const { context, page } = await h.newPage();
    await h.signIn(page, 'sme2@demo.local');
    const before = await h.t.sql<{ n: string }>(`SELECT count(*) AS n FROM auth_sessions WHERE revoked_at IS NULL`);
    // The browser sends the SameSite=Lax cookie with a same-origin request but without the token, as a forged form would.
    const forged = await page.request.post('/sign-out', { form: { next: '/' } });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('表单已过期');
    const wrongToken = await page.request.post('/language', { form: { _csrf: 'abc.def', language: 'en', next: '/' } });
    expect(wrongToken.status()).toBe(403);
    const after = await h.t.sql<{ n: string }>(`SELECT count(*) AS n FROM auth_sessions WHERE revoked_at IS NULL`);
    expect(after[0].n).toBe(before[0].n);
    expect(await h.t.sql(`SELECT * FROM console_preferences`)).toEqual([]);
    await page.reload();
    expect(await attributeOf(page, 'html', 'lang')).toBe('zh-CN');
    await context.close();
  });

  it('remembers the language per user across browsers, and signing out ends the session at once', async () => {
    const first = await h.newPage();
    await h.signIn(first.page, 'official@demo.local');
    await first.page.locator('header form[action="/language"] button').click();
    expect(await attributeOf(first.page, 'html', 'lang')).toBe('en');
    expect(await h.t.sql(`SELECT p.language FROM console_preferences p JOIN users u ON u.id = p.user_id WHERE u.email = 'official@demo.local'`)).toEqual([
      { language: 'en' },
    ]);
    const audit = await h.t.sql(`SELECT data FROM audit_entries WHERE action = 'user.console_language_changed'`);
    expect(audit).toEqual([{ data: { from: 'zh-CN', to: 'en' } }]);

    const second = await h.newPage();
    await h.signIn(second.page, 'official@demo.local');
    expect(await attributeOf(second.page, 'html', 'lang')).toBe('en');
    const cookie = (await second.context.cookies()).find((c) => c.name === 'pb_session');

    await second.page.locator('header form[action="/sign-out"] button').click();
    expect(new URL(second.page.url()).pathname).toBe('/sign-in');
    expect(await textOf(second.page, '.alert-ok')).toBe('You have signed out.');
    // The old cookie, replayed, no longer opens anything.
    const replay = await h.browser.newContext({ baseURL: h.baseUrl });
    await replay.addCookies([{ ...cookie!, sameSite: 'Lax' }]);
    const replayPage = await replay.newPage();
    await replayPage.goto('/official');
    expect(new URL(replayPage.url()).pathname).toBe('/sign-in');
    await replay.close();
    // The first browser's session is another one and is still signed in.
    await first.page.goto('/official');
    expect(new URL(first.page.url()).pathname).toBe('/official');
  });

  it('answers an unknown page and a page of another role with a page, not JSON or a stack trace', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'sme@demo.local');
    const other = await page.goto('/operator/queue');
    expect(other!.status()).toBe(403);
    expect(await textOf(page, 'h1')).toBe('无权访问（403）');
    expect(await other!.headerValue('content-type')).toMatch(/^text\/html/);
    await h.screenshot(page, 'forbidden');
    const missing = await page.goto('/sme/no-such-page');
    expect(missing!.status()).toBe(404);
    expect(await textOf(page, 'h1')).toBe('未找到（404）');
  });

  it('locks an account after the API’s number of wrong passwords, in the page and for the API alike', async () => {
    const { page } = await h.newPage();
    for (let i = 0; i < 5; i++) {
      await page.goto('/sign-in');
      await page.locator('#f-email').fill('operator-dalian@demo.local');
      await page.locator('#f-password').fill(`wrong-password-${i}`);
      await page.locator('main button[type=submit]').click();
      // The fifth wrong password locks the account (LOGIN_LOCKOUT_THRESHOLD 5), as through the API.
      await waitForText(page, '.alert-error', i < 4 ? '邮箱或密码不正确' : '尝试次数过多');
    }
    await page.goto('/sign-in');
    await page.locator('#f-email').fill('operator-dalian@demo.local');
    await page.locator('#f-password').fill('demo-pass-2024');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/sign-in') && r.request().method() === 'POST'),
      page.locator('main button[type=submit]').click(),
    ]);
    expect(answer.status()).toBe(429);
    await waitForText(page, '.alert-error', '尝试次数过多');
    const api = await h.t.http().post('/api/v1/auth/login').send({ email: 'operator-dalian@demo.local', password: 'demo-pass-2024' });
    expect(api.status).toBe(429);
    const failed = await h.t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM audit_entries WHERE action = 'auth.login_failed' AND data->>'email' = 'operator-dalian@demo.local'`,
    );
    expect(Number(failed[0].n)).toBeGreaterThanOrEqual(5);
  });

  it('sends a user whose password an admin reset to the change-password page until it is changed, then home', async () => {
    const admin = await h.t.login('admin@demo.local');
    const [{ id }] = await h.t.sql<{ id: string }>(`SELECT id FROM users WHERE email = 'operator-compute@demo.local'`);
    await h.t
      .http()
      .post(`/api/v1/users/${id}/reset-password`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ temporaryPassword: 'temporary-pass-77' })
      .expect(200);
    const { page } = await h.newPage();
    await h.signIn(page, 'operator-compute@demo.local', 'temporary-pass-77');
    expect(new URL(page.url()).pathname).toBe('/account/password');
    await page.goto('/operator/queue');
    expect(new URL(page.url()).pathname).toBe('/account/password');
    await page.locator('#f-currentPassword').fill('wrong-one-123');
    await page.locator('#f-newPassword').fill('a-new-long-passphrase');
    await page.locator('main button[type=submit]').click();
    await waitForText(page, '#f-currentPassword-error', '当前密码不正确');
    await page.locator('#f-currentPassword').fill('temporary-pass-77');
    await page.locator('#f-newPassword').fill('a-new-long-passphrase');
    await Promise.all([page.waitForURL('**/operator/queue?notice=common.passwordChanged'), page.locator('main button[type=submit]').click()]);
    expect(await textOf(page, '.alert-ok')).toBe('密码已修改。');
    expect(await h.t.sql(`SELECT must_change_password FROM users WHERE id = $1`, [id])).toEqual([{ must_change_password: false }]);
    // The page session continues on the new session the change opened; the old ones are over.
    await page.goto('/operator/usage');
    expect(new URL(page.url()).pathname).toBe('/operator/usage');
  });

  it('leaves the API where it was: every operation of the OpenAPI document is under /api/v1 (or /health)', async () => {
    const docs = await h.t.rawHttp().get('/docs-json');
    const paths = Object.keys(docs.body.paths as Record<string, unknown>);
    expect(paths.filter((p) => !p.startsWith('/api/v1/') && p !== '/health')).toEqual([]);
    expect(paths.some((p) => p.startsWith('/api/v1/notifications'))).toBe(true);
  });

  it('keeps the way back after sign-in to this site only', async () => {
    const { page } = await h.newPage();
    await page.goto('/official');
    expect(page.url()).toContain('/sign-in?next=%2Fofficial');
    await page.locator('#f-email').fill('official@demo.local');
    await page.locator('#f-password').fill('demo-pass-2024');
    await Promise.all([page.waitForURL('**/official'), page.locator('main button[type=submit]').click()]);
    const { page: evil } = await h.newPage();
    await evil.goto('/sign-in?next=//evil.example/');
    await evil.locator('#f-email').fill('official@demo.local');
    await evil.locator('#f-password').fill('demo-pass-2024');
    await Promise.all([evil.waitForURL((u) => !u.pathname.startsWith('/sign-in')), evil.locator('main button[type=submit]').click()]);
    expect(new URL(evil.url()).host).toBe(new URL(h.baseUrl).host);
  });
});
