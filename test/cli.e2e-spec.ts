import { spawn, spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { freePort } from '../src/database/embedded-postgres';
import { createTestApp, createTestDatabase } from './helpers/test-app';

/** `npm run cli -- …` on a server database (DATABASE_URL), as an operator of a fresh server would use it: the built CLI as a child process. */
const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const MAIN = join(ROOT, 'dist', 'main.js');
const SECRET = 'cli-test-secret-cli-test-secret-0123456789';
const env = (databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  DATABASE_URL: databaseUrl,
  JWT_SECRET: SECRET,
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  ...extra,
});
/** Standard input is a pipe (given `input`, else empty): never a terminal. */
const cli = (databaseUrl: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: env(databaseUrl, options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The CLI on a real terminal: `script` gives it a pseudo-terminal as standard input and output (`-E never`: script itself does not echo what it is fed).
 * Each answer is typed only once its prompt is on the screen (so the CLI has switched echo off).
 */
function cliOnTerminal(databaseUrl: string, args: string[], answers: { prompt: string; type: string }[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const command = [process.execPath, CLI, ...args].map(quote).join(' ');
    const proc = spawn('script', ['-q', '-E', 'never', '-e', '-c', command, '/dev/null'], {
      cwd: ROOT,
      env: env(databaseUrl),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let seen = 0;
    let next = 0;
    const onOutput = (d: Buffer) => {
      output += d.toString('utf8');
      while (next < answers.length && output.indexOf(answers[next].prompt, seen) >= 0) {
        seen = output.indexOf(answers[next].prompt, seen) + answers[next].prompt.length;
        proc.stdin.write(answers[next].type + '\r');
        next++;
      }
    };
    proc.stdout.on('data', onOutput);
    proc.stderr.on('data', onOutput);
    proc.on('error', reject);
    proc.on('exit', (status) => resolveRun({ status, output }));
  });
}

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A non-loopback IPv4 address of this machine, if it has one. */
const externalAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** `npm start` on the test database until it listens; returns the log and whether a non-loopback address reaches it. */
async function startServer(databaseUrl: string, extra: Record<string, string> = {}): Promise<{ output: string; externallyReachable: boolean | undefined }> {
  const port = await freePort();
  const e = env(databaseUrl, { PORT: String(port), JOBS_ENABLED: 'false', ...extra });
  if (!('HOST' in extra)) delete e.HOST;
  const proc = spawn(process.execPath, [MAIN], { cwd: ROOT, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolveListening, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      if (/"msg":"listening on /.test(output)) resolveListening();
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  try {
    await request(`http://127.0.0.1:${port}`).get('/health').expect(200);
    const address = externalAddress();
    let externallyReachable: boolean | undefined;
    if (address) {
      externallyReachable = await request(`http://${address}:${port}`)
        .get('/health')
        .timeout(5_000)
        .then(
          (r) => r.status === 200,
          () => false,
        );
    }
    return { output, externallyReachable };
  } finally {
    await new Promise((r) => {
      proc.removeAllListeners('exit');
      proc.once('exit', r);
      proc.kill('SIGTERM');
    });
  }
}

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
  const canLogIn = async (email: string, password: string, displayName: string) => {
    const t = await createTestApp({ databaseUrl: db.url, demo: false });
    try {
      const token = await t.login(email, password);
      const me = await t.http().get('/api/v1/me').auth(token, { type: 'bearer' }).expect(200);
      expect(me.body).toEqual(expect.objectContaining({ role: 'admin', organisationId: null, displayName }));
    } finally {
      await t.close();
    }
  };

  it('create-admin --password-stdin creates the first admin, who can log in; no demo data appears on a server database', async () => {
    const res = cli(db.url, ['create-admin', '--email', 'Root@Example.cn', '--name', 'First Admin', '--password-stdin'], { input: 'first-admin-pass\n' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/admin root@example\.cn created/);
    expect(res.stdout).not.toContain('first-admin-pass');
    expect(await count(`SELECT count(*) AS n FROM users WHERE role = 'admin'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM organisations`)).toBe(0);
    await canLogIn('root@example.cn', 'first-admin-pass', 'First Admin');
  });

  it('logs JSON lines shaped like the server log, without colours, and runs no scheduled jobs (whatever JOBS_ENABLED says)', () => {
    const res = cli(db.url, ['migrate'], { env: { JOBS_ENABLED: 'true' } });
    expect(res.status).toBe(0);
    const seeded = cli(db.url, ['create-admin', '--email', 'second@example.cn', '--password-stdin'], {
      input: 'second-admin-pass',
      env: { JOBS_ENABLED: 'true' },
    });
    expect(seeded.status).toBe(0);
    for (const out of [res.stdout, seeded.stdout]) {
      expect(out).not.toContain('\u001b['); // no ANSI colours
      const lines = jsonLines(out);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(Object.keys(line)).toEqual(['level', 'time', 'pid', 'hostname', 'service', 'context', 'msg']);
        expect(line).toEqual(expect.objectContaining({ level: 30, service: 'pilot-booking', pid: expect.any(Number), time: expect.any(Number) }));
      }
      expect(lines.some((l) => /^database: PostgreSQL server at /.test(String(l.msg)))).toBe(true);
      expect(out).not.toMatch(/"context":"Jobs"|scheduled jobs/);
    }
    expect(jsonLines(seeded.stdout).map((l) => l.msg)).toContainEqual(expect.stringMatching(/^admin second@example\.cn created/));
  });

  it('create-admin asks for the password twice on a terminal, without echo', async () => {
    const password = 'typed-on-the-terminal';
    const res = await cliOnTerminal(
      db.url,
      ['create-admin', '--email', 'tty@example.cn', '--name', 'Terminal Admin'],
      [
        { prompt: 'Password: ', type: password },
        { prompt: 'Repeat password: ', type: password },
      ],
    );
    expect(res.output).toContain('Password: ');
    expect(res.output).toContain('Repeat password: ');
    expect(res.output).not.toContain(password);
    expect(res.output).toMatch(/admin tty@example\.cn created/);
    expect(res.status).toBe(0);
    await canLogIn('tty@example.cn', password, 'Terminal Admin');

    const mismatch = await cliOnTerminal(
      db.url,
      ['create-admin', '--email', 'typo@example.cn'],
      [
        { prompt: 'Password: ', type: 'one-long-password' },
        { prompt: 'Repeat password: ', type: 'another-long-password' },
      ],
    );
    expect(mismatch.status).toBe(1);
    expect(mismatch.output).toMatch(/error: the two passwords differ/);
    expect(await count(`SELECT count(*) AS n FROM users WHERE email = 'typo@example.cn'`)).toBe(0);
  });

  it('create-admin refuses a password on the command line, and asks for --password-stdin when there is no terminal', async () => {
    const argv = cli(db.url, ['create-admin', '--email', 'argv@example.cn', '--password', 'visible-in-ps-output']);
    expect(argv.status).toBe(2);
    expect(argv.stderr).toMatch(/^error: --password is not accepted: .*shell history.*--password-stdin/);
    const piped = cli(db.url, ['create-admin', '--email', 'argv@example.cn'], { input: 'piped-without-the-flag' });
    expect(piped.status).toBe(2);
    expect(piped.stderr).toMatch(/^error: no terminal to ask for the password on: pipe it in with --password-stdin/);
    const twoLines = cli(db.url, ['create-admin', '--email', 'argv@example.cn', '--password-stdin'], { input: 'line-one-pass\nline-two-pass\n' });
    expect(twoLines.status).toBe(2);
    expect(twoLines.stderr).toMatch(/one line/);
    expect(await count(`SELECT count(*) AS n FROM users WHERE email = 'argv@example.cn'`)).toBe(0);
  });

  it('create-admin explains what is wrong with bad input and changes nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM users`);
    const dup = cli(db.url, ['create-admin', '--email', 'root@example.cn', '--password-stdin'], { input: 'another-pass-123' });
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const bad = cli(db.url, ['create-admin', '--email', 'not-an-email', '--password-stdin'], { input: 'short' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/email/);
    expect(bad.stderr).toMatch(/password/);
    expect(await count(`SELECT count(*) AS n FROM users`)).toBe(before);
  });

  it('answers an unknown command or option with an error and a hint (exit 2), and --help with the usage (exit 0)', () => {
    const unknown = cli(db.url, ['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe('error: unknown command "frobnicate"\nRun "npm run cli -- --help" for the commands and their options.\n');
    const typo = cli(db.url, ['seed-dmeo']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/^error: unknown command "seed-dmeo" \(did you mean "seed-demo"\?\)\n/);
    const option = cli(db.url, ['migrate', '--frobnicate']);
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/^error: unknown option "--frobnicate"\nRun "npm run cli -- --help"/);
    const misplaced = cli(db.url, ['migrate', '--no-history']);
    expect(misplaced.status).toBe(2);
    expect(misplaced.stderr).toMatch(/^error: --no-history belongs to seed-demo\n/);
    const none = cli(db.url, []);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/Usage: npm run cli/);
    const help = cli(db.url, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run cli -- <command>/);
    expect(help.stdout).toMatch(/--password-stdin/);
  });

  it('npm start on a server database without demo accounts listens on every interface when HOST is unset', async () => {
    const { output, externallyReachable } = await startServer(db.url);
    expect(output).toMatch(/"msg":"listening on 0\.0\.0\.0:\d+/);
    if (externallyReachable !== undefined) expect(externallyReachable).toBe(true);
  });

  it('seed-demo is refused when NODE_ENV=production and creates nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM users`);
    const res = cli(db.url, ['seed-demo'], { env: { NODE_ENV: 'production' } });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^error: seed-demo refused when NODE_ENV=production: the demo accounts .* published password/);
    expect(await count(`SELECT count(*) AS n FROM users`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM users WHERE email LIKE '%@demo.local'`)).toBe(0);
  });

  it('seed-demo loads the demo data and its year of history once, and a second run changes nothing', async () => {
    const first = cli(db.url, ['seed-demo'], { timeoutMs: 480_000 });
    expect(first.status).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/demo history 2\/5: generated \d+ bookings/);
    expect(first.stdout + first.stderr).toMatch(/demo history ready in \d+ ms/);
    const tables = ['users', 'organisations', 'bookings', 'usage_records', 'usage_imports', 'audit_entries', 'notifications', 'report_days'];
    const counts = async () => {
      const n: number[] = [];
      for (const t of tables) n.push(await count(`SELECT count(*) AS n FROM ${t}`));
      return n;
    };
    const before = await counts();
    expect(await count(`SELECT count(*) AS n FROM users WHERE email LIKE '%@demo.local'`)).toBeGreaterThanOrEqual(5);
    expect(before[2]).toBeGreaterThan(1000);
    const second = cli(db.url, ['seed-demo'], { timeoutMs: 120_000 });
    expect(second.status).toBe(0);
    expect(second.stdout + second.stderr).toMatch(/demo history: already loaded, nothing to do/);
    expect(await counts()).toEqual(before);
  }, 600_000);

  it('with the demo accounts present, npm start listens on 127.0.0.1 only unless HOST is set', async () => {
    const loopback = await startServer(db.url);
    expect(loopback.output).toMatch(/HOST is unset and the demo accounts \(published password\) exist: listening on 127\.0\.0\.1 only/);
    expect(loopback.output).toMatch(/"msg":"listening on 127\.0\.0\.1:\d+/);
    if (loopback.externallyReachable !== undefined) expect(loopback.externallyReachable).toBe(false);
    const everywhere = await startServer(db.url, { HOST: '0.0.0.0' });
    expect(everywhere.output).toMatch(/"msg":"listening on 0\.0\.0\.0:\d+/);
    if (everywhere.externallyReachable !== undefined) expect(everywhere.externallyReachable).toBe(true);
  });
});
