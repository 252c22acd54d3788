import { createTestApp, expectProblem, TestApp } from './helpers/test-app';
import { demoCreditCode } from '../src/database/seed/demo-accounts';

const registration = (over: Record<string, unknown> = {}) => ({
  email: 'founder@example.cn',
  password: 'correct-horse-battery',
  displayName: '王工',
  organisationNameZh: '测试·营口储能材料有限公司',
  organisationNameEn: 'Test Yingkou Storage Materials Co.',
  creditCode: demoCreditCode('210800', 77),
  sme: true,
  cityCode: '210800',
  ...over,
});

describe('foundation: auth, organisations, users, errors', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin@demo.local');
  });
  afterAll(() => t.close());

  describe('health and docs', () => {
    it('GET /health reports the database up, without a token', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.info.database.status).toBe('up');
    });

    it('serves the OpenAPI document with bearer auth, every route and the DTO schemas', async () => {
      const res = await t.http().get('/docs-json').expect(200);
      const doc = res.body;
      expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
      for (const path of ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/me', '/api/v1/organisations', '/api/v1/users', '/health']) {
        expect(Object.keys(doc.paths)).toContain(path);
      }
      expect(doc.components.schemas.RegisterEnterpriseDto.properties.creditCode).toBeDefined();
      expect(doc.components.schemas.Problem).toBeDefined();
      expect(doc.paths['/api/v1/me'].get.security).toEqual([{ bearer: [] }]);
      const html = await t.http().get('/docs').expect(200);
      expect(html.text).toContain('swagger');
    });

    it('sets security headers and echoes a sane X-Request-Id', async () => {
      const res = await t.http().get('/health').set('X-Request-Id', 'trace-123').expect(200);
      expect(res.headers['x-request-id']).toBe('trace-123');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
      const generated = await t.http().get('/health').set('X-Request-Id', 'bad id with spaces').expect(200);
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('registration', () => {
    it('creates the enterprise and its first user in one go, and they can log in', async () => {
      const res = await t.http().post('/api/v1/auth/register').send(registration()).expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          email: 'founder@example.cn',
          role: 'enterprise',
          organisation: expect.objectContaining({ kind: 'enterprise', sme: true, cityCode: '210800', creditCode: demoCreditCode('210800', 77) }),
        }),
      );
      expect(res.body.passwordHash).toBeUndefined();
      const token = await t.login('FOUNDER@example.cn ', 'correct-horse-battery');
      const me = await t.http().get('/api/v1/me').auth(token, { type: 'bearer' }).expect(200);
      expect(me.body.organisation.nameZh).toBe('测试·营口储能材料有限公司');
      const audit = await t.sql(`SELECT action FROM audit_entries WHERE entity_id IN ($1, $2) ORDER BY seq`, [me.body.organisation.id, me.body.id]);
      expect(audit.map((a) => a.action)).toEqual(['organisation.created', 'user.created', 'auth.login_succeeded']);
    });

    it('refuses a duplicate e-mail with 409 and creates nothing', async () => {
      const before = await t.sql(`SELECT count(*)::int AS n FROM organisations`);
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .send(registration({ creditCode: demoCreditCode('210800', 78) }));
      expectProblem(res, 409, 'email_taken');
      const after = await t.sql(`SELECT count(*)::int AS n FROM organisations`);
      expect(after[0].n).toBe(before[0].n); // the organisation rolled back with the user
    });

    it('refuses a duplicate credit code with 409', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .send(registration({ email: 'other@example.cn' }));
      expectProblem(res, 409, 'credit_code_taken');
    });

    it.each([
      ['a wrong check character', '91210800MADEM0077X'],
      ['17 characters', '91210800MADEM0077'],
      ['a forbidden letter (O)', '91210800MADEMO077' + '1'],
      ['lower case letters that are not a valid code', 'not-a-credit-code!'],
    ])('refuses a credit code with %s: 400 with a field error', async (_why, code) => {
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .send(registration({ email: 'x1@example.cn', creditCode: code }));
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'creditCode' })]));
    });

    it.each([
      ['email', { email: 'not-an-email' }],
      ['password', { password: 'short' }],
      ['cityCode', { cityCode: '110000' }],
      ['sme', { sme: 'yes' }],
      ['organisationNameZh', { organisationNameZh: '' }],
      ['displayName', { displayName: 42 }],
    ])('refuses a bad %s with a field error', async (field, over) => {
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .send(registration({ email: 'x2@example.cn', ...over }));
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
    });
  });

  describe('login and me', () => {
    it('gives the same 401 for a wrong password and an unknown e-mail', async () => {
      const wrong = expectProblem(await t.http().post('/api/v1/auth/login').send({ email: 'sme@demo.local', password: 'nope-nope-nope' }), 401);
      const unknown = expectProblem(await t.http().post('/api/v1/auth/login').send({ email: 'ghost@demo.local', password: 'nope-nope-nope' }), 401);
      expect(unknown.detail).toBe(wrong.detail);
    });

    it('returns a bearer token whose user is the caller', async () => {
      const res = await t.http().post('/api/v1/auth/login').send({ email: 'operator@demo.local', password: 'demo-pass-2024' }).expect(200);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshExpiresIn: 14 * 24 * 3600,
        passwordChangeRequired: false,
      });
      const me = await t.http().get('/api/v1/me').auth(res.body.accessToken, { type: 'bearer' }).expect(200);
      expect(me.body).toEqual(
        expect.objectContaining({ email: 'operator@demo.local', role: 'operator', organisation: expect.objectContaining({ kind: 'operator' }) }),
      );
    });

    it('401 without a token, with a malformed token and with a token signed by someone else', async () => {
      expectProblem(await t.http().get('/api/v1/me'), 401);
      expectProblem(await t.http().get('/api/v1/me').set('Authorization', 'Bearer not.a.jwt'), 401);
      expectProblem(await t.http().get('/api/v1/me').set('Authorization', 'Basic abc'), 401);
      const forged = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlIjoiYWRtaW4ifQ.c2lnbmF0dXJl';
      expectProblem(await t.http().get('/api/v1/me').auth(forged, { type: 'bearer' }), 401);
    });
  });

  describe('admin creates organisations and users', () => {
    let operatorOrgId: string;

    it('creates an operator organisation and an operator in it', async () => {
      const org = await t
        .http()
        .post('/api/v1/organisations')
        .auth(admin, { type: 'bearer' })
        .send({ kind: 'operator', nameZh: '测试·锦州检测中心', nameEn: 'Test Jinzhou Testing Centre', cityCode: '210700' })
        .expect(201);
      operatorOrgId = org.body.id;
      const user = await t
        .http()
        .post('/api/v1/users')
        .auth(admin, { type: 'bearer' })
        .send({ email: 'op2@example.cn', displayName: '李运营', password: 'operator-pass-1', role: 'operator', organisationId: operatorOrgId })
        .expect(201);
      expect(user.body).toEqual(expect.objectContaining({ role: 'operator', organisationId: operatorOrgId }));
      expect(user.body.passwordHash).toBeUndefined();
      const token = await t.login('op2@example.cn', 'operator-pass-1');
      const me = await t.http().get('/api/v1/me').auth(token, { type: 'bearer' }).expect(200);
      expect(me.body.organisation.id).toBe(operatorOrgId);
    });

    it('creates an authority with an official, and another admin without organisation', async () => {
      const org = await t.http().post('/api/v1/organisations').auth(admin, { type: 'bearer' }).send({ kind: 'authority', nameZh: '测试·市科技局' }).expect(201);
      await t
        .http()
        .post('/api/v1/users')
        .auth(admin, { type: 'bearer' })
        .send({ email: 'official2@example.cn', displayName: '赵专员', password: 'official-pass-1', role: 'official', organisationId: org.body.id })
        .expect(201);
      await t
        .http()
        .post('/api/v1/users')
        .auth(admin, { type: 'bearer' })
        .send({ email: 'admin2@example.cn', displayName: 'Second admin', password: 'admin-pass-12', role: 'admin' })
        .expect(201);
    });

    it('refuses a role that does not fit the organisation, an admin with an organisation, and unknown organisations', async () => {
      expectProblem(
        await t
          .http()
          .post('/api/v1/users')
          .auth(admin, { type: 'bearer' })
          .send({ email: 'bad1@example.cn', displayName: 'x', password: 'password-123', role: 'enterprise', organisationId: operatorOrgId }),
        400,
        'role_does_not_fit_organisation',
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/users')
          .auth(admin, { type: 'bearer' })
          .send({ email: 'bad2@example.cn', displayName: 'x', password: 'password-123', role: 'admin', organisationId: operatorOrgId }),
        400,
      );
      expectProblem(
        await t.http().post('/api/v1/users').auth(admin, { type: 'bearer' }).send({
          email: 'bad3@example.cn',
          displayName: 'x',
          password: 'password-123',
          role: 'operator',
          organisationId: '00000000-0000-4000-8000-000000000000',
        }),
        404,
      );
      expectProblem(
        await t
          .http()
          .post('/api/v1/users')
          .auth(admin, { type: 'bearer' })
          .send({ email: 'sme@demo.local', displayName: 'x', password: 'password-123', role: 'operator', organisationId: operatorOrgId }),
        409,
        'email_taken',
      );
      expectProblem(await t.http().post('/api/v1/organisations').auth(admin, { type: 'bearer' }).send({ kind: 'enterprise', nameZh: '无代码企业' }), 400);
      expectProblem(await t.http().post('/api/v1/organisations').auth(admin, { type: 'bearer' }).send({ kind: 'club', nameZh: '俱乐部' }), 400);
    });

    it.each(['sme@demo.local', 'operator@demo.local', 'official@demo.local'])('refuses %s on admin routes with 403', async (email) => {
      const token = await t.login(email);
      expectProblem(await t.http().post('/api/v1/organisations').auth(token, { type: 'bearer' }).send({ kind: 'authority', nameZh: '某局' }), 403, 'forbidden');
      expectProblem(
        await t
          .http()
          .post('/api/v1/users')
          .auth(token, { type: 'bearer' })
          .send({ email: 'z@example.cn', displayName: 'z', password: 'password-123', role: 'admin' }),
        403,
      );
      expectProblem(await t.http().get('/api/v1/users').auth(token, { type: 'bearer' }), 403);
    });

    it('lets officials list organisations but not enterprises', async () => {
      const official = await t.login('official@demo.local');
      const list = await t.http().get('/api/v1/organisations?kind=enterprise&limit=2').auth(official, { type: 'bearer' }).expect(200);
      expect(list.body.items.length).toBeLessThanOrEqual(2);
      expect(list.body.total).toBeGreaterThanOrEqual(3);
      const sme = await t.login('sme@demo.local');
      expectProblem(await t.http().get('/api/v1/organisations').auth(sme, { type: 'bearer' }), 403);
    });

    it('shows an enterprise its own organisation and hides the others (404)', async () => {
      const sme = await t.login('sme@demo.local');
      const me = await t.http().get('/api/v1/me').auth(sme, { type: 'bearer' }).expect(200);
      await t.http().get(`/api/v1/organisations/${me.body.organisationId}`).auth(sme, { type: 'bearer' }).expect(200);
      expectProblem(await t.http().get(`/api/v1/organisations/${operatorOrgId}`).auth(sme, { type: 'bearer' }), 404);
      expectProblem(await t.http().get(`/api/v1/users/${me.body.id}x`).auth(sme, { type: 'bearer' }), 400);
    });

    it('lists users for admins with totals and filters', async () => {
      const res = await t.http().get('/api/v1/users?role=operator').auth(admin, { type: 'bearer' }).expect(200);
      expect(res.body.items.every((u: { role: string }) => u.role === 'operator')).toBe(true);
      expect(res.body.total).toBe(res.body.items.length);
      expectProblem(await t.http().get('/api/v1/users?role=wizard').auth(admin, { type: 'bearer' }), 400);
      expectProblem(await t.http().get('/api/v1/users?limit=0').auth(admin, { type: 'bearer' }), 400);
    });
  });

  describe('error contract', () => {
    it('unknown routes are 404 problem+json', async () => {
      expectProblem(await t.http().get('/api/v1/no-such-thing'), 404);
      expectProblem(await t.http().delete('/nowhere'), 404);
    });

    it('malformed JSON is 400', async () => {
      const res = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email": "a@b.c",');
      expectProblem(res, 400);
    });

    it('unknown fields and wrong types are 400 with field errors', async () => {
      const extra = expectProblem(await t.http().post('/api/v1/auth/login').send({ email: 'a@b.cn', password: 'x', isAdmin: true }), 400);
      expect(extra.errors).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
      const types = expectProblem(
        await t
          .http()
          .post('/api/v1/auth/login')
          .send({ email: ['a'], password: 5 }),
        400,
      );
      expect([...new Set(types.errors!.map((e) => e.field))].sort()).toEqual(['email', 'password']);
    });

    it('a body over 1 MiB is 413', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ email: 'a'.repeat(1_100_000), password: 'x' }));
      expectProblem(res, 413, 'payload_too_large');
    });

    it('a JSON array or scalar body is 400, not 500', async () => {
      expectProblem(await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('[1,2]'), 400);
      expectProblem(await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('"x"'), 400);
      expectProblem(await t.http().post('/api/v1/auth/register').send({}), 400);
    });
  });

  describe('audit trail', () => {
    it('is append-only and its hash chain verifies', async () => {
      const official = await t.login('official@demo.local');
      const res = await t.http().get('/api/v1/audit/verify').auth(official, { type: 'bearer' }).expect(200);
      expect(res.body.valid).toBe(true);
      expect(res.body.entries).toBeGreaterThan(5);
      await expect(t.sql(`UPDATE audit_entries SET action = 'tampered' WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(t.sql(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
      // An SME reads only the entries filed under its own organisation; verify stays with officials and admins.
      const sme = await t.login('sme@demo.local');
      const own = await t.http().get('/api/v1/audit?limit=200').auth(sme, { type: 'bearer' }).expect(200);
      const [{ organisation_id: smeOrg }] = await t.sql<{ organisation_id: string }>(`SELECT organisation_id FROM users WHERE email = 'sme@demo.local'`);
      expect(own.body.items.length).toBeGreaterThan(0);
      expect(own.body.items.every((e: { organisationId: string }) => e.organisationId === smeOrg)).toBe(true);
      expectProblem(await t.http().get('/api/v1/audit/verify').auth(sme, { type: 'bearer' }), 403);
    });
  });
});
