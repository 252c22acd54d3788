import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { loadAppConfig } from '../../src/config/app-config';
import { runMigrations } from '../../src/database/data-source-options';
import { DemoSeeder } from '../../src/database/seed/demo-seeder';
import { DEMO_PASSWORD } from '../../src/database/seed/demo-accounts';
import { ContractChecker } from './contract';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  /**
   * supertest bound to the app's HTTP server. Every answer is also held against the app's own
   * /docs-json (status, content type, body schema): a mismatch fails the request with the operation
   * and the schema errors. Paths outside /api/ that the document does not list (/docs, /docs-json) are
   * not checked; under /api/ only Nest's "No route" 404 may come from an undocumented path.
   */
  http: () => ReturnType<typeof request>;
  /** supertest without the contract check: only for requests that deliberately leave the documented API. */
  rawHttp: () => ReturnType<typeof request>;
  /** The app's OpenAPI document (as served at /docs-json) and its checker. */
  contract: ContractChecker;
  databaseUrl: string;
  /** A plain pg client on the test database, for checks in SQL. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Logs in (demo password by default) and returns the bearer access token. */
  login(email: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh database on the suite's PostgreSQL (embedded or server), migrated. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_ADMIN_DATABASE_URL is not set: run the tests with `npm test` (jest globalSetup starts the database).');
  const name = `pb_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestAppOptions {
  /** Load the demo accounts (as the embedded start-up does). Default true. */
  demo?: boolean;
  /** Also load the demo history (a year of bookings, use and imports), as a fresh `npm start` does. Default false. */
  demoHistory?: boolean;
  /** Extra environment for loadAppConfig. */
  env?: Record<string, string>;
  /** Reuse an existing database (e.g. two app instances on one database); not dropped on close. */
  databaseUrl?: string;
}

/** Boots the real app (the same setup as main.ts) on a fresh database, without listening on a port. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.databaseUrl ? { url: options.databaseUrl, drop: () => Promise.resolve() } : await createTestDatabase();
  const config = loadAppConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    JOBS_ENABLED: 'false', // tests run the jobs by hand, with a moved clock
    ...options.env,
  });
  const app = await createApp(config, { url: db.url, embedded: false, stop: () => Promise.resolve() });
  await app.init();
  if (options.demo !== false) await app.get(DemoSeeder).seed({ history: options.demoHistory === true });
  const pg = new Client({ connectionString: db.url });
  // A test that cuts the database away (outage.e2e-spec.ts) must not crash on this idle client.
  pg.on('error', () => undefined);
  await pg.connect();
  const rawHttp = () => request(app.getHttpServer());
  const docs = await rawHttp().get('/docs-json');
  if (docs.status !== 200) throw new Error(`/docs-json answered ${docs.status}`);
  const contract = new ContractChecker(docs.body);
  const http = () => withContract(rawHttp(), contract);
  return {
    app,
    http,
    rawHttp,
    contract,
    databaseUrl: db.url,
    sql: async <T>(text: string, params?: unknown[]) => (await pg.query(text, params)).rows as T[],
    login: async (email: string, password = DEMO_PASSWORD) => {
      const res = await http().post('/api/v1/auth/login').send({ email, password });
      if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    close: async () => {
      await pg.end();
      await app.close();
      await db.drop();
    },
  };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** The supertest agent with a contract assertion added to each request it makes (run whether or not the test calls `.expect`). */
function withContract(agent: ReturnType<typeof request>, contract: ContractChecker): ReturnType<typeof request> {
  return new Proxy(agent, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !HTTP_METHODS.has(prop) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (...a: unknown[]) => request.Test).call(target, url, ...rest);
        return test.expect((res: request.Response) => {
          const path = new URL(url, 'http://x').pathname;
          const result = contract.check(prop, path, res.status, res.headers['content-type'], res.body, res.text);
          if (result.problem) throw new Error(`OpenAPI contract: ${result.problem}`);
          // A route the server has but the document leaves out: anything under /api/ but Nest's own "No route" 404.
          if (result.skipped && path.startsWith('/api/') && !(res.status === 404 && /No route for/.test(res.text ?? ''))) {
            throw new Error(`OpenAPI contract: ${prop.toUpperCase()} ${path} answered ${res.status} but the document has no such operation.`);
          }
        });
      };
    },
  });
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function expectProblem(res: request.Response, status: number, code?: string) {
  if (res.status !== status) throw new Error(`expected ${status}${code ? ` ${code}` : ''}, got ${res.status}: ${JSON.stringify(res.body ?? res.text)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text);
  expect(body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) }));
  if (code) expect(body.code).toBe(code);
  return body as {
    type: string;
    title: string;
    status: number;
    detail: string;
    code: string;
    errors?: { field: string; message: string }[];
    [key: string]: unknown;
  };
}
