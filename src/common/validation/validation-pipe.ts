import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '../errors/domain-error';

/**
 * The one builder of validation answers: 400 `validation_failed` with `errors: [{ field, message }]`
 * and a detail that counts the distinct fields (not the messages) and names them.
 */
export function validationFailed(fieldErrors: FieldError[]): DomainError {
  const fields = [...new Set(fieldErrors.map((f) => f.field))];
  return new DomainError(
    400,
    'validation_failed',
    `The request has ${fields.length} invalid field${fields.length === 1 ? '' : 's'}: ${fields.join(', ')}.`,
    {},
    fieldErrors,
  );
}

const childPath = (parent: string, key: string) => (/^\d+$/.test(key) ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key);

/**
 * Flattens class-validator's tree into `{ field: 'a.b[0].c', message }` entries. An unknown property
 * gets "<field> is not an accepted field"; a missing (undefined or null) property exactly one
 * "<field> is required" instead of the cascade of its other constraints (an optional one is never
 * validated when missing, so a missing property that fails is a required one).
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = childPath(parent, e.property);
    const constraints = e.constraints ?? {};
    if ('whitelistValidation' in constraints) return [{ field, message: `${field} is not an accepted field` }];
    if ((e.value === undefined || e.value === null) && Object.keys(constraints).length > 0) return [{ field, message: `${field} is required` }];
    const own = Object.values(constraints).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** Why PostgreSQL (or UTF-8) could not store this string, or null when it can. */
export function unstorableCharacter(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  // A lone surrogate is not a character: UTF-8 cannot encode it (pg would silently store U+FFFD).
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) return 'must not contain an unpaired surrogate (invalid UTF-16)';
  return null;
}

/** Deeper JSON than any DTO needs; class-transformer would recurse until the stack overflows (a 500). */
export const MAX_NESTING = 32;

/**
 * Walks a request value (body, query or path parameter) and reports every string — and every object
 * key — that PostgreSQL cannot store in text or jsonb, with its path (`a.b[0].c`), and a value nested
 * deeper than MAX_NESTING levels (named by its top-level field).
 */
export function findUnstorableStrings(value: unknown, path: string, out: FieldError[] = [], depth = 0, root = path): FieldError[] {
  if (typeof value === 'string') {
    const why = unstorableCharacter(value);
    if (why) out.push({ field: path || 'body', message: `${path || 'body'} ${why}` });
  } else if (value !== null && typeof value === 'object') {
    if (depth >= MAX_NESTING) {
      out.push({ field: root || 'body', message: `${root || 'body'} is nested more than ${MAX_NESTING} levels deep` });
      return out;
    }
    for (const [key, child] of Object.entries(value)) {
      const at = childPath(path, key);
      if (unstorableCharacter(key)) {
        out.push({ field: path || 'body', message: `${path || 'body'} has a property name with a character that cannot be stored` });
        continue;
      }
      findUnstorableStrings(child, at, out, depth + 1, root || at);
      if (out.length >= 50) break; // enough to say what is wrong
    }
  }
  return out;
}

/**
 * Global pipe: refuses strings PostgreSQL cannot store (NUL, lone surrogates) in every body, query
 * and path parameter before anything else sees them; then class-validator with unknown fields
 * refused and query strings converted to their types.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      // `value` is kept on the error objects (never sent) to tell a missing property from a wrong one.
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const bad = findUnstorableStrings(value, metadata.data ?? '');
      if (bad.length > 0) throw validationFailed(bad);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe();
}
