import fc from 'fast-check';
import { createTestApp, TestApp } from './helpers/test-app';
import type { Doc, Schema } from './helpers/openapi-types';

/**
 * Property-based bad input (issue 12): fast-check drives every operation of the OpenAPI document (read
 * from /docs-json at run time) with generated path parameters, query strings, headers and JSON bodies —
 * values from the document's own schemas (enums, formats, bounds, required properties) mixed with values
 * that break them — as anonymous and as each role. For every answer:
 *   - never a 5xx;
 *   - the status, content type and body are the ones the document declares for the operation
 *     (test/helpers/contract.ts, Ajv against the response schemas);
 *   - a refused request (4xx) changed nothing: no audit entry (every change writes one in its
 *     transaction) other than the security trail of refused logins.
 * The seed is fixed (a failure prints the counter-example and its path, reproducible).
 */

const ROLES = ['anonymous', 'sme', 'operator', 'official', 'admin'] as const;
type Role = (typeof ROLES)[number];
const RUNS_PER_OPERATION = 40;
const SEED = 20_261_204;

/** Values that break schemas: wrong types, hostile strings, out-of-range numbers. */
const HOSTILE: unknown[] = [
  null,
  '',
  ' ',
  '\u0000',
  '\ud800',
  'a'.repeat(5000),
  '2027-02-29T08:00:00+08:00',
  '2030-01-01T00:00:00',
  '-1',
  '1e309',
  "1' OR '1'='1",
  '%_%',
  -1,
  0,
  3.5,
  1e308,
  -9007199254740992,
  true,
  [],
  ['x', 'y'],
  {},
  { $gt: '' },
];

describe('property-based bad input over the OpenAPI document', () => {
  let t: TestApp;
  let doc: Doc;
  const tokens: Partial<Record<Role, string>> = {};
  /** Real ids of the demo data, so that generated paths reach real rows as well as missing ones. */
  const realIds: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.rawHttp().get('/docs-json')).body as Doc;
    tokens.sme = await t.login('sme@demo.local');
    tokens.operator = await t.login('operator@demo.local');
    tokens.official = await t.login('official@demo.local');
    tokens.admin = await t.login('admin@demo.local');
    for (const sql of [
      `SELECT id::text FROM facilities ORDER BY name_en LIMIT 4`,
      `SELECT id::text FROM resources ORDER BY name_en LIMIT 4`,
      `SELECT id::text FROM organisations ORDER BY name_zh LIMIT 4`,
      `SELECT id::text FROM users ORDER BY email LIMIT 4`,
      `SELECT id::text FROM projects ORDER BY title_zh LIMIT 2`,
    ])
      realIds.push(...(await t.sql<{ id: string }>(sql)).map((r) => r.id));
  }, 120_000);
  afterAll(() => t?.close());

  const resolve = (s: Schema | undefined): Schema => {
    let out = s ?? {};
    for (let i = 0; out.$ref && i < 20; i++) out = doc.components.schemas[out.$ref.split('/').pop()!];
    if (out.allOf?.length === 1) out = { ...resolve(out.allOf[0]), ...out, allOf: undefined };
    return out;
  };

  /** A value the schema admits (as far as JSON schema says: the server's own rules may still refuse it). */
  const valid = (raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> => {
    const s = resolve(raw);
    if (s.oneOf?.length || s.anyOf?.length) return fc.oneof(...(s.oneOf ?? s.anyOf)!.map((x) => valid(x, depth + 1)));
    if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...s.enum);
    let base: fc.Arbitrary<unknown>;
    switch (s.type) {
      case 'integer':
        base = fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? Math.max(1000, (s.minimum ?? 0) + 1000) });
        break;
      case 'number':
        base = fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
        break;
      case 'boolean':
        base = fc.boolean();
        break;
      case 'array':
        base = fc.array(valid(s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
        break;
      case 'object':
      case undefined: {
        if (!s.properties || depth > 3) return fc.constant({});
        const required = s.required ?? [];
        base = fc.record(Object.fromEntries(Object.entries(s.properties).map(([k, p]) => [k, valid(p, depth + 1)])), { requiredKeys: required });
        break;
      }
      default:
        base = validString(s);
    }
    return s.example !== undefined ? fc.oneof({ weight: 1, arbitrary: fc.constant(s.example) }, { weight: 3, arbitrary: base }) : base;
  };

  const validString = (s: Schema): fc.Arbitrary<unknown> => {
    switch (s.format) {
      case 'uuid':
        return fc.oneof(fc.uuid(), fc.constantFrom(...realIds));
      case 'date-time':
        return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
      case 'date':
        return fc
          .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      case 'email':
        return fc.emailAddress();
      default:
        return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 60) });
    }
  };

  /** Mostly admitted values, sometimes one that breaks the schema. */
  const value = (s: Schema | undefined) => fc.oneof({ weight: 4, arbitrary: valid(s) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) });

  const asParam = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  /** A path segment; a lone surrogate (which encodeURIComponent refuses) goes as its raw UTF-8 bytes. */
  const segment = (v: unknown): string => {
    try {
      return encodeURIComponent(asParam(v));
    } catch {
      return '%ED%A0%80';
    }
  };

  const changes = async () =>
    Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM audit_entries WHERE action NOT LIKE 'auth.%' AND action <> 'user.locked'`))[0].n);

  it('answers every generated request below 500, as the document declares, and a refusal changes nothing', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        // Signing out and changing one's own password would take the test's tokens away: left to their own specs.
        .filter(([method]) => !/\/auth\/logout|\/me\/password/.test(path) || method === 'get')
        .map(([method, op]) => ({ method, path, op })),
    );
    expect(operations.length).toBeGreaterThan(40);
    const problems: string[] = [];
    let calls = 0;
    for (const [index, { method, path, op }] of operations.entries()) {
      const params = op.parameters ?? [];
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const request = fc.record({
        role: fc.constantFrom(...ROLES),
        path: fc.record(Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, value(p.schema)]))),
        query: fc.record(Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, value(p.schema)])), { requiredKeys: [] }),
        headers: fc.record(
          Object.fromEntries(params.filter((p) => p.in === 'header' && p.name.toLowerCase() !== 'authorization').map((p) => [p.name, value(p.schema)])),
          { requiredKeys: [] },
        ),
        body: bodySchema ? value(bodySchema) : fc.constant(undefined),
      });
      await fc
        .assert(
          fc.asyncProperty(request, async (r) => {
            calls++;
            const url = path.replace(/\{(\w+)\}/g, (_, name: string) => segment(r.path[name]));
            const before = await changes();
            let req = t
              .rawHttp()
              [method as 'get'](url)
              .query(Object.fromEntries(Object.entries(r.query).map(([k, v]) => [k, asParam(v)])));
            for (const [k, v] of Object.entries(r.headers))
              req = req.set(
                k,
                asParam(v)
                  .replace(/[^\x20-\x7e]/g, '?')
                  .slice(0, 200),
              );
            if (r.role !== 'anonymous') req = req.set('Authorization', `Bearer ${tokens[r.role]}`);
            // As JSON text, so that a bare number, string or null is sent as such (supertest would refuse them).
            const res = r.body === undefined ? await req : await req.set('Content-Type', 'application/json').send(JSON.stringify(r.body));
            const what = `${method.toUpperCase()} ${url} as ${r.role}`;
            if (res.status >= 500) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
            const check = t.contract.check(method, new URL(url, 'http://x').pathname, res.status, res.headers['content-type'], res.body, res.text);
            if (check.problem) throw new Error(`${what}: ${check.problem}`);
            if (res.status >= 400 && (await changes()) !== before) throw new Error(`${what}: refused with ${res.status} but an audit entry was written`);
          }),
          { numRuns: RUNS_PER_OPERATION, seed: SEED + index, endOnFailure: true },
        )
        .catch((e: Error) => {
          // fast-check 4 puts the property's own error in `cause`, the counter-example in the message
          const counterexample = e.message.split('\n').find((l) => l.startsWith('Counterexample')) ?? '';
          problems.push(`${String((e.cause as Error | undefined)?.message ?? e.message).slice(0, 600)}\n  ${counterexample.slice(0, 400)}`);
        });
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(operations.length * RUNS_PER_OPERATION);
  }, 600_000);
});
