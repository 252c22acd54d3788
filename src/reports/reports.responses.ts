import { ApiProperty } from '@nestjs/swagger';
import { RESOURCE_UNITS } from '../catalogue/catalogue.constants';
import { REPORT_GROUPS, REPORT_SOURCES } from './reports.dto';

const nullableLink = (description: string) => ({ type: String, nullable: true, description: `${description}; null for usage without a booking.` });

/** Links to the records behind a row: the booking and usage lists with filters that reproduce each figure. */
export class ReportDrillDown {
  @ApiProperty(nullableLink('Held unit-hours: GET /api/v1/bookings in the counted states meeting [from, to)'))
  bookings: string | null;
  @ApiProperty({ description: 'Used unit-hours: GET /api/v1/usage, non-superseded records meeting [from, to).' })
  usage: string;
  @ApiProperty(nullableLink('Bookings started: counted bookings starting in [from, to) and not after now'))
  started: string | null;
  @ApiProperty(nullableLink('No-shows: bookings in no_show starting in [from, to)'))
  noShows: string | null;
  @ApiProperty(nullableLink('Approval rate and decision time: requests an operator decided in [from, to)'))
  decisions: string | null;
  @ApiProperty(nullableLink('Income: completed bookings ending in (from, to]'))
  income: string | null;
}

/** Used unit-hours by booking stage; usage without a booking is `unassigned`. */
export class UsedByStage {
  @ApiProperty() lab_validation: number;
  @ApiProperty() pilot_maturation: number;
  @ApiProperty() industrialisation: number;
  @ApiProperty() unassigned: number;
}

/** The figures of one report row (definitions: README, "Reports", and src/reports/utilisation-figures.ts). */
export class UtilisationFigures {
  @ApiProperty({ type: Number, nullable: true, description: 'Capacity × opening hours − maintenance; null per stage (not apportioned).' })
  availableUnitHours: number | null;
  @ApiProperty({ description: 'Bookings approved, in use, completed or no-show: units × hours clipped to the period.' }) heldUnitHours: number;
  @ApiProperty({ description: 'Non-superseded usage records, pro rata of the part in the period.' }) usedUnitHours: number;
  @ApiProperty({ type: Number, nullable: true, description: 'used ÷ available.' }) utilisation: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'held ÷ available.' }) bookingRate: number | null;
  @ApiProperty({ type: 'integer', description: 'Counted bookings whose start is in the period and not after now.' }) bookingsStarted: number;
  @ApiProperty({ type: 'integer' }) noShows: number;
  @ApiProperty({ type: Number, nullable: true, description: 'noShows ÷ bookingsStarted.' }) noShowRate: number | null;
  @ApiProperty({ type: 'integer', description: 'Requests an operator decided in the period.' }) decided: number;
  @ApiProperty({ type: 'integer' }) approved: number;
  @ApiProperty({ type: Number, nullable: true, description: 'approved ÷ decided.' }) approvalRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Median of decidedAt − createdAt, hours.' }) medianDecisionHours: number | null;
  @ApiProperty() smeUsedUnitHours: number;
  @ApiProperty({ type: Number, nullable: true, description: 'SME used ÷ used.' }) smeShare: number | null;
  @ApiProperty({ type: UsedByStage }) usedByStage: UsedByStage;
  @ApiProperty({ type: 'integer', description: 'Distinct enterprises with used unit-hours > 0.' }) enterprisesServed: number;
  @ApiProperty({ type: 'integer', description: 'Price of completed bookings whose end is in (from, to], fen.' }) incomeFen: number;
}

/** The totals of one unit over every resource of the report (each resource once). */
export class UtilisationTotal extends UtilisationFigures {
  @ApiProperty({ enum: ['total'] }) key: string;
  @ApiProperty() labelZh: string;
  @ApiProperty() labelEn: string;
  @ApiProperty({ enum: RESOURCE_UNITS, description: 'Figures of resources in different units are never added together.' }) unit: string;
}

export class UtilisationRow extends UtilisationFigures {
  @ApiProperty({ description: 'The group: a resource, facility or operator id, a city code, a kind, a direction, a stage or a month (YYYY-MM).' })
  key: string;
  @ApiProperty({ type: String, nullable: true }) labelZh: string | null;
  @ApiProperty({ type: String, nullable: true }) labelEn: string | null;
  @ApiProperty({ enum: RESOURCE_UNITS, description: 'A group with resources in several units has a row per unit.' }) unit: string;
  @ApiProperty({ format: 'date-time', description: 'The row’s period (a month row: its part of the report’s period).' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: ReportDrillDown }) drillDown: ReportDrillDown;
}

export class UtilisationReport {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ enum: REPORT_GROUPS }) groupBy: string;
  @ApiProperty({ enum: REPORT_SOURCES, description: 'Where finished days were read from.' }) source: string;
  @ApiProperty({ type: 'integer', description: 'Whole days of the period read from fresh daily snapshots; the rest was computed from the raw rows.' })
  snapshotDays: number;
  @ApiProperty({ type: [UtilisationRow] }) rows: UtilisationRow[];
  @ApiProperty({
    type: [UtilisationTotal],
    description: 'Per unit, over every resource once (a facility in several directions is not counted twice).',
  })
  totals: UtilisationTotal[];
}

/** An enterprise's own bookings, use and spend on one resource at one stage. */
export class MyUsageRow {
  @ApiProperty({ format: 'uuid' }) resourceId: string;
  @ApiProperty() resourceNameZh: string;
  @ApiProperty() resourceNameEn: string;
  @ApiProperty({ format: 'uuid' }) facilityId: string;
  @ApiProperty({ enum: ['lab_validation', 'pilot_maturation', 'industrialisation', 'unassigned'] }) stage: string;
  @ApiProperty() heldUnitHours: number;
  @ApiProperty() usedUnitHours: number;
  @ApiProperty({ type: 'integer', description: 'Completed bookings ending in the period, fen.' }) spendFen: number;
}

export class MyUsageTotals {
  @ApiProperty() heldUnitHours: number;
  @ApiProperty() usedUnitHours: number;
  @ApiProperty({ type: 'integer' }) spendFen: number;
}

export class MyUsageReport {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: [MyUsageRow] }) rows: MyUsageRow[];
  @ApiProperty({ type: MyUsageTotals }) total: MyUsageTotals;
}
