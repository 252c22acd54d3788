import { Body, Controller, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { ChangeRoleDto, ResetPasswordDto } from './auth.dto';
import { UserAdminService } from './user-admin.service';
import { UserDto } from '../organisations/organisations.responses';
import { UuidParam } from '../common/validation/uuid-param';

const LAST_ADMIN = '`last_admin`: this would leave no active admin.';

@ApiTags('users')
@Controller('users')
export class UserAdminController {
  constructor(private readonly admin: UserAdminService) {}

  /** Admin: deactivates a user; every session ends and its tokens stop working at once. Idempotent. */
  @Post(':id/deactivate')
  @Authenticated('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  @ApiConflictResponse({ description: LAST_ADMIN })
  deactivate(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.admin.deactivate(auth, id);
  }

  /** Admin: lets a deactivated user log in again (no old session comes back). Idempotent. */
  @Post(':id/reactivate')
  @Authenticated('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  reactivate(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.admin.reactivate(auth, id);
  }

  /** Admin: sets a temporary password and ends every session; the user must set a new password before doing anything else. */
  @Post(':id/reset-password')
  @Authenticated('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  resetPassword(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: ResetPasswordDto) {
    return this.admin.resetPassword(auth, id, dto);
  }

  /** Admin: changes a user's role (with the organisation the role needs; none for admins). */
  @Patch(':id')
  @Authenticated('admin')
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'Unknown user or organisation.' })
  @ApiConflictResponse({ description: LAST_ADMIN })
  changeRole(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: ChangeRoleDto) {
    return this.admin.changeRole(auth, id, dto);
  }
}
