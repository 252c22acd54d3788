import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/** The outbox of booking notifications and the user's inbox. */
@Module({
  imports: [OrganisationsModule],
  controllers: [NotificationsController],
  providers: [NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
