import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Official indicators (src/reports/indicators.ts):
 * - the daily snapshot facts also keep the booking's service category, whether the use was internal (the
 *   operator's own organisation) and the completed bookings ending in the day; snapshots built before this
 *   migration lack them and are dropped (the job rebuilds them, reports compute those days live meanwhile);
 * - `indicator_references`: the reference values a resource-year is compared with, per year, kept by admins;
 *   the national averages reported for 2025 and the 1,200-hour full-use line to start with.
 */
export class Indicators1764225200000 implements MigrationInterface {
  name = 'Indicators1764225200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM report_days`);
    await q.query(`ALTER TABLE report_day_facts ADD COLUMN service_category text`);
    await q.query(`ALTER TABLE report_day_facts ADD COLUMN internal boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE report_day_facts ADD COLUMN completed integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE indicator_references (
        year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
        effective_hours numeric(10,2) NOT NULL CHECK (effective_hours >= 0 AND effective_hours <= 8784),
        external_hours numeric(10,2) NOT NULL CHECK (external_hours >= 0 AND external_hours <= 8784),
        full_use_hours numeric(10,2) NOT NULL CHECK (full_use_hours >= 0 AND full_use_hours <= 8784),
        source text NOT NULL CHECK (length(btrim(source)) BETWEEN 1 AND 500),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL
      )`);
    await q.query(`
      INSERT INTO indicator_references (year, effective_hours, external_hours, full_use_hours, source)
      VALUES (2025, 1599, 273, 1200,
              '2025 national averages of the MOST/MOF evaluation of open sharing of large research instruments (年有效工作机时 1,599 h, 对外服务机时 273 h); 1,200 h: the full-use line')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE indicator_references`);
    await q.query(`DELETE FROM report_days`);
    await q.query(`ALTER TABLE report_day_facts DROP COLUMN completed`);
    await q.query(`ALTER TABLE report_day_facts DROP COLUMN internal`);
    await q.query(`ALTER TABLE report_day_facts DROP COLUMN service_category`);
  }
}
