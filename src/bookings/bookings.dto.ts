import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateIf } from 'class-validator';
import { CITY_CODES } from '../common/cities';
import { PageQueryDto } from '../common/pagination';
import { IsInstant } from '../common/validation/instant';
import {
  CHAIN_STAGES,
  ChainStage,
  DIRECTIONS,
  FACILITY_KINDS,
  RESOURCE_MODES,
  RESOURCE_UNITS,
  SERVICE_CATEGORIES,
  ServiceCategory,
} from '../catalogue/catalogue.constants';
import { BOOKING_SORTS, BookingSort } from './booking-store';
import { BOOKING_STATES, BookingState } from './booking-transitions';
import { trim } from '../common/validation/trim';

/** Instants: strict, calendar-valid ISO 8601 with an offset — the one parser in common/validation/instant.ts. */
export { toInstant, instantMessage } from '../common/validation/instant';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class CreateBookingDto {
  @IsUUID()
  resourceId: string;

  /** Start, ISO-8601 with offset (inclusive). */
  @IsInstant('startsAt')
  startsAt: Date;

  /** End, ISO-8601 with offset (exclusive). */
  @IsInstant('endsAt')
  endsAt: Date;

  /** How many units of a pooled resource (GPUs, cores, fermenters); exclusive resources take 1. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  units?: number;

  /**
   * The chain stage this use serves: lab_validation, pilot_maturation or industrialisation. Required
   * without `projectId`; with one it defaults to the project's current stage (another stage is allowed).
   */
  @ValidateIf((o: CreateBookingDto) => o.projectId == null || o.stage !== undefined)
  @IsIn(CHAIN_STAGES)
  stage?: ChainStage;

  /**
   * The service this booking buys: process_scale_up (工艺放大熟化), type_testing (产品型式试验), performance_testing (性能测试),
   * small_batch_trial_production (小批量试生产), equipment_sharing (仪器设备共享), application_validation (设备应用验证), or
   * compute (算力服务). Required on other resources than compute ones (400 `serviceCategory is required`); on a compute
   * resource (of a supercomputing or intelligent-computing centre, or measured in gpu_hour or core_hour) it defaults to
   * `compute`. `compute` elsewhere, or another category on a compute resource, is 422 `service_category_not_offered`.
   */
  @IsOptional()
  @IsIn(SERVICE_CATEGORIES)
  serviceCategory?: ServiceCategory;

  /** What the SME will do (shown to the operator). */
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  purpose: string;

  /** One of the SME's own chain projects (`/projects`); unknown or another organisation's → 422 `unknown_project`. */
  @IsOptional()
  @IsUUID()
  projectId?: string;
}

export class DecisionDto {
  /** Why (required to reject; optional otherwise). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason?: string;
}

/** Check-in takes no fields (an empty or absent body); anything else is refused with 400. */
export class CheckInDto {}

/** Check-out: an optional note and the units really used; the usage record is made from the actual times. */
export class CheckOutDto {
  /** A remark on the use, kept in the audit entry and the usage record (1–2000 characters). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  note?: string;

  /** Units really used (1 … the booked units; default: the booked units). A pool booking of 8 GPUs may have used 6. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  unitsUsed?: number;
}

export class BookingQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(BOOKING_STATES)
  state?: BookingState;

  @IsOptional()
  @IsUUID()
  resourceId?: string;

  @IsOptional()
  @IsUUID()
  facilityId?: string;

  /** The facility's city (GB/T 2260 code of one of the 14 Liaoning cities). */
  @IsOptional()
  @IsIn(CITY_CODES)
  city?: string;

  /** The facility's kind. */
  @IsOptional()
  @IsIn(FACILITY_KINDS)
  kind?: string;

  /** Facilities run by this operator organisation. */
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  /** Bookings of this enterprise (an enterprise naming another one gets an empty list). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** Bookings of this chain project. */
  @IsOptional()
  @IsUUID()
  projectId?: string;

  /** Facilities serving this industry direction. */
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: string;

  /** Bookings at this chain stage. */
  @IsOptional()
  @IsIn(CHAIN_STAGES)
  stage?: ChainStage;

  /** Bookings of this service category. */
  @IsOptional()
  @IsIn(SERVICE_CATEGORIES)
  serviceCategory?: ServiceCategory;

  /** `true`: only internal use (bookings of the facility's own operator); `false`: only bookings of other organisations. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  internal?: boolean;

  /** Only bookings in the states reports count as held: approved, in_use, completed, no_show (the drill-down of a report row). Default false. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  counted?: boolean;

  /** Order: startsAt, createdAt or expiresAt, a leading `-` for descending (default -startsAt); id breaks ties. Bookings without a deadline (not pending) sort last by expiresAt. */
  @IsOptional()
  @IsIn(BOOKING_SORTS)
  sort?: BookingSort;

  /** Bookings whose window ends after this instant (with `to`: windows meeting [from, to), as reports clip them). */
  @IsOptional()
  @IsInstant('from')
  from?: Date;

  /** Bookings whose window starts before this instant. */
  @IsOptional()
  @IsInstant('to')
  to?: Date;

  /** Bookings of resources measured in this unit (a report row's unit). */
  @IsOptional()
  @IsIn(RESOURCE_UNITS)
  unit?: string;

  /** Bookings whose window starts at or after this instant (reports: bookings started, no-shows). */
  @IsOptional()
  @IsInstant('startFrom')
  startFrom?: Date;

  /** Bookings whose window starts before this instant. */
  @IsOptional()
  @IsInstant('startTo')
  startTo?: Date;

  /** Bookings whose window ends after this instant (reports: income of completed bookings ending in (endFrom, endTo]). */
  @IsOptional()
  @IsInstant('endFrom')
  endFrom?: Date;

  /** Bookings whose window ends at or before this instant. */
  @IsOptional()
  @IsInstant('endTo')
  endTo?: Date;

  /** Requests an operator decided at or after this instant (automatic approvals are no decision; reports: approval rate, decision time). */
  @IsOptional()
  @IsInstant('decidedFrom')
  decidedFrom?: Date;

  /** Requests an operator decided before this instant. */
  @IsOptional()
  @IsInstant('decidedTo')
  decidedTo?: Date;
}

export class AvailabilityQueryDto {
  /** Start of the search range (default: now). */
  @IsOptional()
  @IsInstant('from')
  from?: Date;

  /** End of the search range (default: from + 14 days; at most 92 days after from). */
  @IsOptional()
  @IsInstant('to')
  to?: Date;

  /** Units needed (pooled resources; default 1). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  units?: number;
}

export class AvailabilitySearchDto extends AvailabilityQueryDto {
  /** Shortest free window wanted, in hours (default 1). */
  @IsOptional()
  @Type(() => Number)
  @Min(0.25)
  @Max(24 * 92)
  minHours?: number;

  @IsOptional()
  @IsIn(FACILITY_KINDS)
  kind?: string;

  @IsOptional()
  @IsIn(CITY_CODES)
  city?: string;

  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: string;

  @IsOptional()
  @IsIn(CHAIN_STAGES)
  stage?: string;

  @IsOptional()
  @IsIn(RESOURCE_MODES)
  mode?: string;

  /** Only this facility's resources. */
  @IsOptional()
  @IsUUID()
  facilityId?: string;

  /** Only facilities run by this operator organisation. */
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  /** How many resources (1–50, default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;

  /** How many windows per resource (1–10, default 3). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  windowsPerResource?: number;
}

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,255}$/;
