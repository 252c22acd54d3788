import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A maintenance window may not be laid over bookings that hold the resource: the operator cancels
 * (and so notifies) them first. Enforced by a trigger, so no code path can forget it; both this
 * trigger's callers and booking requests lock the resource row first, so neither can slip past the
 * other. The error (SQLSTATE PB409) carries the conflicting bookings as JSON in its DETAIL.
 */
export class MaintenanceGuard1764108000000 implements MigrationInterface {
  name = 'MaintenanceGuard1764108000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION maintenance_windows_refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_held jsonb;
      BEGIN
        SELECT jsonb_agg(jsonb_build_object('bookingId', b.id, 'state', b.state, 'startsAt', lower(b.period), 'endsAt', upper(b.period)) ORDER BY lower(b.period))
          INTO v_held
          FROM bookings b
         WHERE b.resource_id = NEW.resource_id AND b.state IN ('pending', 'approved', 'in_use') AND b.period && NEW.period;
        IF v_held IS NOT NULL THEN
          RAISE EXCEPTION 'maintenance_overlaps_bookings' USING ERRCODE = 'PB409', DETAIL = v_held::text;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER maintenance_windows_refuse_held BEFORE INSERT OR UPDATE OF period, resource_id ON maintenance_windows
      FOR EACH ROW EXECUTE FUNCTION maintenance_windows_refuse_held()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER maintenance_windows_refuse_held ON maintenance_windows`);
    await q.query(`DROP FUNCTION maintenance_windows_refuse_held()`);
  }
}
