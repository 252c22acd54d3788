import ICAL from 'ical.js';
import type { BookingView } from '../bookings/booking-view';
import { formatInZone } from '../common/time';
import { bookingsCalendar, bookingUid, busyCalendar, busyUid, eventStatus } from './ics';
import { formatUtcOffset, hasUniqueLocalTime, offsetChangesInYear, utcOffsetSeconds, vtimezoneComponent } from './vtimezone';

const HOUR = 3_600_000;

/** Parses a document with ical.js (a real RFC 5545 parser) and returns its events with their instants. */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      tzid: e.startDate.zone?.tzid,
      dtstart: v.getFirstProperty('dtstart')!.toICALString(),
      status: v.getFirstPropertyValue('status'),
      sequence: e.sequence,
      summary: e.summary,
    };
  });
}

function booking(over: Partial<BookingView> & { startsAt: string; endsAt: string; timeZone?: string }): BookingView {
  const { timeZone = 'Asia/Shanghai', ...rest } = over;
  return {
    id: '6f0c1b1e-0000-4000-8000-000000000001',
    state: 'approved',
    resource: { id: 'r', nameZh: '电堆测试台', nameEn: 'Stack bench', unit: 'hour', mode: 'exclusive' },
    facility: { id: 'f', nameZh: '中试基地', nameEn: 'Pilot base', address: '沈阳市浑南区1号', timeZone },
    organisation: { id: 'o', nameZh: '沈阳新材科技有限公司', nameEn: null, creditCode: null, sme: null },
    requestedBy: 'u',
    requester: null,
    localStartsAt: '',
    localEndsAt: '',
    blockedFrom: rest.startsAt,
    blockedUntil: rest.endsAt,
    units: 1,
    stage: 'pilot_maturation',
    serviceCategory: 'process_scale_up',
    internal: false,
    purpose: 'secret purpose',
    projectId: null,
    expiresAt: null,
    price: { fen: 0, listFen: 0, discountPercent: 0, currency: 'CNY' },
    decidedBy: null,
    decidedAt: null,
    decisionReason: null,
    cancelledBy: null,
    cancelledAt: null,
    cancelReason: null,
    checkedInAt: null,
    checkedOutAt: null,
    endedByJob: null,
    endedAt: null,
    version: 1,
    createdAt: '2029-12-01T00:00:00.000Z',
    updatedAt: '2029-12-02T00:00:00.000Z',
    ...rest,
  };
}

describe('VTIMEZONE from Intl', () => {
  it('finds the DST changes of Europe/Berlin to the second', () => {
    expect(offsetChangesInYear('Europe/Berlin', 2030)).toEqual([
      { at: Date.parse('2030-03-31T01:00:00Z'), from: 3600, to: 7200 },
      { at: Date.parse('2030-10-27T01:00:00Z'), from: 7200, to: 3600 },
    ]);
    expect(offsetChangesInYear('Asia/Shanghai', 2030)).toEqual([]);
    expect(utcOffsetSeconds('Asia/Kathmandu', Date.parse('2030-01-01T00:00:00Z'))).toBe(5 * 3600 + 45 * 60);
    expect(formatUtcOffset(-(3 * 3600 + 30 * 60))).toBe('-0330');
  });

  it('writes onsets in the local time before the change', () => {
    const vtz = vtimezoneComponent('Europe/Berlin', 2030, 2030);
    expect(vtz).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20300331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT');
    expect(vtz).toContain('BEGIN:STANDARD\r\nDTSTART:20301027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD');
  });

  it('knows which instants have an ambiguous local time (the repeated hour when clocks go back)', () => {
    expect(hasUniqueLocalTime('Europe/Berlin', Date.parse('2030-10-26T23:59:59Z'))).toBe(true); // 01:59:59 CEST
    expect(hasUniqueLocalTime('Europe/Berlin', Date.parse('2030-10-27T00:30:00Z'))).toBe(false); // 02:30 CEST…
    expect(hasUniqueLocalTime('Europe/Berlin', Date.parse('2030-10-27T01:30:00Z'))).toBe(false); // …and 02:30 CET
    expect(hasUniqueLocalTime('Europe/Berlin', Date.parse('2030-10-27T02:00:00Z'))).toBe(true); // 03:00 CET
    expect(hasUniqueLocalTime('Europe/Berlin', Date.parse('2030-03-31T01:00:00Z'))).toBe(true);
    expect(hasUniqueLocalTime('Asia/Shanghai', Date.parse('2030-10-27T01:30:00Z'))).toBe(true);
  });

  // Zones with DST, half-hour and 45-minute offsets, DST of 30 minutes, rules that changed, and none.
  const ZONES = [
    'Europe/Berlin',
    'America/Sao_Paulo',
    'America/New_York',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'America/St_Johns',
    'Africa/Casablanca',
    'Pacific/Chatham',
    'Europe/Dublin',
    'Asia/Shanghai',
    'UTC',
  ];

  it.each(ZONES)('%s: every instant survives a round trip through ical.js', (zone) => {
    // every 55 h 13 min over two years (all hours of the day in turn), plus the instants around each offset change
    const instants: number[] = [];
    for (let t = Date.parse('2029-01-01T00:00:00Z'); t < Date.parse('2031-01-01T00:00:00Z'); t += 55 * HOUR + 13 * 60_000) instants.push(t);
    for (const year of [2029, 2030]) {
      for (const c of zone === 'UTC' ? [] : offsetChangesInYear(zone, year)) instants.push(c.at - HOUR, c.at - 1000, c.at, c.at + 30 * 60_000, c.at + HOUR);
    }
    const bookings = instants.map((t, i) =>
      booking({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        startsAt: new Date(t).toISOString(),
        endsAt: new Date(t + HOUR).toISOString(),
        timeZone: zone,
      }),
    );
    const events = parse(bookingsCalendar({ name: 'x', bookings, audience: 'enterprise', now: new Date('2029-06-01T00:00:00Z') }));
    expect(events).toHaveLength(bookings.length);
    const byUid = new Map(events.map((e) => [e.uid, e]));
    let zoned = 0;
    for (const b of bookings) {
      const e = byUid.get(bookingUid(b.id))!;
      expect([e.start, e.end]).toEqual([b.startsAt, b.endsAt]);
      if (e.tzid === zone) {
        zoned++;
        // the wall-clock time written is the facility's local time
        expect(e.dtstart).toContain(formatInZone(new Date(b.startsAt), zone).slice(0, 19).replace(/[-:]/g, ''));
      }
    }
    if (zone !== 'UTC') expect(zoned).toBeGreaterThan(bookings.length * 0.9);
  });
});

describe('iCalendar documents', () => {
  it('maps states to STATUS', () => {
    expect(['pending', 'approved', 'in_use', 'completed', 'cancelled', 'rejected', 'expired', 'no_show'].map((s) => eventStatus(s as never))).toEqual([
      'TENTATIVE',
      'CONFIRMED',
      'CONFIRMED',
      'CONFIRMED',
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
    ]);
  });

  it('shows the enterprise the facility and the operator the organisation; never the purpose', () => {
    const b = booking({ startsAt: '2030-01-08T01:00:00.000Z', endsAt: '2030-01-08T03:00:00.000Z', state: 'pending', version: 0 });
    const mine = bookingsCalendar({ name: 'x', bookings: [b], audience: 'enterprise', now: new Date() });
    const theirs = bookingsCalendar({ name: 'x', bookings: [b], audience: 'operator', now: new Date() });
    expect(parse(mine)[0]).toEqual(
      expect.objectContaining({ status: 'TENTATIVE', sequence: 0, summary: '[待审批 Pending] 电堆测试台 · 中试基地', tzid: 'Asia/Shanghai' }),
    );
    expect(mine).toContain('DTSTART;TZID=Asia/Shanghai:20300108T090000');
    expect(mine).not.toContain('沈阳新材');
    expect(parse(theirs)[0].summary).toBe('[待审批 Pending] 电堆测试台 · 沈阳新材科技有限公司');
    expect(mine + theirs).not.toContain('secret purpose');
  });

  it('writes the public busy blocks without booking ids', () => {
    const id = '6f0c1b1e-0000-4000-8000-000000000009';
    const text = busyCalendar(
      {
        nameZh: '电堆测试台',
        nameEn: 'Stack bench',
        mode: 'exclusive',
        unit: 'hour',
        capacity: 1,
        facilityNameZh: '中试基地',
        facilityNameEn: 'Pilot base',
        address: '沈阳',
        timeZone: 'Europe/Berlin',
      },
      [
        {
          bookingId: id,
          from: new Date('2030-07-01T07:00:00Z'),
          until: new Date('2030-07-01T09:00:00Z'),
          units: 1,
          state: 'approved',
          version: 2,
          updatedAt: new Date('2030-06-01T00:00:00Z'),
        },
      ],
      new Date('2030-06-02T00:00:00Z'),
    );
    expect(text).not.toContain(id);
    expect(parse(text)).toEqual([
      expect.objectContaining({
        uid: busyUid(id),
        start: '2030-07-01T07:00:00.000Z',
        tzid: 'Europe/Berlin',
        status: 'CONFIRMED',
        sequence: 2,
        summary: 'Busy 已占用',
      }),
    ]);
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20300701T090000');
    expect(text).toContain('LAST-MODIFIED:20300601T000000Z');
  });
});
