import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the booking list and an operator's view of a booking need: an optional phone number for users
 * (shown to the facility's operator with the requester's name and e-mail), and indexes for the new
 * list filters and orders (chain project; start and creation order with the id as tie-breaker).
 */
export class BookingAccess1764203600000 implements MigrationInterface {
  name = 'BookingAccess1764203600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN phone text CHECK (phone ~ '^\\+?[0-9][0-9 -]{4,31}$')`);
    await q.query(`CREATE INDEX bookings_project_idx ON bookings (project_id, lower(period)) WHERE project_id IS NOT NULL`);
    await q.query(`CREATE INDEX bookings_start_order_idx ON bookings (lower(period) DESC, id)`);
    await q.query(`CREATE INDEX bookings_created_order_idx ON bookings (created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX bookings_created_order_idx`);
    await q.query(`DROP INDEX bookings_start_order_idx`);
    await q.query(`DROP INDEX bookings_project_idx`);
    await q.query(`ALTER TABLE users DROP COLUMN phone`);
  }
}
