import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { BookingsModule } from '../bookings/bookings.module';
import { CalendarModule } from '../calendar/calendar.module';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { ChainModule } from '../chain/chain.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ReportsModule } from '../reports/reports.module';
import { UsageModule } from '../usage/usage.module';
import { SeedModule } from '../database/seed/seed.module';
import { AssetsController } from './assets.controller';
import { ConsoleSessionService } from './console-session.service';
import { ConsoleGuard } from './console.guard';
import { SessionController } from './session.controller';
import { SmePagesController } from './sme/sme.controller';
import { NotificationsPagesController } from './sme/notifications.controller';
import { OperatorPagesController } from './operator/operator.controller';
import { OperatorUsagePagesController } from './operator/operator-usage.controller';
import { OperatorResourcesPagesController } from './operator/operator-resources.controller';
import { OfficialPagesController } from './official/official.controller';
import { AdminPagesController } from './admin/admin.controller';
import { ConsoleNotFoundController } from './not-found.controller';

/**
 * The web console: server-rendered pages over the same services as the API (no rule of its own), with a
 * browser session, CSRF protection and its assets served from the app's origin.
 */
@Module({
  imports: [
    AuthModule,
    OrganisationsModule,
    AuditModule,
    CatalogueModule,
    BookingsModule,
    CalendarModule,
    ChainModule,
    UsageModule,
    ReportsModule,
    NotificationsModule,
    SeedModule,
  ],
  // The catch-all 404 last: Express tries routes in the order they were registered.
  controllers: [
    AssetsController,
    SessionController,
    SmePagesController,
    NotificationsPagesController,
    OperatorPagesController,
    OperatorUsagePagesController,
    OperatorResourcesPagesController,
    OfficialPagesController,
    AdminPagesController,
    ConsoleNotFoundController,
  ],
  providers: [ConsoleSessionService, ConsoleGuard],
})
export class ConsoleModule {}
