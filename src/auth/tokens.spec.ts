import { hashRefreshToken, newRefreshToken, REFRESH_TOKEN_PATTERN } from './tokens';

describe('refresh tokens', () => {
  it('are 256-bit base64url strings, different every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, newRefreshToken));
    expect(tokens.size).toBe(100);
    for (const t of tokens) {
      expect(t).toMatch(REFRESH_TOKEN_PATTERN);
      expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    }
  });

  it('are stored as sha256 hex', () => {
    expect(hashRefreshToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
