import { TZDate } from '@date-fns/tz';
import { formatInZone } from '../common/time';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `<input type="datetime-local">` value (wall time, no zone) read in the facility's time zone, as the
 * ISO 8601 instant with that zone's offset; anything else is returned as it came (the DTO then refuses it).
 */
export function localInputToIso(value: string | undefined, timeZone: string): string | undefined {
  if (value === undefined) return undefined;
  const m = LOCAL.exec(value);
  if (!m) return value;
  const d = new TZDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), timeZone);
  if (Number.isNaN(d.getTime())) return value;
  return formatInZone(new Date(d.getTime()), timeZone);
}

/** An instant as the value of a `<input type="datetime-local">` in the facility's time zone. */
export function isoToLocalInput(instant: Date | string, timeZone: string): string {
  return formatInZone(new Date(instant), timeZone).slice(0, 16);
}
