/**
 * VTIMEZONE components (RFC 5545 §3.6.5) made from the runtime's own time-zone database (Intl), for
 * ical-generator's `timezone.generator`.
 *
 * Instead of summarising a zone as yearly RRULEs — wrong for any zone whose rules changed (Brazil
 * dropped DST in 2019, Mexico in 2022) — every offset change inside the years the calendar's events
 * span is written as its own observance with an exact DTSTART. A client therefore applies exactly the
 * offsets the server used when it wrote the local times, for any IANA zone, with or without DST.
 */

const DAY_MS = 86_400_000;
/** Sampling step when looking for offset changes; no zone changes its offset twice within it. */
const STEP_MS = DAY_MS / 2;

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const nameFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in seconds (east positive): Asia/Shanghai → 28800. */
export function utcOffsetSeconds(zone: string, instantMs: number): number {
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, f);
  }
  const name = f.formatToParts(instantMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
  if (!m) return 0; // "GMT": UTC itself
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -seconds : seconds;
}

/** The zone's abbreviation at an instant when it has a real one (CET, CEST, CST, GMT), else null. */
function abbreviation(zone: string, instantMs: number): string | null {
  let f = nameFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' });
    nameFormatters.set(zone, f);
  }
  const name = f.formatToParts(instantMs).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return /^[A-Z]{2,6}$/.test(name) ? name : null; // not "GMT+9"
}

export interface OffsetChange {
  /** The instant of the change (ms since the epoch). */
  at: number;
  /** Offsets before and after, in seconds. */
  from: number;
  to: number;
}

const changesByYear = new Map<string, OffsetChange[]>();

/** Offset changes of a zone at instants in `[1 January, 1 January next year)` (UTC), found by sampling and bisection; cached. */
export function offsetChangesInYear(zone: string, year: number): OffsetChange[] {
  const key = `${zone}|${year}`;
  const cached = changesByYear.get(key);
  if (cached) return cached;
  const changes: OffsetChange[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  let t = Date.UTC(year, 0, 1) - 1000; // so that a change exactly at the year's start is found
  let offset = utcOffsetSeconds(zone, t);
  while (t < end) {
    const next = Math.min(t + STEP_MS, end);
    const nextOffset = utcOffsetSeconds(zone, next);
    if (nextOffset !== offset) {
      // offset(lo) is the old offset and offset(hi) the new one: narrow down to the second.
      let lo = t;
      let hi = next;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2000) * 1000;
        if (utcOffsetSeconds(zone, mid) === offset) lo = mid;
        else hi = mid;
      }
      if (hi < end) changes.push({ at: hi, from: offset, to: nextOffset }); // one exactly at `end` belongs to next year
    }
    t = next;
    offset = nextOffset;
  }
  changesByYear.set(key, changes);
  return changes;
}

const pad = (n: number, width = 2) => String(Math.trunc(n)).padStart(width, '0');

/** `+0800`, `-0330`, `+054500` (seconds only when there are any). */
export function formatUtcOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const s = abs % 60;
  return `${sign}${pad(abs / 3600)}${pad((abs % 3600) / 60)}${s ? pad(s) : ''}`;
}

/** Local date-time `YYYYMMDDTHHMMSS` of an instant at a fixed offset. */
function localStamp(instantMs: number, offsetSeconds: number): string {
  const d = new Date(instantMs + offsetSeconds * 1000);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** The zone's standard offset in a year: the smaller of its January and July offsets. */
function standardOffset(zone: string, year: number): number {
  return Math.min(utcOffsetSeconds(zone, Date.UTC(year, 0, 1)), utcOffsetSeconds(zone, Date.UTC(year, 6, 1)));
}

/**
 * A VTIMEZONE for `zone` valid from the start of `fromYear` to the end of `toYear` (UTC years): an
 * observance for the offset in force at the start, then one per change, each with its exact onset.
 */
export function vtimezoneComponent(zone: string, fromYear: number, toYear: number): string {
  const start = Date.UTC(fromYear, 0, 1);
  const first = utcOffsetSeconds(zone, start);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`];
  const observance = (at: number, from: number, to: number, year: number) => {
    const kind = to > standardOffset(zone, year) ? 'DAYLIGHT' : 'STANDARD';
    const name = abbreviation(zone, at);
    lines.push(
      `BEGIN:${kind}`,
      // RFC 5545: the onset is given in the local time in force before it (TZOFFSETFROM).
      `DTSTART:${localStamp(at, from)}`,
      `TZOFFSETFROM:${formatUtcOffset(from)}`,
      `TZOFFSETTO:${formatUtcOffset(to)}`,
      ...(name ? [`TZNAME:${name}`] : []),
      `END:${kind}`,
    );
  };
  observance(start, first, first, fromYear);
  for (let year = fromYear; year <= toYear; year++) {
    for (const change of offsetChangesInYear(zone, year)) observance(change.at, change.from, change.to, year);
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

/**
 * ical-generator's `timezone.generator` for a calendar whose events lie within `instants`: each zone
 * the events name gets a VTIMEZONE covering the UTC years from the earliest to the latest instant
 * (one year of margin either side, so local times near New Year are covered too).
 */
export function vtimezoneGenerator(instants: Date[]): (zone: string) => string | null {
  const times = instants.map((d) => d.getTime()).filter((t) => Number.isFinite(t));
  const now = Date.now();
  const fromYear = new Date(times.length ? Math.min(...times) : now).getUTCFullYear() - 1;
  const toYear = new Date(times.length ? Math.max(...times) : now).getUTCFullYear() + 1;
  return (zone: string) => (zone === 'UTC' ? null : vtimezoneComponent(zone, fromYear, toYear));
}

/**
 * Whether a local date-time with TZID names this instant unambiguously. When clocks go back, the
 * local times of the repeated hour occur twice: RFC 5545 (§3.3.5) reads them as the first
 * occurrence, but clients differ (ical.js takes the second), so such instants are written in UTC.
 */
export function hasUniqueLocalTime(zone: string, instantMs: number): boolean {
  const wall = instantMs + utcOffsetSeconds(zone, instantMs) * 1000;
  const offsets = new Set([-1, 0, 1].map((h) => utcOffsetSeconds(zone, instantMs + h * 3 * 3_600_000)));
  if (offsets.size === 1) return true;
  return [...offsets].filter((o) => utcOffsetSeconds(zone, wall - o * 1000) === o).length === 1;
}
