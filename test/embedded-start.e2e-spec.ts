import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { freePort } from '../src/database/embedded-postgres';
import { demoCreditCode } from '../src/database/seed/demo-accounts';

/**
 * `npm start` as a user runs it: the built app (dist/, made by `pretest`) as a child process on its
 * own embedded PostgreSQL under a fresh DATA_DIR, with demo data; then restarts, graceful and hard.
 */
const ROOT = resolve(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');

interface Started {
  proc: ChildProcess;
  url: string;
  output: () => string;
  /** stdout alone: the log. */
  stdout: () => string;
}

async function startApp(dataDir: string, extraEnv: Record<string, string> = {}, startupMs = 60_000): Promise<Started> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'development', ...extraEnv };
  delete env.DATABASE_URL;
  if (!('JWT_SECRET' in extraEnv)) delete env.JWT_SECRET;
  if (!('HOST' in extraEnv)) delete env.HOST;
  const proc = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startupMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`app exited with ${proc.exitCode}:\n${out}`);
    try {
      const res = await request(url).get('/health');
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`app did not become healthy within ${startupMs / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { proc, url, output: () => out, stdout: () => stdout };
}

const exited = (app: Started) => app.proc.exitCode !== null || app.proc.signalCode !== null;

function stop(app: Started, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolveExit) => {
    if (exited(app)) return resolveExit(app.proc.exitCode);
    app.proc.once('exit', (code) => resolveExit(code));
    app.proc.kill(signal);
  });
}

const login = (url: string, email: string, password = 'demo-pass-2024') => request(url).post('/api/v1/auth/login').send({ email, password });

describe('npm start on the embedded database', () => {
  let dataDir: string;
  const running: Started[] = [];

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: `npm test` builds it first (pretest); run `npm run build`.');
    const parent = mkdtempSync(join(tmpdir(), 'pilot-booking-start-'));
    chmodSync(parent, 0o755);
    dataDir = join(parent, '.data');
  });

  afterAll(async () => {
    for (const app of running) if (!exited(app)) await stop(app, 'SIGKILL');
    // A hard-killed app leaves its PostgreSQL running: stop it before removing the directory.
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* gone already */
      }
      for (let i = 0; i < 100 && spawnSync('kill', ['-0', String(pid)]).status === 0; i++) await new Promise((r) => setTimeout(r, 50));
    }
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('starts, says which database it uses, loads the demo accounts and history, and serves /health and /docs', async () => {
    // The first start loads the demo history too (tens of seconds, with progress lines).
    const app = await startApp(dataDir, {}, 480_000);
    running.push(app);
    expect(app.output()).toMatch(/database: embedded PostgreSQL/);
    expect(app.output()).toMatch(/demo data ready/);
    expect(app.output()).toMatch(/demo history ready in \d+ ms/);
    // HOST unset and the demo accounts (published password) exist: loopback only.
    expect(app.output()).toMatch(/"msg":"listening on 127\.0\.0\.1:\d+/);
    for (const email of ['admin@demo.local', 'operator@demo.local', 'official@demo.local', 'sme@demo.local', 'sme2@demo.local']) {
      const res = await login(app.url, email);
      expect(res.status).toBe(200);
    }
    await request(app.url).get('/docs').expect(200);
    // The console opens at / with the sign-in page (in Chinese) and its assets.
    expect(app.output()).toMatch(/console at http:\/\/localhost:\d+\//);
    await request(app.url).get('/').expect(303).expect('Location', '/sign-in');
    const signIn = await request(app.url).get('/sign-in').expect(200);
    expect(signIn.text).toContain('<html lang="zh-CN">');
    const css = /href="(\/assets\/[^"]+\/console\.css)"/.exec(signIn.text)![1];
    await request(app.url).get(css).expect(200);
    expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(true);
    // The log never carries the password or the token.
    const token = (await login(app.url, 'sme@demo.local')).body.accessToken as string;
    await request(app.url).get('/api/v1/me').auth(token, { type: 'bearer' }).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(app.output()).not.toContain('demo-pass-2024');
    expect(app.output()).not.toContain(token);
    expect(app.output()).toMatch(/"path":"\/api\/v1\/me"/);

    const reg = await request(app.url)
      .post('/api/v1/auth/register')
      .send({
        email: 'survivor@example.cn',
        password: 'survives-a-restart',
        displayName: '存活',
        organisationNameZh: '测试·重启后仍在',
        creditCode: demoCreditCode('211100', 5),
        sme: true,
        cityCode: '211100',
      });
    expect(reg.status).toBe(201);

    expect(await stop(app, 'SIGTERM')).toBe(0); // graceful shutdown
    expect(app.output()).toMatch(/SIGTERM received/);
    // Every stdout line, from the database start to the shutdown, is one pino JSON shape.
    const lines = app
      .stdout()
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(JSON.parse(line)).toEqual(
        expect.objectContaining({
          level: expect.any(Number),
          time: expect.any(Number),
          pid: app.proc.pid,
          hostname: expect.any(String),
          service: 'pilot-booking',
          msg: expect.any(String),
        }),
      );
    }
    expect(lines.map((l) => JSON.parse(l).context)).toEqual(expect.arrayContaining(['Bootstrap', 'InstanceLoader', 'Main']));
  }, 600_000);

  it('keeps its data across a restart, does not load the demo data twice, and keeps tokens valid (same secret)', async () => {
    const app = await startApp(dataDir, { HOST: '0.0.0.0' });
    running.push(app);
    expect(app.output()).not.toMatch(/demo data ready/);
    expect(app.output()).toMatch(/"msg":"listening on 0\.0\.0\.0:\d+/); // HOST set explicitly
    expect((await login(app.url, 'survivor@example.cn', 'survives-a-restart')).status).toBe(200);
    const admin = (await login(app.url, 'admin@demo.local')).body.accessToken as string;
    const orgs = await request(app.url).get('/api/v1/organisations?kind=enterprise&limit=200').auth(admin, { type: 'bearer' }).expect(200);
    const names = orgs.body.items.map((o: { nameZh: string }) => o.nameZh);
    expect(names.filter((n: string) => n === '演示·沈阳新材科技有限公司')).toHaveLength(1);
    expect(names).toContain('测试·重启后仍在');
    expect(await stop(app, 'SIGKILL')).toBeNull(); // a hard kill leaves PostgreSQL and its pid file behind
  });

  it('starts again after a hard kill (stale or orphaned postmaster) with the data intact', async () => {
    const app = await startApp(dataDir);
    running.push(app);
    expect(app.output()).toMatch(/stopping an orphaned embedded PostgreSQL/);
    expect((await login(app.url, 'survivor@example.cn', 'survives-a-restart')).status).toBe(200);
    expect(await stop(app, 'SIGTERM')).toBe(0);
  });

  it('refuses to start with a clear message when the configuration is invalid', async () => {
    const port = await freePort();
    const res = spawnSync(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), NODE_ENV: 'production', JWT_SECRET: '', DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/JWT_SECRET is required when NODE_ENV=production/);
  });

  it('never loads the demo accounts when NODE_ENV=production, and then listens on every interface', async () => {
    const fresh = join(dataDir, '..', 'production');
    const app = await startApp(fresh, { NODE_ENV: 'production', JWT_SECRET: 'production-secret-production-secret-0123' });
    running.push(app);
    try {
      expect(app.output()).toMatch(/demo data not loaded: NODE_ENV=production/);
      expect(app.output()).not.toMatch(/demo data ready/);
      expect(app.output()).toMatch(/"msg":"listening on 0\.0\.0\.0:\d+/);
      expect((await login(app.url, 'admin@demo.local')).status).toBe(401);
    } finally {
      expect(await stop(app, 'SIGTERM')).toBe(0);
    }
  });
});
