import { registerDecorator, ValidationOptions } from 'class-validator';

/** GB 32100-2015 统一社会信用代码: the 31 characters it may use (no I, O, S, V, Z). */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export type CreditCodeProblem = 'length' | 'characters' | 'division' | 'check_character';

/** The check character (18th) for the first 17 characters of a unified social credit code. */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/** Why a code is not a valid unified social credit code, or null when it is. */
export function creditCodeProblem(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return 'length';
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return 'characters';
  if (!SHAPE.test(code)) return 'division';
  return creditCodeCheckCharacter(code.slice(0, 17)) === code[17] ? null : 'check_character';
}

export const isCreditCode = (code: unknown): code is string => typeof code === 'string' && creditCodeProblem(code) === null;

const MESSAGES: Record<CreditCodeProblem, string> = {
  length: 'must be 18 characters long',
  characters: 'may only contain digits and the capital letters of GB 32100 (not I, O, S, V or Z)',
  division: 'must have a 6-digit administrative division code in positions 3 to 8',
  check_character: 'has a wrong check character (the 18th character does not match GB 32100-2015)',
};

/** class-validator decorator: a valid 统一社会信用代码, with a message saying what is wrong. */
export function IsCreditCode(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCreditCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => isCreditCode(value),
        defaultMessage: (args) => {
          const v: unknown = args?.value;
          const why = typeof v === 'string' ? creditCodeProblem(v) : null;
          return `${args?.property} ${why ? MESSAGES[why] : 'must be a unified social credit code (18 characters)'}`;
        },
      },
    });
}
