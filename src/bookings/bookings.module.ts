import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { ChainModule } from '../chain/chain.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { UsageModule } from '../usage/usage.module';
import { AvailabilityController } from './availability.controller';
import { AvailabilityService } from './availability.service';
import { BookingStore } from './booking-store';
import { BookingSweeps } from './booking-sweeps';
import { BookingsController } from './bookings.controller';
import { BookingsService } from './bookings.service';
import { IdempotencyStore } from './idempotency.store';

/** Requests, the life cycle, conflict rules, idempotency and availability. */
@Module({
  imports: [AuditModule, CatalogueModule, OrganisationsModule, NotificationsModule, ChainModule, UsageModule],
  controllers: [BookingsController, AvailabilityController],
  providers: [BookingsService, BookingStore, BookingSweeps, IdempotencyStore, AvailabilityService],
  exports: [BookingsService, BookingStore, BookingSweeps, AvailabilityService],
})
export class BookingsModule {}
