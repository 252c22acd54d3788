import { Client } from 'pg';
import { AUDIT_INSERT_SQL, AUDIT_XID_SQL } from '../src/audit/audit.service';
import { Clock } from '../src/common/clock';
import { demoCreditCode } from '../src/database/seed/demo-accounts';
import { JobsService } from '../src/jobs/jobs.service';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

/** "Now" for these tests: Monday 2030-01-07 10:00 in Shanghai. */
const NOW = '2030-01-07T10:00:00+08:00';

/**
 * The audit log off the write path: entries are written unchained in the change's transaction and
 * sealed later (job, POST /audit/seal, verify), never past a transaction still in flight.
 */
describe('audit: sealing, verification, filters and scoping', () => {
  let t: TestApp;
  let admin: string;
  let official: string;
  let operator: string;
  let otherOperator: string;
  let sme: string;
  let sme2: string;
  let smeOrg: string;
  let operatorOrg: string;
  let facilityId: string;
  let pool: string;
  let bookingIds: string[] = [];

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const seal = async () =>
    (await t.http().post('/api/v1/audit/seal').set(bearer(admin)).expect(200)).body as { ran: boolean; sealed: number; unsealed: number };
  const verify = async () =>
    (await t.http().get('/api/v1/audit/verify').set(bearer(official)).expect(200)).body as {
      valid: boolean;
      entries: number;
      lastHash: string | null;
      firstInvalidId: string | null;
      unsealed: number;
    };
  const list = (token: string, query = '') => t.http().get(`/api/v1/audit?limit=200${query}`).set(bearer(token));
  const raw = async () => {
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    return c;
  };
  /** Runs statements as the table owner with triggers off (what an intruder with the owner's rights could do). */
  const behindTheTriggersBack = async (sql: string, params: unknown[] = []) => {
    const c = await raw();
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL session_replication_role = replica`);
      await c.query(sql, params);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  };
  const book = (token: string, day: number) =>
    t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(token))
      .send({
        resourceId: pool,
        startsAt: `2030-01-${String(8 + (day % 20)).padStart(2, '0')}T09:00:00+08:00`,
        endsAt: `2030-01-${String(8 + (day % 20)).padStart(2, '0')}T10:00:00+08:00`,
        units: 1,
        stage: 'pilot_maturation',
        purpose: 'concurrent audit test',
      });

  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTER_IP_LIMIT: '1000000' } });
    t.app.get(Clock).freeze(NOW);
    [admin, official, operator, otherOperator, sme, sme2] = await Promise.all(
      ['admin', 'official', 'operator', 'operator-dalian', 'sme', 'sme2'].map((n) => t.login(`${n}@demo.local`)),
    );
    [{ id: smeOrg }] = await t.sql<{ id: string }>(`SELECT organisation_id AS id FROM users WHERE email = 'sme@demo.local'`);
    [{ id: operatorOrg }] = await t.sql<{ id: string }>(`SELECT organisation_id AS id FROM users WHERE email = 'operator@demo.local'`);
    const facility = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(operator))
      .send({
        kind: 'supercomputing_centre',
        nameZh: '测试·审计算力中心',
        nameEn: 'Test audit compute centre',
        cityCode: '210100',
        address: '沈阳市测试路9号',
        directions: ['new_materials'],
        stages: ['pilot_maturation'],
      })
      .expect(201);
    facilityId = facility.body.id;
    const resource = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(operator))
      .send({
        facilityId,
        nameZh: '测试·审计GPU池',
        nameEn: 'Test audit GPU pool',
        mode: 'pooled',
        capacity: 1000,
        unit: 'gpu_hour',
        minDurationMinutes: 60,
        maxDurationMinutes: 480,
        leadTimeMinutes: 0,
        horizonDays: 60,
        bufferBeforeMinutes: 0,
        bufferAfterMinutes: 0,
        approvalRequired: false,
        pricePerUnitHourFen: 100,
        smeDiscountPercent: 0,
        openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
      })
      .expect(201);
    pool = resource.body.id;
  });
  afterAll(() => t.close());

  it('writes entries unchained; sealing chains them and verify checks the chain', async () => {
    const [entry] = await t.sql<{ hash: string | null; sealed_at: Date | null; txid: string | null }>(
      `SELECT hash, sealed_at, txid::text AS txid FROM audit_entries WHERE entity_type = 'resource' AND entity_id = $1`,
      [pool],
    );
    expect(entry).toEqual({ hash: null, sealed_at: null, txid: expect.stringMatching(/^[0-9]+$/) });
    const sealed = await seal();
    expect(sealed).toEqual({ ran: true, sealed: expect.any(Number), unsealed: 0 });
    expect(sealed.sealed).toBeGreaterThan(0);
    const v = await verify();
    expect(v).toEqual({ valid: true, entries: expect.any(Number), lastHash: expect.stringMatching(/^[0-9a-f]{64}$/), firstInvalidId: null, unsealed: 0 });
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries`);
    expect(v.entries).toBe(n);
    // The API shows the chain columns.
    const page = await list(official, `&entityType=resource&entityId=${pool}`).expect(200);
    expect(page.body.items[0]).toEqual(
      expect.objectContaining({
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        chainIndex: expect.stringMatching(/^[1-9][0-9]*$/),
        sealedAt: expect.any(String),
      }),
    );
  });

  it('stays one chain without gaps or forks under 20 concurrent writers', async () => {
    const before = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries`);
    const registrations = Array.from({ length: 20 }, (_, i) =>
      t
        .http()
        .post('/api/v1/auth/register')
        .send({
          email: `audit-founder-${i}@example.cn`,
          password: 'founding-passphrase-1',
          displayName: `Founder ${i}`,
          organisationNameZh: `测试·审计并发企业${i}`,
          creditCode: demoCreditCode('210100', 700 + i),
          sme: true,
          cityCode: '210100',
        }),
    );
    const bookings = Array.from({ length: 20 }, (_, i) => book(i % 2 ? sme : sme2, i));
    const answers = await Promise.all([...registrations, ...bookings]);
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201));
    bookingIds = answers.slice(20).map((a) => a.body.id as string);
    const orgIds = (await t.sql<{ id: string }>(`SELECT id FROM organisations WHERE name_zh LIKE '测试·审计并发企业%'`)).map((r) => r.id);
    expect(orgIds).toHaveLength(20);

    await seal();
    const v = await verify();
    expect(v).toEqual(expect.objectContaining({ valid: true, firstInvalidId: null, unsealed: 0 }));
    // One chain: chain_index 1..N without gaps, in seq order, each entry linked to the one before.
    const [chain] = await t.sql<{ n: number; max: number; ordered: boolean; linked: boolean; all_sealed: boolean }>(`
      SELECT count(*)::int AS n, max(chain_index)::int AS max,
             bool_and(prev_seq IS NULL OR prev_seq < seq) AS ordered,
             bool_and(prev_hash IS NOT DISTINCT FROM prev_link) AS linked,
             bool_and(sealed_at IS NOT NULL) AS all_sealed
        FROM (SELECT seq, chain_index, prev_hash, sealed_at, lag(seq) OVER w AS prev_seq, lag(hash) OVER w AS prev_link
                FROM audit_entries WINDOW w AS (ORDER BY chain_index)) c`);
    expect(chain).toEqual({ n: chain.max, max: v.entries, ordered: true, linked: true, all_sealed: true });
    expect(v.entries).toBeGreaterThan(before[0].n + 40);
    // Every change has exactly one entry.
    const perBooking = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'booking.requested' AND entity_id = ANY($1) GROUP BY entity_id`,
      [bookingIds],
    );
    expect(perBooking.map((r) => r.n)).toEqual(Array(20).fill(1));
    const perOrg = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'organisation.created' AND entity_id = ANY($1) GROUP BY entity_id`,
      [orgIds],
    );
    expect(perOrg.map((r) => r.n)).toEqual(Array(20).fill(1));
  });

  it('never seals past an entry whose transaction is still open, and skips a rolled-back seq', async () => {
    await seal();
    const held = await raw();
    try {
      await held.query('BEGIN');
      await held.query(AUDIT_XID_SQL);
      const [{ seq: heldSeq }] = (
        await held.query<{ seq: string }>(AUDIT_INSERT_SQL, [new Date(), 'system', null, 'held transaction', 'test.held', 'test', 'held', null, '{}'])
      ).rows;
      // Later entries commit (logins are audited) while the held one is still open.
      await t.login('sme@demo.local');
      await t.login('sme2@demo.local');
      const later = await t.sql<{ seq: string }>(`SELECT seq::text AS seq FROM audit_entries WHERE seq > $1 ORDER BY seq`, [heldSeq]);
      expect(later.length).toBeGreaterThanOrEqual(2);
      const first = await seal();
      expect(first.unsealed).toBeGreaterThanOrEqual(2);
      const waiting = await t.sql<{ sealed: boolean }>(`SELECT sealed_at IS NOT NULL AS sealed FROM audit_entries WHERE seq > $1`, [heldSeq]);
      expect(waiting.every((r) => !r.sealed)).toBe(true);
      expect((await verify()).unsealed).toBeGreaterThanOrEqual(2);
      await held.query('COMMIT');
      const second = await seal();
      expect(second.unsealed).toBe(0);
      const [h] = await t.sql<{ chain_index: string }>(`SELECT chain_index::text AS chain_index FROM audit_entries WHERE seq = $1`, [heldSeq]);
      const [l] = await t.sql<{ chain_index: string }>(`SELECT min(chain_index)::text AS chain_index FROM audit_entries WHERE seq > $1`, [heldSeq]);
      expect(BigInt(l.chain_index)).toBe(BigInt(h.chain_index) + 1n);
      expect(await verify()).toEqual(expect.objectContaining({ valid: true, unsealed: 0 }));
    } finally {
      await held.end();
    }

    // A rolled-back writer leaves a seq that never commits: sealing passes it once the writer has ended.
    const gone = await raw();
    await gone.query('BEGIN');
    await gone.query(AUDIT_XID_SQL);
    await gone.query(AUDIT_INSERT_SQL, [new Date(), 'system', null, 'rolled back', 'test.rolled_back', 'test', 'gone', null, '{}']);
    await gone.query('ROLLBACK');
    await gone.end();
    await t.login('sme@demo.local');
    expect(await seal()).toEqual(expect.objectContaining({ unsealed: 0 }));
    expect(await verify()).toEqual(expect.objectContaining({ valid: true, unsealed: 0 }));
  });

  it('the scheduled job seals too', async () => {
    await t.login('sme@demo.local');
    const run = await t.app.get(JobsService).run('audit-seal');
    expect(run).toEqual(expect.objectContaining({ job: 'audit-seal', ran: true }));
    expect(run.changed).toBeGreaterThanOrEqual(1);
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries WHERE sealed_at IS NULL`);
    expect(n).toBe(0);
  });

  it('the trigger allows the one sealing UPDATE and nothing else', async () => {
    await t.login('sme@demo.local'); // an unsealed entry
    const [u] = await t.sql<{ seq: string }>(`SELECT seq::text AS seq FROM audit_entries WHERE sealed_at IS NULL ORDER BY seq LIMIT 1`);
    const [s] = await t.sql<{ seq: string }>(`SELECT seq::text AS seq FROM audit_entries WHERE sealed_at IS NOT NULL ORDER BY seq LIMIT 1`);
    const fake = 'f'.repeat(64);
    await expect(t.sql(`UPDATE audit_entries SET hash = $2 WHERE seq = $1`, [s.seq, fake])).rejects.toThrow(/append-only/);
    await expect(t.sql(`UPDATE audit_entries SET action = 'tampered' WHERE seq = $1`, [u.seq])).rejects.toThrow(/append-only/);
    await expect(
      t.sql(`UPDATE audit_entries SET hash = $2, chain_index = 999999, sealed_at = now(), action = 'tampered' WHERE seq = $1`, [u.seq, fake]),
    ).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM audit_entries WHERE seq = $1`, [u.seq])).rejects.toThrow(/append-only/);
    await expect(t.sql(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
    await seal();
  });

  it('finds an entry altered behind the trigger', async () => {
    await seal();
    const [target] = await t.sql<{ seq: string; data: Record<string, unknown> }>(
      `SELECT seq::text AS seq, data FROM audit_entries WHERE action = 'booking.requested' ORDER BY seq LIMIT 1`,
    );
    await behindTheTriggersBack(`UPDATE audit_entries SET data = data || '{"units": 999}'::jsonb WHERE seq = $1`, [target.seq]);
    expect(await verify()).toEqual(expect.objectContaining({ valid: false, firstInvalidId: target.seq }));
    await behindTheTriggersBack(`UPDATE audit_entries SET data = $2::jsonb WHERE seq = $1`, [target.seq, JSON.stringify(target.data)]);
    expect(await verify()).toEqual(expect.objectContaining({ valid: true, firstInvalidId: null }));
  });

  it('finds a deleted entry (a hole in chain_index)', async () => {
    await seal();
    const rows = await t.sql<{ seq: string }>(
      `SELECT seq::text AS seq FROM audit_entries WHERE action = 'organisation.created' ORDER BY chain_index LIMIT 2 OFFSET 3`,
    );
    const [{ next }] = await t.sql<{ next: string }>(
      `SELECT seq::text AS next FROM audit_entries WHERE chain_index = (SELECT chain_index + 1 FROM audit_entries WHERE seq = $1)`,
      [rows[0].seq],
    );
    const [copy] = await t.sql<Record<string, unknown>>(`SELECT * FROM audit_entries WHERE seq = $1`, [rows[0].seq]);
    await behindTheTriggersBack(`DELETE FROM audit_entries WHERE seq = $1`, [rows[0].seq]);
    expect(await verify()).toEqual(expect.objectContaining({ valid: false, firstInvalidId: next }));
    // Put it back as it was (the chain is valid again).
    const cols = Object.keys(copy);
    await behindTheTriggersBack(
      `INSERT INTO audit_entries (${cols.join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
      cols.map((c) => (c === 'data' ? JSON.stringify(copy[c]) : copy[c])),
    );
    expect(await verify()).toEqual(expect.objectContaining({ valid: true }));
  });

  it('filters by entity, actor, organisation, action and time', async () => {
    const [{ id: smeUser }] = await t.sql<{ id: string }>(`SELECT id FROM users WHERE email = 'sme@demo.local'`);
    const byActor = await list(official, `&actorId=${smeUser}`).expect(200);
    expect(byActor.body.items.length).toBeGreaterThan(0);
    expect(byActor.body.items.every((e: { actorUserId: string }) => e.actorUserId === smeUser)).toBe(true);
    const legacy = await list(official, `&actorUserId=${smeUser}`).expect(200);
    expect(legacy.body.total).toBe(byActor.body.total);
    const byAction = await list(official, `&action=booking.requested&organisationId=${smeOrg}`).expect(200);
    expect(byAction.body.items.length).toBeGreaterThan(0);
    expect(byAction.body.items.every((e: { action: string; organisationId: string }) => e.action === 'booking.requested' && e.organisationId === smeOrg)).toBe(
      true,
    );
    const byEntity = await list(official, `&entityType=resource&entityId=${pool}`).expect(200);
    expect(byEntity.body.items.map((e: { action: string }) => e.action)).toEqual(['resource.created']);
    const [{ at }] = await t.sql<{ at: Date }>(`SELECT at FROM audit_entries WHERE entity_id = $1`, [pool]);
    const fromIt = await list(official, `&entityId=${pool}&from=${encodeURIComponent(at.toISOString())}`).expect(200);
    expect(fromIt.body.total).toBe(1);
    const beforeIt = await list(official, `&entityId=${pool}&to=${encodeURIComponent(at.toISOString())}`).expect(200);
    expect(beforeIt.body.total).toBe(0);
    expectProblem(await list(official, '&from=yesterday'), 400);
    expectProblem(await list(official, '&organisationId=not-a-uuid'), 400);
  });

  it('scopes the trail by role', async () => {
    // An SME: only the entries filed under its organisation.
    const own = await list(sme).expect(200);
    expect(own.body.total).toBeGreaterThan(0);
    expect(own.body.items.every((e: { organisationId: string }) => e.organisationId === smeOrg)).toBe(true);
    // The operator: its own entries and those about its facilities' bookings and resources.
    const op = await list(operator, `&entityType=booking&action=booking.requested`).expect(200);
    const seen = new Set(op.body.items.map((e: { entityId: string }) => e.entityId));
    expect(bookingIds.every((id) => seen.has(id))).toBe(true);
    const opResource = await list(operator, `&entityId=${pool}`).expect(200);
    expect(opResource.body.total).toBe(1);
    const opAll = await list(operator).expect(200);
    expect(opAll.body.items.some((e: { organisationId: string }) => e.organisationId === operatorOrg)).toBe(true);
    // Another operator sees none of them.
    const other = await list(otherOperator, `&entityType=booking&action=booking.requested`).expect(200);
    expect(other.body.items.some((e: { entityId: string }) => bookingIds.includes(e.entityId))).toBe(false);
    expect((await list(otherOperator, `&entityId=${pool}`).expect(200)).body.total).toBe(0);
    // Officials and admins everything.
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries`);
    expect((await list(official).expect(200)).body.total).toBe(n);
    expect((await list(admin).expect(200)).body.total).toBeGreaterThanOrEqual(n);
    // Verify is for officials and admins, sealing on demand for admins.
    expectProblem(await t.http().get('/api/v1/audit/verify').set(bearer(operator)), 403);
    expectProblem(await t.http().get('/api/v1/audit/verify').set(bearer(sme)), 403);
    expectProblem(await t.http().post('/api/v1/audit/seal').set(bearer(official)), 403);
    expectProblem(await t.http().post('/api/v1/audit/seal').set(bearer(operator)), 403);
  });
});
