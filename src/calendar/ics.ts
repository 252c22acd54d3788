import { createHash } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import ical, { ICalCalendar, ICalCalendarMethod, ICalEventData, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { BookingState } from '../bookings/booking-transitions';
import type { BookingView } from '../bookings/booking-view';
import { formatInZone } from '../common/time';
import { hasUniqueLocalTime, vtimezoneGenerator } from './vtimezone';

/**
 * iCalendar (RFC 5545) documents of bookings, made with ical-generator. Pure functions of their
 * input: the service decides what goes in, these decide how it is written.
 *
 * - UID: `booking-<id>@pilot-booking` (private feeds and single bookings), stable for the booking's life;
 *   the public feed uses an opaque UID derived from the id, so it reveals no booking ids.
 * - SEQUENCE: the booking's `version` (0 when requested, +1 per transition); LAST-MODIFIED: `updatedAt`.
 * - DTSTART/DTEND: in the facility's IANA zone (`TZID=…`) with a matching VTIMEZONE (see vtimezone.ts);
 *   UTC for facilities in `UTC` (and for a window touching the repeated hour when clocks go back).
 * - STATUS: pending → TENTATIVE; approved, in_use, completed → CONFIRMED; cancelled, rejected,
 *   expired, no_show → CANCELLED (so subscribed clients drop them).
 */

export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8';
const PRODID = { company: 'pilot-booking', product: 'calendar', language: 'EN' };
const UID_DOMAIN = 'pilot-booking';
/** Suggested refresh interval for subscribed clients (REFRESH-INTERVAL / X-PUBLISHED-TTL). */
const REFRESH_SECONDS = 15 * 60;

/** A calendar document ready to send. */
export interface IcsDocument {
  filename: string;
  body: string;
  /** Cache-Control for the response. */
  cacheControl: string;
}

/** Who reads a booking event: the booking enterprise, or the facility side (operators, officials, admins). */
export type Audience = 'enterprise' | 'operator';

export function eventStatus(state: BookingState): ICalEventStatus {
  switch (state) {
    case 'pending':
      return ICalEventStatus.TENTATIVE;
    case 'approved':
    case 'in_use':
    case 'completed':
      return ICalEventStatus.CONFIRMED;
    case 'cancelled':
    case 'rejected':
    case 'expired':
    case 'no_show':
      return ICalEventStatus.CANCELLED;
  }
}

const STATE_LABELS: Record<BookingState, string> = {
  pending: '待审批 Pending',
  approved: '已批准 Approved',
  in_use: '使用中 In use',
  completed: '已完成 Completed',
  cancelled: '已取消 Cancelled',
  rejected: '已拒绝 Rejected',
  expired: '已过期 Expired',
  no_show: '未到场 No-show',
};

export const bookingUid = (bookingId: string) => `booking-${bookingId}@${UID_DOMAIN}`;

/** The public feed's UID for a booking: stable, but not the booking id. */
export const busyUid = (bookingId: string) => `busy-${createHash('sha256').update(`pilot-booking:busy:${bookingId}`).digest('hex').slice(0, 32)}@${UID_DOMAIN}`;

/**
 * The window as ical-generator should write it: wall-clock times in `zone` with TZID (TZDate values
 * carry the zone, whatever the process's TZ), or UTC for facilities in UTC and for the rare window
 * that starts or ends inside the repeated hour when clocks go back (its local time is ambiguous).
 */
function eventWindow(start: string | Date, end: string | Date, zone: string): Pick<ICalEventData, 'start' | 'end' | 'timezone'> {
  const s = new Date(start).getTime();
  const e = new Date(end).getTime();
  if (zone === 'UTC' || !hasUniqueLocalTime(zone, s) || !hasUniqueLocalTime(zone, e)) {
    return { start: new Date(s), end: new Date(e), timezone: null };
  }
  return { start: new TZDate(s, zone), end: new TZDate(e, zone), timezone: zone };
}

function newCalendar(name: string, now: Date, instants: Date[], description?: string): ICalCalendar {
  return ical({
    prodId: PRODID,
    name,
    description,
    method: ICalCalendarMethod.PUBLISH,
    ttl: REFRESH_SECONDS,
    // No calendar-wide zone name (it would turn DTSTAMP and LAST-MODIFIED into local times, and
    // ical-generator writes X-WR-TIMEZONE after the events); the generator writes a VTIMEZONE for
    // each zone the events use.
    timezone: { name: null, generator: vtimezoneGenerator([...instants, now]) },
  });
}

/** The local wall-clock window, e.g. `2030-01-08 09:00 – 11:00 (Asia/Shanghai)`, for descriptions. */
function localWindow(startsAt: string, endsAt: string, zone: string): string {
  const s = formatInZone(new Date(startsAt), zone);
  const e = formatInZone(new Date(endsAt), zone);
  const day = (x: string) => x.slice(0, 10);
  const time = (x: string) => x.slice(11, 16);
  return `${day(s)} ${time(s)} – ${day(e) === day(s) ? '' : day(e) + ' '}${time(e)} (${zone})`;
}

/** A booking as an event of a private feed or a single-booking download. */
function addBookingEvent(cal: ICalCalendar, b: BookingView, audience: Audience, now: Date): void {
  const status = eventStatus(b.state);
  const released = status === ICalEventStatus.CANCELLED;
  const who = audience === 'operator' ? b.organisation.nameZh : b.facility.nameZh;
  const prefix = b.state === 'approved' ? '' : `[${STATE_LABELS[b.state]}] `;
  const description = [
    `状态 State: ${STATE_LABELS[b.state]}`,
    `资源 Resource: ${b.resource.nameZh} / ${b.resource.nameEn}`,
    `设施 Facility: ${b.facility.nameZh} / ${b.facility.nameEn}`,
    `地址 Address: ${b.facility.address}`,
    ...(audience === 'operator' ? [`预约单位 Organisation: ${b.organisation.nameZh}${b.organisation.nameEn ? ' / ' + b.organisation.nameEn : ''}`] : []),
    ...(b.resource.mode === 'pooled' ? [`数量 Units: ${b.units} (${b.resource.unit})`] : []),
    `时间 Time: ${localWindow(b.startsAt, b.endsAt, b.facility.timeZone)}`,
    `预约编号 Booking: ${b.id}`,
  ].join('\n');
  cal.createEvent({
    id: bookingUid(b.id),
    sequence: b.version,
    stamp: now,
    ...eventWindow(b.startsAt, b.endsAt, b.facility.timeZone),
    summary: `${prefix}${b.resource.nameZh} · ${who}`,
    location: `${b.facility.nameZh}, ${b.facility.address}`,
    description,
    status,
    transparency: released ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
    created: new Date(b.createdAt),
    lastModified: new Date(b.updatedAt),
    x: [{ key: 'X-PILOT-BOOKING-STATE', value: b.state }],
  });
}

/** A calendar of bookings (a private feed, or one booking). */
export function bookingsCalendar(input: { name: string; description?: string; bookings: BookingView[]; audience: Audience; now: Date }): string {
  const { bookings, now } = input;
  const instants = bookings.flatMap((b) => [new Date(b.startsAt), new Date(b.endsAt)]);
  const cal = newCalendar(input.name, now, instants, input.description);
  for (const b of bookings) addBookingEvent(cal, b, input.audience, now);
  return cal.toString();
}

/** A time a resource is held, as the public feed shows it: no names, no purpose, no booking id. */
export interface BusyBlock {
  bookingId: string;
  /** The blocked window: the booking widened by the resource's changeover buffers. */
  from: Date;
  until: Date;
  units: number;
  state: BookingState;
  version: number;
  updatedAt: Date;
}

export interface PublicResource {
  nameZh: string;
  nameEn: string;
  mode: string;
  unit: string;
  capacity: number;
  facilityNameZh: string;
  facilityNameEn: string;
  address: string;
  timeZone: string;
}

/** The public busy-time calendar of one resource. */
export function busyCalendar(resource: PublicResource, blocks: BusyBlock[], now: Date): string {
  const instants = blocks.flatMap((b) => [b.from, b.until]);
  const cal = newCalendar(
    `${resource.nameZh} · ${resource.facilityNameZh} — 占用 Busy`,
    now,
    instants,
    `${resource.nameEn} (${resource.facilityNameEn}): times held by bookings, changeover included. 资源已被占用的时间（含换线准备时间）。`,
  );
  const pooled = resource.mode === 'pooled';
  for (const b of blocks) {
    cal.createEvent({
      id: busyUid(b.bookingId),
      sequence: b.version,
      stamp: now,
      ...eventWindow(b.from, b.until, resource.timeZone),
      summary: pooled ? `Busy 已占用 ${b.units}/${resource.capacity}` : 'Busy 已占用',
      location: `${resource.facilityNameZh}, ${resource.address}`,
      status: eventStatus(b.state),
      transparency: ICalEventTransparency.OPAQUE,
      lastModified: b.updatedAt,
    });
  }
  return cal.toString();
}
