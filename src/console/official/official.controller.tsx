import { Get } from '@nestjs/common';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import type { SignedInContext } from '../page-context';
import { Layout } from '../views/layout';

/** The official's pages (role official). */
@ConsoleController('official')
@ForRoles('official')
export class OfficialPagesController {
  @Get()
  @Html()
  home(@Page() ctx: SignedInContext) {
    return <Layout ctx={ctx} title={ctx.m.common.navDashboard}></Layout>;
  }
}
