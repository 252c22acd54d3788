import { creditCodeCheckCharacter } from '../../src/common/validation/credit-code';
import { ConsoleHarness, describeInBrowser, startConsole, textOf, waitForText } from './browser';

/** The admin's pages: organisations, users (create, deactivate, reset password, role) and the indicator reference values. */
describeInBrowser('console: admin pages', () => {
  let h: ConsoleHarness;
  const first17 = '91210100MA0TNB8K1';
  const creditCode = first17 + creditCodeCheckCharacter(first17);
  const ORG_NAME = '测试·新材料科技有限公司';

  beforeAll(async () => {
    h = await startConsole();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates an enterprise: a bad credit code is refused beside the field in Chinese, a good one is stored and audited', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'admin@demo.local');
    expect(new URL(page.url()).pathname).toBe('/admin/organisations');
    expect(await textOf(page, 'h1')).toBe('组织');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    await page.locator('#f-kind').selectOption('enterprise');
    await page.locator('#f-nameZh').fill(ORG_NAME);
    await page.locator('#f-creditCode').fill('91210100MA0TNB8K1X');
    await page.locator('#f-sme').check();
    await page.locator('#f-cityCode').selectOption('210100');
    await page.locator('form.org-form button[type=submit]').click();
    await waitForText(page, '.alert-error', '表单有错误');
    expect(await textOf(page, '#f-creditCode-error')).toMatch(/填写有误|统一社会信用代码/);
    expect(await page.locator('#f-nameZh').inputValue()).toBe(ORG_NAME);
    expect(await h.t.sql(`SELECT id FROM organisations WHERE name_zh = $1`, [ORG_NAME])).toEqual([]);
    await h.screenshot(page, 'admin-organisation-error');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    await page.locator('#f-creditCode').fill(creditCode);
    await page.locator('form.org-form button[type=submit]').click();
    await waitForText(page, '.alert-ok', '组织已创建');
    const [org] = await h.t.sql<{ id: string; credit_code: string; sme: boolean; kind: string }>(
      `SELECT id, credit_code, sme, kind FROM organisations WHERE name_zh = $1`,
      [ORG_NAME],
    );
    expect(org).toMatchObject({ credit_code: creditCode, sme: true, kind: 'enterprise' });
    expect(await h.t.sql(`SELECT action FROM audit_entries WHERE entity_id = $1`, [org.id])).toEqual([{ action: 'organisation.created' }]);
    expect(await textOf(page, `#o-${org.id}`)).toContain(creditCode);
    await h.screenshot(page, 'admin-organisations');

    // the same code again: credit_code_taken in Chinese
    await page.locator('#f-nameZh').fill('测试·重复企业');
    await page.locator('#f-creditCode').fill(creditCode);
    await page.locator('form.org-form button[type=submit]').click();
    await waitForText(page, '.alert-error', '该统一社会信用代码已注册');
  });

  it('creates a user of that enterprise, deactivates them (SQL and audit), resets the password and reactivates', async () => {
    const [org] = await h.t.sql<{ id: string }>(`SELECT id FROM organisations WHERE name_zh = $1`, [ORG_NAME]);
    const { page } = await h.newPage();
    page.on('dialog', (d) => void d.accept());
    await h.signIn(page, 'admin@demo.local');
    await page.goto('/admin/users');
    expect(await textOf(page, 'h1')).toBe('用户');
    expect(await h.accessibilityViolations(page)).toEqual([]);

    // an e-mail without a domain (the browser lets it through; the API does not): the error beside the field
    await page.locator('#f-email').fill('zhang@xincai');
    await page.locator('#f-displayName').fill('张测试');
    await page.locator('#f-password').fill('Xincai-2026-pilot');
    await page.locator('form.user-form #f-role').selectOption('enterprise');
    await page.locator('form.user-form #f-organisationId').selectOption(org.id);
    await page.locator('form.user-form button[type=submit]').click();
    await waitForText(page, '#f-email-error', '填写有误');

    await page.locator('#f-email').fill('zhang.test@xincai.example');
    await page.locator('#f-password').fill('Xincai-2026-pilot');
    await page.locator('form.user-form button[type=submit]').click();
    await waitForText(page, '.alert-ok', '用户已创建');
    const [user] = await h.t.sql<{ id: string; active: boolean; role: string; organisation_id: string }>(
      `SELECT id, active, role, organisation_id FROM users WHERE email = 'zhang.test@xincai.example'`,
    );
    expect(user).toMatchObject({ active: true, role: 'enterprise', organisation_id: org.id });
    expect(new URL(page.url()).pathname).toBe(`/admin/users/${user.id}`);
    expect(await h.accessibilityViolations(page)).toEqual([]);

    await page.locator('.deactivate-form button').click();
    await waitForText(page, '.alert-ok', '用户已停用');
    expect(await textOf(page, '.user-status')).toBe('已停用');
    expect((await h.t.sql<{ active: boolean }>(`SELECT active FROM users WHERE id = $1`, [user.id]))[0].active).toBe(false);
    expect(await h.t.sql(`SELECT action FROM audit_entries WHERE entity_id = $1 AND action = 'user.deactivated'`, [user.id])).toHaveLength(1);
    // the deactivated user cannot sign in
    expect((await h.t.http().post('/api/v1/auth/login').send({ email: 'zhang.test@xincai.example', password: 'Xincai-2026-pilot' })).status).not.toBe(200);

    await page.locator('#f-temporaryPassword').fill('short');
    await page.locator('.reset-form button').click();
    await waitForText(page, '#f-temporaryPassword-error', '填写有误');
    await page.locator('#f-temporaryPassword').fill('Temp-Pass-2026-x');
    await page.locator('.reset-form button').click();
    await waitForText(page, '.temporary-password', 'Temp-Pass-2026-x');
    expect((await h.t.sql<{ must_change_password: boolean }>(`SELECT must_change_password FROM users WHERE id = $1`, [user.id]))[0].must_change_password).toBe(
      true,
    );

    await page.locator('.reactivate-form button').click();
    await waitForText(page, '.alert-ok', '用户已重新启用');
    expect((await h.t.sql<{ active: boolean }>(`SELECT active FROM users WHERE id = $1`, [user.id]))[0].active).toBe(true);
    await h.screenshot(page, 'admin-user');

    // an enterprise role on an operator organisation: the service's rule in Chinese, nothing changed
    await page.locator('form.role-form #f-role').selectOption('operator');
    await page.locator('form.role-form button').click();
    await waitForText(page, 'section:has(#h-role) .alert-error', /\S/);
    expect((await h.t.sql<{ role: string }>(`SELECT role FROM users WHERE id = $1`, [user.id]))[0].role).toBe('enterprise');

    await page.goto('/admin/users?role=enterprise');
    expect(await textOf(page, `#u-${user.id}`)).toContain('zhang.test@xincai.example');
    await h.screenshot(page, 'admin-users');
  });

  it('edits a year’s reference values (stored and audited); a bad value is refused beside its field', async () => {
    const { page } = await h.newPage();
    await h.signIn(page, 'admin@demo.local');
    await page.goto('/admin/references');
    expect(await textOf(page, 'h1')).toBe('指标参考值');
    expect(await h.accessibilityViolations(page)).toEqual([]);
    const [ref] = await h.t.sql<{ year: number }>(`SELECT year FROM indicator_references ORDER BY year DESC LIMIT 1`);
    const form = `#form-y${ref.year}`;
    await page.locator(`#y${ref.year}-fullUseHours`).fill('abc');
    await page.locator(`${form} button`).click();
    await waitForText(page, `#y${ref.year}-fullUseHours-error`, '填写有误');
    await page.locator(`#y${ref.year}-fullUseHours`).fill('1300');
    await page.locator(`${form} button`).click();
    await waitForText(page, '.alert-ok', '参考值已保存');
    expect(
      Number((await h.t.sql<{ full_use_hours: string }>(`SELECT full_use_hours FROM indicator_references WHERE year = $1`, [ref.year]))[0].full_use_hours),
    ).toBe(1300);
    expect(await h.t.sql(`SELECT action FROM audit_entries WHERE entity_type = 'indicator_reference' AND entity_id = $1`, [String(ref.year)])).toEqual([
      { action: 'indicator_reference.updated' },
    ]);
    expect(await textOf(page, `#ref-${ref.year}`)).toContain('1,300');
    await h.screenshot(page, 'admin-references');
  });
});
