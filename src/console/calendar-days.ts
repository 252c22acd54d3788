import { localInputToIso } from './forms';
import { isoToLocalInput } from './time-input';

// Calendar days (`YYYY-MM-DD`) for the pages' week and day views: display arithmetic on local dates, no time zone.

const DAY = 86_400_000;
/** `YYYY-MM-DD` + n days. */
export const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
/** ISO weekday (1 = Monday) of a `YYYY-MM-DD`. */
export const isoWeekday = (date: string): number => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
/** The Monday of the week of a `YYYY-MM-DD`. */
export const mondayOf = (date: string): string => addDays(date, 1 - isoWeekday(date));
/** Today's date in a zone. */
export const todayIn = (now: Date, timeZone: string): string => isoToLocalInput(now, timeZone).slice(0, 10);
export const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
/** The instant of a local wall time in the zone. */
export const instantAt = (date: string, hhmm: string, timeZone: string): Date => new Date(localInputToIso(`${date}T${hhmm}`, timeZone)!);
