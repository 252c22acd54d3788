import { createHmac, timingSafeEqual } from 'node:crypto';

/** The browser session cookie: httpOnly, SameSite=Lax, Secure behind HTTPS. */
export const SESSION_COOKIE = 'pb_session';
/** A random id for a browser that has not signed in yet, so that the sign-in form has a CSRF token too. */
export const VISITOR_COOKIE = 'pb_visitor';
export const CSRF_COOKIE = 'pb_csrf';
export const LANGUAGE_COOKIE = 'pb_lang';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ConsoleSessionClaims {
  /** The auth session (auth_sessions.id): signing out or a password change revokes it, and the cookie stops working at once. */
  sessionId: string;
  userId: string;
  /** Unix seconds. */
  expiresAt: number;
}

/**
 * `v1.<session id>.<user id>.<expiry>.<HMAC-SHA256>`, keyed by a key derived from the JWT secret for this
 * purpose only: the cookie is not a bearer token and the API never accepts it (the API reads only the
 * Authorization header), so a page session cannot be replayed against /api/v1 from another site.
 */
export function signSessionCookie(secret: string, claims: ConsoleSessionClaims): string {
  const body = `v1.${claims.sessionId}.${claims.userId}.${claims.expiresAt}`;
  return `${body}.${mac(secret, body)}`;
}

export function verifySessionCookie(secret: string, value: string | undefined, nowSeconds: number): ConsoleSessionClaims | null {
  if (!value || value.length > 200) return null;
  const parts = value.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') return null;
  const [, sessionId, userId, expiry, signature] = parts;
  const expected = mac(secret, parts.slice(0, 4).join('.'));
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  const expiresAt = Number(expiry);
  if (!UUID.test(sessionId) || !UUID.test(userId) || !Number.isInteger(expiresAt) || expiresAt <= nowSeconds) return null;
  return { sessionId, userId, expiresAt };
}

export function consoleKey(secret: string, purpose: 'session' | 'csrf'): string {
  return createHmac('sha256', secret).update(`pilot-booking console ${purpose}`).digest('base64url');
}

const mac = (secret: string, body: string) => createHmac('sha256', consoleKey(secret, 'session')).update(body).digest('base64url');
