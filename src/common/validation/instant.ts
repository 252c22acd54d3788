import { Transform } from 'class-transformer';
import { IsDate } from 'class-validator';

/**
 * The one parser of instants the API accepts (bookings, availability, booking lists, maintenance):
 * strict ISO 8601 / RFC 3339 date-time with an explicit offset, calendar-valid.
 *
 *   YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM)
 *
 * - The date must exist (2027-02-29 does not; 2028-02-29 does): nothing rolls over into the next month.
 * - Hours 00–23 (`24:00` is refused: write 00:00 of the next day), minutes and seconds 00–59 (no leap
 *   second), a fraction of 1–9 digits (kept to the millisecond, the rest is cut off).
 * - The offset is `Z` or ±HH:MM between −12:00 and +14:00 (the offsets in use on Earth); `-00:00` is
 *   refused (RFC 3339: "offset unknown"). A bare local time is ambiguous and refused.
 * - Upper-case `T` and `Z` only, no spaces, no week or ordinal dates.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

export const INSTANT_EXAMPLE = '2030-01-08T09:00:00+08:00';

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number) => [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

/** The instant `text` denotes, or null when it is not a strict, calendar-valid ISO-8601 instant with an offset. */
export function parseInstant(text: unknown): Date | null {
  if (typeof text !== 'string') return null;
  const m = INSTANT.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
    if (m[9] === '-' && offsetMinutes === 0) return null;
    if (offsetMinutes < -12 * 60 || offsetMinutes > 14 * 60) return null;
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // setUTCFullYear: years below 100 are not shifted to 19xx
  utc.setUTCHours(hour, minute, second, ms);
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}

/**
 * class-transformer step for DTO fields that take an instant: absent stays absent, a valid instant
 * becomes a Date, anything else becomes a marker that `@IsDate` refuses with the field's message.
 */
export const toInstant = ({ value }: { value: unknown }) => {
  if (value === undefined) return undefined;
  return parseInstant(value) ?? 'invalid';
};

export const instantMessage = (field: string) => ({
  message: `${field} must be an ISO-8601 instant with an offset that exists in the calendar, e.g. ${INSTANT_EXAMPLE}`,
});

/** A DTO field that takes an instant (combine with `@IsOptional()` for optional ones). The value is a Date. */
export function IsInstant(field: string): PropertyDecorator {
  return (target, key) => {
    Transform(toInstant)(target, key);
    IsDate(instantMessage(field))(target, key);
  };
}
