import { randomUUID } from 'node:crypto';
import { createServer, Server, Socket, connect } from 'node:net';
import { Client } from 'pg';
import { freePort } from '../src/database/embedded-postgres';
import { createTestApp, createTestDatabase, expectProblem, TestApp } from './helpers/test-app';

/**
 * The database goes away under a running app and comes back. The app talks to PostgreSQL through a TCP
 * proxy that the test cuts (every connection reset, new ones refused) and restores — an outage as a
 * restart or a network failure gives it, without touching the server the other test files share.
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

describe('database outage: 503 with Retry-After while it is down, recovery by itself, nothing lost', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: CuttableProxy;
  let t: TestApp;
  let direct: Client;
  let sme: string;
  let gpu: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    proxy = new CuttableProxy(await freePort(), { host: url.hostname, port: Number(url.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    t = await createTestApp({ databaseUrl: viaProxy.toString() });
    direct = new Client({ connectionString: db.url });
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
    await direct?.end();
    await t?.close();
    await proxy?.cut();
    await db?.drop();
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
    await proxy.cut();
    // while it is down: a clear answer, not a hang and not a crash
    const started = Date.now();
    const down = await book(10_000, randomUUID());
    expect(Date.now() - started).toBeLessThan(15_000);
    const problem = expectProblem(down, 503, 'database_unavailable');
    expect(problem.detail).toMatch(/database/i);
    expect(down.headers['retry-after']).toBe('5');
    expectProblem(await t.rawHttp().get('/health'), 503);
    await new Promise((r) => setTimeout(r, 1500));
    await proxy.open();
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
