import { Module } from '@nestjs/common';
import { CatalogueModule } from '../../catalogue/catalogue.module';
import { ChainModule } from '../../chain/chain.module';
import { OrganisationsModule } from '../../organisations/organisations.module';
import { DemoSeeder } from './demo-seeder';

@Module({
  imports: [OrganisationsModule, CatalogueModule, ChainModule],
  providers: [DemoSeeder],
  exports: [DemoSeeder],
})
export class SeedModule {}
