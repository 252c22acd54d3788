import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { SacctImportService } from './sacct-import.service';
import { SlurmMappingsService } from './slurm-mappings.service';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';
import { UsageStore } from './usage-store';

/**
 * Actual use: usage records (from check-out, by hand, from Slurm accounting), corrections that
 * supersede, Slurm mappings and imports. BookingsModule imports this module (check-out writes its
 * record through UsageService in the booking's transaction); this module never imports bookings.
 */
@Module({
  imports: [AuditModule, CatalogueModule],
  controllers: [UsageController],
  providers: [UsageService, UsageStore, SlurmMappingsService, SacctImportService],
  exports: [UsageService, SacctImportService, SlurmMappingsService],
})
export class UsageModule {}
