import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** Reports: utilisation figures (src/reports/utilisation-figures.ts) over the raw rows, as JSON or streamed CSV. */
@Module({
  controllers: [ReportsController],
  providers: [ReportsService],
})
export class ReportsModule {}
