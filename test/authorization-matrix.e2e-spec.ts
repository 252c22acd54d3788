import { Clock } from '../src/common/clock';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The authorisation matrix (issue 12) as one table: every route that names a tenant's row × every role ×
 * own tenant / other tenant. Two tenants, A and B, each with an enterprise (sme / sme2) and an operator
 * (operator / operator-dalian) with its own facility, resource, maintenance window, booking, usage record,
 * chain project, calendar token and notification. For each row:
 *   - the other tenant's enterprise and operator get 403 or 404 and change nothing (no audit entry);
 *   - the official reads (200) and changes nothing (403; 404 for rows private to their user: calendar
 *     tokens, notifications);
 *   - anonymous gets 401 (the public catalogue reads excepted);
 *   - the own tenant's readers read (200).
 * Lists are checked too: no row of the other tenant in any list the other side can call.
 */
const sh = (local: string) => `${local}:00+08:00`;
const NOW = sh('2030-01-07T10:00');
const allDay = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));

type Actor = 'smeA' | 'smeB' | 'opA' | 'opB' | 'official' | 'anonymous';
interface Tenant {
  facility: string;
  resource: string;
  maintenance: string;
  booking: string;
  usage: string;
  project: string;
  token: string;
  notification: string;
  organisation: string;
}
interface Row {
  /** Method and path of tenant X's row; `body` for writes. */
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: (x: Tenant) => string;
  body?: Record<string, unknown>;
  /** Who of the owning tenant reads it (reads only). */
  readers?: Array<'sme' | 'op'>;
  /** Reads by anyone signed in or not (the public catalogue). */
  public?: boolean;
}

const ROWS: Row[] = [
  { method: 'get', path: (x) => `/api/v1/bookings/${x.booking}`, readers: ['sme', 'op'] },
  { method: 'get', path: (x) => `/api/v1/bookings/${x.booking}.ics`, readers: ['sme', 'op'] },
  { method: 'post', path: (x) => `/api/v1/bookings/${x.booking}/approve`, body: { reason: 'ok' } },
  { method: 'post', path: (x) => `/api/v1/bookings/${x.booking}/reject`, body: { reason: 'no' } },
  { method: 'post', path: (x) => `/api/v1/bookings/${x.booking}/cancel`, body: { reason: 'no' } },
  { method: 'post', path: (x) => `/api/v1/bookings/${x.booking}/check-in`, body: {} },
  { method: 'post', path: (x) => `/api/v1/bookings/${x.booking}/check-out`, body: {} },
  { method: 'get', path: (x) => `/api/v1/usage/${x.usage}`, readers: ['sme', 'op'] },
  { method: 'post', path: (x) => `/api/v1/usage/corrections/${x.usage}`, body: { unitsUsed: 1, note: 'correction' } },
  { method: 'get', path: (x) => `/api/v1/projects/${x.project}`, readers: ['sme'] },
  { method: 'get', path: (x) => `/api/v1/projects/${x.project}/chain`, readers: ['sme'] },
  { method: 'patch', path: (x) => `/api/v1/projects/${x.project}`, body: { titleZh: '改名' } },
  { method: 'post', path: (x) => `/api/v1/projects/${x.project}/advance`, body: { evidence: '实验数据', on: '2030-01-07' } },
  { method: 'post', path: (x) => `/api/v1/projects/${x.project}/revert`, body: { reason: '退回', on: '2030-01-07' } },
  { method: 'patch', path: (x) => `/api/v1/facilities/${x.facility}`, body: { contact: 'changed' } },
  { method: 'get', path: (x) => `/api/v1/facilities/${x.facility}`, public: true },
  { method: 'get', path: (x) => `/api/v1/resources/${x.resource}`, public: true },
  { method: 'patch', path: (x) => `/api/v1/resources/${x.resource}`, body: { description: 'changed' } },
  { method: 'put', path: (x) => `/api/v1/resources/${x.resource}/opening-hours`, body: { intervals: allDay } },
  {
    method: 'post',
    path: (x) => `/api/v1/resources/${x.resource}/maintenance`,
    body: { startsAt: sh('2030-02-01T08:00'), endsAt: sh('2030-02-01T12:00'), reason: '检修' },
  },
  { method: 'delete', path: (x) => `/api/v1/resources/${x.resource}/maintenance/${x.maintenance}` },
  { method: 'delete', path: (x) => `/api/v1/calendar/tokens/${x.token}` },
  { method: 'post', path: (x) => `/api/v1/notifications/${x.notification}/read`, body: {} },
  { method: 'get', path: (x) => `/api/v1/organisations/${x.organisation}`, readers: ['sme'] },
];

/** Path templates for the test names. */
const PLACEHOLDERS = Object.fromEntries(
  ['facility', 'resource', 'maintenance', 'booking', 'usage', 'project', 'token', 'notification', 'organisation'].map((k) => [k, `{${k}}`]),
) as unknown as Tenant;

describe('authorisation matrix: every tenant row × role × own / other tenant', () => {
  let t: TestApp;
  const token: Partial<Record<Actor, string>> = {};
  const A = {} as Tenant;
  const B = {} as Tenant;
  const changes = async () => Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM audit_entries WHERE action NOT LIKE 'auth.%'`))[0].n);
  const call = (actor: Actor, method: Row['method'], path: string, body?: Record<string, unknown>) => {
    let req = t.http()[method](path);
    if (actor !== 'anonymous') req = req.set('Authorization', `Bearer ${token[actor]}`);
    return body ? req.send(body) : req;
  };
  const ok = async (actor: Actor, method: Row['method'], path: string, body?: Record<string, unknown>) => {
    const res = await call(actor, method, path, body);
    if (res.status >= 300) throw new Error(`${actor} ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  async function tenant(x: Tenant, sme: Actor, op: Actor, cityCode: string) {
    const f = await ok(op, 'post', '/api/v1/facilities', {
      kind: 'pilot_platform',
      nameZh: `测试·矩阵${sme}`,
      nameEn: `Matrix ${sme}`,
      cityCode,
      address: '测试路',
      directions: ['new_materials'],
      stages: ['pilot_maturation'],
    });
    x.facility = f.id;
    const r = await ok(op, 'post', '/api/v1/resources', {
      facilityId: x.facility,
      nameZh: `测试·矩阵设备${sme}`,
      nameEn: `Matrix bench ${sme}`,
      mode: 'exclusive',
      unit: 'hour',
      minDurationMinutes: 60,
      maxDurationMinutes: 480,
      leadTimeMinutes: 0,
      horizonDays: 60,
      approvalRequired: true,
      pricePerUnitHourFen: 1000,
      openingHours: allDay,
    });
    x.resource = r.id;
    x.maintenance = (
      await ok(op, 'post', `/api/v1/resources/${x.resource}/maintenance`, { startsAt: sh('2030-01-20T08:00'), endsAt: sh('2030-01-20T12:00'), reason: '检修' })
    ).id;
    x.project = (await ok(sme, 'post', '/api/v1/projects', { titleZh: `矩阵项目${sme}`, direction: 'new_materials' })).id;
    x.booking = (
      await ok(sme, 'post', '/api/v1/bookings', {
        resourceId: x.resource,
        startsAt: sh('2030-01-15T09:00'),
        endsAt: sh('2030-01-15T11:00'),
        stage: 'pilot_maturation',
        serviceCategory: 'type_testing',
        purpose: 'matrix',
        projectId: x.project,
      })
    ).id;
    const me = await ok(sme, 'get', '/api/v1/me');
    x.organisation = me.organisationId;
    x.usage = (
      await ok(op, 'post', '/api/v1/usage', {
        resourceId: x.resource,
        organisationId: x.organisation,
        startsAt: sh('2030-01-02T08:00'),
        endsAt: sh('2030-01-02T10:00'),
        unitsUsed: 1,
        note: 'matrix',
      })
    ).id;
    x.token = (await ok(sme, 'post', '/api/v1/calendar/tokens', { label: 'matrix' })).id;
    x.notification = (await ok(op, 'get', '/api/v1/notifications')).items[0].id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(Clock).freeze(NOW);
    token.smeA = await t.login('sme@demo.local');
    token.smeB = await t.login('sme2@demo.local');
    token.opA = await t.login('operator@demo.local');
    token.opB = await t.login('operator-dalian@demo.local');
    token.official = await t.login('official@demo.local');
    await tenant(A, 'smeA', 'opA', '210100');
    await tenant(B, 'smeB', 'opB', '210200');
  }, 120_000);
  afterAll(() => t?.close());

  const matrix: Array<[string, 'A' | 'B', Row]> = ROWS.flatMap((row) =>
    (['A', 'B'] as const).map((owner) => [`${row.method.toUpperCase()} ${row.path(PLACEHOLDERS)}`, owner, row] as [string, 'A' | 'B', Row]),
  );

  it.each(matrix)('%s of tenant %s', async (_name, owner, row) => {
    const own = owner === 'A' ? A : B;
    const other = owner === 'A' ? { sme: 'smeB', op: 'opB' } : { sme: 'smeA', op: 'opA' };
    const mine = owner === 'A' ? { sme: 'smeA', op: 'opA' } : { sme: 'smeB', op: 'opB' };
    const path = row.path(own);
    const write = row.method !== 'get';
    const refused: Array<[Actor, number[]]> = [
      [other.sme as Actor, row.public && !write ? [200] : [403, 404]],
      [other.op as Actor, row.public && !write ? [200] : [403, 404]],
      // officials change nothing: 403, or 404 for rows private to one user (calendar tokens, notifications)
      ['official', write ? [403, 404] : [200]],
      ['anonymous', row.public && !write ? [200] : [401]],
    ];
    for (const [actor, expected] of refused) {
      const before = await changes();
      const res = await call(actor, row.method, path, row.body);
      if (!expected.includes(res.status))
        throw new Error(`${actor} ${row.method.toUpperCase()} ${path}: ${res.status} (expected ${expected.join(' or ')}) ${JSON.stringify(res.body)}`);
      if (write || res.status >= 400) expect([actor, await changes()]).toEqual([actor, before]);
      // a refusal never leaks the row: nothing of it in the problem body
      if (res.status >= 400) expect(JSON.stringify({ ...res.body, instance: undefined })).not.toContain(own.organisation);
    }
    for (const reader of row.readers ?? []) {
      const res = await call(mine[reader] as Actor, 'get', path);
      expect([mine[reader], res.status]).toEqual([mine[reader], 200]);
    }
  });

  it.each([
    ['/api/v1/bookings', 'booking'],
    ['/api/v1/usage', 'usage'],
    ['/api/v1/projects', 'project'],
    ['/api/v1/calendar/tokens', 'token'],
    ['/api/v1/notifications', 'notification'],
    ['/api/v1/organisations?limit=200', 'organisation'],
  ] as const)('the list %s never shows the other tenant’s %s', async (path, field) => {
    for (const [actor, others] of [
      ['smeA', B],
      ['opA', B],
      ['smeB', A],
      ['opB', A],
    ] as const) {
      const res = await call(actor, 'get', path);
      if (res.status !== 200) {
        expect([actor, res.status]).toEqual([actor, 403]); // a list the role may not call at all
        continue;
      }
      const ids = (res.body.items as Array<{ id: string | number }>).map((i) => String(i.id));
      if (field === 'organisation' && actor.startsWith('op')) continue; // operators see the enterprises that book them
      expect([actor, ids]).not.toEqual([actor, expect.arrayContaining([String(others[field])])]);
    }
  });
});
