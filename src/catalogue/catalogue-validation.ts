import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but not sent as null (unlike `@IsOptional()`, which lets null through
 * to columns that are NOT NULL). Nullable fields keep using `@IsOptional()`.
 */
export const Omittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Trims strings; anything else is left for the validators to refuse. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Query strings "true"/"false" as booleans; anything else stays a string and fails `@IsBoolean()`. */
export const QueryBoolean = () => Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

/** An empty or blank query parameter (`?q=`) counts as absent. */
export const BlankAsAbsent = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value,
  );

/** Escapes LIKE wildcards so `q` is matched literally (the default escape character is `\`). */
export const likeSubstring = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/**
 * The words of a search `q`: split on any whitespace (also the ideographic space U+3000 that Chinese
 * input methods type), lower-cased, duplicates dropped. Each word is one term; all must match.
 */
export const searchTerms = (q: string): string[] => [
  ...new Set(
    q
      .toLowerCase()
      .split(/[\s\u3000]+/u)
      .filter((w) => w.length > 0),
  ),
];
