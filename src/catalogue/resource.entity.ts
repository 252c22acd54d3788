import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, ValueTransformer } from 'typeorm';
import type { ResourceMode, ResourceUnit } from './catalogue.constants';
import { Facility } from './facility.entity';

/** bigint columns come back from pg as strings; the values used here stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * Something bookable at a facility: exclusive (one booking at a time) or pooled (a capacity shared by
 * concurrent bookings), with its booking rules and price. `search_text` is generated and not mapped.
 */
@Entity('resources')
export class Resource {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'facility_id', type: 'uuid' })
  facilityId: string;

  @ManyToOne(() => Facility)
  @JoinColumn({ name: 'facility_id' })
  facility?: Facility;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'text' })
  mode: ResourceMode;

  /** 1 for exclusive resources; the pool size (e.g. 512 GPUs) for pooled ones. */
  @Column({ type: 'integer' })
  capacity: number;

  @Column({ type: 'text' })
  unit: ResourceUnit;

  @Column({ name: 'min_duration_minutes', type: 'integer' })
  minDurationMinutes: number;

  @Column({ name: 'max_duration_minutes', type: 'integer' })
  maxDurationMinutes: number;

  /** How long before its start a booking must be requested. */
  @Column({ name: 'lead_time_minutes', type: 'integer' })
  leadTimeMinutes: number;

  /** How far ahead one may book. */
  @Column({ name: 'horizon_days', type: 'integer' })
  horizonDays: number;

  /** Changeover time blocked before each booking. */
  @Column({ name: 'buffer_before_minutes', type: 'integer' })
  bufferBeforeMinutes: number;

  /** Changeover time blocked after each booking. */
  @Column({ name: 'buffer_after_minutes', type: 'integer' })
  bufferAfterMinutes: number;

  @Column({ name: 'approval_required', type: 'boolean' })
  approvalRequired: boolean;

  /** Price per unit-hour in fen (1/100 yuan). */
  @Column({ name: 'price_per_unit_hour_fen', type: 'bigint', transformer: bigintAsNumber })
  pricePerUnitHourFen: number;

  /** Discount for SMEs, 0–100 percent. */
  @Column({ name: 'sme_discount_percent', type: 'integer' })
  smeDiscountPercent: number;

  /** Fair use: most unit-hours one organisation may hold in any rolling 30 days (null: no limit). */
  @Column({ name: 'max_unit_hours_per_30_days', type: 'integer', nullable: true })
  maxUnitHoursPer30Days: number | null;

  /** Fair use: most undecided requests one organisation may have open (null: no limit). */
  @Column({ name: 'max_open_requests', type: 'integer', nullable: true })
  maxOpenRequests: number | null;

  /** Slot grain in minutes (a divisor of 1440): free windows start on this grid of the facility's local day. */
  @Column({ name: 'slot_minutes', type: 'integer', default: 15 })
  slotMinutes: number;

  /** Technical specification, free JSON object. */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  spec: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
