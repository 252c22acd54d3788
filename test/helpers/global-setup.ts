import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * Without DATABASE_URL the suite runs on a throw-away embedded PostgreSQL (the same engine as
 * `npm start`); with it, on that server. Each test file then creates its own fresh database.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    process.stdout.write(`\ntests: PostgreSQL server at ${new URL(process.env.DATABASE_URL).host}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'pilot-booking-test-'));
  chmodSync(dir, 0o755); // as root, the server runs as the OS user postgres and must reach it
  const db = await startEmbeddedPostgres({ clusterDir: join(dir, 'postgres') });
  process.env.TEST_ADMIN_DATABASE_URL = db.adminUrl;
  process.env.TEST_EMBEDDED_DIR = dir;
  (globalThis as { __embeddedPostgres?: typeof db }).__embeddedPostgres = db;
  process.stdout.write(`\ntests: embedded PostgreSQL in ${dir} (started in ${Date.now() - started} ms)\n`);
}
