import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Private calendar feed tokens. Calendar clients cannot send a bearer token, so a private feed URL
 * carries a random secret; only its sha256 is stored. A revoked token stays (for the audit trail's
 * references) but no longer opens its feed.
 */
export class Calendar1764104400000 implements MigrationInterface {
  name = 'Calendar1764104400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_feed_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        label text CHECK (char_length(label) BETWEEN 1 AND 100),
        created_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used_at timestamptz,
        CONSTRAINT calendar_feed_tokens_hash_key UNIQUE (token_hash),
        CHECK (revoked_at IS NULL OR revoked_at >= created_at)
      )`);
    await q.query(`CREATE INDEX calendar_feed_tokens_user_idx ON calendar_feed_tokens (user_id, created_at DESC) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_feed_tokens`);
  }
}
