import { Get } from '@nestjs/common';
import { ConsoleController, Html, Page } from '../console.decorators';
import type { SignedInContext } from '../page-context';
import { Layout } from '../views/layout';

/** Every signed-in user's notifications. */
@ConsoleController('inbox')
export class NotificationsPagesController {
  @Get()
  @Html()
  list(@Page() ctx: SignedInContext) {
    return <Layout ctx={ctx} title={ctx.m.common.navNotifications}></Layout>;
  }
}
