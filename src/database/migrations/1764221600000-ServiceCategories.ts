import { MigrationInterface, QueryRunner } from 'typeorm';

/** SERVICE_CATEGORIES of src/catalogue/catalogue.constants.ts, as the CHECK lists them. */
const CATEGORIES = `('process_scale_up', 'type_testing', 'performance_testing', 'small_batch_trial_production', 'equipment_sharing', 'application_validation', 'compute')`;

/**
 * The service category of every booking (`bookings.service_category`): one of the six pilot-platform services
 * of the 2024 national guidance for manufacturing pilot platforms, or `compute`.
 *
 * - `resource_is_compute(kind, unit)`: the SQL twin of `isComputeResource` (catalogue.constants.ts), IMMUTABLE:
 *   a resource of a supercomputing or intelligent-computing centre, or one measured in `gpu_hour` / `core_hour`.
 * - Existing bookings are filled by this rule (there was no way to say the category before):
 *   compute resources → `compute`; resources of a verification centre → `performance_testing`;
 *   the rest (pilot platforms) → `small_batch_trial_production` for bookings at the `industrialisation` stage,
 *   else `process_scale_up`. Then NOT NULL and a CHECK listing the values.
 * - `bookings_touch_report_days()` (migration ReportSnapshots) compares `service_category` too, so that a change
 *   of it marks the booking's days stale. It is replaced after the backfill: filling the new column is no change
 *   to any figure stored so far, and must not mark every past day stale.
 */
export class ServiceCategories1764221600000 implements MigrationInterface {
  name = 'ServiceCategories1764221600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION resource_is_compute(p_kind text, p_unit text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
        SELECT p_kind IN ('supercomputing_centre', 'intelligent_computing_centre') OR p_unit IN ('gpu_hour', 'core_hour')
      $$`);
    await q.query(`ALTER TABLE bookings ADD COLUMN service_category text`);
    await q.query(`
      UPDATE bookings b
         SET service_category = CASE
               WHEN resource_is_compute(f.kind, r.unit) THEN 'compute'
               WHEN f.kind = 'verification_centre' THEN 'performance_testing'
               WHEN b.stage = 'industrialisation' THEN 'small_batch_trial_production'
               ELSE 'process_scale_up'
             END
        FROM resources r, facilities f
       WHERE r.id = b.resource_id AND f.id = b.facility_id`);
    await q.query(`ALTER TABLE bookings ALTER COLUMN service_category SET NOT NULL`);
    await q.query(`ALTER TABLE bookings ADD CONSTRAINT bookings_service_category_check CHECK (service_category IN ${CATEGORIES})`);
    await q.query(touchFunction(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(touchFunction(false));
    await q.query(`ALTER TABLE bookings DROP COLUMN service_category`);
    await q.query(`DROP FUNCTION resource_is_compute(text, text)`);
  }
}

/** `bookings_touch_report_days()` of migration ReportSnapshots, with (or, for `down`, without) `service_category` compared. */
function touchFunction(withCategory: boolean): string {
  const category = (row: 'OLD' | 'NEW') => (withCategory ? `, ${row}.service_category` : '');
  return `
      CREATE OR REPLACE FUNCTION bookings_touch_report_days() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (OLD.state, OLD.period, OLD.units, OLD.stage, OLD.price_fen, OLD.decided_at, OLD.decided_by, OLD.organisation_id, OLD.resource_id${category('OLD')})
                           IS NOT DISTINCT FROM (NEW.state, NEW.period, NEW.units, NEW.stage, NEW.price_fen, NEW.decided_at, NEW.decided_by, NEW.organisation_id, NEW.resource_id${category('NEW')}) THEN
          RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' THEN
          PERFORM report_days_touch(lower(OLD.period), upper(OLD.period));
          IF OLD.decided_at IS NOT NULL THEN PERFORM report_days_touch(OLD.decided_at, OLD.decided_at); END IF;
        END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.period IS DISTINCT FROM OLD.period) THEN
          PERFORM report_days_touch(lower(NEW.period), upper(NEW.period));
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.decided_at IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.decided_at IS DISTINCT FROM OLD.decided_at) THEN
          PERFORM report_days_touch(NEW.decided_at, NEW.decided_at);
        END IF;
        RETURN NULL;
      END $$`;
}
