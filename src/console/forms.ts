import { Type } from '@nestjs/common';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { AppValidationPipe } from '../common/validation/validation-pipe';
import { errorText } from './i18n/errors';
import { Language } from './i18n/language';
import type { PageContext } from './page-context';

const pipe = new AppValidationPipe();

/**
 * Validates a form with the API's own DTO class and the API's own pipe, so a page can never accept what the
 * API refuses (nor the other way round). Throws the API's `validation_failed` DomainError.
 */
export async function validateWith<T extends object>(dto: Type<T>, value: Record<string, unknown>, as: 'body' | 'query' = 'body'): Promise<T> {
  return (await pipe.transform(value, { type: as, metatype: dto })) as T;
}

/** An error of a form, ready to show: one message above the form, and messages beside the fields. */
export interface FormErrors {
  message: string;
  detail: string | null;
  fields: Record<string, string>;
}

/** What a refused form shows: the rule in the user's language (with the service's own words below), and each field's error. */
export function formErrorsOf(error: DomainError, language: Language, formHasErrors: string): FormErrors {
  const fields: Record<string, string> = {};
  for (const f of error.errors ?? []) fields[topField(f)] ??= fieldErrorText(f, language);
  const translated = error.code === 'validation_failed' ? formHasErrors : (errorText(error.code, language) ?? error.message);
  return { message: translated, detail: error.code === 'validation_failed' ? null : error.message, fields };
}

/** A refused form's errors in the viewer's language, or the error again if it is not a service's refusal (a 5xx). */
export function errorsOf(ctx: PageContext, e: unknown): FormErrors {
  if (e instanceof DomainError && e.status < 500) return formErrorsOf(e, ctx.language, ctx.m.common.formHasErrors);
  throw e;
}

/** The HTTP status a re-rendered refused form answers with. */
export const statusOf = (e: unknown): number => (e instanceof DomainError && e.status >= 400 && e.status < 500 ? e.status : 400);

const topField = (f: FieldError) => f.field.split(/[.[]/)[0];

function fieldErrorText(f: FieldError, language: Language): string {
  if (language === 'en') return f.message;
  if (/ is required$/.test(f.message)) return '此项为必填项。';
  if (/ is not an accepted field$/.test(f.message)) return '不接受此字段。';
  return `填写有误（${f.message}）`;
}

/** Form fields arrive as strings: '' is "not given". */
export const formText = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
/** A number field: the string as a number, or the string itself when it is not one (the DTO then says why). */
export const formNumber = (v: unknown): number | string | undefined => {
  const t = formText(v);
  if (t === undefined) return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
};
export const formBoolean = (v: unknown): boolean => v === 'on' || v === 'true' || v === '1';
/** A `<input type="datetime-local">` value in a facility's time zone → ISO 8601 with that zone's offset. */
export { localInputToIso } from './time-input';
