import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification outbox (written in the transaction of the change that causes it; a sender reads
 * undelivered rows in id order), and the bookkeeping of the reminder job.
 */
export class Notifications1764100800000 implements MigrationInterface {
  name = 'Notifications1764100800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recipient_user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('booking_requested', 'booking_approved', 'booking_rejected', 'booking_cancelled',
                                          'booking_expired', 'booking_no_show', 'booking_reminder')),
        booking_id uuid REFERENCES bookings(id) ON DELETE CASCADE,
        title_zh text NOT NULL,
        title_en text NOT NULL,
        body_zh text NOT NULL,
        body_en text NOT NULL,
        created_at timestamptz NOT NULL,
        read_at timestamptz,
        delivered_at timestamptz
      )`);
    await q.query(`CREATE INDEX notifications_recipient_idx ON notifications (recipient_user_id, id DESC)`);
    await q.query(`CREATE INDEX notifications_undelivered_idx ON notifications (id) WHERE delivered_at IS NULL`);
    // A reminder is sent once per booking and recipient, even if two job runs race.
    await q.query(`CREATE UNIQUE INDEX notifications_one_reminder_idx ON notifications (booking_id, recipient_user_id) WHERE kind = 'booking_reminder'`);
    await q.query(`ALTER TABLE bookings ADD COLUMN reminded_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings DROP COLUMN reminded_at`);
    await q.query(`DROP TABLE notifications`);
  }
}
