import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { COMMON_PASSWORDS } from '../../auth/common-passwords';
import { badRequest } from '../errors/domain-error';

/**
 * The password rules, in one place for registration, admin user creation, password change and admin
 * reset: at least 10 characters (Unicode code points), at most 200, not the e-mail address (nor its
 * part before the @), not in the shipped list of common passwords (compared case-insensitively).
 * No composition rules (NIST SP 800-63B).
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

const COMMON = new Set(COMMON_PASSWORDS);

export type PasswordProblem = 'type' | 'too_short' | 'too_long' | 'is_email' | 'common';

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: unknown, email?: string | null): PasswordProblem | null {
  if (typeof password !== 'string') return 'type';
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const folded = password.trim().toLowerCase();
  if (email) {
    const address = email.trim().toLowerCase();
    if (folded === address || folded === address.split('@')[0]) return 'is_email';
  }
  if (COMMON.has(folded)) return 'common';
  return null;
}

const MESSAGES: Record<PasswordProblem, string> = {
  type: 'must be a string',
  too_short: `must be at least ${PASSWORD_MIN_LENGTH} characters long`,
  too_long: `must be at most ${PASSWORD_MAX_LENGTH} characters long`,
  is_email: 'must not be the e-mail address',
  common: 'is too common (it appears in lists of leaked passwords); choose another',
};

export const passwordMessage = (field: string, problem: PasswordProblem) => `${field} ${MESSAGES[problem]}`;

/** For services that know the e-mail only after loading the user: throws the same 400 the validation pipe would. */
export function assertAcceptablePassword(field: string, password: string, email: string | null): void {
  const problem = passwordProblem(password, email);
  if (problem) {
    throw badRequest('validation_failed', `The request has 1 invalid field: ${field}.`, [{ field, message: passwordMessage(field, problem) }]);
  }
}

/**
 * class-validator decorator (with its OpenAPI schema): the password rules, checked against the
 * object's `emailField` (default `email`) when there is one.
 */
export function IsAcceptablePassword(options: ValidationOptions & { emailField?: string | null } = {}): PropertyDecorator {
  const { emailField = 'email', ...validationOptions } = options;
  const emailOf = (args: ValidationArguments | undefined): string | null => {
    if (!emailField || !args) return null;
    const value = (args.object as Record<string, unknown>)[emailField];
    return typeof value === 'string' ? value : null;
  };
  return applyDecorators(
    ApiProperty({
      type: String,
      format: 'password',
      minLength: PASSWORD_MIN_LENGTH,
      maxLength: PASSWORD_MAX_LENGTH,
      description: `At least ${PASSWORD_MIN_LENGTH} characters; not the e-mail address; not a common password.`,
    }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isAcceptablePassword',
        target: target.constructor,
        propertyName: propertyName as string,
        options: validationOptions,
        validator: {
          validate: (value: unknown, args?: ValidationArguments) => passwordProblem(value, emailOf(args)) === null,
          defaultMessage: (args?: ValidationArguments) => passwordMessage(args?.property ?? 'password', passwordProblem(args?.value, emailOf(args)) ?? 'type'),
        },
      }),
  );
}
