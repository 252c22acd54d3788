import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { BookingsModule } from '../bookings/bookings.module';
import { JobsService } from './jobs.service';

/** Scheduled work (expiry, no-shows, reminders, clean-up), safe with several instances on one database. */
@Module({
  imports: [ScheduleModule.forRoot(), BookingsModule],
  providers: [JobsService],
  exports: [JobsService],
})
export class JobsModule {}
