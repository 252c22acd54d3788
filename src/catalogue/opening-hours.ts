import type { FieldError } from '../common/errors/domain-error';

/** One weekly opening interval in the facility's local time: `[opens, closes)` on an ISO weekday (1 = Monday). */
export interface OpeningInterval {
  weekday: number;
  /** "HH:MM", 00:00–23:59. */
  opens: string;
  /** "HH:MM", 00:01–24:00; after `opens`. */
  closes: string;
}

export const WEEKDAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** "HH:MM" for opening times (00:00–23:59). */
export const OPENS_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "HH:MM" for closing times, where 24:00 is the end of the day. */
export const CLOSES_PATTERN = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Minutes since local midnight of "HH:MM" (24:00 → 1440), or NaN if malformed. */
export function minutesOfDay(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return NaN;
  return h * 60 + min;
}

/** "HH:MM" from PostgreSQL's `time` text ("08:00:00", "24:00:00"). */
export const hhmm = (time: string): string => time.slice(0, 5);

const describe = (i: OpeningInterval) => `${WEEKDAY_NAMES[i.weekday] ?? i.weekday} ${i.opens}–${i.closes}`;

/**
 * Checks a weekly schedule: each interval well formed (weekday 1–7, HH:MM, opens < closes ≤ 24:00)
 * and no two intervals of the same weekday overlapping (touching is fine: intervals are half-open,
 * and Fri 20:00–24:00 followed by Sat 00:00–08:00 is one window across midnight).
 * Returns field errors named `${field}[i]` / `${field}[i].closes`; empty when the schedule is valid.
 */
export function openingHoursErrors(intervals: readonly OpeningInterval[], field = 'intervals'): FieldError[] {
  const errors: FieldError[] = [];
  const valid: Array<{ index: number; interval: OpeningInterval; from: number; to: number }> = [];
  intervals.forEach((interval, index) => {
    const name = `${field}[${index}]`;
    let ok = true;
    if (!Number.isInteger(interval.weekday) || interval.weekday < 1 || interval.weekday > 7) {
      errors.push({ field: `${name}.weekday`, message: `${name}.weekday must be an ISO weekday from 1 (Monday) to 7 (Sunday)` });
      ok = false;
    }
    if (typeof interval.opens !== 'string' || !OPENS_PATTERN.test(interval.opens)) {
      errors.push({ field: `${name}.opens`, message: `${name}.opens must be a local time HH:MM from 00:00 to 23:59` });
      ok = false;
    }
    if (typeof interval.closes !== 'string' || !CLOSES_PATTERN.test(interval.closes)) {
      errors.push({ field: `${name}.closes`, message: `${name}.closes must be a local time HH:MM from 00:01 to 24:00` });
      ok = false;
    }
    if (!ok) return;
    const from = minutesOfDay(interval.opens);
    const to = minutesOfDay(interval.closes);
    if (to <= from) {
      errors.push({
        field: `${name}.closes`,
        message: `${name}.closes (${interval.closes}) must be after opens (${interval.opens}); for a night shift use two intervals, e.g. 20:00–24:00 and 00:00–08:00 of the next day`,
      });
      return;
    }
    valid.push({ index, interval, from, to });
  });
  const sorted = [...valid].sort((a, b) => a.interval.weekday - b.interval.weekday || a.from - b.from || a.index - b.index);
  for (let k = 1; k < sorted.length; k++) {
    const cur = sorted[k];
    // The interval with the latest end among the earlier ones of the same day decides the overlap.
    let latest: (typeof sorted)[number] | undefined;
    for (let j = k - 1; j >= 0 && sorted[j].interval.weekday === cur.interval.weekday; j--) {
      if (!latest || sorted[j].to > latest.to) latest = sorted[j];
    }
    if (latest && latest.to > cur.from) {
      const [first, second] = latest.index < cur.index ? [latest, cur] : [cur, latest];
      errors.push({
        field: `${field}[${second.index}]`,
        message: `${field}[${second.index}] (${describe(second.interval)}) overlaps ${field}[${first.index}] (${describe(first.interval)})`,
      });
    }
  }
  return errors;
}

/** The schedule in a stable order: by weekday, then opening time. */
export const sortIntervals = <T extends OpeningInterval>(intervals: readonly T[]): T[] =>
  [...intervals].sort((a, b) => a.weekday - b.weekday || minutesOfDay(a.opens) - minutesOfDay(b.opens));
