import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Changes to a resource that would break bookings already holding it are refused by the database:
 * switching between exclusive and pooled while bookings hold it, and shrinking a pool below the
 * units held at the busiest moment still to come. SQLSTATE PB409; the message is the error code and
 * the DETAIL a JSON object with the figures.
 */
export class ResourceChangeGuard1764111600000 implements MigrationInterface {
  name = 'ResourceChangeGuard1764111600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION resources_refuse_breaking_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_holding integer;
        v_peak integer;
      BEGIN
        IF NEW.mode <> OLD.mode THEN
          SELECT count(*) INTO v_holding FROM bookings
           WHERE resource_id = NEW.id AND state IN ('pending', 'approved', 'in_use');
          IF v_holding > 0 THEN
            RAISE EXCEPTION 'resource_mode_in_use' USING ERRCODE = 'PB409',
              DETAIL = jsonb_build_object('holdingBookings', v_holding)::text;
          END IF;
        END IF;
        IF NEW.capacity < OLD.capacity THEN
          SELECT coalesce(max(running), 0) INTO v_peak FROM (
            SELECT sum(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS running FROM (
              SELECT lower(blocked) AS t, units AS d FROM bookings WHERE resource_id = NEW.id AND state IN ('pending', 'approved', 'in_use')
              UNION ALL
              SELECT upper(blocked), -units FROM bookings WHERE resource_id = NEW.id AND state IN ('pending', 'approved', 'in_use')
            ) ev
          ) x;
          IF v_peak > NEW.capacity THEN
            RAISE EXCEPTION 'capacity_below_holds' USING ERRCODE = 'PB409',
              DETAIL = jsonb_build_object('peakHeldUnits', v_peak, 'capacity', NEW.capacity)::text;
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER resources_refuse_breaking_change BEFORE UPDATE OF mode, capacity ON resources
      FOR EACH ROW EXECUTE FUNCTION resources_refuse_breaking_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER resources_refuse_breaking_change ON resources`);
    await q.query(`DROP FUNCTION resources_refuse_breaking_change()`);
  }
}
