import { MigrationInterface, QueryRunner } from 'typeorm';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

const FACILITY_KINDS = ['verification_centre', 'pilot_platform', 'supercomputing_centre', 'intelligent_computing_centre'];
const DIRECTIONS = ['artificial_intelligence', 'new_energy', 'new_materials', 'green_low_carbon', 'deep_sea_earth_space', 'life_health'];
const STAGES = ['lab_validation', 'pilot_maturation', 'industrialisation'];
const CITY_CODES = ['210100', '210200', '210300', '210400', '210500', '210600', '210700', '210800', '210900', '211000', '211100', '211200', '211300', '211400'];

/**
 * The catalogue: facilities, their resources, weekly opening hours and maintenance windows.
 * (The vocabularies are written out here, not imported, so the migration never changes after the fact.)
 */
export class Catalogue1764090000000 implements MigrationInterface {
  name = 'Catalogue1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE facilities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
        kind text NOT NULL CHECK (kind IN (${list(FACILITY_KINDS)})),
        name_zh text NOT NULL CHECK (length(btrim(name_zh)) > 0),
        name_en text NOT NULL CHECK (length(btrim(name_en)) > 0),
        city_code char(6) NOT NULL CHECK (city_code IN (${list(CITY_CODES)})),
        address text NOT NULL CHECK (length(btrim(address)) > 0),
        directions text[] NOT NULL CHECK (cardinality(directions) > 0 AND directions <@ ARRAY[${list(DIRECTIONS)}]::text[]),
        stages text[] NOT NULL CHECK (cardinality(stages) > 0 AND stages <@ ARRAY[${list(STAGES)}]::text[]),
        time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
        description text NOT NULL DEFAULT '',
        contact text NOT NULL DEFAULT '',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_text text GENERATED ALWAYS AS (lower(name_zh || ' ' || name_en || ' ' || description)) STORED
      )`);
    await q.query(`CREATE INDEX facilities_operator_idx ON facilities (operator_id)`);
    await q.query(`CREATE INDEX facilities_browse_idx ON facilities (city_code, name_zh, id)`);
    await q.query(`CREATE INDEX facilities_directions_idx ON facilities USING gin (directions)`);
    await q.query(`CREATE INDEX facilities_stages_idx ON facilities USING gin (stages)`);
    await q.query(`CREATE INDEX facilities_search_trgm_idx ON facilities USING gin (search_text gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE resources (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        facility_id uuid NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
        name_zh text NOT NULL CHECK (length(btrim(name_zh)) > 0),
        name_en text NOT NULL CHECK (length(btrim(name_en)) > 0),
        description text NOT NULL DEFAULT '',
        mode text NOT NULL CHECK (mode IN ('exclusive', 'pooled')),
        capacity integer NOT NULL,
        unit text NOT NULL CHECK (unit IN ('hour', 'gpu_hour', 'core_hour', 'run')),
        min_duration_minutes integer NOT NULL CHECK (min_duration_minutes >= 1),
        max_duration_minutes integer NOT NULL,
        lead_time_minutes integer NOT NULL DEFAULT 0 CHECK (lead_time_minutes >= 0),
        horizon_days integer NOT NULL CHECK (horizon_days >= 1),
        buffer_before_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0),
        buffer_after_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0),
        approval_required boolean NOT NULL DEFAULT true,
        price_per_unit_hour_fen bigint NOT NULL CHECK (price_per_unit_hour_fen >= 0),
        sme_discount_percent integer NOT NULL DEFAULT 0 CHECK (sme_discount_percent BETWEEN 0 AND 100),
        max_unit_hours_per_30_days integer CHECK (max_unit_hours_per_30_days >= 1),
        max_open_requests integer CHECK (max_open_requests >= 1),
        spec jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(spec) = 'object'),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_text text GENERATED ALWAYS AS (lower(name_zh || ' ' || name_en || ' ' || description)) STORED,
        CONSTRAINT resources_capacity_fits_mode CHECK (capacity >= 1 AND (mode = 'pooled' OR capacity = 1)),
        CONSTRAINT resources_duration_range CHECK (max_duration_minutes >= min_duration_minutes)
      )`);
    await q.query(`CREATE INDEX resources_facility_idx ON resources (facility_id)`);
    await q.query(`CREATE INDEX resources_search_trgm_idx ON resources USING gin (search_text gin_trgm_ops)`);

    // Weekly schedule, local time of the facility's zone; half-open [opens, closes), '24:00' allowed.
    await q.query(`
      CREATE TABLE opening_hours (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resource_id uuid NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
        weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
        opens time NOT NULL,
        closes time NOT NULL,
        CONSTRAINT opening_hours_well_formed CHECK (opens < closes),
        CONSTRAINT opening_hours_no_overlap EXCLUDE USING gist (
          resource_id WITH =,
          weekday WITH =,
          tsrange('2000-01-03'::date + opens, '2000-01-03'::date + closes) WITH &&
        )
      )`);

    await q.query(`
      CREATE TABLE maintenance_windows (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resource_id uuid NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
        period tstzrange NOT NULL CHECK (
          NOT isempty(period) AND lower_inc(period) AND NOT upper_inc(period) AND NOT lower_inf(period) AND NOT upper_inf(period)
        ),
        reason text NOT NULL CHECK (length(btrim(reason)) > 0),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX maintenance_windows_resource_period_idx ON maintenance_windows USING gist (resource_id, period)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE maintenance_windows`);
    await q.query(`DROP TABLE opening_hours`);
    await q.query(`DROP TABLE resources`);
    await q.query(`DROP TABLE facilities`);
  }
}
