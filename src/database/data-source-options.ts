import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** One place that says how the app talks to PostgreSQL; used by the app, the CLI and the tests. */
export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // connectionTimeoutMillis: a request fails (503) rather than hang while the database is unreachable.
    // jit=off: the report queries' row estimates (CTEs over snapshots) look expensive enough for PostgreSQL
    // to JIT-compile them, which cost ~1 s of a 2.5 s report on the bench province and never paid back.
    extra: { max: poolSize, application_name: 'pilot-booking', connectionTimeoutMillis: 5000, options: '-c jit=off' },
    ...extra,
    // TypeORM's own logger prints failed and slow statements with their bound parameters (a user's
    // argon2 hash, a token's hash): always off, and no maxQueryExecutionTime. Failures reach the
    // problem filter, which logs them without parameters.
    logging: false,
  } as DataSourceOptions;
}

/** Applies pending migrations under an advisory lock, so several instances starting together queue. */
export async function runMigrations(url: string, log: (m: string) => void = () => undefined): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, { extra: { max: 1 } }));
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(7316001)');
    const applied = await ds.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied migration ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    await ds.query('SELECT pg_advisory_unlock(7316001)').catch(() => undefined);
    await ds.destroy();
  }
}

/** Tells a server URL from the embedded one in logs without printing the password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
