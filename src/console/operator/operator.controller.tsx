import { Get } from '@nestjs/common';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import type { SignedInContext } from '../page-context';
import { Layout } from '../views/layout';

/** The operator's pages (role operator). */
@ConsoleController('operator')
@ForRoles('operator')
export class OperatorPagesController {
  @Get('queue')
  @Html()
  home(@Page() ctx: SignedInContext) {
    return <Layout ctx={ctx} title={ctx.m.common.navQueue}></Layout>;
  }
}
