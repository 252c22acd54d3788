import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateBy, ValidationOptions } from 'class-validator';
import { CHAIN_STAGES, ChainStage, Direction, DIRECTIONS } from '../catalogue/catalogue.constants';
import { Omittable, Trim } from '../catalogue/catalogue-validation';
import { CITY_CODES } from '../common/cities';
import { PageQueryDto } from '../common/pagination';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists (2027-02-29 does not), years 1900–9999. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return false;
  const utc = new Date(Date.UTC(y, mo - 1, d));
  return utc.getUTCMonth() === mo - 1 && utc.getUTCDate() === d;
}

export const IsCalendarDate = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCalendarDate',
      validator: { validate: isCalendarDate, defaultMessage: () => '$property must be a date YYYY-MM-DD that exists in the calendar, e.g. 2030-01-08' },
    },
    options,
  );

export class CreateProjectDto {
  /** Title in Chinese (required). */
  @Trim()
  @IsString()
  @Length(1, 200)
  titleZh: string;

  /** Title in English (optional). */
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 200)
  titleEn?: string | null;

  /** What the technology is and what the project wants to reach (default empty). */
  @Omittable()
  @Trim()
  @IsString()
  @MaxLength(5000)
  description?: string;

  /** One of the six industry directions. */
  @IsIn(DIRECTIONS)
  direction: Direction;

  /** When the project started (YYYY-MM-DD; default today in Asia/Shanghai; not in the future). */
  @ApiPropertyOptional({
    format: 'date',
    example: '2030-01-02',
    description: 'When the project started (YYYY-MM-DD; default today in Asia/Shanghai; not in the future).',
  })
  @Omittable()
  @IsCalendarDate()
  startedOn?: string;

  /** The stage the project is in when it is registered (default `lab_validation`). */
  @Omittable()
  @IsIn(CHAIN_STAGES)
  stage?: ChainStage;

  /** When it entered that stage (YYYY-MM-DD; default `startedOn`; not before it, not in the future). */
  @ApiPropertyOptional({
    format: 'date',
    example: '2030-01-02',
    description: 'When it entered that stage (YYYY-MM-DD; default `startedOn`; not before it, not in the future).',
  })
  @Omittable()
  @IsCalendarDate()
  stageEnteredOn?: string;
}

/** The descriptive fields; the stage moves only with advance and revert. `titleEn: null` clears it. */
export class UpdateProjectDto {
  @Omittable()
  @Trim()
  @IsString()
  @Length(1, 200)
  titleZh?: string;

  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 200)
  titleEn?: string | null;

  @Omittable()
  @Trim()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @Omittable()
  @IsIn(DIRECTIONS)
  direction?: Direction;
}

export class AdvanceProjectDto {
  /** The day the next stage was reached (YYYY-MM-DD): not before the current stage was entered, not in the future. */
  @ApiProperty({
    format: 'date',
    example: '2030-01-08',
    description: 'The day the next stage was reached: not before the current stage was entered, not in the future (Asia/Shanghai).',
  })
  @IsCalendarDate()
  on: string;

  /** What shows the stage is reached (test report, pilot run, first order …). */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 5000)
  evidence: string;
}

export class RevertProjectDto {
  /** The day the project went back (YYYY-MM-DD): not before the current stage was entered, not in the future. */
  @ApiProperty({
    format: 'date',
    example: '2030-01-08',
    description: 'The day the project went back: not before the current stage was entered, not in the future (Asia/Shanghai).',
  })
  @IsCalendarDate()
  on: string;

  /** Why the project goes back one stage (required). */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class ProjectQueryDto extends PageQueryDto {
  /** Projects of this industry direction. */
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  /** Projects currently at this stage. */
  @IsOptional()
  @IsIn(CHAIN_STAGES)
  stage?: ChainStage;

  /** The enterprise's city (GB/T 2260 code of one of the 14 Liaoning cities). */
  @IsOptional()
  @IsIn(CITY_CODES)
  city?: string;

  /** Projects of this enterprise (an enterprise naming another one gets an empty list). */
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}
