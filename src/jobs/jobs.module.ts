import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { BookingsModule } from '../bookings/bookings.module';
import { ReportsModule } from '../reports/reports.module';
import { JobsService } from './jobs.service';

/** Scheduled work (expiry, no-shows, reminders, clean-up of keys, sessions and throttle buckets, audit sealing, daily report snapshots), safe with several instances on one database. */
@Module({
  imports: [ScheduleModule.forRoot(), BookingsModule, AuthModule, AuditModule, ReportsModule],
  providers: [JobsService],
  exports: [JobsService],
})
export class JobsModule {}
