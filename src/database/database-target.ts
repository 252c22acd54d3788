import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { describeUrl, runMigrations } from './data-source-options';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseTarget {
  url: string;
  embedded: boolean;
  /** Stops the embedded server this process started; a no-op for a server database. */
  stop(): Promise<void>;
}

/**
 * DATABASE_URL set: that server. Unset: the embedded PostgreSQL under DATA_DIR/postgres.
 * Either way the schema is migrated before the app starts.
 */
export async function prepareDatabase(config: AppConfig, log: (m: string) => void): Promise<DatabaseTarget> {
  let target: DatabaseTarget;
  if (config.databaseUrl) {
    log(`database: PostgreSQL server at ${describeUrl(config.databaseUrl)} (DATABASE_URL)`);
    target = { url: config.databaseUrl, embedded: false, stop: () => Promise.resolve() };
  } else {
    const db = await startEmbeddedPostgres({ clusterDir: join(config.dataDir, 'postgres'), log });
    log(`database: embedded PostgreSQL at ${describeUrl(db.url)}, data in ${join(config.dataDir, 'postgres')} (DATABASE_URL unset)`);
    target = { url: db.url, embedded: true, stop: () => db.stop() };
  }
  try {
    await runMigrations(target.url, log);
  } catch (e) {
    await target.stop();
    throw e;
  }
  return target;
}
