import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource, EntityManager, IsNull, LessThan } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { User } from '../organisations/user.entity';
import { UsersService } from '../organisations/users.service';
import { AuthSession, SessionRevokedReason } from './auth-session.entity';
import { TokenPairDto } from './auth.dto';
import { invalidRefreshToken } from './auth.errors';
import { ClientInfo } from './client-info';
import { RefreshToken } from './refresh-token.entity';
import { AccessTokenClaims, hashRefreshToken, newRefreshToken, REFRESH_TOKEN_PATTERN } from './tokens';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The audit actor for a user acting on its own account. */
export const userActor = (user: Pick<User, 'id' | 'email' | 'role' | 'organisationId'>): Actor => ({
  kind: 'user',
  userId: user.id,
  label: user.email,
  role: user.role,
  organisationId: user.organisationId,
});

/** Who acts when nobody has authenticated yet (a failed login, a replayed refresh token). */
export const ANONYMOUS: Actor = { kind: 'system', label: 'unauthenticated client' };

const auditUser = (user: Pick<User, 'id' | 'organisationId'>) => ({ entityType: 'user', entityId: user.id, organisationId: user.organisationId });

/**
 * Sessions and their tokens. A login opens a session; its refresh token can be exchanged once for a
 * new pair (rotation); presenting a used one again means it was copied, and the whole session is
 * revoked. Access tokens name their session (`sid`) and the guard accepts them only while it is live.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Opens a session inside the caller's transaction and returns its first token pair (and the session id). */
  async open(em: EntityManager, user: User, client: ClientInfo, now: Date): Promise<{ pair: TokenPairDto; sessionId: string }> {
    const session = await em.save(
      AuthSession,
      em.create(AuthSession, {
        userId: user.id,
        createdAt: now,
        lastRefreshedAt: null,
        expiresAt: this.refreshExpiry(now),
        revokedAt: null,
        revokedReason: null,
        ip: client.ip,
        userAgent: client.userAgent,
      }),
    );
    const refresh = await this.issueRefreshToken(em, session.id, now);
    return { pair: await this.pair(user, session.id, refresh.token, now), sessionId: session.id };
  }

  /**
   * Exchanges a refresh token for a new pair. The token row is locked (`FOR UPDATE`), so of two
   * concurrent refreshes with one token exactly one succeeds; the other sees it used, which is reuse.
   */
  async refresh(token: string, client: ClientInfo): Promise<TokenPairDto> {
    const now = this.clock.now();
    if (!REFRESH_TOKEN_PATTERN.test(token)) throw invalidRefreshToken();
    const pair = await this.dataSource.transaction(async (em): Promise<TokenPairDto | null> => {
      const row = await em.findOne(RefreshToken, { where: { tokenHash: hashRefreshToken(token) }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      const session = await em.findOne(AuthSession, { where: { id: row.sessionId }, lock: { mode: 'pessimistic_write' } });
      const user = session && (await this.users.findById(em, session.userId));
      if (!session || !user) return null;
      if (row.usedAt) {
        // Used before: either the owner or a thief holds a copy. End the session for both.
        const live = session.revokedAt === null;
        if (live) await this.revoke(em, session.id, 'refresh_token_reused', now);
        await this.audit.record(
          em,
          ANONYMOUS,
          {
            action: 'auth.refresh_reuse_detected',
            ...auditUser(user),
            data: { sessionId: session.id, tokenUsedAt: row.usedAt.toISOString(), sessionRevoked: live, ip: client.ip, userAgent: client.userAgent },
          },
          now,
        );
        return null;
      }
      if (session.revokedAt || row.expiresAt.getTime() <= now.getTime() || !user.active) return null;
      const next = await this.issueRefreshToken(em, session.id, now);
      await em.update(RefreshToken, { id: row.id }, { usedAt: now, replacedBy: next.id });
      await em.update(AuthSession, { id: session.id }, { lastRefreshedAt: now, expiresAt: next.expiresAt });
      await this.audit.record(
        em,
        userActor(user),
        {
          action: 'auth.refreshed',
          ...auditUser(user),
          data: { sessionId: session.id, ip: client.ip, userAgent: client.userAgent },
        },
        now,
      );
      return this.pair(user, session.id, next.token, now);
    });
    if (!pair) throw invalidRefreshToken();
    return pair;
  }

  /**
   * Ends the session of a refresh token (any token of the session will do); with `all`, every session
   * of its user (the token must then be the session's current one). Ending an ended session is a no-op.
   */
  async logout(token: string, all: boolean, client: ClientInfo): Promise<void> {
    const now = this.clock.now();
    if (!REFRESH_TOKEN_PATTERN.test(token)) throw invalidRefreshToken();
    const ok = await this.dataSource.transaction(async (em) => {
      const row = await em.findOne(RefreshToken, { where: { tokenHash: hashRefreshToken(token) } });
      const session = row && (await em.findOne(AuthSession, { where: { id: row.sessionId }, lock: { mode: 'pessimistic_write' } }));
      const user = session && (await this.users.findById(em, session.userId));
      if (!row || !session || !user) return false;
      let ended: number;
      if (all) {
        if (row.usedAt || session.revokedAt || row.expiresAt.getTime() <= now.getTime() || !user.active) return false;
        ended = await this.revokeAllForUser(em, user.id, 'logout_all', now);
      } else {
        if (session.revokedAt) return true;
        ended = await this.revoke(em, session.id, 'logout', now);
      }
      await this.audit.record(
        em,
        userActor(user),
        {
          action: 'auth.logout',
          ...auditUser(user),
          data: { sessionId: session.id, all, sessionsEnded: ended, ip: client.ip, userAgent: client.userAgent },
        },
        now,
      );
      return true;
    });
    if (!ok) throw invalidRefreshToken();
  }

  /**
   * Ends one session by its id (the console's sign-out: the browser holds the session id in its signed cookie,
   * not a refresh token). Ending an ended session is a no-op; the audit entry is the same as the API's logout.
   */
  async endSession(sessionId: string, userId: string, client: ClientInfo): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      const session = await em.findOne(AuthSession, { where: { id: sessionId, userId }, lock: { mode: 'pessimistic_write' } });
      const user = session && (await this.users.findById(em, userId));
      if (!session || !user || session.revokedAt) return;
      const ended = await this.revoke(em, session.id, 'logout', now);
      await this.audit.record(
        em,
        userActor(user),
        {
          action: 'auth.logout',
          ...auditUser(user),
          data: { sessionId, all: false, sessionsEnded: ended, ip: client.ip, userAgent: client.userAgent, via: 'console' },
        },
        now,
      );
    });
  }

  /** When a session's refresh tokens stop working (its expiry): the console's cookie lives exactly as long. */
  async sessionExpiry(sessionId: string): Promise<Date | null> {
    const session = await this.dataSource.getRepository(AuthSession).findOne({ where: { id: sessionId } });
    return session ? session.expiresAt : null;
  }

  /** Ends every live session of a user inside the caller's transaction (password change, reset, deactivation). */
  async revokeAllForUser(em: EntityManager, userId: string, reason: SessionRevokedReason, now: Date): Promise<number> {
    const result = await em
      .createQueryBuilder()
      .update(AuthSession)
      .set({ revokedAt: now, revokedReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL', { userId })
      .execute();
    return result.affected ?? 0;
  }

  /** Verifies an access token's signature, issuer, audience and expiry against the app's clock. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims | null> {
    try {
      const claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { clockTimestamp: Math.floor(this.clock.now().getTime() / 1000) });
      return typeof claims.sub === 'string' && UUID.test(claims.sub) && typeof claims.sid === 'string' && UUID.test(claims.sid) ? claims : null;
    } catch {
      return null;
    }
  }

  /**
   * For the auth guard: the user, when it is active and the session is live. Two lookups instead of a
   * join, so sessions stay in auth and users in organisations. User first: a session is never revived,
   * so one still live afterwards was live when the user was read, and the answer is the one the join
   * would have given then (a password reset or deactivation racing the request cannot be half-seen).
   */
  async findSessionUser(userId: string, sessionId: string): Promise<User | null> {
    const user = await this.users.findActive(userId);
    if (!user) return null;
    const live = await this.dataSource.getRepository(AuthSession).exists({ where: { id: sessionId, userId, revokedAt: IsNull() } });
    return live ? user : null;
  }

  /** Deletes expired refresh tokens and sessions whose last token has expired; for a periodic job. */
  async prune(now: Date): Promise<{ tokens: number; sessions: number }> {
    return this.dataSource.transaction(async (em) => {
      const tokens = await em.delete(RefreshToken, { expiresAt: LessThan(now) });
      const sessions = await em.delete(AuthSession, { expiresAt: LessThan(now) });
      return { tokens: tokens.affected ?? 0, sessions: sessions.affected ?? 0 };
    });
  }

  private async revoke(em: EntityManager, sessionId: string, reason: SessionRevokedReason, now: Date): Promise<number> {
    const result = await em
      .createQueryBuilder()
      .update(AuthSession)
      .set({ revokedAt: now, revokedReason: reason })
      .where('id = :sessionId AND revoked_at IS NULL', { sessionId })
      .execute();
    return result.affected ?? 0;
  }

  private async issueRefreshToken(em: EntityManager, sessionId: string, now: Date) {
    const token = newRefreshToken();
    const saved = await em.save(
      RefreshToken,
      em.create(RefreshToken, {
        sessionId,
        tokenHash: hashRefreshToken(token),
        createdAt: now,
        expiresAt: this.refreshExpiry(now),
        usedAt: null,
        replacedBy: null,
      }),
    );
    return { token, id: saved.id, expiresAt: saved.expiresAt };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.refreshTokenTtlSeconds * 1000);
  }

  private async pair(user: User, sessionId: string, refreshToken: string, now: Date): Promise<TokenPairDto> {
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, org: user.organisationId, sid: sessionId, iat: Math.floor(now.getTime() / 1000) };
    return {
      accessToken: await this.jwt.signAsync(claims, { jwtid: randomUUID() }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.accessTokenTtlSeconds,
      refreshExpiresIn: this.config.refreshTokenTtlSeconds,
      passwordChangeRequired: user.mustChangePassword,
    };
  }
}
