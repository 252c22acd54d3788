import { ApiProperty } from '@nestjs/swagger';
import { CHAIN_STAGES, FACILITY_KINDS, RESOURCE_MODES, RESOURCE_UNITS, SERVICE_CATEGORIES } from '../catalogue/catalogue.constants';
import { BOOKING_STATES } from './booking-transitions';

// The answers of the bookings and availability routes, for the OpenAPI document. They mirror
// BookingView (booking-view.ts) and AvailabilityService; the contract test fails when they differ.

export class BookingResourceBriefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  nameZh: string;
  nameEn: string;
  @ApiProperty({ enum: RESOURCE_UNITS }) unit: string;
  @ApiProperty({ enum: RESOURCE_MODES }) mode: string;
}

export class BookingFacilityBriefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  nameZh: string;
  nameEn: string;
  address: string;
  /** IANA zone of the facility. */
  timeZone: string;
}

export class BookingOrganisationBriefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  nameZh: string;
  nameEn: string | null;
  /** 统一社会信用代码; only for readers of the booking's parties (the enterprise, the facility's operator, officials, admins), else null. */
  @ApiProperty({ type: 'string', nullable: true, minLength: 18, maxLength: 18 }) creditCode: string | null;
  /** Whether the enterprise is an SME; same readers as `creditCode`, else null. */
  @ApiProperty({ type: 'boolean', nullable: true }) sme: boolean | null;
}

/** Who asked for a booking and how to reach them. */
export class BookingRequesterDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  displayName: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ type: 'string', nullable: true }) phone: string | null;
}

export class BookingPriceDto {
  /** What the booking costs, in fen (1 yuan = 100 fen), after the SME discount. */
  @ApiProperty({ type: 'integer' }) fen: number;
  /** The list price in fen, before any discount. */
  @ApiProperty({ type: 'integer' }) listFen: number;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 }) discountPercent: number;
  @ApiProperty({ enum: ['CNY'] }) currency: 'CNY';
}

/** A booking as the API shows it: UTC instants plus the same instants in the facility's zone. */
export class BookingDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: BOOKING_STATES }) state: string;
  resource: BookingResourceBriefDto;
  facility: BookingFacilityBriefDto;
  organisation: BookingOrganisationBriefDto;
  /** The user who requested it. */
  @ApiProperty({ format: 'uuid' }) requestedBy: string;
  /** The requester's name and contact, for the same readers as the enterprise's credit code; else null. */
  @ApiProperty({ type: BookingRequesterDto, nullable: true }) requester: BookingRequesterDto | null;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) endsAt: string;
  /** The same window in the facility's time zone, e.g. 2026-12-01T09:00:00+08:00. */
  @ApiProperty({ format: 'date-time' }) localStartsAt: string;
  @ApiProperty({ format: 'date-time' }) localEndsAt: string;
  /** The window the booking keeps from others: widened by the changeover buffers. */
  @ApiProperty({ format: 'date-time' }) blockedFrom: string;
  @ApiProperty({ format: 'date-time' }) blockedUntil: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) units: number;
  @ApiProperty({ enum: CHAIN_STAGES }) stage: string;
  /** The service booked: one of the six pilot-platform services of the 2024 national guidance, or compute. */
  @ApiProperty({ enum: SERVICE_CATEGORIES }) serviceCategory: string;
  /** Internal use: the facility's own operator booked its resource (approved at once, never priced). */
  internal: boolean;
  purpose: string;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) projectId: string | null;
  /** While pending: the decision deadline, min(request + DECISION_DEADLINE_HOURS, start), when the expiry job expires it; else null. */
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) expiresAt: string | null;
  price: BookingPriceDto;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) decidedBy: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) decidedAt: string | null;
  decisionReason: string | null;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) cancelledBy: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) cancelledAt: string | null;
  cancelReason: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) checkedInAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) checkedOutAt: string | null;
  /** The job that ended it (`expiry`, `no_show`), if one did. */
  endedByJob: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) endedAt: string | null;
  /** Grows with each change (the calendar SEQUENCE). */
  @ApiProperty({ type: 'integer', minimum: 0 }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class BookingPageDto {
  items: BookingDto[];
  /** How many bookings match in all. */
  @ApiProperty({ type: 'integer', minimum: 0 }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}

/** A free window: UTC instants, the same in the facility's zone, its length and the free units. */
export class FreeWindowDto {
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) endsAt: string;
  @ApiProperty({ format: 'date-time' }) localStartsAt: string;
  @ApiProperty({ format: 'date-time' }) localEndsAt: string;
  /** Length in hours (two decimals). */
  hours: number;
  /** Units free throughout the window (pooled: the smallest number within it; exclusive: 1). */
  @ApiProperty({ type: 'integer', minimum: 0 }) freeUnits: number;
  /** The longest booking that may start at `startsAt`: the window floored to the slot grain, capped at the maximum duration. */
  @ApiProperty({ type: 'integer', minimum: 1 }) longestBookingMinutes: number;
}

/** Free windows of one resource. */
export class ResourceAvailabilityDto {
  @ApiProperty({ format: 'uuid' }) resourceId: string;
  @ApiProperty({ enum: RESOURCE_MODES }) mode: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) capacity: number;
  timeZone: string;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) units: number;
  /** Slot grain: windows start on this grid of the facility's local day. */
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1440 }) slotMinutes: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) minDurationMinutes: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) maxDurationMinutes: number;
  windows: FreeWindowDto[];
}

export class AvailabilityResourceBriefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  nameZh: string;
  nameEn: string;
  @ApiProperty({ enum: RESOURCE_MODES }) mode: string;
  @ApiProperty({ enum: RESOURCE_UNITS }) unit: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) capacity: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) pricePerUnitHourFen: number;
}

export class AvailabilityFacilityBriefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  nameZh: string;
  nameEn: string;
  @ApiProperty({ enum: FACILITY_KINDS }) kind: string;
  cityCode: string;
  timeZone: string;
}

export class AvailabilityMatchDto {
  resource: AvailabilityResourceBriefDto;
  facility: AvailabilityFacilityBriefDto;
  windows: FreeWindowDto[];
}

/** Resources with a free window of at least `minHours`, earliest first. */
export class AvailabilitySearchResultDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) units: number;
  /** The `minHours` asked for (a booking of exactly that length fits every window listed), or null. */
  @ApiProperty({ type: 'number', nullable: true }) minHours: number | null;
  items: AvailabilityMatchDto[];
}
