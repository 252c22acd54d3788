import { badRequest } from '../../common/errors/domain-error';
import { Option, SelectField } from '../views/components';

/** The report period of the official's pages: whole months `[from-month, to-month]` in Asia/Shanghai (the reports' zone). */
export interface MonthPeriod {
  fromMonth: string;
  toMonth: string;
  from: Date;
  to: Date;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const monthStartOf = (y: number, m: number): Date => new Date(`${y}-${String(m).padStart(2, '0')}-01T00:00:00+08:00`);
const shift = (month: string, by: number): string => {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + by;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
};
/** The month (YYYY-MM) an instant falls in, in Asia/Shanghai. */
export const monthOf = (at: Date): string => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 7);

/**
 * `?from=YYYY-MM&to=YYYY-MM` (both months included), or `?year=YYYY` (its twelve months); by default the twelve months
 * up to and including the current one. A malformed value is a `validation_failed` (the error page says which).
 */
export function periodOf(query: Record<string, unknown>, now: Date): MonthPeriod {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const year = text(query.year);
  let fromMonth: string;
  let toMonth: string;
  if (year !== undefined) {
    if (!/^\d{4}$/.test(year)) throw badRequest('validation_failed', 'year must be YYYY.', [{ field: 'year', message: 'year must be YYYY' }]);
    fromMonth = `${year}-01`;
    toMonth = `${year}-12`;
  } else {
    toMonth = text(query.to) ?? monthOf(now);
    fromMonth = text(query.from) ?? shift(toMonth, -11);
  }
  for (const [field, v] of [
    ['from', fromMonth],
    ['to', toMonth],
  ] as const)
    if (!MONTH.test(v)) throw badRequest('validation_failed', `${field} must be YYYY-MM.`, [{ field, message: `${field} must be YYYY-MM` }]);
  const [fy, fm] = fromMonth.split('-').map(Number);
  const [ty, tm] = shift(toMonth, 1).split('-').map(Number);
  return { fromMonth, toMonth, from: monthStartOf(fy, fm), to: monthStartOf(ty, tm) };
}

/** A select of a GET filter form, with its own id (the page's POST form may have a field of the same name). */
export const FilterSelect = (props: { name: string; label: string; options: Option[]; value?: string; empty: string }): JSX.Element => (
  <SelectField {...props} id={`filter-${props.name}`} />
);
