import { Module } from '@nestjs/common';
import { CatalogueModule } from '../../catalogue/catalogue.module';
import { OrganisationsModule } from '../../organisations/organisations.module';
import { DemoSeeder } from './demo-seeder';

@Module({
  imports: [OrganisationsModule, CatalogueModule],
  providers: [DemoSeeder],
  exports: [DemoSeeder],
})
export class SeedModule {}
