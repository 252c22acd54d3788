import { MigrationInterface, QueryRunner } from 'typeorm';

/** The web console's per-user settings (the language of the pages, zh-CN by default). */
export class ConsolePreferences1764228800000 implements MigrationInterface {
  name = 'ConsolePreferences1764228800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_preferences (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        language text NOT NULL CHECK (language IN ('zh-CN', 'en')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE console_preferences`);
  }
}
