import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BookingsModule } from '../bookings/bookings.module';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CalendarFeedsController, CalendarTokensController } from './calendar.controller';
import { CalendarService } from './calendar.service';
import { FeedTokensService } from './feed-tokens.service';

/**
 * iCalendar feeds (RFC 5545, ical-generator): a resource's public busy time, private feeds opened by
 * secret tokens, and single bookings. Reads bookings through BookingsModule's exported store and service.
 */
@Module({
  imports: [AuditModule, BookingsModule, CatalogueModule, OrganisationsModule],
  controllers: [CalendarFeedsController, CalendarTokensController],
  providers: [CalendarService, FeedTokensService],
  exports: [CalendarService, FeedTokensService],
})
export class CalendarModule {}
