import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { IsDecimalNumber } from '../common/validation/decimal-number';
import { PageQueryDto } from '../common/pagination';
import { IsInstant } from '../common/validation/instant';
import { CITY_CODES } from '../common/cities';
import { CHAIN_STAGES, DIRECTIONS, FACILITY_KINDS, RESOURCE_UNITS } from '../catalogue/catalogue.constants';
import { trim } from '../common/validation/trim';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export const USAGE_SOURCES = ['check_out', 'manual', 'import'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

/** Unit-hours: at most 9,999,999,999.9999 and 4 decimals (numeric(14,4)): `@IsDecimalNumber(4)`, `@Max`. */

export class CreateUsageDto {
  /** The resource used (of one of your facilities). */
  @IsUUID()
  resourceId: string;

  /** The enterprise that used it, or the facility's own operator for its internal use (default: the booking's). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** The booking this use belongs to, if any (compute jobs have none). */
  @IsOptional()
  @IsUUID()
  bookingId?: string;

  /** Actual start, ISO-8601 with offset (inclusive). */
  @IsInstant('startsAt')
  startsAt: Date;

  /** Actual end, ISO-8601 with offset (exclusive). */
  @IsInstant('endsAt')
  endsAt: Date;

  /** Units really used (GPUs, cores, 1 for an exclusive resource); default 1. Unit-hours = unitsUsed × hours unless `unitHours` is given. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  unitsUsed?: number;

  /** The unit-hours themselves (up to 4 decimals), when they are not unitsUsed × hours. */
  @IsOptional()
  @IsDecimalNumber(4)
  @Min(0)
  @Max(9_999_999_999)
  unitHours?: number;

  /** A remark (1–2000 characters). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  note?: string;
}

export class CorrectUsageDto {
  /** Corrected start (default: the record's). */
  @IsOptional()
  @IsInstant('startsAt')
  startsAt?: Date;

  /** Corrected end (default: the record's). */
  @IsOptional()
  @IsInstant('endsAt')
  endsAt?: Date;

  /** Corrected units used; with new times or units, unit-hours are recomputed as unitsUsed × hours. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  unitsUsed?: number;

  /** Corrected unit-hours (up to 4 decimals). */
  @IsOptional()
  @IsDecimalNumber(4)
  @Min(0)
  @Max(9_999_999_999)
  unitHours?: number;

  /** Why the record is corrected (required, 1–2000 characters). */
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  note: string;
}

export class UsageQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  resourceId?: string;

  @IsOptional()
  @IsUUID()
  facilityId?: string;

  /** The enterprise that used it (an SME naming another one gets an empty list). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @IsOptional()
  @IsUUID()
  bookingId?: string;

  @IsOptional()
  @IsIn(USAGE_SOURCES)
  source?: UsageSource;

  /** Facilities run by this operator organisation. */
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  /** The facility's city (GB/T 2260 code). */
  @IsOptional()
  @IsIn(CITY_CODES)
  city?: string;

  /** The facility's kind. */
  @IsOptional()
  @IsIn(FACILITY_KINDS)
  kind?: string;

  /** Facilities serving this industry direction. */
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: string;

  /** The booking's chain stage; `unassigned`: records without a booking (as reports count them). */
  @IsOptional()
  @IsIn([...CHAIN_STAGES, 'unassigned'])
  stage?: string;

  /** Records in this unit (a report row's unit). */
  @IsOptional()
  @IsIn(RESOURCE_UNITS)
  unit?: string;

  /** Records whose period ends after this instant, or a zero-length record at or after it (with `to`: records meeting [from, to), as reports clip them). */
  @IsOptional()
  @IsInstant('from')
  from?: Date;

  /** Records whose period starts before this instant. */
  @IsOptional()
  @IsInstant('to')
  to?: Date;

  /** `true`: only internal use (records of the facility's own operator); `false`: only other organisations' records. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  internal?: boolean;

  /** Also list superseded records (totals never count them). Default false. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeSuperseded?: boolean;
}

const SLURM_NAME = /^[A-Za-z0-9._@+-]{1,128}$/;
const CLUSTER = /^[A-Za-z0-9._-]{1,64}$/;

export class CreateSlurmMappingDto {
  /** The facility whose cluster this is (yours). */
  @IsUUID()
  facilityId: string;

  /** The Slurm cluster name (`sacct -M`, `ClusterName` in slurm.conf). */
  @ApiProperty({ example: 'lnhpc' })
  @Matches(CLUSTER, { message: 'cluster must be 1–64 of A–Z a–z 0–9 . _ -' })
  cluster: string;

  /** `account`: a Slurm account → an enterprise; `partition`: a partition → a resource of the facility. */
  @IsIn(['account', 'partition'])
  kind: 'account' | 'partition';

  /** The Slurm account or partition name. */
  @ApiProperty({ example: 'sme-xincai' })
  @Matches(SLURM_NAME, { message: 'name must be 1–128 of A–Z a–z 0–9 . _ @ + -' })
  name: string;

  /** For an account: the enterprise it bills to. */
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** For a partition: the resource (gpu_hour or core_hour) of this facility. */
  @IsOptional()
  @IsUUID()
  resourceId?: string;
}

export class SlurmMappingQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  facilityId?: string;

  @ApiPropertyOptional({ example: 'lnhpc' })
  @IsOptional()
  @Matches(CLUSTER, { message: 'cluster must be 1–64 of A–Z a–z 0–9 . _ -' })
  cluster?: string;
}

/** The form fields of a multipart upload, beside `file`. */
export class SacctImportDto {
  @IsUUID()
  facilityId: string;

  @ApiProperty({ example: 'lnhpc' })
  @Matches(CLUSTER, { message: 'cluster must be 1–64 of A–Z a–z 0–9 . _ -' })
  cluster: string;
}

export class UsageImportQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  facilityId?: string;
}

export { CLUSTER as CLUSTER_NAME };
