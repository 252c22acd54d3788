import { ConsolePreference } from '../console/console-preference.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { AuthSession } from '../auth/auth-session.entity';
import { Booking } from '../bookings/booking.entity';
import { CalendarFeedToken } from '../calendar/calendar-feed-token.entity';
import { Project, ProjectStageHistory } from '../chain/project.entity';
import { Notification } from '../notifications/notification.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { Facility } from '../catalogue/facility.entity';
import { MaintenanceWindow } from '../catalogue/maintenance-window.entity';
import { OpeningHoursInterval } from '../catalogue/opening-interval.entity';
import { Resource } from '../catalogue/resource.entity';
import { Organisation } from '../organisations/organisation.entity';
import { User } from '../organisations/user.entity';

/** Every TypeORM entity; migrations, not `synchronize`, create their tables. */
export const ENTITIES = [
  Organisation,
  User,
  AuditEntry,
  AuthSession,
  RefreshToken,
  Facility,
  Resource,
  OpeningHoursInterval,
  MaintenanceWindow,
  Booking,
  Notification,
  CalendarFeedToken,
  Project,
  ProjectStageHistory,
  ConsolePreference,
];
