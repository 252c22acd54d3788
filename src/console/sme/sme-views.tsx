import type { FreeWindow } from '../../bookings/availability.service';
import type { BookingView } from '../../bookings/booking-view';
import type { OpeningIntervalViewDto } from '../../catalogue/resources.dto';
import { DomainError } from '../../common/errors/domain-error';
import { addDays, instantAt, isoWeekday } from '../calendar-days';
import { errorsOf, FormErrors } from '../forms';
import type { PageContext } from '../page-context';
import { isoToLocalInput } from '../time-input';
import { Badge, Option } from '../views/components';
import { formatDateTime, formatFen, formatWindow, nameOf, queryOf } from '../views/format';

/** Options of a vocabulary (kinds, directions, stages …) with their translated labels. */
export const vocabularyOptions = (ctx: PageContext, values: readonly string[]): Option[] => values.map((v) => ({ value: v, label: ctx.m.vocabulary.label(v) }));

/** A refused form's errors (with the details a person needs beside the rule), or the error again if it is not a refusal. */
export function smeErrorsOf(ctx: PageContext, e: unknown, timeZone?: string): FormErrors & { extra: string[] } {
  const errors = errorsOf(ctx, e);
  if (!(e instanceof DomainError)) throw e;
  const s = ctx.m.sme;
  const tz = timeZone ?? 'Asia/Shanghai';
  const extra: string[] = [];
  const x = e.extra;
  if (e.code === 'slot_taken' && Array.isArray(x.conflicts)) {
    extra.push(s.conflictTaken);
    for (const c of x.conflicts as Array<{ startsAt: string; endsAt: string; blockedFrom: string; blockedUntil: string }>) {
      extra.push(
        s.conflictWindow(
          formatWindow(c.startsAt, c.endsAt, tz, ctx.language),
          formatWindow(c.blockedFrom ?? c.startsAt, c.blockedUntil ?? c.endsAt, tz, ctx.language),
        ),
      );
    }
  }
  if (e.code === 'insufficient_capacity' && Array.isArray(x.conflicts)) {
    for (const c of x.conflicts as Array<{ startsAt: string; endsAt: string }>)
      extra.push(s.conflictWindow(formatWindow(c.startsAt, c.endsAt, tz, ctx.language), '—'));
  }
  if (e.code === 'lead_time' && typeof x.earliestStart === 'string') extra.push(s.earliestStart(formatDateTime(x.earliestStart, tz, ctx.language)));
  if (e.code === 'too_short' && typeof x.minDurationMinutes === 'number') extra.push(s.minDurationIs(s.minutes(x.minDurationMinutes)));
  if (e.code === 'quota_exceeded' && typeof x.remaining === 'number') extra.push(s.quotaLeft(String(x.remaining)));
  return { ...errors, extra };
}

/** The form-level error with its details, above the form. */
export function SmeFormError(props: { errors?: (FormErrors & { extra: string[] }) | null }): JSX.Element {
  const e = props.errors;
  if (!e) return '';
  return (
    <div class="alert alert-error" role="alert" id="form-error">
      <p safe>{e.message}</p>
      {e.extra.map((line) => (
        <p class="conflict" safe>
          {line}
        </p>
      ))}
      {e.detail && e.detail !== e.message ? (
        <p class="detail" safe>
          {e.detail}
        </p>
      ) : (
        ''
      )}
    </div>
  );
}

/** A query string of the given values (empty ones left out). */
export function query(values: Record<string, string | number | undefined | null>): string {
  const s = queryOf(values);
  return s ? `?${s}` : '';
}

/** A form or query value as sent: a non-empty string, or undefined (not trimmed: it is shown back as typed). */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

export type CellState = 'free' | 'free_short' | 'busy' | 'closed' | 'unavailable';
export interface WeekCell {
  state: CellState;
  /** For a free cell: the booking form's start and end (local inputs). */
  start?: string;
  end?: string;
}

/**
 * The week grid of one resource: rows per hour of the opening hours, a cell per day, from the free windows
 * the availability service computed (the booking rules stay there: a cell is only what the windows say).
 */
export function weekGrid(input: {
  week: string;
  timeZone: string;
  openingHours: OpeningIntervalViewDto[];
  windows: FreeWindow[];
  minDurationMinutes: number;
  maxDurationMinutes: number;
  slotMinutes: number;
  bookableFrom: Date;
  bookableUntil: Date;
}): { hours: number[]; days: string[]; cells: WeekCell[][] } {
  const { week, timeZone, openingHours, windows } = input;
  const days = Array.from({ length: 7 }, (_, i) => addDays(week, i));
  let first = 24 * 60;
  let last = 0;
  for (const i of openingHours) {
    first = Math.min(first, toMinutes(i.opens));
    last = Math.max(last, i.closes === '24:00' ? 1440 : toMinutes(i.closes));
  }
  if (last <= first) [first, last] = [8 * 60, 18 * 60];
  const hours: number[] = [];
  for (let h = Math.floor(first / 60); h < Math.ceil(last / 60); h++) hours.push(h);
  const wanted = Math.min(input.maxDurationMinutes, Math.max(input.minDurationMinutes, 60));
  const cells = hours.map((h) =>
    days.map((day): WeekCell => {
      const start = instantAt(day, hh(h), timeZone);
      const end = new Date(start.getTime() + 3_600_000);
      const wd = isoWeekday(day);
      const open = openingHours.some(
        (i) => i.weekday === wd && toMinutes(i.opens) < (h + 1) * 60 && (i.closes === '24:00' ? 1440 : toMinutes(i.closes)) > h * 60,
      );
      const w = windows.find((x) => Date.parse(x.startsAt) < end.getTime() && Date.parse(x.endsAt) > start.getTime());
      if (w) {
        const from = new Date(Math.max(Date.parse(w.startsAt), start.getTime()));
        const fromWindowStart = (from.getTime() - Date.parse(w.startsAt)) / 60_000;
        const grain = Math.max(1, input.slotMinutes);
        const longest = Math.floor((w.longestBookingMinutes - fromWindowStart) / grain) * grain;
        const remaining = Math.floor((Date.parse(w.endsAt) - from.getTime()) / 60_000 / grain) * grain;
        const length = Math.min(wanted, remaining, Math.max(longest, input.minDurationMinutes));
        if (length < input.minDurationMinutes || fromWindowStart % grain !== 0) return { state: 'free_short' };
        return {
          state: 'free',
          start: isoToLocalInput(from, timeZone),
          end: isoToLocalInput(new Date(from.getTime() + length * 60_000), timeZone),
        };
      }
      if (!open) return { state: 'closed' };
      if (start < input.bookableFrom || end > input.bookableUntil) return { state: 'unavailable' };
      return { state: 'busy' };
    }),
  );
  return { hours, days, cells };
}

/** The short text in a week cell (never colour alone). */
export function cellText(ctx: PageContext, state: CellState): string {
  const s = ctx.m.sme;
  return { free: s.cellFree, free_short: s.cellFreeShort, busy: s.cellBusy, closed: s.cellClosed, unavailable: s.cellUnavailable }[state];
}

/** One booking as a row of a table (state badge, resource, facility, window, price). */
export function BookingRow(props: { ctx: PageContext; b: BookingView }): JSX.Element {
  const { ctx, b } = props;
  return (
    <tr>
      <td>
        <Badge ctx={ctx} value={b.state} />
      </td>
      <td>
        <a href={`/sme/bookings/${b.id}`} safe>
          {nameOf(ctx, b.resource)}
        </a>
      </td>
      <td safe>{nameOf(ctx, b.facility)}</td>
      <td safe>{formatWindow(b.startsAt, b.endsAt, b.facility.timeZone, ctx.language)}</td>
      <td class="num" safe>
        {formatFen(b.price.fen, ctx.language)}
      </td>
    </tr>
  );
}
