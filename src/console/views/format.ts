import { Language } from '../i18n/language';
import type { PageContext } from '../page-context';

/** The Chinese or English name of a thing that has both. */
export const nameOf = (ctx: PageContext, x: { nameZh: string; nameEn?: string | null }): string => (ctx.language === 'en' && x.nameEn ? x.nameEn : x.nameZh);

/** The query string of a link (without `?`), the empty values left out. */
export function queryOf(values: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  return q.toString();
}

/** Integer fen as yuan: `¥1,234.50`. */
export function formatFen(fen: number | string | null | undefined, language: Language): string {
  if (fen === null || fen === undefined || fen === '') return '';
  const n = Number(fen);
  return new Intl.NumberFormat(language, { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 }).format(n / 100);
}

export function formatNumber(value: number | string | null | undefined, language: Language, digits = 1): string {
  if (value === null || value === undefined || value === '') return '';
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(Number(value));
}

export function formatPercent(ratio: number | string | null | undefined, language: Language): string {
  if (ratio === null || ratio === undefined || ratio === '') return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(Number(ratio));
}

/** A moment in the facility's time zone (every facility has one; the province's default is Asia/Shanghai). */
export function formatDateTime(value: Date | string | null | undefined, timeZone: string, language: Language): string {
  if (!value) return '';
  return new Intl.DateTimeFormat(language, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(value));
}

export function formatDate(value: Date | string | null | undefined, timeZone: string, language: Language): string {
  if (!value) return '';
  return new Intl.DateTimeFormat(language, { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(value));
}

/** A window `[start, end)` in one line, the end's date left out when it is the same day. */
export function formatWindow(start: Date | string, end: Date | string, timeZone: string, language: Language): string {
  const s = formatDateTime(start, timeZone, language);
  const e = formatDateTime(end, timeZone, language);
  const sameDay = formatDate(start, timeZone, language) === formatDate(end, timeZone, language);
  return `${s} – ${sameDay ? e.slice(-5) : e}`;
}
