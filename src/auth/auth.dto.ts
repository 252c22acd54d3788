import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ROLES, Role } from '../common/auth/auth-user';
import { IsAcceptablePassword } from '../common/validation/password';

export class LoginDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @MinLength(3)
  @MaxLength(254)
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class TokenPairDto {
  /** JWT; send it as `Authorization: Bearer <accessToken>`. */
  accessToken: string;
  /** Opaque; exchange it once at POST /api/v1/auth/refresh for a new pair. Keep it secret. */
  refreshToken: string;
  tokenType: 'Bearer';
  /** Access token lifetime in seconds. */
  expiresIn: number;
  /** Refresh token lifetime in seconds. */
  refreshExpiresIn: number;
  /** An admin reset the password: only `me`, `me/password` and logout work until a new one is set. */
  passwordChangeRequired: boolean;
}

export class RefreshTokenDto {
  /** The refresh token from the last login or refresh. */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  refreshToken: string;
}

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class LogoutQueryDto {
  /** `true`: end every session of the user, not just this one. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  all?: boolean;
}

export class ChangePasswordDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  currentPassword: string;

  /** At least 10 characters; not your e-mail address; not a common password; not the current one. */
  @IsAcceptablePassword({ emailField: null })
  newPassword: string;
}

export class ResetPasswordDto {
  /** A temporary password to hand to the user, who must replace it at the next login. Same rules as any password. */
  @IsAcceptablePassword({ emailField: null })
  temporaryPassword: string;
}

export class ChangeRoleDto {
  /** `enterprise`, `operator`, `official` or `admin`; it must fit the organisation's kind. */
  @IsIn(ROLES)
  role: Role;

  /** The organisation for the new role; omitted for admins. */
  @ValidateIf((o: ChangeRoleDto) => o.role !== 'admin' || o.organisationId !== undefined)
  @IsUUID()
  organisationId?: string;
}
