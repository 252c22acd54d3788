import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres;
  if (db) await db.stop();
  if (process.env.TEST_EMBEDDED_DIR) rmSync(process.env.TEST_EMBEDDED_DIR, { recursive: true, force: true });
}
