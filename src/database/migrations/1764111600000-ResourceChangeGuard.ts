import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Changes to a resource that would break bookings already holding it are refused by the database:
 * switching between exclusive and pooled while bookings hold it, and shrinking a pool below the
 * units held at the busiest moment still to come. SQLSTATE PB409; the message is the error code and
 * the DETAIL a JSON object with the figures. `resource_peak_held_units` is the one computation of
 * "units held at the busiest instant", shared by this trigger and the pool check of booking requests.
 */
export class ResourceChangeGuard1764111600000 implements MigrationInterface {
  name = 'ResourceChangeGuard1764111600000';

  async up(q: QueryRunner): Promise<void> {
    // Half-open ranges: at an instant where one hold ends and another starts, the end counts first.
    await q.query(`
      CREATE FUNCTION resource_peak_held_units(p_resource uuid, p_from timestamptz, p_to timestamptz)
      RETURNS integer LANGUAGE sql STABLE AS $$
        WITH held AS (
          SELECT greatest(lower(blocked), p_from) AS s, least(upper(blocked), p_to) AS e, units
            FROM bookings
           WHERE resource_id = p_resource AND state IN ('pending', 'approved', 'in_use') AND blocked && tstzrange(p_from, p_to)
        ), events AS (
          SELECT s AS t, units AS delta FROM held UNION ALL SELECT e, -units FROM held
        )
        SELECT coalesce(max(running), 0)::integer
          FROM (SELECT sum(delta) OVER (ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS running FROM events) x
      $$`);
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
          v_peak := resource_peak_held_units(NEW.id, '-infinity', 'infinity');
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
    await q.query(`DROP FUNCTION resource_peak_held_units(uuid, timestamptz, timestamptz)`);
  }
}
