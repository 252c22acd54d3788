import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor } from '../common/auth/auth-user';
import { BookingStore } from './booking-store';
import { BookingsService } from './bookings.service';
import { decisionDeadlineSql } from './decision-deadline';

export interface SweepSettings {
  /** A pending request expires this long after it was made, or at the booking's start if earlier (`decision-deadline.ts`). */
  decisionDeadlineHours: number;
  /** An approved booking not checked in this long after its start is a no-show. */
  noShowGraceMinutes: number;
  /** Reminders go out this long before an approved booking starts. */
  reminderLeadHours: number;
}

/**
 * The work the scheduled jobs do on bookings. Each sweep runs inside the job's transaction (which
 * holds the job's advisory lock), locks the rows it changes, and changes state only through
 * `BookingsService.transition` — the same table, audit entries and notifications as the API.
 */
@Injectable()
export class BookingSweeps {
  constructor(
    private readonly bookings: BookingsService,
    private readonly store: BookingStore,
  ) {}

  /** pending → expired once undecided at the deadline; releases the slot. Returns the booking ids. */
  async expireUndecided(em: EntityManager, now: Date, s: SweepSettings, actor: Actor): Promise<string[]> {
    const due: Array<{ id: string }> = await em.query(
      `SELECT b.id FROM bookings b
        WHERE b.state = 'pending' AND $1::timestamptz >= ${decisionDeadlineSql('b', '$2')}
        ORDER BY lower(b.period), b.id
        FOR UPDATE SKIP LOCKED`,
      [now, s.decisionDeadlineHours],
    );
    return this.apply(em, due, 'expire', now, actor);
  }

  /** approved → no_show when nobody checked in by start + grace; releases the slot. */
  async markNoShows(em: EntityManager, now: Date, s: SweepSettings, actor: Actor): Promise<string[]> {
    const due: Array<{ id: string }> = await em.query(
      `SELECT id FROM bookings
        WHERE state = 'approved' AND $1::timestamptz >= lower(period) + make_interval(mins => $2)
        ORDER BY lower(period), id
        FOR UPDATE SKIP LOCKED`,
      [now, s.noShowGraceMinutes],
    );
    return this.apply(em, due, 'mark_no_show', now, actor);
  }

  /** One reminder per approved booking, `reminderLeadHours` before it starts, to both sides. */
  async sendReminders(em: EntityManager, now: Date, s: SweepSettings): Promise<string[]> {
    const due: Array<{ id: string }> = await em.query(
      `SELECT id FROM bookings
        WHERE state = 'approved' AND reminded_at IS NULL
          AND lower(period) > $1::timestamptz AND lower(period) <= $1::timestamptz + make_interval(hours => $2)
        ORDER BY lower(period), id
        FOR UPDATE SKIP LOCKED`,
      [now, s.reminderLeadHours],
    );
    for (const { id } of due) {
      const row = (await this.store.findById(em, id))!;
      await this.bookings.notify(em, 'booking_reminder', row, now);
      await em.query(`UPDATE bookings SET reminded_at = $2 WHERE id = $1`, [id, now]);
    }
    return due.map((d) => d.id);
  }

  /** Forgets idempotency keys past their expiry. */
  async purgeIdempotencyKeys(em: EntityManager, now: Date): Promise<number> {
    // TypeORM answers a DELETE with [rows, affected count], not with the rows: take the count.
    const [, count] = await em.query<[unknown, number]>(`DELETE FROM idempotency_keys WHERE expires_at <= $1`, [now]);
    return count;
  }

  private async apply(em: EntityManager, due: Array<{ id: string }>, action: 'expire' | 'mark_no_show', now: Date, actor: Actor): Promise<string[]> {
    for (const { id } of due) {
      const row = (await this.store.findById(em, id))!;
      await this.bookings.transition(em, row, action, 'job', actor, now);
    }
    return due.map((d) => d.id);
  }
}
