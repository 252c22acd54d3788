import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AvailabilityController } from './availability.controller';
import { AvailabilityService } from './availability.service';
import { BookingStore } from './booking-store';
import { BookingsController } from './bookings.controller';
import { BookingsService } from './bookings.service';
import { IdempotencyStore } from './idempotency.store';

/** Requests, the life cycle, conflict rules, idempotency and availability. */
@Module({
  imports: [AuditModule, CatalogueModule, OrganisationsModule, NotificationsModule],
  controllers: [BookingsController, AvailabilityController],
  providers: [BookingsService, BookingStore, IdempotencyStore, AvailabilityService],
  exports: [BookingsService, BookingStore, AvailabilityService],
})
export class BookingsModule {}
