import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CITY_CODES } from '../common/cities';
import { IsInstant } from '../common/validation/instant';
import { DIRECTIONS, FACILITY_KINDS, RESOURCE_UNITS } from '../catalogue/catalogue.constants';

export const REPORT_GROUPS = ['resource', 'facility', 'operator', 'city', 'kind', 'direction', 'stage', 'month'] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];
export const REPORT_FORMATS = ['json', 'csv'] as const;
export const REPORT_SOURCES = ['snapshots', 'raw'] as const;

/** The period `[from, to)` of a report (at most 1,100 days). */
export class ReportPeriodDto {
  /** Start of the period (inclusive). */
  @IsInstant('from')
  from: Date;

  /** End of the period (exclusive). */
  @IsInstant('to')
  to: Date;
}

export class UtilisationQueryDto extends ReportPeriodDto {
  /** One row per resource, facility, operator, city, kind, direction (a facility counts in each of its directions), booking stage or month (Asia/Shanghai). Default facility. */
  @IsOptional()
  @IsIn(REPORT_GROUPS)
  groupBy?: ReportGroup;

  /** `json` (default) or `csv` (UTF-8 with BOM, Chinese and English headers). */
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: 'json' | 'csv';

  @IsOptional()
  @IsUUID()
  facilityId?: string;

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

  /** Resources measured in this unit only. */
  @IsOptional()
  @IsIn(RESOURCE_UNITS)
  unit?: string;

  /** `snapshots` (default): finished days from the daily snapshots, the rest live; `raw`: everything from the raw rows (slower; the same figures). */
  @IsOptional()
  @IsIn(REPORT_SOURCES)
  source?: 'snapshots' | 'raw';
}
