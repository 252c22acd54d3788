import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CITY_CODES } from '../common/cities';
import { PageQueryDto } from '../common/pagination';
import { IsInstant } from '../common/validation/instant';
import {
  CHAIN_STAGES,
  ChainStage,
  Direction,
  DIRECTIONS,
  FACILITY_KINDS,
  FacilityKind,
  LIMITS,
  RESOURCE_MODES,
  RESOURCE_UNITS,
  ResourceMode,
  ResourceUnit,
} from './catalogue.constants';
import { BlankAsAbsent, Omittable, QueryBoolean, Trim } from './catalogue-validation';
import { CLOSES_PATTERN, OPENS_PATTERN } from './opening-hours';

/** The slot grains allowed: the divisors of a day in minutes, so that the grid repeats every local day. */
const SLOT_MINUTES = Array.from({ length: 1440 }, (_, i) => i + 1).filter((n) => 1440 % n === 0);

/** One weekly opening interval, local time of the facility's zone, half-open `[opens, closes)`. */
export class OpeningIntervalDto {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  @IsInt()
  @Min(1)
  @Max(7)
  weekday: number;

  /** Opening time "HH:MM" (00:00–23:59). */
  @ApiProperty({ example: '08:00' })
  @IsString()
  @Matches(OPENS_PATTERN, { message: 'opens must be a local time HH:MM from 00:00 to 23:59' })
  opens: string;

  /** Closing time "HH:MM", after `opens`; "24:00" is the end of the day. Fri 20:00–24:00 plus Sat 00:00–08:00 is one window across midnight. */
  @ApiProperty({ example: '18:00' })
  @IsString()
  @Matches(CLOSES_PATTERN, { message: 'closes must be a local time HH:MM from 00:01 to 24:00' })
  closes: string;
}

export class CreateResourceDto {
  /** The facility the resource belongs to (yours, if you are an operator). */
  @IsUUID()
  facilityId: string;

  /** Name in Chinese. */
  @Trim()
  @IsString()
  @Length(1, 200)
  nameZh: string;

  /** Name in English. */
  @Trim()
  @IsString()
  @Length(1, 200)
  nameEn: string;

  /** Free text (default empty). */
  @Omittable()
  @Trim()
  @IsString()
  @MaxLength(5000)
  description?: string;

  /** `exclusive` (one booking at a time) or `pooled` (a capacity shared by concurrent bookings). */
  @IsIn(RESOURCE_MODES)
  mode: ResourceMode;

  /** 1 for exclusive resources (the default); required for pooled ones, e.g. 512 for a GPU pool. */
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxCapacity)
  capacity?: number;

  /** What is booked: `hour`, `gpu_hour`, `core_hour` or `run`. */
  @IsIn(RESOURCE_UNITS)
  unit: ResourceUnit;

  /** Shortest booking in minutes (default 60). */
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxDurationMinutes)
  minDurationMinutes?: number;

  /** Longest booking in minutes, at least the minimum (default 480). */
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxDurationMinutes)
  maxDurationMinutes?: number;

  /** How many minutes before its start a booking must be requested (default 1440). */
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxLeadTimeMinutes)
  leadTimeMinutes?: number;

  /** How many days ahead one may book (default 90). */
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxHorizonDays)
  horizonDays?: number;

  /** Changeover minutes blocked before each booking (default 0). */
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxBufferMinutes)
  bufferBeforeMinutes?: number;

  /** Changeover minutes blocked after each booking (default 0). */
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxBufferMinutes)
  bufferAfterMinutes?: number;

  /** Whether the operator approves each request (default true); if false, requests are approved at once. */
  @Omittable()
  @IsBoolean()
  approvalRequired?: boolean;

  /** Price per unit-hour in fen (1 yuan = 100 fen), e.g. 1200 for 12 yuan per GPU-hour. */
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxPriceFen)
  pricePerUnitHourFen: number;

  /** SME discount in percent, 0–100 (default 0). */
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(100)
  smeDiscountPercent?: number;

  /** Fair use: most unit-hours one organisation may hold in any rolling 30 days; null or absent for no limit. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxUnitHoursPer30Days)
  maxUnitHoursPer30Days?: number | null;

  /** Fair use: most undecided requests one organisation may have open; null or absent for no limit. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxOpenRequests)
  maxOpenRequests?: number | null;

  /** Slot grain in minutes (default 15): availability windows start on this grid of the facility's local day. A divisor of 1440 (1, 5, 10, 15, 30, 60, 120, … 1440). */
  @Omittable()
  @IsInt()
  @IsIn(SLOT_MINUTES, { message: `slotMinutes must be a number of minutes that divides a day (1440): ${SLOT_MINUTES.join(', ')}` })
  slotMinutes?: number;

  /** Technical specification, any JSON object (default `{}`). */
  @Omittable()
  @IsObject()
  spec?: Record<string, unknown>;

  /** Listed in search (default true). */
  @Omittable()
  @IsBoolean()
  active?: boolean;

  /** The weekly schedule, as `PUT /resources/{id}/opening-hours` takes it (default: none, i.e. closed). */
  @Omittable()
  @IsArray()
  @ArrayMaxSize(LIMITS.maxOpeningIntervals)
  @ValidateNested({ each: true })
  @Type(() => OpeningIntervalDto)
  openingHours?: OpeningIntervalDto[];
}

/** Any subset of the resource's fields (the facility and the opening hours have their own routes). */
export class UpdateResourceDto extends PartialType(OmitType(CreateResourceDto, ['facilityId', 'openingHours'] as const), { skipNullProperties: false }) {}

export class ResourceQueryDto extends PageQueryDto {
  /** Only the resources of this facility. */
  @IsOptional()
  @IsUUID()
  facilityId?: string;

  /** Kind of the resource's facility. */
  @IsOptional()
  @IsIn(FACILITY_KINDS)
  kind?: FacilityKind;

  @IsOptional()
  @IsIn(RESOURCE_MODES)
  mode?: ResourceMode;

  @IsOptional()
  @IsIn(RESOURCE_UNITS)
  unit?: ResourceUnit;

  /** GB/T 2260 code of the facility's city. */
  @IsOptional()
  @IsIn(CITY_CODES, { message: 'city must be the GB/T 2260 code of one of the 14 Liaoning cities (210100–211400)' })
  city?: string;

  /** Resources of facilities whose directions include this one. */
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  /** Resources of facilities that serve this chain stage. */
  @IsOptional()
  @IsIn(CHAIN_STAGES)
  stage?: ChainStage;

  /** Words (separated by spaces, also U+3000), each a case-insensitive substring of the resource's, or its facility's, names and description; all must match. */
  @BlankAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  /** Only the resources of this operator organisation's facilities. */
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  /** Also list inactive resources and resources of inactive facilities: admins all, operators their own. Anonymous 401, others 403. */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  includeInactive?: boolean;
}

/** The new weekly schedule; it replaces the old one entirely (an empty list closes the resource). */
export class ReplaceOpeningHoursDto {
  /** Intervals in the facility's local time; no two of one weekday may overlap. */
  @IsArray()
  @ArrayMaxSize(LIMITS.maxOpeningIntervals)
  @ValidateNested({ each: true })
  @Type(() => OpeningIntervalDto)
  intervals: OpeningIntervalDto[];
}

export class CreateMaintenanceDto {
  /** Start (inclusive), ISO-8601 with offset, e.g. 2025-03-01T08:00:00+08:00. */
  @IsInstant('startsAt')
  startsAt: Date;

  /** End (exclusive), after `startsAt`. */
  @IsInstant('endsAt')
  endsAt: Date;

  /** Why the resource is unavailable. */
  @Trim()
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class MaintenanceQueryDto extends PageQueryDto {
  /** Windows that end after this instant (default: now). ISO-8601 with offset. */
  @IsOptional()
  @IsInstant('from')
  from?: Date;

  /** Windows that start before this instant (default: no limit). ISO-8601 with offset. */
  @IsOptional()
  @IsInstant('to')
  to?: Date;
}

/** The facility of a resource, in brief. */
export class FacilitySummaryDto {
  id: string;
  operatorId: string;
  @ApiProperty({ enum: FACILITY_KINDS }) kind: FacilityKind;
  nameZh: string;
  nameEn: string;
  @ApiProperty({ enum: CITY_CODES }) cityCode: string;
  cityNameZh: string;
  cityNameEn: string;
  timeZone: string;
  @ApiProperty({ enum: DIRECTIONS, isArray: true }) directions: Direction[];
  @ApiProperty({ enum: CHAIN_STAGES, isArray: true }) stages: ChainStage[];
  active: boolean;
}

/** One weekly opening interval, "HH:MM" local time. */
export class OpeningIntervalViewDto {
  weekday: number;
  opens: string;
  closes: string;
}

/** A resource's weekly schedule. */
export class OpeningHoursDto {
  resourceId: string;
  /** The facility's zone; the times are local to it. */
  timeZone: string;
  intervals: OpeningIntervalViewDto[];
}

/** A maintenance window `[startsAt, endsAt)`. */
export class MaintenanceWindowDto {
  id: string;
  resourceId: string;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdAt: Date;
}

export class MaintenancePageDto {
  items: MaintenanceWindowDto[];
  total: number;
  limit: number;
  offset: number;
}

/** A resource with its rules, weekly opening hours and its facility in brief. */
export class ResourceDto {
  id: string;
  facilityId: string;
  facility: FacilitySummaryDto;
  nameZh: string;
  nameEn: string;
  description: string;
  @ApiProperty({ enum: RESOURCE_MODES }) mode: ResourceMode;
  capacity: number;
  @ApiProperty({ enum: RESOURCE_UNITS }) unit: ResourceUnit;
  minDurationMinutes: number;
  maxDurationMinutes: number;
  leadTimeMinutes: number;
  horizonDays: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  approvalRequired: boolean;
  /** Fen per unit-hour. */
  pricePerUnitHourFen: number;
  smeDiscountPercent: number;
  maxUnitHoursPer30Days: number | null;
  maxOpenRequests: number | null;
  /** Slot grain in minutes: availability windows start on this grid of the facility's local day. */
  slotMinutes: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) spec: Record<string, unknown>;
  active: boolean;
  /** Weekly schedule, local time of the facility's zone. */
  openingHours: OpeningIntervalViewDto[];
  createdAt: Date;
  updatedAt: Date;
}

/** A resource with its current and upcoming maintenance windows too. */
export class ResourceDetailDto extends ResourceDto {
  /** Windows that have not ended yet, earliest first (at most 100). */
  maintenance: MaintenanceWindowDto[];
}

export class ResourcePageDto {
  items: ResourceDto[];
  /** How many resources match in all. */
  total: number;
  limit: number;
  offset: number;
}
