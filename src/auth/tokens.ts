import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../common/auth/auth-user';

/** An opaque refresh token: 256 random bits, base64url (43 characters). Only its sha256 is stored. */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What an access token (JWT, HS256) says. `sid` names the session; the guard checks it is still live. */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  org: string | null;
  sid: string;
  iat?: number;
  exp?: number;
}
