import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { ReportsModule } from '../../reports/reports.module';
import { CatalogueModule } from '../../catalogue/catalogue.module';
import { ChainModule } from '../../chain/chain.module';
import { OrganisationsModule } from '../../organisations/organisations.module';
import { DemoHistoryLoader } from './demo-history-loader';
import { DemoSeeder } from './demo-seeder';

@Module({
  imports: [OrganisationsModule, CatalogueModule, ChainModule, AuditModule, NotificationsModule, ReportsModule],
  providers: [DemoSeeder, DemoHistoryLoader],
  exports: [DemoSeeder, DemoHistoryLoader],
})
export class SeedModule {}
