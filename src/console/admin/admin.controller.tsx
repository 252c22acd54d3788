import { Get } from '@nestjs/common';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import type { SignedInContext } from '../page-context';
import { Layout } from '../views/layout';

/** The admin's pages (role admin). */
@ConsoleController('admin')
@ForRoles('admin')
export class AdminPagesController {
  @Get('organisations')
  @Html()
  home(@Page() ctx: SignedInContext) {
    return <Layout ctx={ctx} title={ctx.m.common.navOrganisations}></Layout>;
  }
}
