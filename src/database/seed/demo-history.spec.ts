import { createHash } from 'node:crypto';
import { generateHistory, HistoryInput, HistoryResourceInput, isBatchCompute, mulberry32, subtractIntervals } from './demo-history';
import { HISTORY_PROJECTS } from './demo-history.data';

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.parse('2026-12-04T04:00:00Z');
const START = Date.parse('2025-11-23T16:00:00Z');
const END = NOW + 21 * DAY;

/** Weekdays 08:00–18:00 Shanghai (00:00–10:00 UTC) over the window. */
function weekdayHours(): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let d = START + 8 * H; d < END; d += DAY) {
    const day = new Date(d).getUTCDay();
    if (day !== 0 && day !== 6) out.push([d, d + 10 * H]);
  }
  return out;
}

const resource = (over: Partial<HistoryResourceInput>): HistoryResourceInput => ({
  id: '00000000-0000-4000-8000-000000000001',
  facilityId: '00000000-0000-4000-8000-0000000000f1',
  facilityNameEn: 'Demo Line Facility',
  facilitySlug: 'line-facility',
  facilityKind: 'pilot_platform',
  cityCode: '210100',
  directions: ['new_materials'],
  stages: ['pilot_maturation'],
  timeZone: 'Asia/Shanghai',
  operator: { organisationId: '00000000-0000-4000-8000-0000000000a1', userId: '00000000-0000-4000-8000-0000000000b1', email: 'op@demo.local' },
  nameEn: 'Demo Line',
  nameZh: '演示·中试线',
  mode: 'exclusive',
  capacity: 1,
  unit: 'hour',
  minDurationMinutes: 120,
  maxDurationMinutes: 480,
  leadTimeMinutes: 1440,
  horizonDays: 60,
  bufferBeforeMinutes: 30,
  bufferAfterMinutes: 60,
  approvalRequired: true,
  pricePerUnitHourFen: 50_000,
  smeDiscountPercent: 20,
  maxUnitHoursPer30Days: 40,
  maxOpenRequests: 2,
  slotMinutes: 30,
  open: weekdayHours(),
  ...over,
});

const input = (resources: HistoryResourceInput[]): HistoryInput => ({
  now: new Date(NOW),
  historyStart: new Date(START),
  futureEnd: new Date(END),
  resources,
  enterprises: [
    {
      key: 'ent05',
      organisationId: '00000000-0000-4000-8000-0000000000c1',
      userId: '00000000-0000-4000-8000-0000000000d1',
      email: 'a@demo.local',
      cityCode: '210100',
      sme: true,
      directions: ['new_materials'],
      weight: 1,
    },
    {
      key: 'ent07',
      organisationId: '00000000-0000-4000-8000-0000000000c2',
      userId: '00000000-0000-4000-8000-0000000000d2',
      email: 'b@demo.local',
      cityCode: '210200',
      sme: false,
      directions: ['new_energy'],
      weight: 1,
    },
  ],
  projects: HISTORY_PROJECTS,
  decisionDeadlineHours: 48,
  noShowGraceMinutes: 30,
});

describe('demo history generator', () => {
  it('is deterministic: the same input gives the same province, a different seed another', () => {
    const digest = (seed?: number) =>
      createHash('sha256')
        .update(
          JSON.stringify(
            generateHistory({ ...input([resource({}), resource({ id: '00000000-0000-4000-8000-000000000002', mode: 'pooled', capacity: 6 })]), seed }),
          ),
        )
        .digest('hex');
    expect(digest()).toBe(digest());
    expect(digest(7)).not.toBe(digest());
    expect(mulberry32(1)()).toBe(mulberry32(1)());
  });

  it('subtracts intervals', () => {
    expect(
      subtractIntervals(
        [
          [0, 10],
          [20, 30],
        ],
        [
          [5, 22],
          [25, 26],
        ],
      ),
    ).toEqual([
      [0, 5],
      [22, 25],
      [26, 30],
    ]);
    expect(subtractIntervals([[0, 10]], [])).toEqual([[0, 10]]);
    expect(subtractIntervals([[0, 10]], [[-5, 15]])).toEqual([]);
  });

  it('keeps the rules of an exclusive resource: opening hours, maintenance, durations, lead time, horizon, no overlap, fair use, open requests', () => {
    const r = resource({});
    const h = generateHistory(input([r]));
    expect(h.bookings.length).toBeGreaterThan(20);
    const inOpening = (s: number, e: number) => r.open.some(([a, b]) => a <= s && e <= b);
    for (const b of h.bookings) {
      const s = b.startsAt.getTime();
      const e = b.endsAt.getTime();
      expect(inOpening(s, e)).toBe(true);
      expect(e - s).toBeGreaterThanOrEqual(r.minDurationMinutes * 60_000);
      expect(e - s).toBeLessThanOrEqual(r.maxDurationMinutes * 60_000);
      expect(s - b.createdAt.getTime()).toBeGreaterThanOrEqual(r.leadTimeMinutes * 60_000);
      expect(e - b.createdAt.getTime()).toBeLessThanOrEqual(r.horizonDays * DAY);
      expect(b.createdAt.getTime()).toBeGreaterThanOrEqual(START);
      expect(b.updatedAt.getTime()).toBeLessThanOrEqual(NOW);
      for (const m of h.maintenance) expect(b.blockedUntil <= m.startsAt || b.blockedFrom >= m.endsAt).toBe(true);
    }
    const sorted = [...h.bookings].sort((a, b) => a.blockedFrom.getTime() - b.blockedFrom.getTime());
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].blockedFrom.getTime()).toBeGreaterThanOrEqual(sorted[i - 1].blockedUntil.getTime());
    // fair use over every window starting at a booking's start, for the enterprises (internal use is not limited)
    for (const a of h.bookings.filter((x) => !x.internal)) {
      const ws = a.startsAt.getTime();
      const held = h.bookings
        .filter((b) => b.organisationId === a.organisationId && ['pending', 'approved', 'in_use', 'completed'].includes(b.state))
        .reduce((sum, b) => sum + (b.units * Math.max(0, Math.min(b.endsAt.getTime(), ws + 30 * DAY) - Math.max(b.startsAt.getTime(), ws))) / H, 0);
      expect(held).toBeLessThanOrEqual(r.maxUnitHoursPer30Days!);
    }
    const pendingPerOrg = new Map<string, number>();
    for (const b of h.bookings.filter((x) => x.state === 'pending')) pendingPerOrg.set(b.organisationId, (pendingPerOrg.get(b.organisationId) ?? 0) + 1);
    for (const n of pendingPerOrg.values()) expect(n).toBeLessThanOrEqual(r.maxOpenRequests!);
  });

  it('gives every booking a life cycle that matches its audit entries, prices in fen and internal use at 0', () => {
    const h = generateHistory(input([resource({ maxUnitHoursPer30Days: null })]));
    for (const b of h.bookings) {
      const entries = h.audit.filter((a) => a.entityId === b.id);
      expect(entries[0].action).toBe('booking.requested');
      expect(entries.length - 1).toBe(b.version);
      if (entries.length > 1) expect(entries[entries.length - 1].data.to).toBe(b.state);
      expect(Number.isInteger(b.priceFen)).toBe(true);
      if (b.internal) expect([b.priceFen, b.decidedBy]).toEqual([0, null]);
      if (b.state === 'completed') expect(h.usage.filter((u) => u.bookingId === b.id && u.source === 'check_out')).toHaveLength(1);
      if (b.state === 'expired') expect(b.endedByJob).toBe('job:expiry');
      if (b.state === 'no_show') expect(b.endedByJob).toBe('job:no-show');
    }
    const states = new Set(h.bookings.map((b) => b.state));
    for (const s of ['completed', 'cancelled', 'approved']) expect(states.has(s as never)).toBe(true);
    expect(h.audit.map((a) => a.at.getTime())).toEqual([...h.audit.map((a) => a.at.getTime())].sort((a, b) => a - b));
  });

  it('turns a supercomputing centre’s core-hour pool into monthly Slurm imports with mappings, and no bookings', () => {
    const pool = resource({
      id: '00000000-0000-4000-8000-000000000003',
      facilityKind: 'supercomputing_centre',
      facilitySlug: 'hpc',
      mode: 'pooled',
      capacity: 2048,
      unit: 'core_hour',
      approvalRequired: false,
      open: [[START, END]],
    });
    expect(isBatchCompute(pool)).toBe(true);
    const h = generateHistory(input([pool]));
    expect(h.bookings).toHaveLength(0);
    expect(h.imports.length).toBeGreaterThanOrEqual(12);
    expect(h.mappings.filter((m) => m.kind === 'partition')).toHaveLength(1);
    for (const i of h.imports) {
      const records = h.usage.filter((u) => u.importId === i.id);
      expect(records).toHaveLength(i.imported);
      expect(records.every((u) => u.endsAt.getTime() <= i.importedAt.getTime() && u.unitsUsed <= 2048)).toBe(true);
      const sum = records.reduce((s, u) => s + Number(u.unitHours), 0);
      expect(i.unitHours.core_hour).toBeCloseTo(sum, 3);
      expect(i.importedAt.getTime()).toBeLessThan(NOW);
    }
  });
});
