import { Foundation1764086400000 } from './1764086400000-Foundation';
import { Catalogue1764090000000 } from './1764090000000-Catalogue';
import { Security1764093600000 } from './1764093600000-Security';
import { Bookings1764097200000 } from './1764097200000-Bookings';
import { Notifications1764100800000 } from './1764100800000-Notifications';
import { Calendar1764104400000 } from './1764104400000-Calendar';
import { MaintenanceGuard1764108000000 } from './1764108000000-MaintenanceGuard';
import { ResourceChangeGuard1764111600000 } from './1764111600000-ResourceChangeGuard';
import { HeldStatesAndSlotGrain1764200000000 } from './1764200000000-HeldStatesAndSlotGrain';
import { BookingAccess1764203600000 } from './1764203600000-BookingAccess';
import { Usage1764207200000 } from './1764207200000-Usage';
import { ChainProjects1764210800000 } from './1764210800000-ChainProjects';
import { AuditSealing1764214400000 } from './1764214400000-AuditSealing';
import { ReportSnapshots1764218000000 } from './1764218000000-ReportSnapshots';
import { ServiceCategories1764221600000 } from './1764221600000-ServiceCategories';
import { Indicators1764225200000 } from './1764225200000-Indicators';
import { ConsolePreferences1764228800000 } from './1764228800000-ConsolePreferences';

/** Listed explicitly so the same list works from TypeScript (tests) and from dist/ (the app). */
export const MIGRATIONS = [
  Foundation1764086400000,
  Catalogue1764090000000,
  Security1764093600000,
  Bookings1764097200000,
  Notifications1764100800000,
  Calendar1764104400000,
  MaintenanceGuard1764108000000,
  ResourceChangeGuard1764111600000,
  HeldStatesAndSlotGrain1764200000000,
  BookingAccess1764203600000,
  Usage1764207200000,
  ChainProjects1764210800000,
  AuditSealing1764214400000,
  ReportSnapshots1764218000000,
  ServiceCategories1764221600000,
  Indicators1764225200000,
  ConsolePreferences1764228800000,
];
