import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One change, append-only (a trigger refuses UPDATE and DELETE, except the one sealing UPDATE that sets
 * prev_hash, hash, chain_index and sealed_at once), chained by hash to the one before when sealed.
 */
@Entity('audit_entries')
export class AuditEntry {
  @PrimaryColumn({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  seq: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'actor_kind', type: 'text' })
  actorKind: 'user' | 'system' | 'job';

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Column({ name: 'actor_label', type: 'text' })
  actorLabel: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId: string;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId: string | null;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'text', nullable: true })
  prevHash: string | null;

  @Column({ type: 'text', nullable: true })
  hash: string | null;

  /** Position in the chain (1, 2, 3, … without gaps), set when sealed. */
  @Column({ name: 'chain_index', type: 'bigint', nullable: true })
  chainIndex: string | null;

  @Column({ name: 'sealed_at', type: 'timestamptz', nullable: true })
  sealedAt: Date | null;
}
