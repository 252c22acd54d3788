import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { Clock } from '../src/common/clock';
import { redactPath } from '../src/common/logging';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

/** Local wall-clock time in Asia/Shanghai (UTC+8, no DST) as an ISO instant. */
const sh = (local: string) => `${local}:00+08:00`;
/** "Now" for these tests: Monday 2030-01-07 10:00 in Shanghai. */
const NOW = sh('2030-01-07T10:00');
const HOUR_MS = 3_600_000;
const allWeek = (opens = '00:00', closes = '24:00') => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens, closes }));

const SME_ORG = '演示·沈阳新材科技有限公司';
const SME2_ORG = '演示·大连氢能装备有限公司';

interface ParsedEvent {
  uid: string;
  start: string;
  end: string;
  tzid: string | undefined;
  dtstart: string;
  status: string;
  sequence: number;
  lastModified: string;
  summary: string;
  location: string;
  description: string;
}

/** Parses a calendar with ical.js (a real RFC 5545 parser); times resolved through the document's own VTIMEZONEs. */
function parseCalendar(text: string): { events: ParsedEvent[]; zones: string[]; calendar: ICAL.Component } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  expect(calendar.name).toBe('vcalendar');
  const zones = calendar.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid')));
  const events = calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const lastModified = v.getFirstPropertyValue('last-modified') as ICAL.Time;
    return {
      uid: e.uid,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      tzid: e.startDate.zone?.tzid,
      dtstart: v.getFirstProperty('dtstart')!.toICALString(),
      status: String(v.getFirstPropertyValue('status')),
      sequence: e.sequence,
      lastModified: lastModified.toJSDate().toISOString(),
      summary: e.summary,
      location: e.location,
      description: e.description,
    };
  });
  return { events, zones, calendar };
}

const STATUS: Record<string, string> = {
  pending: 'TENTATIVE',
  approved: 'CONFIRMED',
  in_use: 'CONFIRMED',
  completed: 'CONFIRMED',
  cancelled: 'CANCELLED',
  rejected: 'CANCELLED',
  expired: 'CANCELLED',
  no_show: 'CANCELLED',
};

interface Booking {
  id: string;
  state: string;
  startsAt: string;
  endsAt: string;
  blockedFrom: string;
  blockedUntil: string;
  version: number;
  updatedAt: string;
  purpose: string;
  resource: { nameZh: string };
  facility: { nameZh: string; address: string; timeZone: string };
  organisation: { nameZh: string };
}

describe('calendar feeds (iCalendar)', () => {
  let t: TestApp;
  let operator: string;
  let operator2: string;
  let sme: string;
  let sme2: string;
  let admin: string;
  let bench: string; // Shanghai, exclusive, approval required, buffers 30/30
  let pool: string; // Shanghai, pooled 8, no approval
  let lab: string; // Berlin, exclusive, approval required
  let shanghai: string;
  const ids: Record<string, string> = {};

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const book = async (token: string, body: Record<string, unknown>) => {
    const res = await t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(token))
      // the GPU pool is a compute resource (its category defaults to compute); the bench and the lab are not
      .send({ stage: 'pilot_maturation', ...(body.resourceId === pool ? {} : { serviceCategory: 'performance_testing' }), ...body });
    if (res.status !== 201) throw new Error(`booking: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Booking;
  };
  const act = async (token: string, id: string, action: string, body: Record<string, unknown> = {}) => {
    const res = await t.http().post(`/api/v1/bookings/${id}/${action}`).set(bearer(token)).send(body);
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Booking;
  };
  const getBooking = async (token: string, id: string) => (await t.http().get(`/api/v1/bookings/${id}`).set(bearer(token)).expect(200)).body as Booking;
  const newToken = async (token: string, label?: string) => {
    const res = await t
      .http()
      .post('/api/v1/calendar/tokens')
      .set(bearer(token))
      .send(label ? { label } : {});
    if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; label: string | null; token: string; url: string; createdAt: string; lastUsedAt: string | null };
  };
  /** Fetches a feed and checks the calendar response headers. */
  const fetchIcs = async (path: string, headers: Record<string, string> = {}, cache = 'private, max-age=60') => {
    const res = await t
      .http()
      .get(path)
      .set(headers)
      .buffer(true)
      .parse((r, cb) => {
        let data = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (data += chunk));
        r.on('end', () => cb(null, data));
      });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^inline; filename="[\w.-]+\.ics"$/);
    expect(res.headers['cache-control']).toBe(cache);
    const text = res.body as string;
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    return { text, ...parseCalendar(text), res };
  };
  const feed = async (url: string) => fetchIcs(url);
  const eventOf = (events: ParsedEvent[], id: string) => events.find((e) => e.uid === `booking-${id}@pilot-booking`);

  /** Compares a private-feed event with the booking as the JSON API shows it. */
  function expectMatches(e: ParsedEvent | undefined, b: Booking) {
    expect(e).toBeDefined();
    expect(e!.start).toBe(b.startsAt);
    expect(e!.end).toBe(b.endsAt);
    expect(e!.tzid).toBe(b.facility.timeZone);
    expect(e!.status).toBe(STATUS[b.state]);
    expect(e!.sequence).toBe(b.version);
    expect(e!.lastModified).toBe(new Date(Math.floor(Date.parse(b.updatedAt) / 1000) * 1000).toISOString());
    expect(e!.summary).toContain(b.resource.nameZh);
    expect(e!.location).toContain(b.facility.address);
    expect(e!.location).toContain(b.facility.nameZh);
    expect(e!.description).toContain(`State: `);
  }

  /** Moves the app's clock; access tokens are checked against it, so everyone logs in again. */
  async function setNow(instant: string | Date) {
    t.app.get(Clock).freeze(instant);
    [operator, sme, sme2, admin] = await Promise.all(['operator@demo.local', 'sme@demo.local', 'sme2@demo.local', 'admin@demo.local'].map((e) => t.login(e)));
    operator2 = await t.login('operator2@calendar.test', 'second-operator-pass-2030').catch(() => '');
  }

  async function createResource(facilityId: string, body: Record<string, unknown>): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(operator))
      .send({
        facilityId,
        nameZh: '测试设备',
        nameEn: 'Test equipment',
        mode: 'exclusive',
        unit: 'hour',
        minDurationMinutes: 60,
        maxDurationMinutes: 480,
        leadTimeMinutes: 0,
        horizonDays: 365,
        bufferBeforeMinutes: 0,
        bufferAfterMinutes: 0,
        approvalRequired: true,
        pricePerUnitHourFen: 10_000,
        smeDiscountPercent: 20,
        openingHours: allWeek(),
        ...body,
      });
    if (res.status !== 201) throw new Error(`resource: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  async function createFacility(body: Record<string, unknown>): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(operator))
      .send({
        kind: 'pilot_platform',
        cityCode: '210100',
        directions: ['new_materials'],
        stages: ['pilot_maturation'],
        ...body,
      });
    if (res.status !== 201) throw new Error(`facility: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    await setNow(NOW);
    // a second operator organisation with its own user
    const org = await t.http().post('/api/v1/organisations').set(bearer(admin)).send({ kind: 'operator', nameZh: '测试·大连算力运营公司', cityCode: '210200' });
    expect(org.status).toBe(201);
    const user = await t.http().post('/api/v1/users').set(bearer(admin)).send({
      email: 'operator2@calendar.test',
      displayName: '第二运营方',
      password: 'second-operator-pass-2030',
      role: 'operator',
      organisationId: org.body.id,
    });
    expect(user.status).toBe(201);
    await setNow(NOW);

    shanghai = await createFacility({ nameZh: '测试·日历中试基地', nameEn: 'Test Calendar Pilot Base', address: '沈阳市浑南区日历路1号' });
    const berlin = await createFacility({
      kind: 'verification_centre',
      nameZh: '测试·柏林合作实验室',
      nameEn: 'Test Berlin partner lab',
      address: 'Invalidenstraße 1, Berlin',
      timeZone: 'Europe/Berlin',
    });
    bench = await createResource(shanghai, {
      nameZh: '测试·日历电堆测试台',
      nameEn: 'Test calendar stack bench',
      bufferBeforeMinutes: 30,
      bufferAfterMinutes: 30,
    });
    pool = await createResource(shanghai, {
      nameZh: '测试·日历GPU池',
      nameEn: 'Test calendar GPU pool',
      mode: 'pooled',
      capacity: 8,
      unit: 'gpu_hour',
      approvalRequired: false,
      pricePerUnitHourFen: 1200,
    });
    lab = await createResource(berlin, { nameZh: '测试·柏林光谱仪', nameEn: 'Test Berlin spectrometer' });

    ids.pending = (
      await book(sme, { resourceId: bench, startsAt: sh('2030-01-08T09:00'), endsAt: sh('2030-01-08T11:00'), purpose: '机密工艺A secret process' })
    ).id;
    ids.approved = (
      await book(sme2, { resourceId: bench, startsAt: sh('2030-01-08T13:00'), endsAt: sh('2030-01-08T15:00'), purpose: '氢能电堆B hydrogen stack' })
    ).id;
    await act(operator, ids.approved, 'approve');
    ids.cancelled = (
      await book(sme, { resourceId: bench, startsAt: sh('2030-01-09T09:00'), endsAt: sh('2030-01-09T10:00'), purpose: '取消的试验 cancelled run' })
    ).id;
    await act(sme, ids.cancelled, 'cancel', { reason: '计划变更' });
    ids.pooled = (
      await book(sme, { resourceId: pool, startsAt: sh('2030-01-08T10:00'), endsAt: sh('2030-01-08T13:00'), units: 5, purpose: '模型训练 training' })
    ).id;
    // Berlin: winter (UTC+1) and summer (UTC+2)
    ids.winter = (
      await book(sme, { resourceId: lab, startsAt: '2030-01-15T09:00:00+01:00', endsAt: '2030-01-15T11:00:00+01:00', purpose: '光谱分析 winter' })
    ).id;
    ids.summer = (
      await book(sme, { resourceId: lab, startsAt: '2030-07-02T09:00:00+02:00', endsAt: '2030-07-02T12:00:00+02:00', purpose: '光谱分析 summer' })
    ).id;
    await act(operator, ids.summer, 'approve');
  });
  afterAll(() => t.close());

  describe('public resource feed', () => {
    it('shows the held time as busy blocks: TENTATIVE while pending, CONFIRMED once approved; nothing released', async () => {
      const { events, zones, text } = await fetchIcs(`/api/v1/calendar/resources/${bench}.ics`, {}, 'public, max-age=60');
      expect(zones).toEqual(['Asia/Shanghai']);
      const pending = await getBooking(sme, ids.pending);
      const approved = await getBooking(sme2, ids.approved);
      expect(events).toHaveLength(2); // the cancelled booking is not a hold
      const sorted = [...events].sort((a, b) => a.start.localeCompare(b.start));
      for (const [e, b] of [
        [sorted[0], pending],
        [sorted[1], approved],
      ] as const) {
        // the blocked window: the booking widened by the 30-minute changeover buffers
        expect([e.start, e.end]).toEqual([b.blockedFrom, b.blockedUntil]);
        expect(e.tzid).toBe('Asia/Shanghai');
        expect(e.status).toBe(STATUS[b.state]);
        expect(e.sequence).toBe(b.version);
        expect(e.summary).toBe('Busy 已占用');
        expect(e.uid).toMatch(/^busy-[0-9a-f]{32}@pilot-booking$/);
      }
      expect(sorted[0].dtstart).toBe('DTSTART;TZID=Asia/Shanghai:20300108T083000');
      expect(text).toMatch(/BEGIN:VTIMEZONE\r\nTZID:Asia\/Shanghai\r\n/);
    });

    it('reveals no organisation, purpose, requester or booking id', async () => {
      const { text } = await fetchIcs(`/api/v1/calendar/resources/${bench}.ics`, {}, 'public, max-age=60');
      const unfolded = text.replace(/\r\n[ \t]/g, '');
      for (const secret of [
        SME_ORG,
        SME2_ORG,
        'Demo Shenyang',
        'Demo Dalian',
        '沈阳新材',
        '大连氢能',
        '机密工艺',
        'secret process',
        '氢能电堆',
        'hydrogen',
        ids.pending,
        ids.approved,
        'sme@demo.local',
        'Pending',
        '待审批',
      ]) {
        expect(unfolded).not.toContain(secret);
      }
    });

    it("shows a pool's holds with their units; UIDs are stable between fetches", async () => {
      const first = await fetchIcs(`/api/v1/calendar/resources/${pool}.ics`, {}, 'public, max-age=60');
      const second = await fetchIcs(`/api/v1/calendar/resources/${pool}.ics`, {}, 'public, max-age=60');
      const b = await getBooking(sme, ids.pooled);
      expect(first.events).toEqual([expect.objectContaining({ start: b.startsAt, end: b.endsAt, status: 'CONFIRMED', summary: 'Busy 已占用 5/8' })]);
      expect(second.events.map((e) => e.uid)).toEqual(first.events.map((e) => e.uid));
    });

    it('is 404 for an unknown or inactive resource, 400 for a malformed id (problem+json)', async () => {
      expectProblem(await t.http().get('/api/v1/calendar/resources/00000000-0000-4000-8000-000000000000.ics'), 404);
      expectProblem(await t.http().get('/api/v1/calendar/resources/not-a-uuid.ics'), 400);
      const spare = await createResource(shanghai, { nameZh: '测试·停用日历台', nameEn: 'Test retired calendar bench' });
      expect((await t.http().patch(`/api/v1/resources/${spare}`).set(bearer(operator)).send({ active: false })).status).toBe(200);
      expectProblem(await t.http().get(`/api/v1/calendar/resources/${spare}.ics`), 404);
    });
  });

  describe('private feeds', () => {
    it("gives an enterprise its organisation's bookings with resource, facility, address and state; cancelled ones as CANCELLED", async () => {
      const created = await newToken(sme, '办公室 Outlook');
      expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
      expect(created.url).toBe(`/api/v1/calendar/feeds/${created.token}.ics`);
      const { events, zones } = await feed(created.url);
      expect(zones.sort()).toEqual(['Asia/Shanghai', 'Europe/Berlin']);
      const mine = (await t.http().get('/api/v1/bookings?limit=200').set(bearer(sme)).expect(200)).body.items as Booking[];
      expect(mine.length).toBe(5);
      expect(events.map((e) => e.uid).sort()).toEqual(mine.map((b) => `booking-${b.id}@pilot-booking`).sort());
      for (const b of mine) {
        const e = eventOf(events, b.id);
        expectMatches(e, b);
        expect(e!.summary).toContain(b.facility.nameZh);
        expect(e!.summary).not.toContain(SME_ORG);
      }
      expect(eventOf(events, ids.cancelled)!.status).toBe('CANCELLED');
      expect(eventOf(events, ids.cancelled)!.summary).toMatch(/已取消 Cancelled/);
      expect(eventOf(events, ids.pending)!.status).toBe('TENTATIVE');
      expect(eventOf(events, ids.approved)).toBeUndefined(); // sme2's
    });

    it('never shows sme2 the bookings of sme', async () => {
      const { events, text } = await feed((await newToken(sme2)).url);
      const theirs = (await t.http().get('/api/v1/bookings?limit=200').set(bearer(sme2)).expect(200)).body.items as Booking[];
      expect(events.map((e) => e.uid).sort()).toEqual(theirs.map((b) => `booking-${b.id}@pilot-booking`).sort());
      expectMatches(eventOf(events, ids.approved), await getBooking(sme2, ids.approved));
      for (const id of [ids.pending, ids.cancelled, ids.pooled, ids.winter, ids.summer]) expect(text).not.toContain(id);
      expect(text.replace(/\r\n[ \t]/g, '')).not.toContain(SME_ORG);
    });

    it("gives an operator its facilities' bookings with the booking organisation; another operator sees none of them", async () => {
      const { events } = await feed((await newToken(operator)).url);
      for (const [key, id] of Object.entries(ids)) {
        const b = await getBooking(operator, id);
        const e = eventOf(events, id);
        expectMatches(e, b);
        expect(e!.summary).toContain(b.organisation.nameZh);
        expect(e!.description).toContain(b.organisation.nameZh);
        expect(key === 'approved' ? SME2_ORG : SME_ORG).toBe(b.organisation.nameZh);
      }
      expect(operator2).not.toBe('');
      const other = await feed((await newToken(operator2)).url);
      expect(other.events).toEqual([]);
      for (const id of Object.values(ids)) expect(other.text).not.toContain(id);
    });

    it('writes a non-default zone with its TZID and VTIMEZONE: the right instants in winter (UTC+1) and summer (UTC+2)', async () => {
      const { events, text } = await feed((await newToken(sme)).url);
      const winter = eventOf(events, ids.winter)!;
      const summer = eventOf(events, ids.summer)!;
      expect(winter).toEqual(expect.objectContaining({ tzid: 'Europe/Berlin', start: '2030-01-15T08:00:00.000Z', end: '2030-01-15T10:00:00.000Z' }));
      expect(summer).toEqual(expect.objectContaining({ tzid: 'Europe/Berlin', start: '2030-07-02T07:00:00.000Z', end: '2030-07-02T10:00:00.000Z' }));
      expect(winter.dtstart).toBe('DTSTART;TZID=Europe/Berlin:20300115T090000');
      expect(summer.dtstart).toBe('DTSTART;TZID=Europe/Berlin:20300702T090000');
      expect(text).toMatch(/BEGIN:VTIMEZONE\r\nTZID:Europe\/Berlin\r\n/);
      expect(text).toContain('TZOFFSETTO:+0200');
    });

    it('grows SEQUENCE and LAST-MODIFIED with each change; the UID stays', async () => {
      const { url } = await newToken(sme);
      const before = eventOf((await feed(url)).events, ids.pending)!;
      expect(before).toEqual(expect.objectContaining({ sequence: 0, status: 'TENTATIVE' }));

      await setNow(new Date(Date.parse(NOW) + HOUR_MS));
      const approved = await act(operator, ids.pending, 'approve');
      const afterApprove = eventOf((await feed(url)).events, ids.pending)!;
      expectMatches(afterApprove, approved);
      expect(afterApprove).toEqual(expect.objectContaining({ uid: before.uid, sequence: 1, status: 'CONFIRMED' }));
      expect(Date.parse(afterApprove.lastModified)).toBeGreaterThan(Date.parse(before.lastModified));

      await setNow(new Date(Date.parse(NOW) + 2 * HOUR_MS));
      const cancelled = await act(sme, ids.pending, 'cancel');
      const afterCancel = eventOf((await feed(url)).events, ids.pending)!;
      expectMatches(afterCancel, cancelled);
      expect(afterCancel).toEqual(expect.objectContaining({ uid: before.uid, sequence: 2, status: 'CANCELLED' }));
      expect(Date.parse(afterCancel.lastModified)).toBeGreaterThan(Date.parse(afterApprove.lastModified));
      // the public feed drops it: the slot is free again
      const busy = await fetchIcs(`/api/v1/calendar/resources/${bench}.ics`, {}, 'public, max-age=60');
      expect(busy.events).toHaveLength(1);
      await setNow(NOW);
    });

    it('is 404 (problem+json) for an unknown or malformed token', async () => {
      expectProblem(await t.http().get(`/api/v1/calendar/feeds/${'A'.repeat(43)}.ics`), 404);
      expectProblem(await t.http().get('/api/v1/calendar/feeds/short.ics'), 404);
      expectProblem(await t.http().get('/api/v1/calendar/feeds/x.ics.ics'), 404);
    });
  });

  describe('feed tokens', () => {
    it("lists the caller's tokens without their values, stores only the hash, and audits without the token", async () => {
      const created = await newToken(sme2, 'Thunderbird');
      const list = await t.http().get('/api/v1/calendar/tokens').set(bearer(sme2)).expect(200);
      expect(list.body).toEqual(expect.objectContaining({ total: expect.any(Number), limit: 20, offset: 0 }));
      const item = list.body.items.find((i: { id: string }) => i.id === created.id);
      expect(item).toEqual({ id: created.id, label: 'Thunderbird', createdAt: created.createdAt, lastUsedAt: null });
      expect(JSON.stringify(list.body)).not.toContain(created.token);
      // others' tokens are not listed
      const smeList = await t.http().get('/api/v1/calendar/tokens?limit=200').set(bearer(sme)).expect(200);
      expect(smeList.body.items.map((i: { id: string }) => i.id)).not.toContain(created.id);

      const [row] = await t.sql<{ token_hash: string }>(`SELECT token_hash FROM calendar_feed_tokens WHERE id = $1`, [created.id]);
      expect(row.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
      const dump = await t.sql(`SELECT * FROM calendar_feed_tokens`);
      expect(JSON.stringify(dump)).not.toContain(created.token);
      const audit = await t.sql<{ action: string; data: unknown; actor_label: string }>(
        `SELECT action, data, actor_label FROM audit_entries WHERE entity_type = 'calendar_feed_token' AND entity_id = $1 ORDER BY seq`,
        [created.id],
      );
      expect(audit).toEqual([expect.objectContaining({ action: 'calendar_token.created', actor_label: 'sme2@demo.local' })]);
      expect(JSON.stringify(audit)).not.toContain(created.token);

      // a fetch stamps last_used_at
      await feed(created.url);
      const after = await t.http().get('/api/v1/calendar/tokens').set(bearer(sme2)).expect(200);
      expect(after.body.items.find((i: { id: string }) => i.id === created.id).lastUsedAt).toBe(new Date(NOW).toISOString());
    });

    it('revokes: the feed is 404 afterwards, the token leaves the list, and only its owner can revoke it', async () => {
      const created = await newToken(sme);
      await feed(created.url);
      expectProblem(await t.http().delete(`/api/v1/calendar/tokens/${created.id}`).set(bearer(sme2)), 404); // not yours
      expectProblem(await t.http().delete(`/api/v1/calendar/tokens/${created.id}`).set(bearer(operator)), 404);
      await feed(created.url); // still works
      const res = await t.http().delete(`/api/v1/calendar/tokens/${created.id}`).set(bearer(sme));
      expect(res.status).toBe(204);
      expectProblem(await t.http().get(created.url), 404);
      expectProblem(await t.http().delete(`/api/v1/calendar/tokens/${created.id}`).set(bearer(sme)), 404); // already revoked
      const list = await t.http().get('/api/v1/calendar/tokens?limit=200').set(bearer(sme)).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(created.id);
      const audit = await t.sql<{ action: string }>(`SELECT action FROM audit_entries WHERE entity_id = $1 ORDER BY seq`, [created.id]);
      expect(audit.map((a) => a.action)).toEqual(['calendar_token.created', 'calendar_token.revoked']);
      expectProblem(await t.http().delete('/api/v1/calendar/tokens/not-a-uuid').set(bearer(sme)), 400);
    });

    it("follows the owner: a deactivated user's feed is 404; a user moved to another organisation sees that one's bookings", async () => {
      const [{ id: smeOrg }] = await t.sql<{ id: string }>(`SELECT organisation_id AS id FROM users WHERE email = 'sme@demo.local'`);
      const [{ id: sme2Org }] = await t.sql<{ id: string }>(`SELECT organisation_id AS id FROM users WHERE email = 'sme2@demo.local'`);
      const user = await t.http().post('/api/v1/users').set(bearer(admin)).send({
        email: 'planner@calendar.test',
        displayName: '计划员',
        password: 'planner-pass-2030-x',
        role: 'enterprise',
        organisationId: smeOrg,
      });
      expect(user.status).toBe(201);
      const planner = await t.login('planner@calendar.test', 'planner-pass-2030-x');
      const { url } = await newToken(planner);
      expect(eventOf((await feed(url)).events, ids.winter)).toBeDefined();

      expect((await t.http().patch(`/api/v1/users/${user.body.id}`).set(bearer(admin)).send({ role: 'enterprise', organisationId: sme2Org })).status).toBe(200);
      const moved = await feed(url);
      expect(eventOf(moved.events, ids.winter)).toBeUndefined();
      expect(eventOf(moved.events, ids.approved)).toBeDefined();

      expect((await t.http().post(`/api/v1/users/${user.body.id}/deactivate`).set(bearer(admin))).status).toBe(200);
      expectProblem(await t.http().get(url), 404);
      expect((await t.http().post(`/api/v1/users/${user.body.id}/reactivate`).set(bearer(admin))).status).toBe(200);
      await feed(url);

      // an owner whose role no longer has a feed (official) → 404
      const [{ id: authority }] = await t.sql<{ id: string }>(`SELECT organisation_id AS id FROM users WHERE email = 'official@demo.local'`);
      expect((await t.http().patch(`/api/v1/users/${user.body.id}`).set(bearer(admin)).send({ role: 'official', organisationId: authority })).status).toBe(200);
      expectProblem(await t.http().get(url), 404);
    });

    it('is for enterprise and operator users: officials and admins get 403; anonymous 401; bad input 400', async () => {
      expectProblem(
        await t
          .http()
          .post('/api/v1/calendar/tokens')
          .set(bearer(await t.login('official@demo.local')))
          .send({}),
        403,
      );
      expectProblem(await t.http().post('/api/v1/calendar/tokens').set(bearer(admin)).send({}), 403);
      expectProblem(await t.http().post('/api/v1/calendar/tokens').send({}), 401);
      expectProblem(await t.http().get('/api/v1/calendar/tokens'), 401);
      expectProblem(
        await t
          .http()
          .post('/api/v1/calendar/tokens')
          .set(bearer(sme))
          .send({ label: 'x'.repeat(101) }),
        400,
      );
      expectProblem(await t.http().post('/api/v1/calendar/tokens').set(bearer(sme)).send({ token: 'mine' }), 400);
      const res = await t.http().post('/api/v1/calendar/tokens').set(bearer(sme)).send({});
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.label).toBeNull();
    });

    it('limits a user to 20 active tokens (409), and revoking one makes room', async () => {
      const existing = (await t.http().get('/api/v1/calendar/tokens').set(bearer(operator2)).expect(200)).body.total as number;
      const made = [];
      for (let i = existing; i < 20; i++) made.push(await newToken(operator2, `device ${i}`));
      const refused = expectProblem(await t.http().post('/api/v1/calendar/tokens').set(bearer(operator2)).send({}), 409, 'too_many_feed_tokens');
      expect(refused.max).toBe(20);
      expect((await t.http().delete(`/api/v1/calendar/tokens/${made[0].id}`).set(bearer(operator2))).status).toBe(204);
      await newToken(operator2, 'replacement');
    });

    it('keeps feed tokens out of the request log', () => {
      expect(redactPath('/api/v1/calendar/feeds/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd.ics?x=1')).toBe('/api/v1/calendar/feeds/[redacted]');
    });
  });

  describe('one booking as .ics', () => {
    it('answers GET /bookings/:id.ics with text/calendar while GET /bookings/:id stays JSON', async () => {
      const b = await getBooking(sme, ids.summer);
      const { events } = await fetchIcs(`/api/v1/bookings/${ids.summer}.ics`, bearer(sme));
      expect(events).toHaveLength(1);
      expectMatches(events[0], b);
      expect(events[0].summary).toContain(b.facility.nameZh);
      const json = await t.http().get(`/api/v1/bookings/${ids.summer}`).set(bearer(sme)).expect(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.body.id).toBe(ids.summer);
      // the operator's copy names the booking organisation
      const ops = await fetchIcs(`/api/v1/bookings/${ids.summer}.ics`, bearer(operator));
      expect(ops.events[0].summary).toContain(SME_ORG);
    });

    it("has the same visibility as GET /bookings/:id: another tenant's is 404; a token is needed", async () => {
      expectProblem(await t.http().get(`/api/v1/bookings/${ids.summer}.ics`).set(bearer(sme2)), 404);
      expectProblem(await t.http().get(`/api/v1/bookings/${ids.summer}.ics`).set(bearer(operator2)), 404);
      expectProblem(await t.http().get(`/api/v1/bookings/${ids.summer}.ics`), 401);
      expectProblem(await t.http().get('/api/v1/bookings/00000000-0000-4000-8000-000000000000.ics').set(bearer(sme)), 404);
      expectProblem(await t.http().get('/api/v1/bookings/not-a-uuid.ics').set(bearer(sme)), 400);
      const official = await fetchIcs(`/api/v1/bookings/${ids.summer}.ics`, bearer(await t.login('official@demo.local')));
      expect(official.events).toHaveLength(1);
    });
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/calendar/resources/{id}.ics',
        '/api/v1/calendar/feeds/{token}.ics',
        '/api/v1/bookings/{id}.ics',
        '/api/v1/calendar/tokens',
        '/api/v1/calendar/tokens/{id}',
      ]),
    );
  });
});
