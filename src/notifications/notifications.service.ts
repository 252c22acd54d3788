import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../common/access/access.service';
import type { AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { page, Page } from '../common/pagination';
import { UsersService } from '../organisations/users.service';
import { Notification, NotificationKind } from './notification.entity';
import { BookingFacts, bookingTexts } from './notification-texts';
import { NotificationQueryDto } from './notifications.dto';

export interface BookingNotice extends BookingFacts {
  bookingId: string;
  /** The booking enterprise. */
  organisationId: string;
  /** The facility's operator organisation. */
  operatorId: string;
}

/** Who hears about what: operators about requests, the enterprise about decisions, both otherwise. */
const AUDIENCE: Record<NotificationKind, Array<'enterprise' | 'operator'>> = {
  booking_requested: ['operator'],
  booking_approved: ['enterprise'],
  booking_rejected: ['enterprise'],
  booking_cancelled: ['enterprise', 'operator'],
  booking_expired: ['enterprise', 'operator'],
  booking_no_show: ['enterprise', 'operator'],
  booking_reminder: ['enterprise', 'operator'],
};

@Injectable()
export class NotificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly clock: Clock,
    private readonly access: AccessService,
  ) {}

  /**
   * Writes the notifications of a booking event into the outbox, in the caller's transaction, so they
   * exist exactly when the change committed. Returns how many were written.
   */
  async notifyBooking(em: EntityManager, kind: NotificationKind, notice: BookingNotice, at: Date): Promise<number> {
    const orgs = AUDIENCE[kind].map((side) => (side === 'enterprise' ? notice.organisationId : notice.operatorId));
    const recipients = await this.users.activeUserIdsOf(em, orgs);
    if (recipients.length === 0) return 0;
    const texts = bookingTexts(kind, notice);
    // Reminders are unique per booking and recipient: a second run inserts nothing.
    const rows = await em.query<Array<{ id: string }>>(
      `INSERT INTO notifications (recipient_user_id, kind, booking_id, title_zh, title_en, body_zh, body_en, created_at)
       SELECT r, $2, $3, $4, $5, $6, $7, $8 FROM unnest($1::uuid[]) AS r
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [recipients, kind, notice.bookingId, texts.titleZh, texts.titleEn, texts.bodyZh, texts.bodyEn, at],
    );
    return rows.length;
  }

  async list(auth: AuthUser, q: NotificationQueryDto): Promise<Page<Notification>> {
    const qb = this.dataSource.getRepository(Notification).createQueryBuilder('n');
    this.access.applyScope(qb, auth, 'notification.read');
    if (q.unread === true) qb.andWhere('n.read_at IS NULL');
    if (q.unread === false) qb.andWhere('n.read_at IS NOT NULL');
    const [items, total] = await qb.orderBy('n.id', 'DESC').take(q.limit).skip(q.offset).getManyAndCount();
    return page(items, total, q);
  }

  /** Marks one of the caller's notifications read (idempotent); someone else's is 404. */
  async markRead(auth: AuthUser, id: string): Promise<Notification> {
    const at = this.clock.now();
    const repo = this.dataSource.getRepository(Notification);
    await this.access.requireAccess(auth, 'notification.read', [id]);
    const n = (await repo.findOne({ where: { id } }))!;
    if (!n.readAt) {
      await repo.update({ id }, { readAt: at });
      n.readAt = at;
    }
    return n;
  }
}
