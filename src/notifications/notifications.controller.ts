import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { validationFailed } from '../common/validation/validation-pipe';
import { NotificationQueryDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';
import { NotificationDto, NotificationPageDto } from './notifications.responses';

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /** The caller's notifications, newest first; `?unread=true` for the unread ones. */
  @Get()
  @ApiOkResponse({ type: NotificationPageDto })
  @Authenticated()
  list(@Auth() auth: AuthUser, @Query() query: NotificationQueryDto) {
    return this.notifications.list(auth, query);
  }

  /** Marks one of the caller's notifications read. */
  @Post(':id/read')
  @ApiOkResponse({ type: NotificationDto })
  @ApiParam({ name: 'id', description: 'The notification id (a positive integer).', schema: { type: 'integer', format: 'int64', minimum: 1 } })
  @HttpCode(200)
  @Authenticated()
  @ApiNotFoundResponse({ description: 'Unknown, or not yours.' })
  markRead(@Auth() auth: AuthUser, @Param('id') id: string) {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) throw validationFailed([{ field: 'id', message: 'id must be a notification id (a positive integer)' }]);
    return this.notifications.markRead(auth, id);
  }
}
