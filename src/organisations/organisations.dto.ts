import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';
import { ROLES, Role } from '../common/auth/auth-user';
import { CITY_CODES } from '../common/cities';
import { PageQueryDto } from '../common/pagination';
import { IsCreditCode } from '../common/validation/credit-code';
import { IsAcceptablePassword } from '../common/validation/password';
import { ORGANISATION_KINDS, OrganisationKind } from './organisation.entity';
import { trim } from '../common/validation/trim';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class CreateOrganisationDto {
  /** `enterprise`, `operator` or `authority`. */
  @IsIn(ORGANISATION_KINDS)
  kind: OrganisationKind;

  /** Name in Chinese. */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  nameZh: string;

  /** Name in English (optional). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  nameEn?: string;

  /** 统一社会信用代码, 18 characters with the GB 32100-2015 check character; required for enterprises. */
  @ValidateIf((o: CreateOrganisationDto) => o.kind === 'enterprise' || o.creditCode !== undefined)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsCreditCode()
  creditCode?: string;

  /** Small or medium-sized enterprise (gets the SME discount). */
  @IsOptional()
  @IsBoolean()
  sme?: boolean;

  /** GB/T 2260 code of a Liaoning city, e.g. 210100 (Shenyang). */
  @IsOptional()
  @IsIn(CITY_CODES, { message: 'cityCode must be the GB/T 2260 code of one of the 14 Liaoning cities (210100–211400)' })
  cityCode?: string;
}

export class OrganisationQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ORGANISATION_KINDS)
  kind?: OrganisationKind;
}

export class CreateUserDto {
  @Transform(lower)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName: string;

  /** At least 10 characters; not the e-mail address; not a common password. */
  @IsAcceptablePassword()
  password: string;

  /** `enterprise`, `operator`, `official` or `admin`; it must fit the organisation's kind. */
  @IsIn(ROLES)
  role: Role;

  /** The organisation the user belongs to; omitted for admins. */
  @ValidateIf((o: CreateUserDto) => o.role !== 'admin' || o.organisationId !== undefined)
  @IsUUID()
  organisationId?: string;
}

export class UserQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

/** Registration of an SME by itself: the enterprise and its first user. */
export class RegisterEnterpriseDto {
  @Transform(lower)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email: string;

  /** At least 10 characters; not the e-mail address; not a common password. */
  @IsAcceptablePassword()
  password: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName: string;

  /** Enterprise name in Chinese. */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  organisationNameZh: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  organisationNameEn?: string;

  /** 统一社会信用代码 (18 characters, GB 32100-2015 check character). */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsCreditCode()
  creditCode: string;

  /** Whether the enterprise is an SME. */
  @IsBoolean()
  sme: boolean;

  /** GB/T 2260 code of a Liaoning city. */
  @IsIn(CITY_CODES, { message: 'cityCode must be the GB/T 2260 code of one of the 14 Liaoning cities (210100–211400)' })
  cityCode: string;
}
