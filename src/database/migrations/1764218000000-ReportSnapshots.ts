import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Daily snapshots of the utilisation figures (src/reports/report-snapshots.service.ts).
 *
 * - `report_days`: the days (Asia/Shanghai) whose facts are stored;
 * - `report_day_facts`: per day, per resource, per booking stage and using organisation: the summable parts of
 *   every figure (the facts of src/reports/utilisation-figures.ts, pre-aggregated); decision times as an array
 *   so that medians stay exact;
 * - `report_day_changes`: one row per change that touches a day that has started or has a snapshot, written by
 *   triggers in the changing transaction (bookings, usage records, maintenance windows). A day with a change row
 *   is stale: reports compute it live until the snapshot job rebuilds it and deletes the rows it saw. Plain
 *   inserts, no unique key: concurrent writers never wait on each other here.
 */
export class ReportSnapshots1764218000000 implements MigrationInterface {
  name = 'ReportSnapshots1764218000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_days (
        day date PRIMARY KEY,
        computed_at timestamptz NOT NULL,
        fact_rows integer NOT NULL CHECK (fact_rows >= 0)
      )`);
    await q.query(`
      CREATE TABLE report_day_facts (
        day date NOT NULL REFERENCES report_days(day) ON DELETE CASCADE,
        resource_id uuid NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
        -- NULL: the availability row; else the booking's stage, or 'unassigned' for usage without a booking
        stage text,
        -- the using organisation of usage rows; NULL for availability and bookings
        organisation_id uuid,
        sme boolean NOT NULL,
        available numeric NOT NULL,
        held numeric NOT NULL,
        used numeric NOT NULL,
        started integer NOT NULL,
        no_shows integer NOT NULL,
        decided integer NOT NULL,
        approved integer NOT NULL,
        decision_hours numeric[] NOT NULL,
        income_fen bigint NOT NULL
      )`);
    await q.query(`CREATE INDEX report_day_facts_day_idx ON report_day_facts (day, resource_id)`);
    await q.query(`
      CREATE TABLE report_day_changes (
        id bigserial PRIMARY KEY,
        day date NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX report_day_changes_day_idx ON report_day_changes (day)`);

    // The days [p_from, p_to] (closed: an end at midnight also touches the next day, harmless) that have started
    // or already have a snapshot. clock_timestamp(), not now(): a long transaction that began yesterday and writes
    // into yesterday after midnight still marks it.
    await q.query(`
      CREATE FUNCTION report_days_touch(p_from timestamptz, p_to timestamptz) RETURNS void LANGUAGE sql AS $$
        INSERT INTO report_day_changes (day)
        SELECT g.d::date
          FROM generate_series((p_from AT TIME ZONE 'Asia/Shanghai')::date, (p_to AT TIME ZONE 'Asia/Shanghai')::date, interval '1 day') AS g(d)
         WHERE (g.d AT TIME ZONE 'Asia/Shanghai') <= clock_timestamp()
            OR EXISTS (SELECT 1 FROM report_days rd WHERE rd.day = g.d::date)
      $$`);
    await q.query(`
      CREATE FUNCTION bookings_touch_report_days() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (OLD.state, OLD.period, OLD.units, OLD.stage, OLD.price_fen, OLD.decided_at, OLD.decided_by, OLD.organisation_id, OLD.resource_id)
                           IS NOT DISTINCT FROM (NEW.state, NEW.period, NEW.units, NEW.stage, NEW.price_fen, NEW.decided_at, NEW.decided_by, NEW.organisation_id, NEW.resource_id) THEN
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
      END $$`);
    await q.query(`
      CREATE TRIGGER bookings_touch_report_days AFTER INSERT OR UPDATE OR DELETE ON bookings
        FOR EACH ROW EXECUTE FUNCTION bookings_touch_report_days()`);
    await q.query(`
      CREATE FUNCTION usage_records_touch_report_days() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM report_days_touch(NEW.starts_at, NEW.ends_at);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER usage_records_touch_report_days AFTER INSERT OR UPDATE ON usage_records
        FOR EACH ROW EXECUTE FUNCTION usage_records_touch_report_days()`);
    await q.query(`
      CREATE FUNCTION maintenance_touch_report_days() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM report_days_touch(lower(OLD.period), upper(OLD.period)); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM report_days_touch(lower(NEW.period), upper(NEW.period)); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER maintenance_touch_report_days AFTER INSERT OR UPDATE OR DELETE ON maintenance_windows
        FOR EACH ROW EXECUTE FUNCTION maintenance_touch_report_days()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER maintenance_touch_report_days ON maintenance_windows`);
    await q.query(`DROP FUNCTION maintenance_touch_report_days()`);
    await q.query(`DROP TRIGGER usage_records_touch_report_days ON usage_records`);
    await q.query(`DROP FUNCTION usage_records_touch_report_days()`);
    await q.query(`DROP TRIGGER bookings_touch_report_days ON bookings`);
    await q.query(`DROP FUNCTION bookings_touch_report_days()`);
    await q.query(`DROP FUNCTION report_days_touch(timestamptz, timestamptz)`);
    await q.query(`DROP TABLE report_day_changes`);
    await q.query(`DROP TABLE report_day_facts`);
    await q.query(`DROP TABLE report_days`);
  }
}
