import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A secret that opens a user's private calendar feed (`/calendar/feeds/<token>.ics`). Only the
 * sha256 of the token is stored; the token itself is shown once, when it is created.
 */
@Entity('calendar_feed_tokens')
export class CalendarFeedToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** sha256 of the token, hex. */
  @Column({ name: 'token_hash', type: 'text', select: false })
  tokenHash: string;

  /** The user's name for it, e.g. "Outlook on my laptop". */
  @Column({ type: 'text', nullable: true })
  label: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Set on revocation: the feed is 404 from then on. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** When a calendar client last fetched the feed (updated at most every few minutes). */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
