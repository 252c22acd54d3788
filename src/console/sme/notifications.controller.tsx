import { Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Param } from '@nestjs/common';
import { validationFailed } from '../../common/validation/validation-pipe';
import { NotificationQueryDto } from '../../notifications/notifications.dto';
import { NotificationsService } from '../../notifications/notifications.service';
import { redirectTo } from '../console-exception.filter';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, Html, Page } from '../console.decorators';
import { validateWith } from '../forms';
import type { SignedInContext } from '../page-context';
import { CsrfField, Pager, Table } from '../views/components';
import { formatDateTime } from '../views/format';
import { Layout } from '../views/layout';
import { str } from './sme-views';

type Form = Record<string, unknown>;

/** Where a notice's booking opens, per role (the notice itself says what happened). */
const BOOKING_PAGE: Record<string, string> = { enterprise: '/sme/bookings/', operator: '/operator/bookings/' };

/** Every signed-in user's notifications (read/unread, mark as read). */
@ConsoleController('inbox')
export class NotificationsPagesController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Html()
  async list(@Page() ctx: SignedInContext, @Query() q: Form) {
    const s = ctx.m.sme;
    const values = { unread: str(q.unread), offset: str(q.offset) };
    const page = await this.notifications.list(ctx.viewer, await validateWith(NotificationQueryDto, { ...values, limit: '20' }, 'query'));
    const en = ctx.language === 'en';
    const bookingPage = BOOKING_PAGE[ctx.viewer.role];
    return (
      <Layout ctx={ctx} title={ctx.m.common.navNotifications}>
        <p class="muted" safe>
          {s.notificationsLead}
        </p>
        <nav class="actions" aria-label={ctx.m.common.navNotifications}>
          <a href="/inbox" aria-current={values.unread === undefined ? 'page' : undefined} safe>
            {s.showAll}
          </a>
          <a href="/inbox?unread=true" aria-current={values.unread === 'true' ? 'page' : undefined} safe>
            {s.unreadOnly}
          </a>
        </nav>
        <Table
          headers={[s.notificationState, s.notificationTime, s.notificationText, s.notificationAction]}
          empty={s.noNotifications}
          rows={page.items.map((n) => (
            <tr class={n.readAt ? 'read' : 'unread'}>
              <td>
                <span class={n.readAt ? 'badge badge-read' : 'badge badge-unread'} safe>
                  {n.readAt ? s.read : s.unread}
                </span>
              </td>
              <td safe>{formatDateTime(n.createdAt, 'Asia/Shanghai', ctx.language)}</td>
              <td>
                <strong safe>{en ? n.titleEn : n.titleZh}</strong>
                <p class="notice-body" safe>
                  {en ? n.bodyEn : n.bodyZh}
                </p>
                {n.bookingId && bookingPage ? (
                  <a href={`${bookingPage}${n.bookingId}`} safe>
                    {s.openBooking}
                  </a>
                ) : (
                  ''
                )}
              </td>
              <td>
                {n.readAt ? (
                  ''
                ) : (
                  <form method="post" action={`/inbox/${n.id}/read`}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="secondary" safe>
                      {s.markRead}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        />
        <Pager ctx={ctx} total={page.total} limit={page.limit} offset={page.offset} query={values} />
      </Layout>
    );
  }

  @Post(':id/read')
  async markRead(@Page() ctx: SignedInContext, @Param('id') id: string, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) throw validationFailed([{ field: 'id', message: 'id must be a notification id (a positive integer)' }]);
    await this.notifications.markRead(ctx.viewer, id);
    redirectTo(req, res, '/inbox?notice=sme.markedRead');
  }
}
