import { ApiProperty } from '@nestjs/swagger';
import { REPORT_GROUPS } from './reports.dto';

/** Links to the records behind a row: the booking and usage lists with filters that reproduce it. */
export class ReportDrillDown {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'GET /api/v1/bookings with the row’s filters (counted states, records meeting [from, to)); null for usage without a booking.',
  })
  bookings: string | null;
  @ApiProperty({ description: 'GET /api/v1/usage with the row’s filters (non-superseded records meeting [from, to)).' })
  usage: string;
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

export class UtilisationRow extends UtilisationFigures {
  @ApiProperty({ description: 'The group: a resource, facility or operator id, a city code, a kind, a direction, a stage or a month (YYYY-MM).' })
  key: string;
  @ApiProperty({ type: String, nullable: true }) labelZh: string | null;
  @ApiProperty({ type: String, nullable: true }) labelEn: string | null;
  @ApiProperty({ format: 'date-time', description: 'The row’s period (a month row: its part of the report’s period).' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: ReportDrillDown }) drillDown: ReportDrillDown;
}

export class UtilisationReport {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ enum: REPORT_GROUPS }) groupBy: string;
  @ApiProperty({ type: [UtilisationRow] }) rows: UtilisationRow[];
  @ApiProperty({ type: UtilisationFigures, description: 'Over every resource once (a facility in several directions is not counted twice).' })
  total: UtilisationFigures;
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
