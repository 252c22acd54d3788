import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES } from '../common/auth/auth-user';
import { ORGANISATION_KINDS } from './organisation.entity';

/** An organisation as the API shows it. */
export class OrganisationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) kind: string;
  nameZh: string;
  nameEn: string | null;
  /** 统一社会信用代码 (GB 32100-2015); enterprises only. */
  @ApiProperty({ type: 'string', nullable: true, minLength: 18, maxLength: 18 }) creditCode: string | null;
  sme: boolean;
  /** GB/T 2260 city code. */
  @ApiProperty({ type: 'string', nullable: true, pattern: '^21[0-9]{4}$' }) cityCode: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export class OrganisationPageDto {
  items: OrganisationDto[];
  @ApiProperty({ type: 'integer', minimum: 0 }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}

/** A user as the API shows it: never the password hash. */
export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  /** Stored lower-case; unique. */
  @ApiProperty({ format: 'email' }) email: string;
  displayName: string;
  @ApiProperty({ enum: ROLES }) role: string;
  /** Null for admins only. */
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) organisationId: string | null;
  /** The organisation, where the answer includes it (null for admins). */
  @ApiPropertyOptional({ type: () => OrganisationDto, nullable: true }) organisation?: OrganisationDto | null;
  active: boolean;
  /** Set by an admin's password reset: until the user sets a new password, only `me`, `me/password` and logout work. */
  mustChangePassword: boolean;
  passwordChangedAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export class UserPageDto {
  items: UserDto[];
  @ApiProperty({ type: 'integer', minimum: 0 }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}
