import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { COMMON_PASSWORDS } from '../../auth/common-passwords';
import { IsAcceptablePassword, passwordProblem } from './password';

class Dto {
  email: string;

  @IsAcceptablePassword()
  password: string;
}

describe('password rules', () => {
  it('accepts a long, uncommon password', () => {
    expect(passwordProblem('violet-harbour-lantern', 'someone@example.cn')).toBeNull();
  });

  it('needs at least 10 characters, counted as characters, not bytes', () => {
    expect(passwordProblem('123456789', null)).toBe('too_short');
    expect(passwordProblem('九个汉字的密码不够长', null)).toBeNull(); // 10 characters
    expect(passwordProblem('九个汉字的密码不够', null)).toBe('too_short');
    expect(passwordProblem('x'.repeat(201), null)).toBe('too_long');
    expect(passwordProblem(12345678901, null)).toBe('type');
  });

  it('refuses the e-mail address and its local part, in any case', () => {
    expect(passwordProblem('Someone@Example.cn', 'someone@example.cn')).toBe('is_email');
    expect(passwordProblem('lab.manager', 'lab.manager@example.cn')).toBe('is_email');
    expect(passwordProblem('lab.manager.2024', 'lab.manager@example.cn')).toBeNull();
  });

  it('refuses common passwords case-insensitively', () => {
    expect(passwordProblem('password123', null)).toBe('common');
    expect(passwordProblem('QwertyUiop', null)).toBe('common');
    expect(passwordProblem('1234567890', null)).toBe('common');
  });

  it('ships a list of common passwords that the length rule alone would not catch', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThan(1000);
    expect(COMMON_PASSWORDS.every((p) => [...p].length >= 10 && p === p.toLowerCase())).toBe(true);
  });

  it('works as a class-validator decorator, against the object’s email', () => {
    const errors = (o: object) => validateSync(plainToInstance(Dto, o)).flatMap((e) => Object.values(e.constraints ?? {}));
    expect(errors({ email: 'a@b.cn', password: 'violet-harbour-lantern' })).toEqual([]);
    expect(errors({ email: 'someone@example.cn', password: 'someone@example.cn' })).toEqual(['password must not be the e-mail address']);
    expect(errors({ email: 'a@b.cn', password: 'basketball' })[0]).toMatch(/too common/);
    expect(errors({ email: 'a@b.cn', password: 'short' })).toEqual(['password must be at least 10 characters long']);
  });
});
