import { createTestApp, TestApp } from './helpers/test-app';

/**
 * "No request from outside can cause a 500": every operation of the OpenAPI document, called by
 * every role (and anonymously) with hostile path parameters, query strings and bodies, must answer
 * below 500 — and every error must be problem+json.
 */
describe('no request from outside produces a 500', () => {
  let t: TestApp;
  let tokens: Record<string, string | undefined>;
  let doc: { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> };

  beforeAll(async () => {
    t = await createTestApp();
    tokens = { anonymous: undefined };
    for (const email of ['sme@demo.local', 'operator@demo.local', 'official@demo.local', 'admin@demo.local']) tokens[email] = await t.login(email);
    doc = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  const PATH_VALUES = ['x', '00000000-0000-4000-8000-000000000000', '%E0%A4%A', "1' OR '1'='1", 'a'.repeat(300), '-1', '99999999999999999999999'];
  const QUERY_VALUES = ['', '%', "'; DROP TABLE bookings; --", 'true', '-1', '1e309', 'a'.repeat(3000), '2030-13-45T99:99:99Z', '\u0000'];
  const BODIES: unknown[] = [{}, [], 'null', '"text"', { a: { b: { c: [1, 2, { d: null }] } } }, { startsAt: 'soon', endsAt: 12, units: -5, limit: 'x' }];

  it('answers every operation below 500, with problem+json errors', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        for (const [who, token] of Object.entries(tokens)) {
          for (const [i, value] of PATH_VALUES.entries()) {
            const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(value).replace(/%25/g, '%'));
            const query = queryNames.map((n) => `${n}=${encodeURIComponent(QUERY_VALUES[(i + n.length) % QUERY_VALUES.length])}`).join('&');
            const body = BODIES[i % BODIES.length];
            let req = t.http()[method as 'get'](query ? `${url}?${query}` : url);
            if (token) req = req.set('Authorization', `Bearer ${token}`);
            if (method !== 'get' && method !== 'delete') {
              req = typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object);
            }
            const res = await req;
            calls++;
            if (res.status >= 500) failures.push(`${method.toUpperCase()} ${url}?${query} as ${who}: ${res.status} ${res.text.slice(0, 200)}`);
            else if (res.status >= 400 && !String(res.headers['content-type']).startsWith('application/problem+json')) {
              failures.push(`${method.toUpperCase()} ${url} as ${who}: ${res.status} is not problem+json`);
            }
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  });
});
