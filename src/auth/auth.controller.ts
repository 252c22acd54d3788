import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Auth, Authenticated, Public } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { RegisterEnterpriseDto } from '../organisations/organisations.dto';
import { User } from '../organisations/user.entity';
import { AccessTokenDto, LoginDto } from './auth.dto';
import { AuthService } from './auth.service';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** An SME registers itself: creates the enterprise and its first user (role `enterprise`). */
  @Post('auth/register')
  @Public()
  @ApiCreatedResponse({ type: User })
  @ApiConflictResponse({ description: '`email_taken` or `credit_code_taken`' })
  register(@Body() dto: RegisterEnterpriseDto) {
    return this.auth.register(dto);
  }

  /** Exchanges e-mail and password for a bearer access token. */
  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password (the same answer for both).' })
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto);
  }

  /** The signed-in user with its organisation. */
  @Get('me')
  @Authenticated()
  @ApiOkResponse({ type: User })
  me(@Auth() auth: AuthUser) {
    return this.auth.me(auth);
  }
}
