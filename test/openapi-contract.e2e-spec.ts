import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';
import { SampleGenerator } from './helpers/openapi-samples';

/**
 * The document against the server, operation by operation: a request built only from the
 * document's schemas (every property, from examples, enums, formats, bounds) must get past
 * validation — the server may still refuse it for domain reasons (404 for a made-up id, 409, 422),
 * but not with 400 `validation_failed`. The same request with an unknown body field or query
 * parameter must be 400. Every answer is also held against the document by the contract check in
 * test/helpers/test-app.ts.
 */
type Json = Record<string, any>;

const USERS: Record<string, string> = {
  admin: 'admin@demo.local',
  operator: 'operator@demo.local',
  enterprise: 'sme@demo.local',
  official: 'official@demo.local',
};

// 400s that are not about the request's shape: the made-up current password is wrong.
const DOMAIN_400 = new Set(['current_password_wrong']);

// Operations that would end the caller's session or lock the account for the rest of the run.
const LATER = new Set(['AuthController_logout', 'AuthController_changePassword', 'AuthController_login']);

describe('OpenAPI document against the server', () => {
  let t: TestApp;
  let doc: Json;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    doc = t.contract.document;
    for (const [role, email] of Object.entries(USERS)) tokens[role] = await t.login(email);
  });
  afterAll(() => t?.close());

  interface Operation {
    method: string;
    template: string;
    op: Json;
  }
  const operations = (): Operation[] => {
    const list: Operation[] = [];
    for (const [template, item] of Object.entries(doc.paths as Json)) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) if ((item as Json)[method]) list.push({ method, template, op: (item as Json)[method] });
    }
    return list.sort((a, b) => Number(LATER.has(a.op.operationId)) - Number(LATER.has(b.op.operationId)));
  };

  /** A request for the operation from the document alone; `extra` adds an undeclared query parameter or body field. */
  function build(o: Operation, extra?: 'query' | 'body', override?: { in: string; name: string; value: unknown }) {
    const gen = new SampleGenerator(doc);
    const params = (o.op.parameters ?? []) as Json[];
    let path = o.template;
    const query: Record<string, string> = {};
    const headers: Record<string, string> = {};
    for (const p of params) {
      const value = override && override.in === p.in && override.name === p.name ? override.value : gen.value(p.schema ?? { type: 'string' }, p.name);
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
      else if (p.in === 'query') query[p.name] = String(value);
      else if (p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')
        headers[p.name] = `contract-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    }
    if (extra === 'query') query.zzUndeclared = '1';
    const bodySchema = o.op.requestBody?.content?.['application/json']?.schema;
    let body = bodySchema ? (gen.value(bodySchema) as Json) : undefined;
    if (extra === 'body') body = { ...(body ?? {}), zzUndeclared: 1 };
    if (override?.in === 'body') body = { ...(body ?? {}), [override.name]: override.value };
    // Multipart uploads (the Slurm import): fields from the form schema, files as a small attachment.
    const formSchema = o.op.requestBody?.content?.['multipart/form-data']?.schema as Json | undefined;
    const form = formSchema ? gen.resolve(formSchema) : undefined;
    const formFields = form
      ? Object.fromEntries(
          Object.entries((form.properties ?? {}) as Record<string, Json>).map(([k, v]) => [
            k,
            v.format === 'binary' ? null : (gen.value(v, k) as string | number | boolean),
          ]),
        )
      : undefined;
    const roles: string[] = o.op['x-roles'] ?? [];
    const role = o.op['x-auth'] === 'required' ? (roles.length ? (roles.includes('admin') ? 'admin' : roles[0]) : 'admin') : undefined;
    return { path, query, headers, body, role, formFields };
  }

  function send(o: Operation, r: ReturnType<typeof build>) {
    let req = (t.http() as unknown as Record<string, (url: string) => any>)[o.method](r.path).query(r.query).set(r.headers);
    if (r.role) req = req.auth(tokens[r.role], { type: 'bearer' });
    if (r.body !== undefined) req = req.send(r.body);
    for (const [k, v] of Object.entries(r.formFields ?? {})) {
      req = v === null ? req.attach(k, Buffer.from('JobID|State\n'), 'sample.txt') : req.field(k, String(v));
    }
    return req;
  }

  it('has a 2xx answer with a schema for every operation (or 204)', () => {
    const missing: string[] = [];
    for (const o of operations()) {
      const ok = Object.entries(o.op.responses as Json).filter(([s]) => /^2/.test(s));
      if (ok.length === 0) missing.push(`${o.method} ${o.template}: no 2xx`);
      for (const [status, response] of ok) {
        if (status === '204') continue;
        const media = Object.values<Json>((response as Json).content ?? {});
        if (!media.length || !media.every((m) => m.schema)) missing.push(`${o.method} ${o.template} ${status}: no schema`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('declares every request body closed and every enum typed', () => {
    const wrong: string[] = [];
    const walk = (s: Json, where: string) => {
      if (!s || typeof s !== 'object') return;
      if (Array.isArray(s.enum) && s.type === 'object') wrong.push(`${where}: enum typed object`);
      for (const [k, v] of Object.entries(s)) if (v && typeof v === 'object') walk(v as Json, `${where}.${k}`);
    };
    walk(doc, '#');
    for (const o of operations()) {
      // Set from the route's own metadata (guard, pipes): missing means the document builder did not find the handler.
      if (!o.op['x-auth']) wrong.push(`${o.method} ${o.template}: no x-auth (handler not found by operationId)`);
      const schema = o.op.requestBody?.content?.['application/json']?.schema;
      if (!schema) continue;
      const resolved = new SampleGenerator(doc).resolve(schema);
      if (resolved.additionalProperties !== false) wrong.push(`${o.method} ${o.template}: request body allows unknown fields`);
    }
    expect(wrong).toEqual([]);
  });

  it('accepts a request built from the document for every operation (no 400 validation_failed)', async () => {
    const refused: string[] = [];
    for (const o of operations()) {
      const r = build(o);
      const res = await send(o, r);
      if (res.status === 400 && !DOMAIN_400.has(res.body?.code))
        refused.push(`${o.method.toUpperCase()} ${o.template} ${JSON.stringify({ query: r.query, body: r.body })}: ${res.text.slice(0, 400)}`);
      if (res.status >= 500) refused.push(`${o.method.toUpperCase()} ${o.template}: ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(refused).toEqual([]);
  });

  it('refuses an undeclared body field and an undeclared query parameter with 400', async () => {
    const accepted: string[] = [];
    for (const o of operations()) {
      const hasBody = !!o.op.requestBody?.content?.['application/json'];
      const hasQuery = ((o.op.parameters ?? []) as Json[]).some((p) => p.in === 'query');
      for (const extra of [...(hasBody ? (['body'] as const) : []), ...(hasQuery ? (['query'] as const) : [])]) {
        const res = await send(o, build(o, extra));
        if (res.status !== 400) accepted.push(`${o.method.toUpperCase()} ${o.template} with an undeclared ${extra} member: ${res.status}`);
        else expectProblem(res, 400, 'validation_failed');
      }
    }
    expect(accepted).toEqual([]);
  });

  it('enforces every constraint it declares on parameters and top-level body fields (400)', async () => {
    const accepted: string[] = [];
    let checked = 0;
    const gen = new SampleGenerator(doc);
    for (const o of operations()) {
      const targets: Array<{ in: string; name: string; schema: Json }> = ((o.op.parameters ?? []) as Json[])
        .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
        .map((p) => ({ in: p.in, name: p.name, schema: p.schema ?? {} }));
      const bodySchema = o.op.requestBody?.content?.['application/json']?.schema;
      if (bodySchema)
        for (const [name, schema] of Object.entries((gen.resolve(bodySchema).properties ?? {}) as Json))
          targets.push({ in: 'body', name, schema: schema as Json });
      for (const target of targets) {
        for (const v of gen.violations(target.schema)) {
          const r = build(o, undefined, { in: target.in, name: target.name, value: v.value });
          if (target.in === 'header') r.headers[target.name] = String(v.value);
          const res = await send(o, r);
          checked++;
          if (res.status !== 400)
            accepted.push(`${o.method.toUpperCase()} ${o.template} ${target.in} ${target.name}=${JSON.stringify(v.value)} (breaks ${v.breaks}): ${res.status}`);
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  it('the contract check itself refuses an undeclared field, status or content type, and a wrong enum', async () => {
    const res = await t.http().get('/api/v1/me').auth(tokens.enterprise, { type: 'bearer' }).expect(200);
    const check = (status: number, type: string, body: unknown) => t.contract.check('get', '/api/v1/me', status, type, body, JSON.stringify(body)).problem;
    expect(check(200, 'application/json; charset=utf-8', res.body)).toBeNull();
    expect(check(200, 'application/json', { ...res.body, passwordHash: 'x' })).toMatch(/must NOT have additional properties: passwordHash/);
    expect(check(200, 'application/json', { ...res.body, role: 'guest' })).toMatch(/\/role must be equal to one of the allowed values/);
    expect(check(200, 'text/html', res.body)).toMatch(/content type text\/html is not declared/);
    expect(check(418, 'application/problem+json', {})).toMatch(/answered 418, which the document does not declare/);
    expect(check(401, 'application/problem+json', { type: 'x', title: 'x', status: 401, detail: 'x' })).toMatch(/must have required property 'code'/);
    expect(t.contract.check('get', '/docs', 200, 'text/html', undefined, '<html>').skipped).toBe(true);
  });

  it('types a client session with the types openapi-typescript generates from /docs-json (tsc)', () => {
    // The same check as `npm run check:openapi-client`, on this app's document, in a temporary folder.
    // (Its CLI in a child process: its ESM dependencies do not load in jest's module system.)
    const dir = mkdtempSync(join(tmpdir(), 'pb-openapi-client-'));
    try {
      mkdirSync(join(dir, 'generated'));
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      execFileSync(
        process.execPath,
        [join(__dirname, '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), join(dir, 'openapi.json'), '-o', join(dir, 'generated', 'openapi.d.ts')],
        { stdio: 'pipe' },
      );
      for (const f of ['client.ts', 'session.ts']) copyFileSync(join(__dirname, 'openapi-client', f), join(dir, f));
      const program = ts.createProgram([join(dir, 'session.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: [],
        skipLibCheck: true,
      });
      const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
