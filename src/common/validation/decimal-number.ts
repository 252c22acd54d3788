import { ValidationOptions, registerDecorator } from 'class-validator';

/**
 * A finite JSON number with at most `places` decimals. Replaces class-validator's
 * `@IsNumber({ maxDecimalPlaces })`, which throws (a 500) on a number JavaScript writes in exponent
 * notation (`2e-323`, `1e-7`: no "." to count decimals after).
 */
export function hasAtMostDecimals(value: unknown, places: number): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  return Number(value.toFixed(places)) === value;
}

export function IsDecimalNumber(places: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isDecimalNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [places],
      options: { message: `$property must be a number with at most ${places} decimals`, ...options },
      validator: { validate: (value: unknown) => hasAtMostDecimals(value, places) },
    });
}
