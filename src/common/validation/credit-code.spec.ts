import { creditCodeCheckCharacter, creditCodeProblem, isCreditCode } from './credit-code';

describe('unified social credit code (GB 32100-2015)', () => {
  // Published codes of well-known companies, used only as checksum fixtures.
  it.each(['91350100M000100Y43', '91110000600037341L', '914403001922038216'])('accepts %s', (code) => {
    expect(creditCodeProblem(code)).toBeNull();
    expect(isCreditCode(code)).toBe(true);
  });

  it('computes the check character', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckCharacter('91110000600037341')).toBe('L');
  });

  it('refuses a wrong check character', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toBe('check_character');
  });

  it('refuses a wrong length', () => {
    expect(creditCodeProblem('91350100M000100Y4')).toBe('length');
    expect(creditCodeProblem('91350100M000100Y433')).toBe('length');
    expect(creditCodeProblem('')).toBe('length');
  });

  it.each(['I', 'O', 'S', 'V', 'Z', 'a', '-'])('refuses the character %s', (ch) => {
    expect(creditCodeProblem(`9135010${ch}M000100Y43`.slice(0, 18))).toBe('characters');
  });

  it('refuses letters in the administrative division code', () => {
    expect(creditCodeProblem('9135A100M000100Y43')).toBe('division');
  });

  it('refuses non-strings', () => {
    expect(isCreditCode(12345)).toBe(false);
    expect(isCreditCode(null)).toBe(false);
  });
});
