import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Actual use: usage records (check-out, manual, Slurm import), their corrections, the Slurm mappings
 * of a facility and the stored imports.
 *
 * - `unit_hours numeric(14,4)`: exact decimal sums in SQL (a float total would drift and differ
 *   between the live figure and a snapshot), at a fixed scale so that each row holds exactly the figure
 *   that was shown and audited; 4 decimals are 0.36 unit-seconds, finer than any job's billing.
 * - A correction is a new row that `supersedes` the old one (at most one per row: unique index); the
 *   old row only gets its `superseded_by` mark, once. A trigger refuses every other UPDATE, and every
 *   DELETE and TRUNCATE: the history of actual use cannot be edited in place.
 * - A Slurm job is imported at most once per facility and cluster (unique index; imports use
 *   `INSERT … ON CONFLICT DO NOTHING` and count the duplicates).
 */
export class Usage1764207200000 implements MigrationInterface {
  name = 'Usage1764207200000';

  async up(q: QueryRunner): Promise<void> {
    // Composite keys, so that a mapping's or record's resource is one of its facility (enforced by FKs).
    await q.query(`CREATE UNIQUE INDEX resources_id_facility_key ON resources (id, facility_id)`);

    await q.query(`
      CREATE TABLE slurm_mappings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        facility_id uuid NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
        cluster text NOT NULL CHECK (cluster ~ '^[A-Za-z0-9._-]{1,64}$'),
        kind text NOT NULL CHECK (kind IN ('account', 'partition')),
        name text NOT NULL CHECK (name ~ '^[A-Za-z0-9._@+-]{1,128}$'),
        organisation_id uuid REFERENCES organisations(id) ON DELETE RESTRICT,
        resource_id uuid,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL,
        CONSTRAINT slurm_mappings_target CHECK ((kind = 'account') = (organisation_id IS NOT NULL) AND (kind = 'partition') = (resource_id IS NOT NULL)),
        CONSTRAINT slurm_mappings_resource_fk FOREIGN KEY (resource_id, facility_id) REFERENCES resources (id, facility_id) ON DELETE RESTRICT,
        CONSTRAINT slurm_mappings_unique UNIQUE (facility_id, cluster, kind, name)
      )`);

    await q.query(`
      CREATE TABLE usage_imports (
        id uuid PRIMARY KEY,
        facility_id uuid NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
        cluster text NOT NULL,
        file_name text NOT NULL,
        sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        bytes bigint NOT NULL CHECK (bytes >= 0),
        lines integer NOT NULL,
        imported integer NOT NULL,
        duplicates integer NOT NULL,
        steps integer NOT NULL,
        pending integer NOT NULL,
        running integer NOT NULL,
        zero integer NOT NULL,
        unmapped integer NOT NULL,
        rejected integer NOT NULL,
        unit_hours jsonb NOT NULL DEFAULT '{}'::jsonb,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        imported_by uuid REFERENCES users(id),
        imported_by_label text NOT NULL,
        imported_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX usage_imports_facility_idx ON usage_imports (facility_id, imported_at DESC, id)`);

    await q.query(`
      CREATE TABLE usage_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resource_id uuid NOT NULL,
        facility_id uuid NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
        booking_id uuid REFERENCES bookings(id) ON DELETE RESTRICT,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        -- half-open [starts_at, ends_at); empty for a check-out at the very instant of the check-in
        period tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
        unit text NOT NULL CHECK (unit IN ('hour', 'gpu_hour', 'core_hour', 'run')),
        units_used integer CHECK (units_used >= 1),
        unit_hours numeric(14,4) NOT NULL CHECK (unit_hours >= 0),
        source text NOT NULL CHECK (source IN ('check_out', 'manual', 'import')),
        note text CHECK (length(note) <= 2000),
        recorded_by uuid REFERENCES users(id),
        recorded_by_label text NOT NULL,
        recorded_at timestamptz NOT NULL,
        supersedes uuid REFERENCES usage_records(id) ON DELETE RESTRICT,
        superseded_by uuid REFERENCES usage_records(id) ON DELETE RESTRICT,
        superseded_at timestamptz,
        import_id uuid REFERENCES usage_imports(id) DEFERRABLE INITIALLY DEFERRED,
        slurm_cluster text,
        slurm_job_id text,
        slurm_user text,
        slurm_account text,
        slurm_partition text,
        slurm_state text,
        CONSTRAINT usage_records_resource_fk FOREIGN KEY (resource_id, facility_id) REFERENCES resources (id, facility_id) ON DELETE RESTRICT,
        CONSTRAINT usage_records_order CHECK (ends_at >= starts_at),
        CONSTRAINT usage_records_not_self CHECK (supersedes <> id AND superseded_by <> id),
        CONSTRAINT usage_records_superseded_pair CHECK ((superseded_by IS NULL) = (superseded_at IS NULL)),
        CONSTRAINT usage_records_import CHECK ((source = 'import') = (import_id IS NOT NULL) AND (slurm_job_id IS NULL OR (source = 'import' AND slurm_cluster IS NOT NULL)))
      )`);
    await q.query(`CREATE UNIQUE INDEX usage_records_supersedes_key ON usage_records (supersedes) WHERE supersedes IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX usage_records_slurm_job_key ON usage_records (facility_id, slurm_cluster, slurm_job_id) WHERE slurm_job_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX usage_records_check_out_key ON usage_records (booking_id) WHERE source = 'check_out'`);
    await q.query(`CREATE INDEX usage_records_facility_idx ON usage_records (facility_id, starts_at DESC, id)`);
    await q.query(`CREATE INDEX usage_records_organisation_idx ON usage_records (organisation_id, starts_at DESC, id)`);
    await q.query(`CREATE INDEX usage_records_resource_idx ON usage_records (resource_id, starts_at DESC)`);
    await q.query(`CREATE INDEX usage_records_booking_idx ON usage_records (booking_id) WHERE booking_id IS NOT NULL`);
    await q.query(`CREATE INDEX usage_records_import_idx ON usage_records (import_id) WHERE import_id IS NOT NULL`);

    // Append-only, except the superseded mark: set once, to a record that supersedes this one, nothing else changed.
    await q.query(`
      CREATE FUNCTION usage_records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.superseded_by IS NULL AND NEW.superseded_by IS NOT NULL AND NEW.superseded_at IS NOT NULL
           -- (period is generated from starts_at/ends_at, and NULL in NEW of a BEFORE trigger)
           AND (to_jsonb(NEW) - 'superseded_by' - 'superseded_at' - 'period') = (to_jsonb(OLD) - 'superseded_by' - 'superseded_at' - 'period')
           AND EXISTS (SELECT 1 FROM usage_records c WHERE c.id = NEW.superseded_by AND c.supersedes = OLD.id) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'usage_records is append-only (% refused): a correction is a new record that supersedes the old one', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER usage_records_append_only BEFORE UPDATE OR DELETE ON usage_records FOR EACH ROW EXECUTE FUNCTION usage_records_guard()`);
    await q.query(`CREATE TRIGGER usage_records_no_truncate BEFORE TRUNCATE ON usage_records FOR EACH STATEMENT EXECUTE FUNCTION usage_records_guard()`);
    // A stored import is a fact: never changed or removed.
    await q.query(
      `CREATE TRIGGER usage_imports_append_only BEFORE UPDATE OR DELETE ON usage_imports FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER usage_imports_no_truncate BEFORE TRUNCATE ON usage_imports FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE usage_records`);
    await q.query(`DROP FUNCTION usage_records_guard()`);
    await q.query(`DROP TABLE usage_imports`);
    await q.query(`DROP TABLE slurm_mappings`);
    await q.query(`DROP INDEX resources_id_facility_key`);
  }
}
