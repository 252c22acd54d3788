import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BookingState } from './booking-transitions';

/**
 * A request for `[startsAt, endsAt)` × `units` of a resource. The ranges (`period`, and `blocked`
 * widened by the changeover buffers) are tstzrange columns; the exclusion constraint
 * `bookings_no_overlap` makes double booking of an exclusive resource impossible. The service reads
 * bookings with SQL that splits the ranges into instants (see bookings.queries.ts).
 */
@Entity('bookings')
export class Booking {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId: string;

  @Column({ name: 'facility_id', type: 'uuid' })
  facilityId: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy: string;

  @Column({ type: 'tstzrange' })
  period: string;

  @Column({ type: 'tstzrange' })
  blocked: string;

  @Column({ type: 'boolean' })
  exclusive: boolean;

  @Column({ type: 'integer' })
  units: number;

  @Column({ type: 'text' })
  state: BookingState;

  @Column({ type: 'text' })
  stage: string;

  /** One of SERVICE_CATEGORIES (catalogue.constants.ts). */
  @Column({ name: 'service_category', type: 'text' })
  serviceCategory: string;

  @Column({ type: 'text' })
  purpose: string;

  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId: string | null;

  @Column({ name: 'price_fen', type: 'bigint' })
  priceFen: string;

  @Column({ type: 'integer' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
