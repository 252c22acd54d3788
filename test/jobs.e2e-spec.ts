import { Clock } from '../src/common/clock';
import { JobsService } from '../src/jobs/jobs.service';
import { createTestApp, expectProblem, TestApp } from './helpers/test-app';

const sh = (local: string) => `${local}:00+08:00`;
const NOW = sh('2030-03-04T10:00'); // a Monday
const MIN = 60_000;
const HOUR = 3_600_000;

describe('scheduled jobs and notifications', () => {
  let t: TestApp;
  let operator: string;
  let sme: string;
  let sme2: string;
  let resource: string;

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  async function setNow(instant: string | Date | number, apps: TestApp[] = [t]) {
    for (const app of apps) app.app.get(Clock).freeze(new Date(instant));
    [operator, sme, sme2] = await Promise.all([t.login('operator@demo.local'), t.login('sme@demo.local'), t.login('sme2@demo.local')]);
  }
  const book = async (token: string, from: string, to: string, id = resource) => {
    const res = await t
      .http()
      .post('/api/v1/bookings')
      .set(bearer(token))
      .send({ resourceId: id, startsAt: sh(from), endsAt: sh(to), stage: 'pilot_maturation', serviceCategory: 'type_testing', purpose: '测试 jobs' });
    if (res.status !== 201) throw new Error(`booking: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; startsAt: string; state: string };
  };
  const state = async (id: string) => (await t.sql<{ state: string }>(`SELECT state FROM bookings WHERE id = $1`, [id]))[0].state;
  const run = (job: 'expiry' | 'no-show' | 'reminders' | 'idempotency-cleanup', app: TestApp = t) => app.app.get(JobsService).run(job);

  beforeAll(async () => {
    t = await createTestApp();
    await setNow(NOW);
    const facility = await t
      .http()
      .post('/api/v1/facilities')
      .set(bearer(operator))
      .send({
        kind: 'verification_centre',
        nameZh: '测试·作业中心',
        nameEn: 'Test jobs centre',
        cityCode: '210500',
        address: '本溪市测试路3号',
        directions: ['life_health'],
        stages: ['lab_validation'],
      });
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(operator))
      .send({
        facilityId: facility.body.id,
        nameZh: '测试·质谱仪',
        nameEn: 'Test mass spectrometer',
        mode: 'exclusive',
        unit: 'hour',
        minDurationMinutes: 60,
        maxDurationMinutes: 600,
        leadTimeMinutes: 0,
        horizonDays: 60,
        approvalRequired: true,
        pricePerUnitHourFen: 30_000,
        openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
      });
    expect(res.status).toBe(201);
    resource = res.body.id;
  });
  afterAll(() => t.close());
  afterEach(() => setNow(NOW));

  describe('expiry', () => {
    it('expires an undecided request 48 hours after it was made, not a minute before, and releases the slot', async () => {
      const b = await book(sme, '2030-03-10T09:00', '2030-03-10T11:00');
      await setNow(Date.parse(NOW) + 48 * HOUR - MIN);
      expect((await run('expiry')).changed).not.toContain(b.id);
      expect(await state(b.id)).toBe('pending');
      await setNow(Date.parse(NOW) + 48 * HOUR);
      expect((await run('expiry')).changed).toContain(b.id);
      expect(await state(b.id)).toBe('expired');
      // the slot is free again
      await book(sme2, '2030-03-10T09:00', '2030-03-10T11:00');
      const audit = await t.sql(`SELECT action, actor_kind, actor_label FROM audit_entries WHERE entity_id = $1 ORDER BY seq`, [b.id]);
      expect(audit.map((a) => [a.action, a.actor_kind, a.actor_label])).toEqual([
        ['booking.requested', 'user', 'sme@demo.local'],
        ['booking.expired', 'job', 'job:expiry'],
      ]);
      // idempotent: a second run changes nothing
      expect((await run('expiry')).changed).not.toContain(b.id);
    });

    it('expires at the booking start when that comes before 48 hours', async () => {
      const b = await book(sme, '2030-03-05T08:00', '2030-03-05T09:00'); // starts 22 h after the request
      await setNow(sh('2030-03-05T07:59'));
      await run('expiry');
      expect(await state(b.id)).toBe('pending');
      await setNow(sh('2030-03-05T08:00'));
      await run('expiry');
      expect(await state(b.id)).toBe('expired');
    });

    it('leaves decided bookings alone', async () => {
      const b = await book(sme, '2030-03-11T09:00', '2030-03-11T10:00');
      await t.http().post(`/api/v1/bookings/${b.id}/approve`).set(bearer(operator)).send({}).expect(200);
      await setNow(Date.parse(NOW) + 72 * HOUR);
      await run('expiry');
      expect(await state(b.id)).toBe('approved');
    });
  });

  describe('no-show', () => {
    it('marks an approved booking no_show at start + 30 minutes grace, not a minute before', async () => {
      const b = await book(sme, '2030-03-06T09:00', '2030-03-06T12:00');
      await t.http().post(`/api/v1/bookings/${b.id}/approve`).set(bearer(operator)).send({}).expect(200);
      const checkedIn = await book(sme, '2030-03-06T13:00', '2030-03-06T14:00');
      await t.http().post(`/api/v1/bookings/${checkedIn.id}/approve`).set(bearer(operator)).send({}).expect(200);
      await setNow(sh('2030-03-06T13:00'));
      await t.http().post(`/api/v1/bookings/${checkedIn.id}/check-in`).set(bearer(operator)).expect(200);

      await setNow(sh('2030-03-06T09:29'));
      await run('no-show');
      expect(await state(b.id)).toBe('approved');
      await setNow(sh('2030-03-06T09:30'));
      const result = await run('no-show');
      expect(result.changed).toEqual([b.id]);
      expect(await state(b.id)).toBe('no_show');
      await setNow(sh('2030-03-06T14:30'));
      await run('no-show');
      expect(await state(checkedIn.id)).toBe('in_use');
      const [entry] = await t.sql(`SELECT actor_label, data FROM audit_entries WHERE entity_id = $1 AND action = 'booking.marked_no_show'`, [b.id]);
      expect(entry.actor_label).toBe('job:no-show');
    });
  });

  describe('reminders and the notification outbox', () => {
    it('reminds both sides 24 hours before an approved booking, once, not twice', async () => {
      const b = await book(sme, '2030-03-08T10:00', '2030-03-08T12:00');
      await t.http().post(`/api/v1/bookings/${b.id}/approve`).set(bearer(operator)).send({}).expect(200);
      const reminders = () =>
        t.sql<{ email: string }>(
          `SELECT u.email FROM notifications n JOIN users u ON u.id = n.recipient_user_id WHERE n.booking_id = $1 AND n.kind = 'booking_reminder' ORDER BY u.email`,
          [b.id],
        );
      await setNow(sh('2030-03-07T09:59'));
      await run('reminders');
      expect(await reminders()).toEqual([]);
      await setNow(sh('2030-03-07T10:00'));
      expect((await run('reminders')).changed).toEqual([b.id]);
      expect((await reminders()).map((r) => r.email)).toEqual(['operator@demo.local', 'sme@demo.local']);
      await setNow(sh('2030-03-07T11:00'));
      expect((await run('reminders')).changed).toEqual([]);
      expect(await reminders()).toHaveLength(2);
    });

    it('writes notifications with the change: request to the operator, decision to the enterprise, in Chinese and English', async () => {
      const b = await book(sme2, '2030-03-12T09:00', '2030-03-12T10:00');
      const opInbox = await t.http().get('/api/v1/notifications?unread=true&limit=200').set(bearer(operator)).expect(200);
      const request = opInbox.body.items.find((n: { bookingId: string; kind: string }) => n.bookingId === b.id && n.kind === 'booking_requested');
      expect(request).toEqual(expect.objectContaining({ titleZh: '新的预约申请', titleEn: 'New booking request', readAt: null, deliveredAt: null }));
      expect(request.bodyZh).toContain('演示·大连氢能装备有限公司');
      expect(request.bodyEn).toContain('2030-03-12 09:00');
      // the English text names the organisation by its English name, the Chinese text by its Chinese one
      expect(request.bodyEn).toContain('Demo Dalian Hydrogen Equipment Co. requests Test jobs centre · Test mass spectrometer');
      expect(request.bodyEn).not.toContain('演示');

      await t.http().post(`/api/v1/bookings/${b.id}/reject`).set(bearer(operator)).send({ reason: '样品不符合要求' }).expect(200);
      const inbox = await t.http().get('/api/v1/notifications?unread=true').set(bearer(sme2)).expect(200);
      const rejected = inbox.body.items.find((n: { bookingId: string }) => n.bookingId === b.id);
      expect(rejected).toEqual(expect.objectContaining({ kind: 'booking_rejected', titleEn: 'Booking rejected' }));
      expect(rejected.bodyZh).toContain('样品不符合要求');
      // the other SME hears nothing about it
      const other = await t.http().get('/api/v1/notifications?limit=200').set(bearer(sme)).expect(200);
      expect(other.body.items.some((n: { bookingId: string }) => n.bookingId === b.id)).toBe(false);

      const read = await t.http().post(`/api/v1/notifications/${rejected.id}/read`).set(bearer(sme2)).expect(200);
      expect(read.body.readAt).toBe(new Date(NOW).toISOString());
      const unread = await t.http().get('/api/v1/notifications?unread=true&limit=200').set(bearer(sme2)).expect(200);
      expect(unread.body.items.some((n: { id: string }) => n.id === rejected.id)).toBe(false);
      const readOnes = await t.http().get('/api/v1/notifications?unread=false').set(bearer(sme2)).expect(200);
      expect(readOnes.body.items.map((n: { id: string }) => n.id)).toContain(rejected.id);
      expectProblem(await t.http().post(`/api/v1/notifications/${rejected.id}/read`).set(bearer(sme)), 404);
      expectProblem(await t.http().post(`/api/v1/notifications/abc/read`).set(bearer(sme)), 400);
      expectProblem(await t.http().get('/api/v1/notifications?unread=maybe').set(bearer(sme)), 400);
      expectProblem(await t.http().get('/api/v1/notifications'), 401);
    });

    it('rolls the notifications back with a refused change', async () => {
      const before = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM notifications`);
      const b = await book(sme, '2030-03-13T09:00', '2030-03-13T10:00');
      const after = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM notifications`);
      expect(after[0].n).toBeGreaterThan(before[0].n);
      // a refused transition writes none
      const n1 = after[0].n;
      expectProblem(await t.http().post(`/api/v1/bookings/${b.id}/check-out`).set(bearer(operator)), 409);
      expect((await t.sql(`SELECT count(*)::int AS n FROM notifications`))[0].n).toBe(n1);
    });
  });

  describe('several instances on one database', () => {
    it('changes each booking once when two instances fire the same job at the same time', async () => {
      const second = await createTestApp({ databaseUrl: t.databaseUrl, demo: false });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 12; i++)
          ids.push((await book(i % 2 ? sme : sme2, `2030-03-20T${String(i).padStart(2, '0')}:00`, `2030-03-20T${String(i + 1).padStart(2, '0')}:00`)).id);
        const later = Date.parse(NOW) + 49 * HOUR;
        await setNow(later, [t, second]);
        const runs = await Promise.all([run('expiry', t), run('expiry', second), run('expiry', t), run('expiry', second)]);
        const changed = runs.flatMap((r) => r.changed as string[]);
        expect(changed.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
        const audit = await t.sql<{ entity_id: string; n: number }>(
          `SELECT entity_id, count(*)::int AS n FROM audit_entries WHERE action = 'booking.expired' AND entity_id = ANY($1) GROUP BY entity_id`,
          [ids],
        );
        expect(audit).toHaveLength(12);
        expect(audit.every((a) => a.n === 1)).toBe(true);
        const notes = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'booking_expired' AND booking_id = ANY($1)`, [ids]);
        const perBooking = notes[0].n / 12;
        expect(Number.isInteger(perBooking)).toBe(true); // the same recipients once each, never twice
        const verify = await t
          .http()
          .get('/api/v1/audit/verify')
          .set(bearer(await t.login('official@demo.local')))
          .expect(200);
        expect(verify.body.valid).toBe(true);
      } finally {
        await second.close();
      }
    });

    it('forgets idempotency keys past their expiry', async () => {
      await t
        .http()
        .post('/api/v1/bookings')
        .set(bearer(sme))
        .set('Idempotency-Key', 'cleanup-1')
        .send({
          resourceId: resource,
          startsAt: sh('2030-03-25T09:00'),
          endsAt: sh('2030-03-25T10:00'),
          stage: 'lab_validation',
          serviceCategory: 'type_testing',
          purpose: 'x',
        })
        .expect(201);
      await setNow(Date.parse(NOW) + 47 * HOUR);
      await run('idempotency-cleanup');
      expect((await t.sql(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'cleanup-1'`))[0].n).toBe(1);
      await setNow(Date.parse(NOW) + 48 * HOUR);
      expect(await run('idempotency-cleanup')).toEqual(expect.objectContaining({ ran: true }));
      expect((await t.sql(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'cleanup-1'`))[0].n).toBe(0);
    });
  });
});
