import { Column, Entity, PrimaryColumn } from 'typeorm';

export const NOTIFICATION_KINDS = [
  'booking_requested',
  'booking_approved',
  'booking_rejected',
  'booking_cancelled',
  'booking_expired',
  'booking_no_show',
  'booking_reminder',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** One message to one user, in Chinese and English; the outbox a mail or SMS sender would read. */
@Entity('notifications')
export class Notification {
  @PrimaryColumn({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'recipient_user_id', type: 'uuid' })
  recipientUserId: string;

  @Column({ type: 'text' })
  kind: NotificationKind;

  @Column({ name: 'booking_id', type: 'uuid', nullable: true })
  bookingId: string | null;

  @Column({ name: 'title_zh', type: 'text' })
  titleZh: string;

  @Column({ name: 'title_en', type: 'text' })
  titleEn: string;

  @Column({ name: 'body_zh', type: 'text' })
  bodyZh: string;

  @Column({ name: 'body_en', type: 'text' })
  bodyEn: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}
