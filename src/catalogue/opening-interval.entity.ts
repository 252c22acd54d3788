import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One interval of a resource's weekly schedule, `[opens, closes)` local time of the facility's zone
 * on an ISO weekday. An exclusion constraint keeps the intervals of one weekday from overlapping;
 * adjacent intervals (Fri 20:00–24:00, Sat 00:00–08:00) form one window across midnight.
 */
@Entity('opening_hours')
export class OpeningHoursInterval {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId: string;

  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  @Column({ type: 'smallint' })
  weekday: number;

  /** PostgreSQL `time` as text, e.g. "08:00:00". */
  @Column({ type: 'time' })
  opens: string;

  /** PostgreSQL `time` as text; "24:00:00" is the end of the day. */
  @Column({ type: 'time' })
  closes: string;
}
