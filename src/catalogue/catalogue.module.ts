import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CatalogueDemoSeeder } from './demo/catalogue-demo-seeder';
import { FacilitiesController } from './facilities.controller';
import { FacilitiesService } from './facilities.service';
import { ResourceScheduleService } from './resource-schedule.service';
import { ResourcesController } from './resources.controller';
import { ResourcesService } from './resources.service';

/**
 * Facilities, resources, weekly opening hours and maintenance windows: public browsing and search,
 * editing by the owning operator or an admin. The booking engine uses the exported services'
 * named queries (`findResourceForBooking`, `lockResource`, `findOpeningHours`,
 * `findMaintenanceOverlapping`, `assertOperates`).
 */
@Module({
  imports: [AuditModule, OrganisationsModule],
  controllers: [FacilitiesController, ResourcesController],
  providers: [FacilitiesService, ResourcesService, ResourceScheduleService, CatalogueDemoSeeder],
  exports: [FacilitiesService, ResourcesService, ResourceScheduleService, CatalogueDemoSeeder],
})
export class CatalogueModule {}
