import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions with rotating refresh tokens (stored as sha256 only), PostgreSQL-backed throttle buckets
 * shared by every app instance, and the users' password-change flag.
 */
export class Security1764093600000 implements MigrationInterface {
  name = 'Security1764093600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE users ADD COLUMN password_changed_at timestamptz`);
    // The last-admin rule counts these.
    await q.query(`CREATE INDEX users_active_admins_idx ON users (id) WHERE role = 'admin' AND active`);

    // A session is one login and the family of refresh tokens rotated from it; access tokens name it (`sid`).
    await q.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_refreshed_at timestamptz,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('logout', 'logout_all', 'refresh_token_reused', 'password_changed', 'password_reset', 'deactivated')),
        ip text,
        user_agent text,
        CONSTRAINT auth_sessions_revocation_complete CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_live_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX auth_sessions_expires_idx ON auth_sessions (expires_at)`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        replaced_by uuid REFERENCES refresh_tokens(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash)`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);

    // Fixed-window counters for login/registration throttling and account lockout, keyed e.g.
    // 'login:ip:203.0.113.7' or 'login:account:someone@example.cn'.
    await q.query(`
      CREATE TABLE throttle_buckets (
        key text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        hits integer NOT NULL CHECK (hits >= 0),
        blocked_until timestamptz,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX throttle_buckets_expires_idx ON throttle_buckets (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE throttle_buckets`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE auth_sessions`);
    await q.query(`DROP INDEX users_active_admins_idx`);
    await q.query(`ALTER TABLE users DROP COLUMN password_changed_at`);
    await q.query(`ALTER TABLE users DROP COLUMN must_change_password`);
  }
}
