import { JobsService } from '../src/jobs/jobs.service';
import { demoCreditCode } from '../src/database/seed/demo-accounts';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

/**
 * Hardening from a new user's trial (issue 14): characters PostgreSQL cannot store, what the log may
 * say, how validation answers read, and the job counts. The app runs with LOG_LEVEL=info and every
 * line it writes to stdout is captured here.
 */
describe('input hygiene, validation answers and logs', () => {
  let t: TestApp;
  let sme: string;
  let admin: string;
  const logLines: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on process.stdout in afterAll, never called detached
  const originalWrite = process.stdout.write;
  const logText = () => logLines.join('');
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  let serial = 900;
  const registration = (over: Record<string, unknown> = {}) => ({
    email: `hygiene-${serial}@example.cn`,
    password: 'a-long-secret-passphrase',
    displayName: '王工',
    organisationNameZh: `测试·卫生${serial}有限公司`,
    creditCode: demoCreditCode('210800', serial++),
    sme: true,
    cityCode: '210800',
    ...over,
  });

  beforeAll(async () => {
    process.stdout.write = (chunk: string | Uint8Array) => {
      logLines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    t = await createTestApp({ env: { LOG_LEVEL: 'info' } });
    [sme, admin] = await Promise.all([t.login('sme@demo.local'), t.login('admin@demo.local')]);
  });
  afterAll(async () => {
    await t?.close();
    process.stdout.write = originalWrite;
  });

  describe('characters PostgreSQL cannot store', () => {
    it('refuses a NUL in a query parameter of a public route, naming it', async () => {
      for (const [url, field] of [
        ['/api/v1/facilities?q=%00', 'q'],
        ['/api/v1/resources?q=a%00b', 'q'],
        ['/api/v1/facilities?city=%00', 'city'],
      ] as const) {
        const body = expectProblem(await t.http().get(url), 400, 'validation_failed');
        expect(body.errors).toEqual([{ field, message: `${field} must not contain the NUL character (U+0000)` }]);
      }
    });

    it('refuses a NUL in the login e-mail, in a registration and in a booking purpose', async () => {
      const login = expectProblem(await t.http().post('/api/v1/auth/login').send({ email: 'sme@demo.local\u0000', password: 'x' }), 400, 'validation_failed');
      expect(login.errors).toEqual([{ field: 'email', message: expect.stringContaining('NUL') }]);
      const reg = expectProblem(
        await t
          .http()
          .post('/api/v1/auth/register')
          .send(registration({ displayName: '王\u0000工' })),
        400,
        'validation_failed',
      );
      expect(reg.errors).toEqual([{ field: 'displayName', message: expect.stringContaining('NUL') }]);
      const resources = await t.http().get('/api/v1/resources?limit=1').expect(200);
      const booking = await t.http().post('/api/v1/bookings').set(bearer(sme)).send({
        resourceId: resources.body.items[0].id,
        startsAt: '2031-03-03T09:00:00+08:00',
        endsAt: '2031-03-03T11:00:00+08:00',
        stage: 'pilot_maturation',
        serviceCategory: 'process_scale_up',
        purpose: 'pilot\u0000run',
      });
      expect(expectProblem(booking, 400, 'validation_failed').errors).toEqual([{ field: 'purpose', message: expect.stringContaining('NUL') }]);
    });

    it('refuses a NUL in a path parameter and names nested fields by their path', async () => {
      const path = expectProblem(await t.http().get('/api/v1/facilities/%00'), 400, 'validation_failed');
      expect(path.errors).toEqual([{ field: 'id', message: 'id must not contain the NUL character (U+0000)' }]);
      const nested = expectProblem(
        await t
          .http()
          .put('/api/v1/resources/00000000-0000-4000-8000-000000000000/opening-hours')
          .set(bearer(admin))
          .send({
            intervals: [
              { weekday: 1, opens: '08:00', closes: '12:00' },
              { weekday: 2, opens: '08:00\u0000', closes: '12:00' },
            ],
          }),
        400,
        'validation_failed',
      );
      expect(nested.errors).toEqual([{ field: 'intervals[1].opens', message: expect.stringContaining('NUL') }]);
    });

    it('refuses a body nested deeper than any DTO needs (class-transformer overflowed its stack: a 500)', async () => {
      const deep = '{"displayName":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
      const body = expectProblem(await t.http().post('/api/v1/auth/register').set('Content-Type', 'application/json').send(deep), 400, 'validation_failed');
      expect(body.errors).toEqual([{ field: 'displayName', message: 'displayName is nested more than 32 levels deep' }]);
      expectProblem(
        await t
          .http()
          .post('/api/v1/auth/login')
          .set('Content-Type', 'application/json')
          .send('['.repeat(5000) + ']'.repeat(5000)),
        400,
      );
    });

    it('refuses an unpaired surrogate (it cannot be encoded in UTF-8; pg would store U+FFFD instead)', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/register')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(registration({ displayName: 'x\ud800y' })));
      expect(expectProblem(res, 400, 'validation_failed').errors).toEqual([{ field: 'displayName', message: expect.stringContaining('unpaired surrogate') }]);
      // A proper pair (an emoji) is a character like any other.
      expect(
        (
          await t
            .http()
            .post('/api/v1/auth/register')
            .send(registration({ displayName: '王工 \ud83d\ude80' }))
        ).status,
      ).toBe(201);
    });
  });

  describe('validation answers', () => {
    it('counts fields, not messages, and says "<field> is required" once for each missing one', async () => {
      const body = expectProblem(await t.http().post('/api/v1/auth/register').send({ email: 'x' }), 400, 'validation_failed');
      const fields = [...new Set(body.errors!.map((e) => e.field))];
      expect(body.detail).toBe(`The request has ${fields.length} invalid fields: ${fields.join(', ')}.`);
      expect(fields).toEqual(['email', 'password', 'displayName', 'organisationNameZh', 'creditCode', 'sme', 'cityCode']);
      for (const f of fields.slice(1)) expect(body.errors!.filter((e) => e.field === f)).toEqual([{ field: f, message: `${f} is required` }]);
      expect(body.errors!.filter((e) => e.field === 'email')).toEqual([{ field: 'email', message: 'email must be an e-mail address' }]);
      // null is as missing as undefined; an unknown field is named as such.
      const nulls = expectProblem(await t.http().post('/api/v1/auth/login').send({ email: null, password: 'x', extra: null }), 400, 'validation_failed');
      expect(nulls.errors).toEqual([
        { field: 'extra', message: 'extra is not an accepted field' },
        { field: 'email', message: 'email is required' },
      ]);
      expect(nulls.detail).toBe('The request has 2 invalid fields: extra, email.');
    });

    it('names the path parameter that is not a UUID (and the notification id that is not an integer)', async () => {
      const one = expectProblem(await t.http().get('/api/v1/facilities/not-a-uuid'), 400, 'validation_failed');
      expect(one).toEqual(expect.objectContaining({ detail: 'The request has 1 invalid field: id.', errors: [{ field: 'id', message: 'id must be a UUID' }] }));
      const two = expectProblem(
        await t.http().delete('/api/v1/resources/00000000-0000-4000-8000-000000000000/maintenance/nope').set(bearer(admin)),
        400,
        'validation_failed',
      );
      expect(two.errors).toEqual([{ field: 'maintenanceId', message: 'maintenanceId must be a UUID' }]);
      const ics = expectProblem(await t.http().get('/api/v1/calendar/resources/nope.ics'), 400, 'validation_failed');
      expect(ics.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      const note = expectProblem(await t.http().post('/api/v1/notifications/abc/read').set(bearer(sme)), 400, 'validation_failed');
      expect(note.errors).toEqual([{ field: 'id', message: expect.stringMatching(/^id must be/) }]);
    });

    it('names every bad query parameter', async () => {
      const res = expectProblem(await t.http().get('/api/v1/facilities?limit=abc&offset=-1&colour=red'), 400, 'validation_failed');
      expect([...new Set(res.errors!.map((e) => e.field))].sort()).toEqual(['colour', 'limit', 'offset']);
      expect(res.errors).toContainEqual({ field: 'colour', message: 'colour is not an accepted field' });
      expect(res.detail).toBe(`The request has 3 invalid fields: ${[...new Set(res.errors!.map((e) => e.field))].join(', ')}.`);
    });

    it('answers malformed JSON with malformed_json, not the parser text', async () => {
      const res = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email": "a@b.cn", ');
      expect(expectProblem(res, 400, 'malformed_json')).toEqual(
        expect.objectContaining({ detail: 'The request body is not valid JSON.', errors: [{ field: 'body', message: expect.any(String) }] }),
      );
      const scalar = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('"text"');
      expectProblem(scalar, 400, 'malformed_json');
    });

    it('answers a path that is not percent-encoded UTF-8 with a named 400', async () => {
      const body = expectProblem(await t.http().get('/api/v1/facilities/%E0%A4%A'), 400, 'malformed_path');
      expect(body.errors).toEqual([{ field: 'path', message: expect.any(String) }]);
    });
  });

  describe('logs', () => {
    it('never writes a password or an argon2 hash, even when the database fails a registration unexpectedly', async () => {
      const password = 'logged-nowhere-passphrase-77';
      expectProblem(
        await t
          .http()
          .post('/api/v1/auth/register')
          .send(registration({ password, displayName: 'nul\u0000here' })),
        400,
        'validation_failed',
      );
      // A genuine unexpected database error on the INSERT that carries the hash.
      await t.sql(`CREATE FUNCTION hygiene_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hygiene test failure'; END $$`);
      await t.sql(`CREATE TRIGGER hygiene_boom BEFORE INSERT ON users FOR EACH ROW WHEN (NEW.email LIKE 'boom-%') EXECUTE FUNCTION hygiene_boom()`);
      try {
        const res = await t
          .http()
          .post('/api/v1/auth/register')
          .send(registration({ email: 'boom-1@example.cn', password }));
        expectProblem(res, 500, 'internal_error');
        await new Promise((r) => setImmediate(r));
        const errorLine = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
        expect(errorLine).toEqual(
          expect.objectContaining({
            level: 50,
            context: 'Errors',
            error: expect.objectContaining({
              type: 'QueryFailedError',
              message: 'hygiene test failure',
              query: expect.stringContaining('INSERT INTO "users"'),
            }),
          }),
        );
        expect(errorLine.error.parameters).toBeUndefined();
        expect(errorLine.error.driverError).toBeUndefined();
      } finally {
        await t.sql(`DROP TRIGGER hygiene_boom ON users`);
        await t.sql(`DROP FUNCTION hygiene_boom()`);
      }
      expect(logText()).not.toContain(password);
      expect(logText()).not.toContain('$argon2id$');
      expect(logText()).not.toContain('argon2');
    });

    it('writes every line in one JSON shape: level, time, pid, hostname, service, msg', () => {
      expect(logLines.length).toBeGreaterThan(5);
      for (const line of logLines) {
        expect(line.endsWith('\n')).toBe(true);
        const entry = JSON.parse(line);
        expect(entry).toEqual(
          expect.objectContaining({
            level: expect.any(Number),
            time: expect.any(Number),
            pid: process.pid,
            hostname: expect.any(String),
            service: 'pilot-booking',
            msg: expect.any(String),
          }),
        );
      }
      // Nest's own lines (module start-up) and the request log share it.
      expect(logLines.some((l) => JSON.parse(l).context === 'InstanceLoader')).toBe(true);
      expect(logLines.some((l) => JSON.parse(l).req?.path === '/api/v1/auth/register')).toBe(true);
    });

    it('counts the rows a clean-up job deleted: a run that deletes nothing reports 0 and logs no "changed" line', async () => {
      const jobs = t.app.get(JobsService);
      await jobs.run('idempotency-cleanup');
      const before = logLines.length;
      expect(await jobs.run('idempotency-cleanup')).toEqual(expect.objectContaining({ ran: true, changed: 0 }));
      expect(await jobs.run('auth-cleanup')).toEqual(expect.objectContaining({ ran: true, changed: 0 }));
      expect(logLines.slice(before).filter((l) => /changed/.test(JSON.parse(l).msg))).toEqual([]);
      // Two expired keys are two deleted rows.
      const org = (await t.sql<{ id: string }>(`SELECT id FROM organisations WHERE kind = 'enterprise' LIMIT 1`))[0].id;
      await t.sql(
        `INSERT INTO idempotency_keys (organisation_id, key, request_hash, response_status, response_body, created_at, expires_at)
         SELECT $1, k, 'h', 201, '{}'::jsonb, now() - interval '3 days', now() - interval '1 day' FROM unnest(ARRAY['a','b','c']) AS k`,
        [org],
      );
      expect((await jobs.run('idempotency-cleanup')).changed).toBe(3);
      expect(logLines.slice(before).map((l) => JSON.parse(l).msg)).toContain('idempotency-cleanup: 3 changed');
    });
  });
});
