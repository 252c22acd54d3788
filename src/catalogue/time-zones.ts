import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * IANA zone names as the JavaScript runtime knows them (canonical names, case-sensitive), plus
 * 'UTC'. The service also checks that PostgreSQL knows the zone, since the booking engine converts
 * local opening hours with `AT TIME ZONE` in SQL.
 */
const ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

export const isIanaTimeZone = (value: unknown): value is string => typeof value === 'string' && ZONES.has(value);

/** class-validator: an IANA time zone name such as `Asia/Shanghai`. */
export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIanaTimeZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: ({ property }) => `${property} must be an IANA time zone name such as Asia/Shanghai`, ...options },
      validator: { validate: (value: unknown) => isIanaTimeZone(value) },
    });
}
