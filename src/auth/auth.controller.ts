import { Body, Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Auth, Authenticated, Public } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { PageQueryDto } from '../common/pagination';
import { RegisterEnterpriseDto } from '../organisations/organisations.dto';
import { AllowPendingPasswordChange } from './auth.decorators';
import { ChangePasswordDto, LoginDto, LogoutQueryDto, RefreshTokenDto, TokenPairDto } from './auth.dto';
import { AuthService } from './auth.service';
import { Client, type ClientInfo } from './client-info';
import { SessionsService } from './sessions.service';
import { AuditPageDto } from '../audit/audit.responses';
import { UserDto } from '../organisations/organisations.responses';

const THROTTLED = 'Too many attempts (problem+json `too_many_attempts` / `too_many_requests`, with a Retry-After header).';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  /** An SME registers itself: creates the enterprise and its first user (role `enterprise`). Limited per client address. */
  @Post('auth/register')
  @Public()
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: '`email_taken` or `credit_code_taken`' })
  @ApiTooManyRequestsResponse({ description: THROTTLED })
  register(@Body() dto: RegisterEnterpriseDto, @Client() client: ClientInfo) {
    return this.auth.register(dto, client);
  }

  /** Exchanges e-mail and password for an access token (15 minutes by default) and a refresh token (14 days). */
  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password (the same answer for both, and for inactive accounts).' })
  @ApiTooManyRequestsResponse({ description: `${THROTTLED} The same for existing and unknown e-mail addresses.` })
  login(@Body() dto: LoginDto, @Client() client: ClientInfo) {
    return this.auth.login(dto, client);
  }

  /** Exchanges a refresh token for a new pair; the old refresh token stops working. Reusing one ends its session. */
  @Post('auth/refresh')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: '`invalid_refresh_token`: unknown, expired, already used (the session is then revoked) or revoked.' })
  refresh(@Body() dto: RefreshTokenDto, @Client() client: ClientInfo) {
    return this.sessions.refresh(dto.refreshToken, client);
  }

  /** Ends the session of this refresh token at once (its access tokens stop working too); `?all=true` ends every session of the user. */
  @Post('auth/logout')
  @Public()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session has ended (or had already ended).' })
  @ApiUnauthorizedResponse({ description: '`invalid_refresh_token`' })
  logout(@Body() dto: RefreshTokenDto, @Query() query: LogoutQueryDto, @Client() client: ClientInfo) {
    return this.sessions.logout(dto.refreshToken, query.all === true, client);
  }

  /** The signed-in user with its organisation. */
  @Get('me')
  @Authenticated()
  @AllowPendingPasswordChange()
  @ApiOkResponse({ type: UserDto })
  me(@Auth() auth: AuthUser) {
    return this.auth.me(auth);
  }

  /** Sets a new password. Every session of the user ends; the answer is a fresh token pair for this client. */
  @Post('me/password')
  @Authenticated()
  @AllowPendingPasswordChange()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  @ApiBadRequestResponse({ description: '`current_password_wrong`, or `validation_failed` (the new password breaks a rule).' })
  @ApiTooManyRequestsResponse({ description: `${THROTTLED} Wrong current passwords count towards the account's lockout.` })
  changePassword(@Auth() auth: AuthUser, @Body() dto: ChangePasswordDto, @Client() client: ClientInfo) {
    return this.auth.changePassword(auth, dto, client);
  }

  /** The caller's own audit trail (logins, failed logins, refreshes, logouts, lockouts, password and role changes), newest first. */
  @Get('me/audit')
  @ApiOkResponse({ type: AuditPageDto })
  @Authenticated()
  myAudit(@Auth() auth: AuthUser, @Query() query: PageQueryDto) {
    return this.auth.myAudit(auth, query);
  }
}
