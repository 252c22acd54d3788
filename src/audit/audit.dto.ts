import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/pagination';
import { IsInstant } from '../common/validation/instant';

export class AuditQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  /** The user who made the change. */
  @IsOptional()
  @IsUUID()
  actorId?: string;

  /** The same as `actorId` (the older name). */
  @IsOptional()
  @IsUUID()
  actorUserId?: string;

  /** Entries filed under this organisation. */
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** Entries at or after this instant. */
  @IsOptional()
  @IsInstant('from')
  from?: Date;

  /** Entries before this instant. */
  @IsOptional()
  @IsInstant('to')
  to?: Date;
}
