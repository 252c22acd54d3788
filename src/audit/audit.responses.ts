import { ApiProperty } from '@nestjs/swagger';

/** One audit entry, chained by hash to the one before once sealed (within one job interval). */
export class AuditEntryDto {
  /** Position in the chain: a positive integer, as a string (bigint). */
  @ApiProperty({ pattern: '^[1-9][0-9]*$' }) seq: string;
  at: Date;
  @ApiProperty({ enum: ['user', 'system', 'job'] }) actorKind: string;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) actorUserId: string | null;
  actorLabel: string;
  /** e.g. `booking.approved`, `auth.login`. */
  action: string;
  entityType: string;
  entityId: string;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) organisationId: string | null;
  /** What changed (differs per action). */
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  /** sha256 (hex) of the entry before in the chain; null for the first and while unsealed. */
  @ApiProperty({ type: 'string', nullable: true, pattern: '^[0-9a-f]{64}$' }) prevHash: string | null;
  /** sha256(prevHash + canonical JSON of this entry), hex; null until the entry is sealed. */
  @ApiProperty({ type: 'string', nullable: true, pattern: '^[0-9a-f]{64}$' }) hash: string | null;
  /** Position in the chain (1, 2, 3, … without gaps), as a string; null until sealed. */
  @ApiProperty({ type: 'string', nullable: true, pattern: '^[1-9][0-9]*$' }) chainIndex: string | null;
  /** When the entry was chained; null until sealed. */
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) sealedAt: Date | null;
}

export class AuditPageDto {
  items: AuditEntryDto[];
  @ApiProperty({ type: 'integer', minimum: 0 }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}

/** The result of recomputing the hash chain. */
export class AuditVerifyDto {
  /** Whether every entry's hash matches. */
  valid: boolean;
  /** How many entries were checked. */
  @ApiProperty({ type: 'integer', minimum: 0 }) entries: number;
  @ApiProperty({ type: 'string', nullable: true }) lastHash: string | null;
  /** The `seq` of the first entry whose link is broken (altered, or the one after a deleted entry); null when valid. */
  @ApiProperty({ type: 'string', nullable: true, pattern: '^[1-9][0-9]*$' }) firstInvalidId: string | null;
  /** Entries not sealed yet (written by transactions still in flight, or after them), not covered by the check. */
  @ApiProperty({ type: 'integer', minimum: 0 }) unsealed: number;
}

/** The result of a sealing run. */
export class AuditSealDto {
  /** Whether this call did the sealing (false: another sealer held the lock). */
  ran: boolean;
  /** Entries chained by this run. */
  @ApiProperty({ type: 'integer', minimum: 0 }) sealed: number;
  /** Entries still unsealed (behind a transaction still in progress). */
  @ApiProperty({ type: 'integer', minimum: 0 }) unsealed: number;
}
