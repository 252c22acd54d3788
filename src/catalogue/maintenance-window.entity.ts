import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A period `[start, end)` in which a resource cannot be booked. `period` is a PostgreSQL tstzrange
 * that TypeORM returns as its text form; queries select `lower(period)` / `upper(period)` instead of
 * parsing it.
 */
@Entity('maintenance_windows')
export class MaintenanceWindow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId: string;

  @Column({ type: 'tstzrange' })
  period: string;

  @Column({ type: 'text' })
  reason: string;

  /** The user who added it (null when the system did). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
