import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/** The shape of a unified social credit code (GB 32100-2015); the check character is checked by the server only. */
export const CREDIT_CODE_PATTERN = '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$';
/** An IANA zone name as the server accepts it (`UTC`, `Asia/Shanghai`, `America/Argentina/Buenos_Aires`). */
export const TIME_ZONE_PATTERN = '^(UTC|[A-Z][A-Za-z]+(/[A-Za-z0-9_+-]+){1,2})$';

type PropertyOptions = Record<string, unknown>;

/**
 * What the class-validator decorators of one property enforce, as OpenAPI property options. The
 * swagger plugin's `classValidatorShim` covers lengths and bounds only; this adds what it misses
 * (integers, enumerations, patterns, formats of custom validators), so that the document states every
 * constraint the validation pipe applies, from the one source of truth: the DTO's decorators.
 */
function optionsFor(metas: ValidationMetadata[]): PropertyOptions {
  const o: PropertyOptions = {};
  for (const m of metas) {
    const c = m.constraints ?? [];
    switch (m.name) {
      case 'isInt':
        o.type = 'integer';
        break;
      case 'isNumber':
        o.type ??= 'number';
        break;
      case 'isBoolean':
        o.type = 'boolean';
        break;
      case 'isIn':
      case 'isEnum': {
        if (m.each) break; // arrays: the plugin already puts the enumeration on the items
        const values = m.name === 'isIn' ? [...(c[0] as unknown[])] : Object.values(c[0] as object);
        o.enum = values;
        o.type = typeof values[0] === 'number' ? 'number' : typeof values[0] === 'boolean' ? 'boolean' : 'string';
        break;
      }
      case 'isUuid':
        if (!m.each) Object.assign(o, { type: 'string', format: 'uuid' });
        break;
      case 'isEmail':
        if (!m.each) Object.assign(o, { type: 'string', format: 'email' });
        break;
      case 'isDate': // our instants arrive as ISO-8601 strings with an offset and become Dates (toInstant)
      case 'isIso8601':
        if (!m.each) Object.assign(o, { type: 'string', format: 'date-time' });
        break;
      case 'matches': {
        if (m.each) break;
        const p = c[0] as RegExp | string;
        o.pattern = typeof p === 'string' ? p : p.source;
        break;
      }
      case 'isLength':
        if (m.each) break;
        if (typeof c[0] === 'number') o.minLength = c[0];
        if (typeof c[1] === 'number') o.maxLength = c[1];
        break;
      case 'minLength':
        if (!m.each) o.minLength = c[0];
        break;
      case 'maxLength':
        if (!m.each) o.maxLength = c[0];
        break;
      case 'min':
        if (!m.each) o.minimum = c[0];
        break;
      case 'max':
        if (!m.each) o.maximum = c[0];
        break;
      case 'isCreditCode':
        Object.assign(o, { type: 'string', minLength: 18, maxLength: 18, pattern: CREDIT_CODE_PATTERN, example: '91350100M000100Y43' });
        break;
      case 'isIanaTimeZone':
        Object.assign(o, { type: 'string', pattern: TIME_ZONE_PATTERN, example: 'Asia/Shanghai' });
        break;
    }
  }
  return o;
}

/**
 * Writes the constraints of every validated class into its swagger property metadata, over what the
 * plugin inferred (which is merged in later and never overrides existing metadata). Idempotent.
 */
export function applyValidationToSwaggerMetadata(): void {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, ValidationMetadata[]> };
  for (const [target, metas] of storage.validationMetadatas) {
    if (typeof target !== 'function') continue;
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const m of metas) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
    const prototype = target.prototype as object;
    for (const [property, list] of byProperty) {
      const options = optionsFor(list);
      if (Object.keys(options).length === 0) continue;
      const keys = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, prototype) ?? []) as string[];
      if (!keys.includes(`:${property}`)) Reflect.defineMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, [...keys, `:${property}`], prototype);
      const existing = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, property) ?? {}) as PropertyOptions;
      const merged: PropertyOptions = { ...existing, ...options };
      // An enumeration replaces a type the plugin guessed from a union (`type: Object`).
      if (options.enum && options.type && typeof existing.type === 'function') merged.type = options.type;
      Reflect.defineMetadata(DECORATORS.API_MODEL_PROPERTIES, merged, prototype, property);
    }
  }
}
