import { MigrationInterface, QueryRunner } from 'typeorm';

/** Provisional (replaced by the service-category branch): bookings.service_category with a backfill by facility kind. */
export class ServiceCategories1764221600000 implements MigrationInterface {
  name = 'ServiceCategories1764221600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings ADD COLUMN service_category text`);
    await q.query(`
      UPDATE bookings b SET service_category = CASE
               WHEN f.kind IN ('supercomputing_centre', 'intelligent_computing_centre') OR r.unit IN ('gpu_hour', 'core_hour') THEN 'compute'
               WHEN f.kind = 'verification_centre' THEN 'performance_testing'
               WHEN b.stage = 'industrialisation' THEN 'small_batch_trial_production'
               ELSE 'process_scale_up' END
        FROM resources r JOIN facilities f ON f.id = r.facility_id
       WHERE r.id = b.resource_id`);
    await q.query(`ALTER TABLE bookings ALTER COLUMN service_category SET DEFAULT 'process_scale_up'`);
    await q.query(`ALTER TABLE bookings ALTER COLUMN service_category SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings DROP COLUMN service_category`);
  }
}
