import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One audit entry, chained by hash to the one before. */
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
  /** sha256 (hex) of the entry before; null for the first. */
  @ApiProperty({ type: 'string', nullable: true, pattern: '^[0-9a-f]{64}$' }) prevHash: string | null;
  /** sha256(prevHash + canonical JSON of this entry), hex. */
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) hash: string;
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
  /** The `seq` of the first entry whose hash does not match (only when `valid` is false). */
  @ApiPropertyOptional({ pattern: '^[1-9][0-9]*$' }) brokenAt?: string;
}
