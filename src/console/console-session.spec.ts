import { signSessionCookie, verifySessionCookie } from './console-session';

const secret = 'a-secret-that-is-long-enough-for-the-tests-0123456789';
const claims = { sessionId: '7d0e1f3a-2b4c-4d5e-8f60-718293a4b5c6', userId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', expiresAt: 2_000_000_000 };

describe('console session cookie', () => {
  it('verifies what it signed, until it expires', () => {
    const cookie = signSessionCookie(secret, claims);
    expect(verifySessionCookie(secret, cookie, 1_900_000_000)).toEqual(claims);
    expect(verifySessionCookie(secret, cookie, 2_000_000_000)).toBeNull();
  });

  it('refuses a changed value, another key and garbage', () => {
    const cookie = signSessionCookie(secret, claims);
    const otherUser = cookie.replace(claims.userId, '1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    expect(verifySessionCookie(secret, otherUser, 0)).toBeNull();
    expect(verifySessionCookie(`${secret}x`, cookie, 0)).toBeNull();
    expect(verifySessionCookie(secret, 'v1.a.b.c.d', 0)).toBeNull();
    expect(verifySessionCookie(secret, undefined, 0)).toBeNull();
  });
});
