import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createTestApp, createTestDatabase } from './helpers/test-app';

/** `npm run cli -- …` on a server database (DATABASE_URL), as an operator of a fresh server would use it. */
const ROOT = resolve(__dirname, '..');
const cli = (databaseUrl: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456789', NODE_ENV: 'test' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('command line on a server database', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const count = async (sql: string) => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(sql);
    await c.end();
    return Number(rows[0].n);
  };

  it('create-admin creates the first admin, who can log in; no demo data appears on a server database', async () => {
    const res = cli(db.url, 'create-admin', '--email', 'Root@Example.cn', '--password', 'first-admin-pass', '--name', 'First Admin');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/admin root@example\.cn created/);
    expect(await count(`SELECT count(*) AS n FROM users WHERE role = 'admin'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM organisations`)).toBe(0);
    const t = await createTestApp({ databaseUrl: db.url, demo: false });
    try {
      const token = await t.login('root@example.cn', 'first-admin-pass');
      const me = await t.http().get('/api/v1/me').auth(token, { type: 'bearer' }).expect(200);
      expect(me.body).toEqual(expect.objectContaining({ role: 'admin', organisationId: null, displayName: 'First Admin' }));
    } finally {
      await t.close();
    }
  });

  it('create-admin explains what is wrong with bad input and changes nothing', async () => {
    const dup = cli(db.url, 'create-admin', '--email', 'root@example.cn', '--password', 'another-pass-123');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const bad = cli(db.url, 'create-admin', '--email', 'not-an-email', '--password', 'short');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/email/);
    expect(bad.stderr).toMatch(/password/);
    expect(await count(`SELECT count(*) AS n FROM users`)).toBe(1);
    const usage = cli(db.url, 'frobnicate');
    expect(usage.status).toBe(2);
    expect(usage.stdout).toMatch(/Usage: npm run cli/);
  });

  it('seed-demo loads the demo data once and is idempotent', async () => {
    const first = cli(db.url, 'seed-demo');
    expect(first.status).toBe(0);
    const users = await count(`SELECT count(*) AS n FROM users`);
    const orgs = await count(`SELECT count(*) AS n FROM organisations`);
    expect(users).toBeGreaterThanOrEqual(6);
    const second = cli(db.url, 'seed-demo');
    expect(second.status).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM users`)).toBe(users);
    expect(await count(`SELECT count(*) AS n FROM organisations`)).toBe(orgs);
  });
});
