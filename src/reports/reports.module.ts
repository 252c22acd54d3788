import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { IndicatorsService } from './indicators.service';
import { ReportSnapshotsService } from './report-snapshots.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/**
 * Reports: utilisation figures (src/reports/utilisation-figures.ts), finished days from the daily snapshots
 * (report-snapshots.service.ts) and the rest from the raw rows, as JSON or CSV streamed from a cursor.
 */
@Module({
  imports: [AuditModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportSnapshotsService, IndicatorsService],
  exports: [ReportSnapshotsService, ReportsService, IndicatorsService],
})
export class ReportsModule {}
