import { createHash } from 'node:crypto';
import * as argon2 from 'argon2';
import request from 'supertest';
import { SessionsService } from '../src/auth/sessions.service';
import { Clock } from '../src/common/clock';
import { demoCreditCode } from '../src/database/seed/demo-accounts';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ALLOWED_ORIGIN = 'https://booking.example.cn';

/** Tight limits for this file only; the defaults (README) are far above what any other test file does. */
const SECURITY_ENV = {
  LOGIN_LOCKOUT_THRESHOLD: '3',
  LOGIN_LOCKOUT_DURATION: '15m',
  LOGIN_IP_LIMIT: '6',
  LOGIN_IP_WINDOW: '10m',
  REGISTER_IP_LIMIT: '3',
  REGISTER_IP_WINDOW: '1h',
  CORS_ORIGINS: `${ALLOWED_ORIGIN}, https://admin.example.cn`,
};

interface Pair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  refreshExpiresIn: number;
  passwordChangeRequired: boolean;
}

let ipSeq = 0;
/** A fresh client address per scenario (the app trusts X-Forwarded-For from loopback, as behind a proxy). */
const nextIp = () => `203.0.113.${++ipSeq}`;

describe('security: tokens, throttling, passwords, auth audit, web hygiene, administration', () => {
  let t: TestApp;
  let adminToken: string;
  let smeOrgId: string;
  let userSeq = 0;

  const clock = (app: TestApp = t) => app.app.get(Clock);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const post = (path: string, ip = '198.51.100.1', app: TestApp = t) => app.http().post(`/api/v1${path}`).set('X-Forwarded-For', ip);
  const login = (email: string, password: string, ip?: string, app: TestApp = t) => post('/auth/login', ip, app).send({ email, password });
  const loginPair = async (email: string, password: string, ip?: string): Promise<Pair> => {
    const res = await login(email, password, ip);
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${res.text}`);
    return res.body as Pair;
  };
  const me = (token: string) => t.http().get('/api/v1/me').set(bearer(token));
  const refresh = (refreshToken: string, app: TestApp = t) => post('/auth/refresh', undefined, app).send({ refreshToken });
  const auditOf = (entityId: string) =>
    t.sql<{ action: string; entity_type: string; actor_kind: string; actor_user_id: string | null; data: Record<string, unknown> }>(
      `SELECT action, entity_type, actor_kind, actor_user_id, data FROM audit_entries WHERE entity_id = $1 ORDER BY seq`,
      [entityId],
    );
  const actionsOf = async (entityId: string) => (await auditOf(entityId)).map((a) => a.action);

  /** A new enterprise user with its own e-mail address, so scenarios do not share counters or sessions. */
  async function newUser(prefix = 'user', role: 'enterprise' | 'admin' = 'enterprise') {
    const email = `${prefix}-${++userSeq}@example.cn`;
    const password = `violet-harbour-${userSeq}-lantern`;
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(adminToken))
      .send({ email, password, displayName: `Test ${prefix}`, role, ...(role === 'admin' ? {} : { organisationId: smeOrgId }) });
    if (res.status !== 201) throw new Error(`create user: ${res.status} ${res.text}`);
    return { id: res.body.id as string, email, password };
  }

  beforeAll(async () => {
    t = await createTestApp({ env: SECURITY_ENV });
    adminToken = await t.login('admin@demo.local');
    const sme = await me(await t.login('sme@demo.local')).expect(200);
    smeOrgId = sme.body.organisationId;
  });
  // Tests move the clock forward, so each one starts with an admin token issued at the current time.
  beforeEach(async () => {
    adminToken = await t.login('admin@demo.local');
  });
  afterAll(() => t.close());

  describe('tokens', () => {
    it('login gives a 15-minute access token and a 14-day opaque refresh token, stored only as sha256', async () => {
      const u = await newUser('pair');
      const res = await login(u.email, u.password).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const pair = res.body as Pair;
      expect(pair).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshExpiresIn: 1_209_600,
        passwordChangeRequired: false,
      });
      const claims = JSON.parse(Buffer.from(pair.accessToken.split('.')[1], 'base64url').toString());
      expect(claims.exp - claims.iat).toBe(900);
      expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
      const rows = await t.sql<{ token_hash: string; session_id: string }>(
        `SELECT r.token_hash, r.session_id FROM refresh_tokens r JOIN auth_sessions s ON s.id = r.session_id WHERE s.user_id = $1`,
        [u.id],
      );
      expect(rows).toEqual([{ token_hash: createHash('sha256').update(pair.refreshToken).digest('hex'), session_id: claims.sid }]);
      const anywhere = await t.sql(`SELECT 1 FROM refresh_tokens r, auth_sessions s WHERE r.token_hash = $1 OR s.id::text = $1`, [pair.refreshToken]);
      expect(anywhere).toEqual([]);
    });

    it('refresh issues a new pair and the old refresh token stops working', async () => {
      const u = await newUser('rotate');
      const first = await loginPair(u.email, u.password);
      const second = (await refresh(first.refreshToken).expect(200)).body as Pair;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      await me(second.accessToken).expect(200);
      const third = (await refresh(second.refreshToken).expect(200)).body as Pair;
      await me(third.accessToken).expect(200);
      const sessions = await t.sql(`SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1`, [u.id]);
      expect(sessions[0].n).toBe(1); // rotation stays in one session
      expect(await actionsOf(u.id)).toEqual(['user.created', 'auth.login_succeeded', 'auth.refreshed', 'auth.refreshed']);
    });

    it('a stolen refresh token is useless after one use by its owner, and replaying it ends the whole session', async () => {
      const u = await newUser('stolen');
      const original = await loginPair(u.email, u.password);
      const owners = (await refresh(original.refreshToken).expect(200)).body as Pair; // the owner refreshes
      // The thief replays the copy: refused, and the family is revoked for everyone.
      expectProblem(await refresh(original.refreshToken), 401, 'invalid_refresh_token');
      expectProblem(await refresh(owners.refreshToken), 401, 'invalid_refresh_token');
      expectProblem(await me(owners.accessToken), 401);
      const [session] = await t.sql(`SELECT revoked_reason FROM auth_sessions WHERE user_id = $1`, [u.id]);
      expect(session.revoked_reason).toBe('refresh_token_reused');
      const audit = await auditOf(u.id);
      const reuse = audit.find((a) => a.action === 'auth.refresh_reuse_detected')!;
      expect(reuse).toBeDefined();
      expect(reuse.data).toEqual(expect.objectContaining({ sessionRevoked: true, ip: '198.51.100.1' }));
      // The owner logs in again as usual.
      await me((await loginPair(u.email, u.password)).accessToken).expect(200);
    });

    it('when the thief refreshes first, the owner’s next refresh revokes the thief’s tokens too', async () => {
      const u = await newUser('thief-first');
      const original = await loginPair(u.email, u.password);
      const thiefs = (await refresh(original.refreshToken).expect(200)).body as Pair;
      expectProblem(await refresh(original.refreshToken), 401, 'invalid_refresh_token'); // the owner, with the old token
      expectProblem(await me(thiefs.accessToken), 401);
      expectProblem(await refresh(thiefs.refreshToken), 401, 'invalid_refresh_token');
    });

    it('two concurrent refreshes with one token: exactly one succeeds', async () => {
      const u = await newUser('race');
      const pair = await loginPair(u.email, u.password);
      const results = await Promise.all([refresh(pair.refreshToken), refresh(pair.refreshToken), refresh(pair.refreshToken)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
      // The losers presented a used token: reuse, so the winner's pair is revoked as well.
      const winner = results.find((r) => r.status === 200)!.body as Pair;
      expectProblem(await refresh(winner.refreshToken), 401, 'invalid_refresh_token');
      const refreshed = await t.sql(`SELECT count(*)::int AS n FROM audit_entries WHERE entity_id = $1 AND action = 'auth.refreshed'`, [u.id]);
      expect(refreshed[0].n).toBe(1);
    });

    it('unknown and malformed refresh tokens are 401; a missing one is 400', async () => {
      expectProblem(await refresh('A'.repeat(43)), 401, 'invalid_refresh_token');
      expectProblem(await refresh('not a token'), 401, 'invalid_refresh_token');
      expectProblem(await post('/auth/refresh').send({}), 400, 'validation_failed');
    });

    it('access tokens expire after 15 minutes and refresh tokens after 14 days (moved clock)', async () => {
      const u = await newUser('expiry');
      const pair = await loginPair(u.email, u.password);
      clock().advance(14 * MINUTE);
      await me(pair.accessToken).expect(200);
      clock().advance(MINUTE + 1000);
      expectProblem(await me(pair.accessToken), 401);
      const renewed = (await refresh(pair.refreshToken).expect(200)).body as Pair;
      await me(renewed.accessToken).expect(200);
      clock().advance(14 * DAY + 1000);
      expectProblem(await refresh(renewed.refreshToken), 401, 'invalid_refresh_token');
      // Expired tokens and sessions are pruned.
      const pruned = await t.app.get(SessionsService).prune(clock().now());
      expect(pruned.tokens).toBeGreaterThanOrEqual(2);
      expect(await t.sql(`SELECT id FROM auth_sessions WHERE user_id = $1`, [u.id])).toEqual([]);
    });

    it('logout ends the session at once: its access and refresh tokens stop working; other sessions go on', async () => {
      const u = await newUser('logout');
      const laptop = await loginPair(u.email, u.password);
      const phone = await loginPair(u.email, u.password);
      await post('/auth/logout').send({ refreshToken: laptop.refreshToken }).expect(204);
      expectProblem(await me(laptop.accessToken), 401);
      expectProblem(await refresh(laptop.refreshToken), 401, 'invalid_refresh_token');
      await post('/auth/logout').send({ refreshToken: laptop.refreshToken }).expect(204); // idempotent
      await me(phone.accessToken).expect(200);
      const phone2 = (await refresh(phone.refreshToken).expect(200)).body as Pair;
      expectProblem(await post('/auth/logout').send({ refreshToken: 'B'.repeat(43) }), 401, 'invalid_refresh_token');
      expect((await auditOf(u.id)).filter((a) => a.action === 'auth.logout').map((a) => a.data)).toEqual([
        expect.objectContaining({ all: false, sessionsEnded: 1 }),
      ]);
      // ?all=true ends every session of the user.
      const tablet = await loginPair(u.email, u.password);
      await post('/auth/logout?all=true').send({ refreshToken: tablet.refreshToken }).expect(204);
      expectProblem(await me(phone2.accessToken), 401);
      expectProblem(await me(tablet.accessToken), 401);
      const live = await t.sql(`SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL`, [u.id]);
      expect(live[0].n).toBe(0);
      expect((await auditOf(u.id)).filter((a) => a.action === 'auth.logout').at(-1)!.data).toEqual(expect.objectContaining({ all: true, sessionsEnded: 2 }));
      expectProblem(await post('/auth/logout?all=maybe').send({ refreshToken: tablet.refreshToken }), 400);
    });
  });

  describe('password change, deactivation and reset end sessions at once', () => {
    it('changing the password ends every session and returns a fresh pair', async () => {
      const u = await newUser('change');
      const a = await loginPair(u.email, u.password);
      const b = await loginPair(u.email, u.password);
      const change = (body: object, token = a.accessToken) => t.http().post('/api/v1/me/password').set(bearer(token)).send(body);
      expectProblem(await change({ currentPassword: 'wrong-password-1', newPassword: 'a-brand-new-passphrase' }), 400, 'current_password_wrong');
      const same = expectProblem(await change({ currentPassword: u.password, newPassword: u.password }), 400, 'validation_failed');
      expect(same.errors).toEqual([{ field: 'newPassword', message: 'newPassword must differ from the current password' }]);
      const res = await change({ currentPassword: u.password, newPassword: 'a-brand-new-passphrase' }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const fresh = res.body as Pair;
      for (const old of [a, b]) {
        expectProblem(await me(old.accessToken), 401);
        expectProblem(await refresh(old.refreshToken), 401, 'invalid_refresh_token');
      }
      await me(fresh.accessToken).expect(200);
      expectProblem(await login(u.email, u.password, nextIp()), 401, 'invalid_credentials');
      await login(u.email, 'a-brand-new-passphrase').expect(200);
      const audit = await auditOf(u.id);
      expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['user.password_change_failed', 'user.password_changed']));
      expect(audit.find((x) => x.action === 'user.password_changed')!.data).toEqual(expect.objectContaining({ sessionsEnded: 2 }));
      const [row] = await t.sql(`SELECT password_changed_at FROM users WHERE id = $1`, [u.id]);
      expect(row.password_changed_at).not.toBeNull();
    });

    it('wrong current passwords count towards the lockout', async () => {
      const u = await newUser('change-guess');
      const { accessToken } = await loginPair(u.email, u.password);
      const change = (currentPassword: string) =>
        t.http().post('/api/v1/me/password').set(bearer(accessToken)).send({ currentPassword, newPassword: 'another-fine-passphrase' });
      expectProblem(await change('guess-number-1'), 400, 'current_password_wrong');
      expectProblem(await change('guess-number-2'), 400, 'current_password_wrong');
      const locked = await change('guess-number-3');
      expectProblem(locked, 429, 'too_many_attempts');
      expect(locked.headers['retry-after']).toBe('900');
      expectProblem(await change(u.password), 429, 'too_many_attempts');
      expectProblem(await login(u.email, u.password, nextIp()), 429, 'too_many_attempts');
      expect(await actionsOf(u.id)).toContain('auth.locked');
      clock().advance(15 * MINUTE + 1000);
      await login(u.email, u.password, nextIp()).expect(200);
    });

    it('deactivation takes effect at once; reactivation lets the user log in again', async () => {
      const u = await newUser('deactivate');
      const pair = await loginPair(u.email, u.password);
      await me(pair.accessToken).expect(200);
      const res = await post(`/users/${u.id}/deactivate`).set(bearer(adminToken)).expect(200);
      expect(res.body.active).toBe(false);
      expectProblem(await me(pair.accessToken), 401); // the same access token, a moment later
      expectProblem(await refresh(pair.refreshToken), 401, 'invalid_refresh_token');
      const denied = expectProblem(await login(u.email, u.password, nextIp()), 401, 'invalid_credentials');
      const wrong = expectProblem(await login('sme@demo.local', 'not-the-password', nextIp()), 401);
      expect(denied.detail).toBe(wrong.detail); // an inactive account looks like a wrong password
      await post(`/users/${u.id}/deactivate`).set(bearer(adminToken)).expect(200); // idempotent
      await post(`/users/${u.id}/reactivate`).set(bearer(adminToken)).expect(200);
      expectProblem(await me(pair.accessToken), 401); // old sessions do not come back
      await me((await loginPair(u.email, u.password)).accessToken).expect(200);
      const actions = await actionsOf(u.id);
      expect(actions.filter((a) => a === 'user.deactivated')).toHaveLength(1);
      expect(actions).toEqual(expect.arrayContaining(['user.deactivated', 'user.reactivated']));
      expect((await auditOf(u.id)).find((a) => a.action === 'user.deactivated')!.data).toEqual(expect.objectContaining({ sessionsEnded: 1 }));
      const failed = (await auditOf(u.id)).find((a) => a.action === 'auth.login_failed')!;
      expect(failed.data).toEqual(expect.objectContaining({ reason: 'inactive' }));
    });

    it('only admins administer users', async () => {
      const u = await newUser('not-admin');
      const sme = await t.login('sme@demo.local');
      expectProblem(await post(`/users/${u.id}/deactivate`).set(bearer(sme)), 403, 'forbidden');
      expectProblem(await post(`/users/${u.id}/reset-password`).set(bearer(sme)).send({ temporaryPassword: 'temporary-pass-2024' }), 403);
      expectProblem(await t.http().patch(`/api/v1/users/${u.id}`).set(bearer(sme)).send({ role: 'admin' }), 403);
      expectProblem(await post(`/users/00000000-0000-4000-8000-000000000000/deactivate`).set(bearer(adminToken)), 404);
    });

    it('an admin reset ends the sessions and the user must set a new password before anything else', async () => {
      const u = await newUser('reset');
      const before = await loginPair(u.email, u.password);
      const res = await post(`/users/${u.id}/reset-password`).set(bearer(adminToken)).send({ temporaryPassword: 'temporary-pass-2024' }).expect(200);
      expect(res.body.mustChangePassword).toBe(true);
      expectProblem(await me(before.accessToken), 401);
      expectProblem(await login(u.email, u.password, nextIp()), 401);
      const temp = await loginPair(u.email, 'temporary-pass-2024');
      expect(temp.passwordChangeRequired).toBe(true);
      await me(temp.accessToken).expect(200);
      expectProblem(await t.http().get('/api/v1/me/audit').set(bearer(temp.accessToken)), 403, 'password_change_required');
      expectProblem(await t.http().get(`/api/v1/users/${u.id}`).set(bearer(temp.accessToken)), 403, 'password_change_required');
      const renewed = (await refresh(temp.refreshToken).expect(200)).body as Pair;
      expect(renewed.passwordChangeRequired).toBe(true);
      const changed = await t
        .http()
        .post('/api/v1/me/password')
        .set(bearer(renewed.accessToken))
        .send({ currentPassword: 'temporary-pass-2024', newPassword: 'my-own-passphrase-again' })
        .expect(200);
      expect(changed.body.passwordChangeRequired).toBe(false);
      await t.http().get('/api/v1/me/audit').set(bearer(changed.body.accessToken)).expect(200);
      expectProblem(await me(renewed.accessToken), 401);
      const audit = await auditOf(u.id);
      const reset = audit.find((a) => a.action === 'user.password_reset')!;
      expect(reset.data).toEqual(expect.objectContaining({ sessionsEnded: 1, mustChangePassword: true }));
      expect(reset.actor_kind).toBe('user');
      expect(JSON.stringify(audit)).not.toContain('temporary-pass-2024');
    });

    it('an admin reset lifts a lockout', async () => {
      const u = await newUser('reset-lock');
      const ip = nextIp();
      for (let i = 0; i < 2; i++) expectProblem(await login(u.email, `wrong-guess-${i}-xx`, ip), 401);
      expectProblem(await login(u.email, 'wrong-guess-2-xx', ip), 429);
      await post(`/users/${u.id}/reset-password`).set(bearer(adminToken)).send({ temporaryPassword: 'temporary-pass-2025' }).expect(200);
      await login(u.email, 'temporary-pass-2025', nextIp()).expect(200);
    });
  });

  describe('throttling and lockout', () => {
    it('locks an account after 3 failures (429 + Retry-After, problem+json), even for the right password, until the lock ends', async () => {
      const u = await newUser('lockout');
      const ip = nextIp();
      expectProblem(await login(u.email, 'wrong-guess-1-xx', ip), 401, 'invalid_credentials');
      expectProblem(await login(u.email, 'wrong-guess-2-xx', ip), 401, 'invalid_credentials');
      const third = await login(u.email, 'wrong-guess-3-xx', ip);
      const body = expectProblem(third, 429, 'too_many_attempts');
      expect(third.headers['retry-after']).toBe('900');
      expect(body).toEqual(expect.objectContaining({ retryAfterSeconds: 900 }));
      const right = await login(u.email, u.password, nextIp()); // from elsewhere, with the right password
      expectProblem(right, 429, 'too_many_attempts');
      clock().advance(10 * MINUTE);
      expect((await login(u.email, u.password, nextIp())).headers['retry-after']).toBe('300');
      clock().advance(5 * MINUTE + 1000);
      await login(u.email, u.password, nextIp()).expect(200);
      const audit = await auditOf(u.id);
      expect(audit.map((a) => a.action)).toEqual([
        'user.created',
        'auth.login_failed',
        'auth.login_failed',
        'auth.login_failed',
        'auth.locked',
        'auth.login_succeeded',
      ]);
      expect(audit[1]).toEqual(expect.objectContaining({ entity_type: 'user', actor_kind: 'system', actor_user_id: null }));
      expect(audit[1].data).toEqual(expect.objectContaining({ email: u.email, reason: 'wrong_password', ip }));
      expect(audit[4].data).toEqual(expect.objectContaining({ email: u.email, failures: 3, lockedUntil: expect.any(String) }));
      expect(JSON.stringify(audit)).not.toMatch(/wrong-guess|violet-harbour/);
    });

    it('answers an unknown e-mail exactly like an existing account, lockout included', async () => {
      const u = await newUser('twin');
      const ghost = 'nobody-here@example.cn';
      const [ipA, ipB] = [nextIp(), nextIp()];
      const answers = async (email: string, ip: string) => {
        const out: Array<{ status: number; code: string; detail: string; retryAfter?: string }> = [];
        for (let i = 1; i <= 4; i++) {
          const res = await login(email, `wrong-guess-${i}-xx`, ip);
          out.push({ status: res.status, code: res.body.code, detail: res.body.detail, retryAfter: res.headers['retry-after'] });
        }
        return out;
      };
      const known = await answers(u.email, ipA);
      const unknown = await answers(ghost, ipB);
      expect(unknown).toEqual(known);
      expect(known.map((k) => k.status)).toEqual([401, 401, 429, 429]);
      const audit = await auditOf(ghost);
      expect(audit.map((a) => a.action)).toEqual(['auth.login_failed', 'auth.login_failed', 'auth.login_failed', 'auth.locked']);
      expect(audit.every((a) => a.entity_type === 'login')).toBe(true);
      expect(audit[0].data).toEqual(expect.objectContaining({ reason: 'unknown_email', email: ghost }));
    });

    it('counts failures in a row: a successful login starts the count again', async () => {
      const u = await newUser('reset-count');
      const ip = nextIp();
      for (let round = 0; round < 2; round++) {
        expectProblem(await login(u.email, 'wrong-guess-1-xx', ip), 401);
        expectProblem(await login(u.email, 'wrong-guess-2-xx', ip), 401);
        await login(u.email, u.password, ip).expect(200);
      }
    });

    it('concurrent guesses cannot slip past the limit', async () => {
      const u = await newUser('burst');
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => login(u.email, `burst-guess-${i}-xx`, nextIp())));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(2);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
      const failed = await t.sql(`SELECT count(*)::int AS n FROM audit_entries WHERE entity_id = $1 AND action = 'auth.login_failed'`, [u.id]);
      expect(failed[0].n).toBe(3); // only three passwords were ever checked
    });

    it('limits failed logins per client address across accounts (password spraying)', async () => {
      const ip = nextIp();
      const victims = await Promise.all([newUser('spray'), newUser('spray'), newUser('spray')]);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await login(victims[i % 3].email, `spray-guess-${i}-xx`, ip)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const fresh = await newUser('spray-fresh');
      const blocked = await login(fresh.email, fresh.password, ip);
      expectProblem(blocked, 429, 'too_many_attempts');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      await login(fresh.email, fresh.password, nextIp()).expect(200); // other addresses are not affected
      const entries = await t.sql(`SELECT action, data FROM audit_entries WHERE entity_type = 'client_address' AND entity_id = $1`, [ip]);
      expect(entries).toEqual([expect.objectContaining({ action: 'auth.client_throttled' })]);
      clock().advance(10 * MINUTE + 1000);
      await login(fresh.email, fresh.password, ip).expect(200);
    });

    it('successful logins do not use up an address’s allowance', async () => {
      const ip = nextIp();
      const u = await newUser('many-logins');
      for (let i = 0; i < 10; i++) await login(u.email, u.password, ip).expect(200);
    });

    it('limits registrations per client address', async () => {
      const ip = nextIp();
      const register = (n: number, from = ip) =>
        post('/auth/register', from).send({
          email: `founder-${n}@example.cn`,
          password: 'founding-passphrase-1',
          displayName: `Founder ${n}`,
          organisationNameZh: `测试·注册限流企业${n}`,
          creditCode: demoCreditCode('210100', 900 + n),
          sme: true,
          cityCode: '210100',
        });
      await register(1).expect(201);
      await register(2).expect(201);
      expectProblem(await register(1), 409); // counts too: it probes for accounts
      const res = await register(3);
      expectProblem(res, 429, 'too_many_requests');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(3500);
      await register(3, nextIp()).expect(201);
    });

    it('failures on one app instance count on another (the counters live in PostgreSQL)', async () => {
      const other = await createTestApp({ databaseUrl: t.databaseUrl, demo: false, env: SECURITY_ENV });
      try {
        clock(other).travel(clock().now()); // both instances on the same (moved) time
        const u = await newUser('two-instances');
        const [ipA, ipB] = [nextIp(), nextIp()];
        expectProblem(await login(u.email, 'wrong-guess-1-xx', ipA), 401);
        expectProblem(await login(u.email, 'wrong-guess-2-xx', ipB, other), 401);
        expectProblem(await login(u.email, 'wrong-guess-3-xx', ipA, other), 429, 'too_many_attempts');
        expectProblem(await login(u.email, u.password, ipB), 429, 'too_many_attempts');
        expectProblem(await login(u.email, u.password, ipA, other), 429, 'too_many_attempts');
        clock().advance(15 * MINUTE + 1000);
        clock(other).advance(15 * MINUTE + 1000);
        // Sessions are shared as well: a pair from one instance refreshes on the other, exactly once.
        const pair = (await login(u.email, u.password, ipA).expect(200)).body as Pair;
        const next = (await refresh(pair.refreshToken, other).expect(200)).body as Pair;
        expectProblem(await refresh(pair.refreshToken), 401, 'invalid_refresh_token');
        expectProblem(await refresh(next.refreshToken, other), 401, 'invalid_refresh_token');
      } finally {
        await other.close();
      }
    });
  });

  describe('passwords', () => {
    const registration = (password: string, email = 'rules@example.cn') => ({
      email,
      password,
      displayName: 'Rules',
      organisationNameZh: '测试·密码规则企业',
      creditCode: demoCreditCode('210100', 990),
      sme: true,
      cityCode: '210100',
    });

    it.each([
      ['shorter than 10 characters', 'short-pw1', /at least 10 characters/],
      ['the e-mail address', 'rules@example.cn', /must not be the e-mail address/],
      ['the e-mail address in capitals', 'RULES@EXAMPLE.CN', /must not be the e-mail address/],
      ['a common password', 'password123', /too common/],
      ['a common password in another case', 'QwertyUiop', /too common/],
    ])('registration refuses a password that is %s', async (_why, password, message) => {
      const body = expectProblem(await post('/auth/register', nextIp()).send(registration(password)), 400, 'validation_failed');
      expect(body.errors).toEqual([{ field: 'password', message: expect.stringMatching(message) }]);
    });

    it('admin user creation, password change and reset apply the same rules', async () => {
      const created = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(adminToken))
        .send({ email: 'rules2@example.cn', password: '1234567890', displayName: 'x', role: 'enterprise', organisationId: smeOrgId });
      expect(expectProblem(created, 400, 'validation_failed').errors![0]).toEqual({ field: 'password', message: expect.stringMatching(/too common/) });
      const u = await newUser('rules');
      const { accessToken } = await loginPair(u.email, u.password);
      const changed = await t.http().post('/api/v1/me/password').set(bearer(accessToken)).send({ currentPassword: u.password, newPassword: u.email });
      expect(expectProblem(changed, 400, 'validation_failed').errors).toEqual([
        { field: 'newPassword', message: 'newPassword must not be the e-mail address' },
      ]);
      const common = await t.http().post('/api/v1/me/password').set(bearer(accessToken)).send({ currentPassword: u.password, newPassword: 'basketball' });
      expect(expectProblem(common, 400).errors![0].field).toBe('newPassword');
      const reset = await post(`/users/${u.id}/reset-password`)
        .set(bearer(adminToken))
        .send({ temporaryPassword: `${u.email.split('@')[0]}-temporary` });
      expect(reset.status).toBe(200); // not the e-mail: fine
      const resetBad = await post(`/users/${u.id}/reset-password`).set(bearer(adminToken)).send({ temporaryPassword: u.email });
      expect(expectProblem(resetBad, 400, 'validation_failed').errors).toEqual([
        { field: 'temporaryPassword', message: 'temporaryPassword must not be the e-mail address' },
      ]);
    });

    it('rehashes on login when the argon2 parameters changed', async () => {
      const u = await newUser('rehash');
      const weak = await argon2.hash(u.password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
      await t.sql(`UPDATE users SET password_hash = $1 WHERE id = $2`, [weak, u.id]);
      await login(u.email, u.password).expect(200);
      const [row] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM users WHERE id = $1`, [u.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$[^$]+\$/);
      expect(row.password_hash.split('$')[3].split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
      expect(await argon2.verify(row.password_hash, u.password)).toBe(true);
      const logins = (await auditOf(u.id)).filter((a) => a.action === 'auth.login_succeeded');
      expect(logins.at(-1)!.data).toEqual(expect.objectContaining({ passwordRehashed: true }));
      await login(u.email, u.password).expect(200);
      const [again] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM users WHERE id = $1`, [u.id]);
      expect(again.password_hash).toBe(row.password_hash); // current parameters: left alone
    });
  });

  describe('auth audit', () => {
    it('records every auth event of a user, without secrets, visible to the user and to admins', async () => {
      const u = await newUser('audited');
      expectProblem(await login(u.email, 'a-wrong-password', nextIp()), 401);
      const first = await loginPair(u.email, u.password);
      const second = (await refresh(first.refreshToken).expect(200)).body as Pair;
      await post('/auth/logout').send({ refreshToken: second.refreshToken }).expect(204);
      const third = await loginPair(u.email, u.password);
      const changed = (
        await t
          .http()
          .post('/api/v1/me/password')
          .set(bearer(third.accessToken))
          .send({ currentPassword: u.password, newPassword: 'audited-new-passphrase' })
          .expect(200)
      ).body as Pair;
      const expected = [
        'user.created',
        'auth.login_failed',
        'auth.login_succeeded',
        'auth.refreshed',
        'auth.logout',
        'auth.login_succeeded',
        'user.password_changed',
      ];
      expect(await actionsOf(u.id)).toEqual(expected);

      const mine = await t.http().get('/api/v1/me/audit?limit=50').set(bearer(changed.accessToken)).expect(200);
      expect(mine.body.items.map((e: { action: string }) => e.action)).toEqual([...expected].reverse());
      expect(mine.body.items.every((e: { entityId: string }) => e.entityId === u.id)).toBe(true);
      expect(mine.body.total).toBe(expected.length);

      const asAdmin = await t.http().get(`/api/v1/audit?entityType=user&entityId=${u.id}&limit=50`).set(bearer(adminToken)).expect(200);
      expect(asAdmin.body.total).toBe(expected.length);
      const sme = await t.login('sme@demo.local');
      // GET /audit is scoped by audit.read: another enterprise sees none of these entries.
      const sme2 = await t.login('sme2@demo.local');
      const [{ n: sme2Org }] = await t.sql<{ n: string }>(`SELECT organisation_id AS n FROM users WHERE email = 'sme2@demo.local'`);
      const [{ n: uOrg }] = await t.sql<{ n: string }>(`SELECT organisation_id AS n FROM users WHERE id = $1`, [u.id]);
      expect(uOrg).not.toBe(sme2Org);
      expect((await t.http().get(`/api/v1/audit?entityId=${u.id}`).set(bearer(sme2)).expect(200)).body.total).toBe(0);
      const smeOwn = await t.http().get('/api/v1/me/audit').set(bearer(sme)).expect(200);
      expect(smeOwn.body.items.some((e: { entityId: string }) => e.entityId === u.id)).toBe(false);

      const everything = JSON.stringify(await t.sql(`SELECT data, actor_label FROM audit_entries`));
      for (const secret of [u.password, 'audited-new-passphrase', 'a-wrong-password', first.refreshToken, second.refreshToken, first.accessToken]) {
        expect(everything).not.toContain(secret);
      }
      expect(everything).not.toMatch(/\$argon2/);
      const verify = await t.http().get('/api/v1/audit/verify').set(bearer(adminToken)).expect(200);
      expect(verify.body.valid).toBe(true);
    });

    it('records role changes and refuses to remove the last active admin', async () => {
      const admins = await t.sql(`SELECT id FROM users WHERE role = 'admin' AND active`);
      expect(admins).toHaveLength(1); // the demo admin only
      const adminId = (await me(adminToken).expect(200)).body.id as string;
      expectProblem(await post(`/users/${adminId}/deactivate`).set(bearer(adminToken)), 409, 'last_admin');
      const demote = await t.http().patch(`/api/v1/users/${adminId}`).set(bearer(adminToken)).send({ role: 'enterprise', organisationId: smeOrgId });
      expectProblem(demote, 409, 'last_admin');

      // Promote a user: a role change, audited; it takes effect on the next request.
      const u = await newUser('promoted');
      const userToken = (await loginPair(u.email, u.password)).accessToken;
      expectProblem(await t.http().get('/api/v1/users').set(bearer(userToken)), 403);
      const promoted = await t.http().patch(`/api/v1/users/${u.id}`).set(bearer(adminToken)).send({ role: 'admin' }).expect(200);
      expect(promoted.body).toEqual(expect.objectContaining({ role: 'admin', organisationId: null }));
      await t.http().get('/api/v1/users').set(bearer(userToken)).expect(200);
      const roleChange = (await auditOf(u.id)).find((a) => a.action === 'user.role_changed')!;
      expect(roleChange.data).toEqual(
        expect.objectContaining({ from: { role: 'enterprise', organisationId: smeOrgId }, to: { role: 'admin', organisationId: null } }),
      );
      expectProblem(
        await t.http().patch(`/api/v1/users/${u.id}`).set(bearer(adminToken)).send({ role: 'operator', organisationId: smeOrgId }),
        400,
        'role_does_not_fit_organisation',
      );

      // Two admins deactivating each other at the same time: one of them stays.
      const results = await Promise.all([
        post(`/users/${u.id}/deactivate`).set(bearer(adminToken)),
        post(`/users/${adminId}/deactivate`).set(bearer(userToken)),
      ]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      const left = await t.sql<{ id: string }>(`SELECT id FROM users WHERE role = 'admin' AND active`);
      expect(left).toHaveLength(1);

      // Restore: the demo admin active and signed in, the promoted user back to enterprise.
      if (left[0].id !== adminId) {
        await post(`/users/${adminId}/reactivate`).set(bearer(userToken)).expect(200);
        adminToken = await t.login('admin@demo.local');
      } else {
        await post(`/users/${u.id}/reactivate`).set(bearer(adminToken)).expect(200);
      }
      await t.http().patch(`/api/v1/users/${u.id}`).set(bearer(adminToken)).send({ role: 'enterprise', organisationId: smeOrgId }).expect(200);
      const deactivated = await t.sql(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'user.deactivated' AND entity_id IN ($1, $2)`, [
        u.id,
        adminId,
      ]);
      expect(deactivated[0].n).toBe(1);
    });
  });

  describe('web hygiene', () => {
    it('sets the security headers on answers and errors', async () => {
      const answers = [
        await t.http().get('/health'),
        await t.http().get('/api/v1/me'),
        await login('nobody@example.cn', 'x', nextIp()),
        await post('/auth/login', nextIp()).set('Content-Type', 'application/json').send('{"email":'), // body-parser error
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 401, 401, 400]);
      for (const res of answers) {
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('allows CORS only for the configured origins', async () => {
      const allowed = await t.http().get('/health').set('Origin', ALLOWED_ORIGIN);
      expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
      expect(allowed.headers['access-control-expose-headers']).toContain('X-Request-Id');
      const preflight = await t.http().options('/api/v1/auth/login').set('Origin', 'https://admin.example.cn').set('Access-Control-Request-Method', 'POST');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://admin.example.cn');
      expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
      const other = await t.http().get('/health').set('Origin', 'https://evil.example.com');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const otherPreflight = await t
        .http()
        .options('/api/v1/auth/login')
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'POST');
      expect(otherPreflight.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('sends no CORS headers at all by default', async () => {
      const plain = await createTestApp({ databaseUrl: t.databaseUrl, demo: false });
      try {
        const res = await plain.http().get('/health').set('Origin', ALLOWED_ORIGIN);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        const preflight = await plain.http().options('/api/v1/auth/login').set('Origin', ALLOWED_ORIGIN).set('Access-Control-Request-Method', 'POST');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await plain.close();
      }
    });

    it('echoes X-Request-Id and shows no stack trace or SQL, even when the database fails', async () => {
      const u = await newUser('broken');
      await t.sql(`ALTER TABLE refresh_tokens RENAME TO refresh_tokens_away`);
      let res: request.Response;
      try {
        res = await login(u.email, u.password).set('X-Request-Id', 'req-500-check');
      } finally {
        await t.sql(`ALTER TABLE refresh_tokens_away RENAME TO refresh_tokens`);
      }
      const body = expectProblem(res, 500, 'internal_error');
      expect(res.headers['x-request-id']).toBe('req-500-check');
      expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']);
      expect(res.text).not.toMatch(/refresh_tokens|INSERT|SELECT|relation|QueryFailedError|\bat .*\(|\.ts:\d+|node_modules/i);
      // Nothing of the failed login was committed: no session, no audit entry.
      expect(await t.sql(`SELECT 1 FROM auth_sessions WHERE user_id = $1`, [u.id])).toEqual([]);
      expect(await actionsOf(u.id)).toEqual(['user.created']);
      await login(u.email, u.password).expect(200);

      for (const r of [
        await t.http().get('/api/v1/users/not-a-uuid').set(bearer(adminToken)).set('X-Request-Id', 'req-400'),
        await post('/auth/login').set('Content-Type', 'application/json').set('X-Request-Id', 'req-400').send('{"email":'),
      ]) {
        expect(r.status).toBe(400);
        expect(r.headers['x-request-id']).toBe('req-400');
        expect(r.text).not.toMatch(/\bat .*\(|\.ts:\d+|node_modules|SyntaxError/);
      }
    });
  });
});
