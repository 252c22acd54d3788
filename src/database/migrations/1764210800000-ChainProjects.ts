import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chain projects (lab → pilot → industry) and their stage history, and the bookings' reference to
 * them. What the database enforces:
 * - stage and direction values (CHECKs);
 * - a project's stage moves one step at a time (trigger on projects);
 * - exactly one open history row per project (partial unique index), whose stage is the project's
 *   stage at commit (deferred constraint trigger);
 * - history rows are append-only: the only change allowed is closing an open row (`left_on` from
 *   NULL to a date not before `entered_on`); DELETE and TRUNCATE are refused;
 * - a booking names a project of its own organisation (composite foreign key).
 *
 * Until now `bookings.project_id` was stored unvalidated and no projects existed, so every non-null
 * value points nowhere: the values are copied to `bookings_dropped_project_refs` (nothing is lost)
 * and set to NULL before the foreign key is added.
 */
export class ChainProjects1764210800000 implements MigrationInterface {
  name = 'ChainProjects1764210800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION chain_stage_index(p_stage text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE p_stage WHEN 'lab_validation' THEN 1 WHEN 'pilot_maturation' THEN 2 WHEN 'industrialisation' THEN 3 END
      $$`);
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
        title_zh text NOT NULL CHECK (length(btrim(title_zh)) BETWEEN 1 AND 200),
        title_en text CHECK (length(btrim(title_en)) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
        direction text NOT NULL CHECK (direction IN ('artificial_intelligence', 'new_energy', 'new_materials', 'green_low_carbon', 'deep_sea_earth_space', 'life_health')),
        stage text NOT NULL CHECK (stage IN ('lab_validation', 'pilot_maturation', 'industrialisation')),
        started_on date NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE RESTRICT,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- the target of the bookings' composite foreign key (a booking names its own organisation's project)
        CONSTRAINT projects_id_organisation_key UNIQUE (id, organisation_id)
      )`);
    await q.query(`CREATE INDEX projects_organisation_idx ON projects (organisation_id, created_at DESC, id)`);
    await q.query(`CREATE INDEX projects_order_idx ON projects (created_at DESC, id)`);

    await q.query(`
      CREATE TABLE project_stage_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE RESTRICT,
        stage text NOT NULL CHECK (stage IN ('lab_validation', 'pilot_maturation', 'industrialisation')),
        entered_on date NOT NULL,
        left_on date CHECK (left_on >= entered_on),
        -- how the stage was entered: the project's start, an advance (with evidence) or a revert (with a reason)
        move text NOT NULL CHECK (move IN ('start', 'advance', 'revert')),
        evidence text CHECK (length(btrim(evidence)) BETWEEN 1 AND 5000),
        reason text CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
        entered_by uuid REFERENCES users(id) ON DELETE RESTRICT,
        entered_at timestamptz NOT NULL,
        CHECK ((move = 'advance') = (evidence IS NOT NULL)),
        CHECK ((move = 'revert') = (reason IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX project_stage_history_one_open ON project_stage_history (project_id) WHERE left_on IS NULL`);
    await q.query(`CREATE INDEX project_stage_history_project_idx ON project_stage_history (project_id, id)`);

    // History is append-only, except closing the open row once.
    await q.query(`
      CREATE FUNCTION project_stage_history_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.left_on IS NULL AND NEW.left_on IS NOT NULL
           AND (NEW.id, NEW.project_id, NEW.stage, NEW.entered_on, NEW.move, NEW.evidence, NEW.reason, NEW.entered_by, NEW.entered_at)
               IS NOT DISTINCT FROM (OLD.id, OLD.project_id, OLD.stage, OLD.entered_on, OLD.move, OLD.evidence, OLD.reason, OLD.entered_by, OLD.entered_at) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'project_stage_history is append-only: only closing an open row (left_on) is allowed (% refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER project_stage_history_append_only BEFORE UPDATE OR DELETE ON project_stage_history
      FOR EACH ROW EXECUTE FUNCTION project_stage_history_guard()`);
    await q.query(`
      CREATE TRIGGER project_stage_history_no_truncate BEFORE TRUNCATE ON project_stage_history
      FOR EACH STATEMENT EXECUTE FUNCTION project_stage_history_guard()`);

    // A project's stage moves one step at a time.
    await q.query(`
      CREATE FUNCTION projects_stage_step() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF abs(chain_stage_index(NEW.stage) - chain_stage_index(OLD.stage)) > 1 THEN
          RAISE EXCEPTION 'a project moves one stage at a time (% → % refused)', OLD.stage, NEW.stage USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER projects_stage_one_step BEFORE UPDATE OF stage ON projects
      FOR EACH ROW EXECUTE FUNCTION projects_stage_step()`);

    // At commit, the project's stage is that of its one open history row.
    await q.query(`
      CREATE FUNCTION project_stage_consistent() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_project uuid;
        v_stage text;
        v_open text;
      BEGIN
        IF TG_TABLE_NAME = 'projects' THEN
          v_project := NEW.id;
        ELSE
          v_project := NEW.project_id;
        END IF;
        SELECT stage INTO v_stage FROM projects WHERE id = v_project;
        SELECT stage INTO v_open FROM project_stage_history WHERE project_id = v_project AND left_on IS NULL;
        IF v_open IS NULL OR v_open IS DISTINCT FROM v_stage THEN
          RAISE EXCEPTION 'project %: stage % but the open history row is %', v_project, v_stage, coalesce(v_open, 'missing')
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER projects_stage_matches_history AFTER INSERT OR UPDATE OF stage ON projects
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION project_stage_consistent()`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER project_stage_history_matches_project AFTER INSERT OR UPDATE ON project_stage_history
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION project_stage_consistent()`);

    // Bookings: keep the dangling references, then enforce them.
    await q.query(`
      CREATE TABLE bookings_dropped_project_refs (
        booking_id uuid PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
        project_ref uuid NOT NULL,
        dropped_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO bookings_dropped_project_refs (booking_id, project_ref) SELECT id, project_id FROM bookings WHERE project_id IS NOT NULL`);
    await q.query(`UPDATE bookings SET project_id = NULL WHERE project_id IS NOT NULL`);
    await q.query(`
      ALTER TABLE bookings ADD CONSTRAINT bookings_project_fk
        FOREIGN KEY (project_id, organisation_id) REFERENCES projects (id, organisation_id) ON DELETE RESTRICT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings DROP CONSTRAINT bookings_project_fk`);
    await q.query(`UPDATE bookings b SET project_id = d.project_ref FROM bookings_dropped_project_refs d WHERE d.booking_id = b.id`);
    await q.query(`DROP TABLE bookings_dropped_project_refs`);
    await q.query(`DROP TABLE project_stage_history`);
    await q.query(`DROP TABLE projects`);
    await q.query(`DROP FUNCTION project_stage_consistent()`);
    await q.query(`DROP FUNCTION projects_stage_step()`);
    await q.query(`DROP FUNCTION project_stage_history_guard()`);
    await q.query(`DROP FUNCTION chain_stage_index(text)`);
  }
}
