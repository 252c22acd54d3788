import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { CITY_CODES } from '../common/cities';
import { PageQueryDto } from '../common/pagination';
import { CHAIN_STAGES, ChainStage, Direction, DIRECTIONS, FACILITY_KINDS, FacilityKind, RESOURCE_MODES, RESOURCE_UNITS } from './catalogue.constants';
import { BlankAsAbsent, Omittable, QueryBoolean, Trim } from './catalogue-validation';
import { IsIanaTimeZone } from './time-zones';

const CITY_MESSAGE = 'cityCode must be the GB/T 2260 code of one of the 14 Liaoning cities (210100–211400)';

export class CreateFacilityDto {
  /** `verification_centre`, `pilot_platform`, `supercomputing_centre` or `intelligent_computing_centre`. */
  @IsIn(FACILITY_KINDS)
  kind: FacilityKind;

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

  /** GB/T 2260 code of a Liaoning city, e.g. 210100 (Shenyang 沈阳) … 211400 (Huludao 葫芦岛). */
  @IsIn(CITY_CODES, { message: CITY_MESSAGE })
  cityCode: string;

  /** Street address. */
  @Trim()
  @IsString()
  @Length(1, 500)
  address: string;

  /** One or more of the six industry directions, each at most once. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DIRECTIONS.length)
  @ArrayUnique()
  @IsIn(DIRECTIONS, { each: true })
  directions: Direction[];

  /** One or more chain stages served: `lab_validation`, `pilot_maturation`, `industrialisation`. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CHAIN_STAGES.length)
  @ArrayUnique()
  @IsIn(CHAIN_STAGES, { each: true })
  stages: ChainStage[];

  /** IANA time zone of the facility (default `Asia/Shanghai`); opening hours are local times in it. */
  @Omittable()
  @IsString()
  @IsIanaTimeZone()
  timeZone?: string;

  /** Free text (default empty). */
  @Omittable()
  @Trim()
  @IsString()
  @MaxLength(5000)
  description?: string;

  /** How to reach the facility: phone, e-mail, contact person (default empty). */
  @Omittable()
  @Trim()
  @IsString()
  @MaxLength(500)
  contact?: string;

  /** Listed in search (default true). */
  @Omittable()
  @IsBoolean()
  active?: boolean;

  /** Admins only, and then required: the operator organisation that runs the facility. Operators omit it (their own organisation is used). */
  @Omittable()
  @IsUUID()
  operatorId?: string;
}

/** Any subset of the facility's fields; `active: false` deactivates it (hidden from search, history kept). */
export class UpdateFacilityDto extends PartialType(OmitType(CreateFacilityDto, ['operatorId'] as const), { skipNullProperties: false }) {}

export class FacilityQueryDto extends PageQueryDto {
  /** Facility kind. */
  @IsOptional()
  @IsIn(FACILITY_KINDS)
  kind?: FacilityKind;

  /** GB/T 2260 city code, e.g. 210200 (Dalian). */
  @IsOptional()
  @IsIn(CITY_CODES, { message: 'city must be the GB/T 2260 code of one of the 14 Liaoning cities (210100–211400)' })
  city?: string;

  /** Facilities whose directions include this one. */
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  /** Facilities that serve this chain stage. */
  @IsOptional()
  @IsIn(CHAIN_STAGES)
  stage?: ChainStage;

  /** Words (separated by spaces, also U+3000), each a case-insensitive substring of the Chinese or English name or the description; all must match. */
  @BlankAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  /** Only the facilities of this operator organisation. */
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  /**
   * Also list inactive facilities: admins see all, operators their own (other operators' inactive
   * ones stay hidden). Anonymous callers get 401, enterprises and officials 403.
   */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  includeInactive?: boolean;
}

/** The operator organisation of a facility. */
export class FacilityOperatorDto {
  id: string;
  nameZh: string;
  nameEn: string | null;
}

/** A facility as the API shows it. */
export class FacilityDto {
  id: string;
  operatorId: string;
  operator: FacilityOperatorDto;
  @ApiProperty({ enum: FACILITY_KINDS }) kind: FacilityKind;
  nameZh: string;
  nameEn: string;
  /** GB/T 2260 code. */
  @ApiProperty({ enum: CITY_CODES }) cityCode: string;
  /** e.g. 沈阳. */
  cityNameZh: string;
  /** e.g. Shenyang. */
  cityNameEn: string;
  address: string;
  @ApiProperty({ enum: DIRECTIONS, isArray: true }) directions: Direction[];
  @ApiProperty({ enum: CHAIN_STAGES, isArray: true }) stages: ChainStage[];
  /** IANA zone; opening hours are local times in it. */
  timeZone: string;
  description: string;
  contact: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** One resource of a facility, in brief. */
export class FacilityResourceSummaryDto {
  id: string;
  nameZh: string;
  nameEn: string;
  @ApiProperty({ enum: RESOURCE_MODES }) mode: 'exclusive' | 'pooled';
  capacity: number;
  @ApiProperty({ enum: RESOURCE_UNITS }) unit: 'hour' | 'gpu_hour' | 'core_hour' | 'run';
  active: boolean;
}

/** A facility with its resources (those the caller may see). */
export class FacilityDetailDto extends FacilityDto {
  resources: FacilityResourceSummaryDto[];
}

export class FacilityPageDto {
  items: FacilityDto[];
  /** How many facilities match in all. */
  total: number;
  limit: number;
  offset: number;
}
