import { Get } from '@nestjs/common';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import type { SignedInContext } from '../page-context';
import { Layout } from '../views/layout';

/** The SME's pages (role enterprise). */
@ConsoleController('sme')
@ForRoles('enterprise')
export class SmePagesController {
  @Get('catalogue')
  @Html()
  catalogue(@Page() ctx: SignedInContext) {
    return <Layout ctx={ctx} title={ctx.m.common.navCatalogue}></Layout>;
  }
}
