import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../common/auth/auth-user';
import { page, Page } from '../common/pagination';
import { AuditQueryDto } from './audit.dto';
import { AuditEntry } from './audit-entry.entity';
import { canonicalJson } from './canonical-json';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  /** The organisation the entry concerns, so tenants can later be shown their own trail. */
  organisationId?: string | null;
  data?: Record<string, unknown>;
}

/** Serialises writers of the chain: each entry must see the hash of the one committed before it. */
const AUDIT_CHAIN_LOCK = 7316002;

export function entryHash(prevHash: string | null, e: Omit<AuditEntry, 'seq' | 'hash' | 'prevHash'>): string {
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

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends an entry inside the caller's transaction (`em`), so the change and its entry commit or
   * roll back together. The transaction-scoped advisory lock orders concurrent writers.
   */
  async record(em: EntityManager, actor: Actor, record: AuditRecord, at: Date = new Date()): Promise<AuditEntry> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('AuditService.record must run inside a transaction');
    await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const [last] = await em.query<Array<{ hash: string }>>('SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1');
    const prevHash: string | null = last?.hash ?? null;
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
    const hash = entryHash(prevHash, entry);
    const saved = em.create(AuditEntry, { ...entry, prevHash, hash });
    return em.save(AuditEntry, saved);
  }

  /** Entries newest first, filtered; officials and admins only (checked by the controller's roles). */
  async list(q: AuditQueryDto): Promise<Page<AuditEntry>> {
    const qb = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a');
    if (q.entityType) qb.andWhere('a.entity_type = :entityType', { entityType: q.entityType });
    if (q.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: q.entityId });
    if (q.action) qb.andWhere('a.action = :action', { action: q.action });
    if (q.actorUserId) qb.andWhere('a.actor_user_id = :actorUserId', { actorUserId: q.actorUserId });
    const [items, total] = await qb.orderBy('a.seq', 'DESC').take(q.limit).skip(q.offset).getManyAndCount();
    return page(items, total, q);
  }

  /** Recomputes the whole chain; the first broken link (if any) is reported. */
  async verify(): Promise<{ valid: boolean; entries: number; lastHash: string | null; brokenAt?: string }> {
    let prev: string | null = null;
    let count = 0;
    const batch = 1000;
    let afterSeq = '0';
    for (;;) {
      const rows: AuditEntry[] = await this.dataSource
        .getRepository(AuditEntry)
        .createQueryBuilder('a')
        .where('a.seq > :afterSeq', { afterSeq })
        .orderBy('a.seq', 'ASC')
        .limit(batch)
        .getMany();
      for (const row of rows) {
        const expected = entryHash(prev, row);
        if (row.prevHash !== prev || row.hash !== expected) {
          return { valid: false, entries: count, lastHash: prev, brokenAt: row.seq };
        }
        prev = row.hash;
        count++;
      }
      if (rows.length < batch) break;
      afterSeq = rows[rows.length - 1].seq;
    }
    return { valid: true, entries: count, lastHash: prev };
  }
}
