import { MigrationInterface, QueryRunner } from 'typeorm';

/** Organisations, users and the append-only, hash-chained audit log. */
export class Foundation1764086400000 implements MigrationInterface {
  name = 'Foundation1764086400000';

  async up(q: QueryRunner): Promise<void> {
    // btree_gist: exclusion constraints on (resource, time range); pg_trgm: substring search.
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('enterprise', 'operator', 'authority')),
        name_zh text NOT NULL CHECK (length(btrim(name_zh)) > 0),
        name_en text,
        credit_code char(18) UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
        sme boolean NOT NULL DEFAULT false,
        city_code char(6) CHECK (city_code ~ '^[0-9]{6}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT enterprise_has_credit_code CHECK (kind <> 'enterprise' OR credit_code IS NOT NULL)
      )`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email) AND position('@' in email) > 1),
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('enterprise', 'operator', 'official', 'admin')),
        organisation_id uuid REFERENCES organisations(id) ON DELETE RESTRICT,
        password_hash text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT admins_have_no_organisation CHECK ((role = 'admin') = (organisation_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);
    await q.query(`CREATE INDEX users_organisation_idx ON users (organisation_id)`);

    await q.query(`
      CREATE TABLE audit_entries (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'system', 'job')),
        actor_user_id uuid,
        actor_label text NOT NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        organisation_id uuid,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash text,
        hash text NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX audit_entries_entity_idx ON audit_entries (entity_type, entity_id)`);
    await q.query(`CREATE INDEX audit_entries_actor_idx ON audit_entries (actor_user_id)`);
    await q.query(`CREATE INDEX audit_entries_organisation_idx ON audit_entries (organisation_id)`);
    // Append-only: the database itself refuses to change or remove history.
    await q.query(`
      CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_entries`);
    await q.query(`DROP FUNCTION audit_entries_refuse_change()`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE organisations`);
  }
}
