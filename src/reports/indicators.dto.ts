import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { IsDecimalNumber } from '../common/validation/decimal-number';
import { CITY_CODES } from '../common/cities';
import { IsInstant } from '../common/validation/instant';
import { trim } from '../common/validation/trim';
import { Transform } from 'class-transformer';
import { DIRECTIONS, FACILITY_KINDS } from '../catalogue/catalogue.constants';
import { INDICATOR_FLAGS, INDICATOR_GROUPS, IndicatorFlag, IndicatorGroup } from './indicators';
import { REPORT_FORMATS } from './reports.dto';

/** Calendar years the indicators and reference values speak of. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

export class IndicatorsQueryDto {
  /** A calendar year (Asia/Shanghai); the current year runs to now and is annualised. Give either `year` or `from` and `to`. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year?: number;

  /** Start of a period that is not a calendar year (inclusive); its figures are annualised. */
  @IsOptional()
  @IsInstant('from')
  from?: Date;

  /** End of the period (exclusive). */
  @IsOptional()
  @IsInstant('to')
  to?: Date;

  /** `resource` (default): the resources only; otherwise also one row per facility, operator, city, kind or direction. */
  @IsOptional()
  @IsIn(INDICATOR_GROUPS)
  groupBy?: IndicatorGroup;

  /** Only the resources carrying this flag (before grouping). */
  @IsOptional()
  @IsIn(INDICATOR_FLAGS)
  flag?: IndicatorFlag;

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

  @IsOptional()
  @IsIn(FACILITY_KINDS)
  kind?: string;

  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: string;
}

export class AnnualReturnQueryDto {
  /** The calendar year of the return. */
  @Type(() => Number)
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year: number;

  /** The operator organisation (an operator: its own, the default; officials and admins must name one). */
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: 'json' | 'csv';
}

export class ReferenceYearParamDto {
  /** The year the reference values apply to (from that year on, until a later year's). */
  @Type(() => Number)
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year: number;
}

export class PutReferenceDto {
  /** National average of effective working hours per instrument and year (年有效工作机时). */
  @IsDecimalNumber(2)
  @Min(0)
  @Max(8784)
  effectiveHours: number;

  /** National average of external service hours per instrument and year (对外服务机时). */
  @IsDecimalNumber(2)
  @Min(0)
  @Max(8784)
  externalHours: number;

  /** The line below which an instrument counts as not fully used (1,200 h). */
  @IsDecimalNumber(2)
  @Min(0)
  @Max(8784)
  fullUseHours: number;

  /** Where the values come from (the published evaluation). */
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  source: string;
}
