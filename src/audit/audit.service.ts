import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../common/access/access.service';
import { AuthUser, Actor } from '../common/auth/auth-user';
import { page, Page } from '../common/pagination';
import { AuditQueryDto } from './audit.dto';
import { AuditEntry } from './audit-entry.entity';
import { canonicalJson } from './canonical-json';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  /** The organisation the entry concerns, so tenants can be shown their own trail. */
  organisationId?: string | null;
  data?: Record<string, unknown>;
}

/** Advisory lock key of the sealing step (namespace of the jobs, 6): one sealer at a time. */
export const AUDIT_SEAL_LOCK: [number, number] = [7316100, 6];

/**
 * The SQL `record` appends an entry with, unchained. `pg_current_xact_id()` runs in the statement
 * before (`AUDIT_XID_SQL`), so the writer holds a transaction id *before* its `seq` is drawn: the
 * sealer relies on that (see AuditService.seal).
 */
export const AUDIT_XID_SQL = 'SELECT pg_current_xact_id()::text AS txid';
export const AUDIT_INSERT_SQL = `INSERT INTO audit_entries
    (at, actor_kind, actor_user_id, actor_label, action, entity_type, entity_id, organisation_id, data, txid)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, pg_current_xact_id())
  RETURNING seq::text AS seq`;

export function entryHash(prevHash: string | null, e: Omit<AuditEntry, 'seq' | 'hash' | 'prevHash' | 'chainIndex' | 'sealedAt'>): string {
  const body = canonicalJson({
    at: e.at.toISOString(),
    actorKind: e.actorKind,
    actorUserId: e.actorUserId,
    actorLabel: e.actorLabel,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    organisationId: e.organisationId,
    data: e.data,
  });
  return createHash('sha256')
    .update((prevHash ?? '') + body)
    .digest('hex');
}

export interface SealResult {
  /** Entries chained by this run. */
  sealed: number;
  /** Entries still unsealed afterwards (waiting behind a transaction still in progress). */
  unsealed: number;
  /** False when another sealer held the lock (only with `tryLock`). */
  ran: boolean;
}

export interface VerifyResult {
  valid: boolean;
  entries: number;
  lastHash: string | null;
  /** The `seq` of the first entry whose link is broken (null when valid). */
  firstInvalidId: string | null;
  /** Entries not (yet) sealed, so not covered by the check. */
  unsealed: number;
}

const BATCH = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  /**
   * Appends an entry inside the caller's transaction (`em`), so the change and its entry commit or
   * roll back together. No lock and no read of the chain: the entry is inserted unchained and the
   * sealing step (`seal`) chains it, in `seq` order, within one job interval.
   */
  async record(em: EntityManager, actor: Actor, record: AuditRecord, at: Date = new Date()): Promise<AuditEntry> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('AuditService.record must run inside a transaction');
    const entry = {
      at: new Date(Math.floor(at.getTime())),
      actorKind: actor.kind,
      actorUserId: actor.kind === 'user' ? actor.userId : null,
      actorLabel: actor.label,
      action: record.action,
      entityType: record.entityType,
      entityId: record.entityId,
      organisationId: record.organisationId ?? null,
      data: JSON.parse(JSON.stringify(record.data ?? {})) as Record<string, unknown>,
    };
    await em.query(AUDIT_XID_SQL);
    const [{ seq }] = await em.query<Array<{ seq: string }>>(AUDIT_INSERT_SQL, [
      entry.at,
      entry.actorKind,
      entry.actorUserId,
      entry.actorLabel,
      entry.action,
      entry.entityType,
      entry.entityId,
      entry.organisationId,
      JSON.stringify(entry.data),
    ]);
    return Object.assign(new AuditEntry(), { ...entry, seq, prevHash: null, hash: null, chainIndex: null, sealedAt: null });
  }

  /**
   * Appends many entries at once inside the caller's transaction (bulk loads: the demo history), in the
   * order given, as `record` would one by one: unchained until the sealing step chains them.
   */
  async recordMany(em: EntityManager, entries: Array<{ actor: Actor; record: AuditRecord; at: Date }>, chunk = 5000): Promise<number> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('AuditService.recordMany must run inside a transaction');
    await em.query(AUDIT_XID_SQL);
    for (let i = 0; i < entries.length; i += chunk) {
      const part = entries.slice(i, i + chunk);
      await em.query(
        `INSERT INTO audit_entries (at, actor_kind, actor_user_id, actor_label, action, entity_type, entity_id, organisation_id, data, txid)
         SELECT e.at, e.actor_kind, e.actor_user_id, e.actor_label, e.action, e.entity_type, e.entity_id, e.organisation_id, e.data, pg_current_xact_id()
           FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::jsonb[])
                WITH ORDINALITY AS e(at, actor_kind, actor_user_id, actor_label, action, entity_type, entity_id, organisation_id, data, n)
          ORDER BY e.n`,
        [
          part.map((e) => new Date(Math.floor(e.at.getTime()))),
          part.map((e) => e.actor.kind),
          part.map((e) => (e.actor.kind === 'user' ? e.actor.userId : null)),
          part.map((e) => e.actor.label),
          part.map((e) => e.record.action),
          part.map((e) => e.record.entityType),
          part.map((e) => e.record.entityId),
          part.map((e) => e.record.organisationId ?? null),
          part.map((e) => JSON.stringify(e.record.data ?? {})),
        ],
      );
    }
    return entries.length;
  }

  /** Entries newest first, filtered, scoped by `audit.read` (all for officials and admins). */
  async list(q: AuditQueryDto, auth?: AuthUser): Promise<Page<AuditEntry>> {
    const qb = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a');
    if (auth) this.access.applyScope(qb, auth, 'audit.read');
    if (q.entityType) qb.andWhere('a.entity_type = :entityType', { entityType: q.entityType });
    if (q.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: q.entityId });
    if (q.action) qb.andWhere('a.action = :action', { action: q.action });
    const actorId = q.actorId ?? q.actorUserId;
    if (actorId) qb.andWhere('a.actor_user_id = :actorId', { actorId });
    if (q.actorUserId && q.actorId && q.actorUserId !== q.actorId) qb.andWhere('FALSE');
    if (q.organisationId) qb.andWhere('a.organisation_id = :organisationId', { organisationId: q.organisationId });
    if (q.from) qb.andWhere('a.at >= :from', { from: q.from });
    if (q.to) qb.andWhere('a.at < :to', { to: q.to });
    const [items, total] = await qb.orderBy('a.seq', 'DESC').take(q.limit).skip(q.offset).getManyAndCount();
    return page(items, total, q);
  }

  /**
   * The sealing step: chains the unsealed entries in `seq` order, one sealer at a time (advisory
   * lock; `tryLock` skips when another holds it, otherwise waits for it).
   *
   * Why it never seals past an entry that may still commit: every writer takes its transaction id
   * before its `seq` is drawn (`AUDIT_XID_SQL`). Entries are sealed while their `seq`s follow the
   * last settled one without a gap; a run of visible `seq`s leaves nothing hidden below it. At a gap
   * (a missing `seq` m below a visible n), the holder of m drew m before n was drawn, hence held its
   * transaction id before n's transaction committed, before the snapshot S taken after the read that
   * showed n: so it is one of S's in-progress transactions, or already ended. Once every transaction
   * in progress in S has ended (pg_xact_status), a fresh read shows every `seq` below n that will
   * ever exist; the ones still missing were rolled back (or never inserted) and are skipped for good.
   * Only a transaction open since before the gap holds sealing up (at most `waitMs` per run).
   */
  async seal(options: { tryLock?: boolean; lockHeld?: boolean; waitMs?: number; em?: EntityManager } = {}): Promise<SealResult> {
    const run = async (em: EntityManager): Promise<SealResult> => {
      if (options.lockHeld) {
        // the caller (the job) holds AUDIT_SEAL_LOCK in `em`
      } else if (options.tryLock) {
        const [{ locked }] = await em.query<Array<{ locked: boolean }>>('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', AUDIT_SEAL_LOCK);
        if (!locked) return { sealed: 0, unsealed: await this.unsealedCount(em), ran: false };
      } else {
        await em.query('SELECT pg_advisory_xact_lock($1, $2)', AUDIT_SEAL_LOCK);
      }
      const deadline = Date.now() + (options.waitMs ?? 1000);
      const [last] = await em.query<Array<{ seq: string; hash: string; chain_index: string }>>(
        'SELECT a.seq::text AS seq, a.hash, a.chain_index::text AS chain_index FROM audit_entries a WHERE a.chain_index IS NOT NULL ORDER BY a.chain_index DESC LIMIT 1',
      );
      let prevHash: string | null = last?.hash ?? null;
      let chainIndex = BigInt(last?.chain_index ?? '0');
      let settled = BigInt(last?.seq ?? '0'); // every seq up to here is sealed or gone for good
      let floor = 0n; // every seq below this one that will ever exist is visible
      let sealed = 0;
      for (;;) {
        const rows = await em
          .getRepository(AuditEntry)
          .createQueryBuilder('a')
          .where('a.sealed_at IS NULL AND a.seq > :settled', { settled: settled.toString() })
          .orderBy('a.seq', 'ASC')
          .limit(BATCH)
          .getMany();
        const chained: Array<{ seq: string; prevHash: string | null; hash: string; chainIndex: string }> = [];
        let gapAt: bigint | null = null;
        for (const row of rows) {
          const seq = BigInt(row.seq);
          if (seq !== settled + 1n && seq > floor) {
            gapAt = seq;
            break;
          }
          const hash = entryHash(prevHash, row);
          chainIndex += 1n;
          chained.push({ seq: row.seq, prevHash, hash, chainIndex: chainIndex.toString() });
          prevHash = hash;
          settled = seq;
        }
        if (chained.length > 0) {
          await em.query(
            `UPDATE audit_entries a SET prev_hash = c.prev_hash, hash = c.hash, chain_index = c.chain_index, sealed_at = now()
               FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS c(seq, prev_hash, hash, chain_index)
              WHERE a.seq = c.seq AND a.sealed_at IS NULL`,
            [chained.map((c) => c.seq), chained.map((c) => c.prevHash), chained.map((c) => c.hash), chained.map((c) => c.chainIndex)],
          );
          sealed += chained.length;
        }
        if (gapAt === null) {
          if (rows.length < BATCH) break;
          continue;
        }
        // A gap below gapAt: wait until every transaction in progress now has ended, then read again.
        const [{ snap }] = await em.query<Array<{ snap: string }>>('SELECT pg_current_snapshot()::text AS snap');
        if (!(await this.waitForSnapshot(em, snap, deadline))) break;
        floor = gapAt;
      }
      return { sealed, unsealed: await this.unsealedCount(em), ran: true };
    };
    return options.em ? run(options.em) : this.dataSource.transaction(run);
  }

  /** Seals first (briefly waiting for transactions in flight), then recomputes the whole chain. */
  async verify(): Promise<VerifyResult> {
    await this.seal({ waitMs: 500 });
    let prev: string | null = null;
    let count = 0;
    let expectedIndex = 1n;
    let afterIndex = '0';
    const fail = (row: AuditEntry): VerifyResult => ({ valid: false, entries: count, lastHash: prev, firstInvalidId: row.seq, unsealed });
    let unsealed = await this.unsealedCount(this.dataSource.manager);
    let prevSeq = 0n;
    for (;;) {
      const rows: AuditEntry[] = await this.dataSource
        .getRepository(AuditEntry)
        .createQueryBuilder('a')
        .where('a.chain_index > :afterIndex', { afterIndex })
        .orderBy('a.chain_index', 'ASC')
        .limit(BATCH)
        .getMany();
      for (const row of rows) {
        // A deleted entry leaves a hole in chain_index (and a prev_hash that no longer matches).
        if (BigInt(row.chainIndex!) !== expectedIndex || BigInt(row.seq) <= prevSeq) return fail(row);
        if (row.prevHash !== prev || row.hash !== entryHash(prev, row)) return fail(row);
        prev = row.hash;
        prevSeq = BigInt(row.seq);
        expectedIndex += 1n;
        count++;
      }
      if (rows.length < BATCH) break;
      afterIndex = rows[rows.length - 1].chainIndex!;
    }
    // An unsealed entry below the chain's end would be one the sealer skipped: it must not exist.
    const [below] = await this.dataSource.query<Array<{ seq: string }>>(
      'SELECT a.seq::text AS seq FROM audit_entries a WHERE a.sealed_at IS NULL AND a.seq < $1 ORDER BY a.seq LIMIT 1',
      [prevSeq.toString()],
    );
    if (below) return { valid: false, entries: count, lastHash: prev, firstInvalidId: below.seq, unsealed };
    unsealed = await this.unsealedCount(this.dataSource.manager);
    return { valid: true, entries: count, lastHash: prev, firstInvalidId: null, unsealed };
  }

  private async unsealedCount(em: EntityManager): Promise<number> {
    const [{ n }] = await em.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM audit_entries WHERE sealed_at IS NULL');
    return n;
  }

  /**
   * Polls until no transaction in progress in `snap` (other than ours) still is, or the deadline passes. A
   * snapshot lists the transactions of every database on the server; those known to run in another database
   * cannot hold one of our seqs and are not waited for (one whose database is hidden from us still is).
   */
  private async waitForSnapshot(em: EntityManager, snap: string, deadline: number): Promise<boolean> {
    for (;;) {
      const [{ running }] = await em.query<Array<{ running: number }>>(
        `SELECT count(*)::int AS running FROM pg_snapshot_xip($1::pg_snapshot) x
          WHERE x IS DISTINCT FROM pg_current_xact_id_if_assigned() AND pg_xact_status(x) = 'in progress'
            AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.backend_xid = xid(x) AND a.datname IS DISTINCT FROM current_database())`,
        [snap],
      );
      if (running === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(10);
    }
  }
}
