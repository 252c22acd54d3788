import { ApiProperty } from '@nestjs/swagger';
import { CITY_CODES } from '../common/cities';
import { FACILITY_KINDS, RESOURCE_UNITS } from '../catalogue/catalogue.constants';
import { INDICATOR_FLAGS, INDICATOR_GROUPS } from './indicators';

export class IndicatorReference {
  @ApiProperty({ type: 'integer', description: 'The year the values apply to (from then on, until a later year’s).' }) year: number;
  @ApiProperty({ description: 'National average effective working hours per instrument-year (年有效工作机时).' }) effectiveHours: number;
  @ApiProperty({ description: 'National average external service hours per instrument-year (对外服务机时).' }) externalHours: number;
  @ApiProperty({ description: 'The full-use line (1,200 h).' }) fullUseHours: number;
  @ApiProperty() source: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class IndicatorReferenceList {
  @ApiProperty({ type: [IndicatorReference] }) items: IndicatorReference[];
}

/** Completed external bookings ending in the period, by service category. */
export class ServicesByCategory {
  @ApiProperty({ type: 'integer', description: '工艺放大熟化' }) process_scale_up: number;
  @ApiProperty({ type: 'integer', description: '产品型式试验' }) type_testing: number;
  @ApiProperty({ type: 'integer', description: '性能测试' }) performance_testing: number;
  @ApiProperty({ type: 'integer', description: '小批量试生产' }) small_batch_trial_production: number;
  @ApiProperty({ type: 'integer', description: '仪器设备共享' }) equipment_sharing: number;
  @ApiProperty({ type: 'integer', description: '设备应用验证' }) application_validation: number;
  @ApiProperty({ type: 'integer', description: '算力服务' }) compute: number;
}

export class FlagCounts {
  @ApiProperty({ type: 'integer' }) below_1200h: number;
  @ApiProperty({ type: 'integer' }) below_national_effective: number;
  @ApiProperty({ type: 'integer' }) below_national_external: number;
}

/** The shared indicator figures (definitions: README "Official indicators", src/reports/indicators.ts). */
class IndicatorFigures {
  @ApiProperty({ description: '年有效工作机时: used unit-hours ÷ capacity, in the period.' }) effectiveHours: number;
  @ApiProperty({ description: 'Effective hours annualised.' }) annualisedEffectiveHours: number;
  @ApiProperty({ description: '对外服务机时: the part used by organisations other than the operator.' }) externalHours: number;
  @ApiProperty() annualisedExternalHours: number;
  @ApiProperty({ type: Number, nullable: true, description: '共享率 = external ÷ effective.' }) sharingRate: number | null;
  @ApiProperty({ type: 'integer', description: '服务企业数: distinct external organisations with use.' }) firmsServed: number;
  @ApiProperty({ type: 'integer', description: 'Of those, SMEs.' }) smeFirmsServed: number;
  @ApiProperty({ type: ServicesByCategory }) servicesByCategory: ServicesByCategory;
  @ApiProperty({ type: 'integer', description: '中试服务项数: external completed bookings on pilot platforms.' }) pilotServices: number;
  @ApiProperty({ type: 'integer', description: '服务收入: completed bookings ending in the period, fen.' }) incomeFen: number;
  @ApiProperty({ description: '核时 delivered (core_hour resources).' }) coreHoursDelivered: number;
  @ApiProperty() coreHoursAvailable: number;
  @ApiProperty({ description: '卡时 delivered (gpu_hour resources).' }) gpuHoursDelivered: number;
  @ApiProperty() gpuHoursAvailable: number;
}

export class ResourceIndicatorRow extends IndicatorFigures {
  @ApiProperty({ format: 'uuid' }) resourceId: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty({ enum: RESOURCE_UNITS }) unit: string;
  @ApiProperty({ type: 'integer' }) capacity: number;
  @ApiProperty({ enum: FACILITY_KINDS }) kind: string;
  @ApiProperty({ enum: CITY_CODES }) city: string;
  @ApiProperty() cityNameZh: string;
  @ApiProperty({ format: 'uuid' }) facilityId: string;
  @ApiProperty() facilityNameZh: string;
  @ApiProperty() facilityNameEn: string;
  @ApiProperty({ format: 'uuid' }) operatorId: string;
  @ApiProperty() operatorNameZh: string;
  @ApiProperty({ type: 'string', enum: INDICATOR_FLAGS, isArray: true, description: 'Below the reference values of the year.' }) flags: string[];
}

export class GroupIndicators extends IndicatorFigures {
  @ApiProperty({ type: 'integer' }) resources: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Annualised effective hours per resource (compare with the national average).' })
  annualisedEffectiveHoursPerResource: number | null;
  @ApiProperty({ type: Number, nullable: true }) annualisedExternalHoursPerResource: number | null;
  @ApiProperty({ type: FlagCounts, description: 'How many of the resources carry each flag.' }) flagged: FlagCounts;
}

export class GroupIndicatorRow extends GroupIndicators {
  @ApiProperty({ description: 'A facility or operator id, a city code, a kind or a direction.' }) key: string;
  @ApiProperty({ type: String, nullable: true }) labelZh: string | null;
  @ApiProperty({ type: String, nullable: true }) labelEn: string | null;
}

export class IndicatorsReport {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The calendar year asked for, if any.' }) year: number | null;
  @ApiProperty({ description: 'Hours of a year the figures are annualised to (the calendar year’s, or 8,760).' }) yearHours: number;
  @ApiProperty({ type: IndicatorReference }) reference: IndicatorReference;
  @ApiProperty({ enum: INDICATOR_GROUPS }) groupBy: string;
  @ApiProperty({ type: 'integer', description: 'Whole days read from the daily snapshots.' }) snapshotDays: number;
  @ApiProperty({ type: [ResourceIndicatorRow], description: 'Every resource in scope (with `flag`: those carrying it).' }) resources: ResourceIndicatorRow[];
  @ApiProperty({ type: [GroupIndicatorRow], description: 'One row per group; empty for groupBy=resource.' }) groups: GroupIndicatorRow[];
  @ApiProperty({ type: GroupIndicators, description: 'Over the resources listed, each once.' }) total: GroupIndicators;
}

export class AnnualReturnOperator {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() nameZh: string;
  @ApiProperty({ type: String, nullable: true }) nameEn: string | null;
}

export class AnnualReturn {
  @ApiProperty({ type: AnnualReturnOperator }) operator: AnnualReturnOperator;
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty() yearHours: number;
  @ApiProperty({ type: IndicatorReference }) reference: IndicatorReference;
  @ApiProperty({ type: [ResourceIndicatorRow] }) resources: ResourceIndicatorRow[];
  @ApiProperty({ type: GroupIndicators }) total: GroupIndicators;
  @ApiProperty({ type: [ResourceIndicatorRow], description: 'The resources carrying a flag.' }) flagged: ResourceIndicatorRow[];
}
