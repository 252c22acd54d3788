import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { actorOf, AuthUser, Role } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { conflict, notFound } from '../common/errors/domain-error';
import { page, Page, PageQueryDto } from '../common/pagination';
import { UsersService } from '../organisations/users.service';
import { CalendarFeedToken } from './calendar-feed-token.entity';
import { CreateFeedTokenDto, FeedTokenCreatedDto, FeedTokenDto } from './calendar.dto';

/** 32 random bytes, base64url: 43 characters of A–Z a–z 0–9 _ -. */
const TOKEN_BYTES = 32;
export const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Active tokens one user may hold (one per device or calendar service is plenty). */
export const MAX_ACTIVE_TOKENS = 20;
/** Roles that have a private feed; officials and admins (province-wide data) have none. */
export const FEED_ROLES: Role[] = ['enterprise', 'operator'];
/** Advisory lock class (two-key form) for one user's token creations. */
const FEED_TOKEN_LOCK = 7316101;
/** `last_used_at` is written at most this often per token, so polling clients do not write on every fetch. */
const LAST_USED_RESOLUTION_MS = 5 * 60_000;

export const hashFeedToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const feedPath = (token: string) => `/api/v1/calendar/feeds/${token}.ics`;

const view = (t: CalendarFeedToken): FeedTokenDto => ({
  id: t.id,
  label: t.label,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
});

/** Whose feed a token opens: the owner as the database knows it now (role, organisation, active). */
export interface FeedOwner {
  tokenId: string;
  user: AuthUser;
}

/** Private feed tokens: created, listed and revoked by their owner; resolved (by hash) for feed requests. */
@Injectable()
export class FeedTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * A new token for the caller (an enterprise or operator user: the controller's roles are FEED_ROLES);
   * the token and its URL are in this answer only. Audited, without the token.
   */
  async create(auth: AuthUser, dto: CreateFeedTokenDto): Promise<FeedTokenCreatedDto> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      // Serialise one user's concurrent creations so that the limit holds.
      await em.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [FEED_TOKEN_LOCK, auth.userId]);
      const active = await em.count(CalendarFeedToken, { where: { userId: auth.userId, revokedAt: IsNull() } });
      if (active >= MAX_ACTIVE_TOKENS) {
        throw conflict(
          'too_many_feed_tokens',
          `You have ${active} active calendar feed tokens; revoke one before creating another (at most ${MAX_ACTIVE_TOKENS}).`,
          {
            max: MAX_ACTIVE_TOKENS,
          },
        );
      }
      const saved = await em.save(
        em.create(CalendarFeedToken, {
          userId: auth.userId,
          tokenHash: hashFeedToken(token),
          label: dto.label ?? null,
          createdAt: now,
          revokedAt: null,
          lastUsedAt: null,
        }),
      );
      await this.audit.record(
        em,
        actorOf(auth),
        {
          action: 'calendar_token.created',
          entityType: 'calendar_feed_token',
          entityId: saved.id,
          organisationId: auth.organisationId,
          data: { userId: auth.userId, label: saved.label },
        },
        now,
      );
      return { ...view(saved), token, url: feedPath(token) };
    });
  }

  /** The caller's active tokens, newest first (never the token values). */
  async list(auth: AuthUser, q: PageQueryDto): Promise<Page<FeedTokenDto>> {
    const [items, total] = await this.dataSource.getRepository(CalendarFeedToken).findAndCount({
      where: { userId: auth.userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: q.limit ?? 20,
      skip: q.offset ?? 0,
    });
    return page(items.map(view), total, q);
  }

  /** Revokes one of the caller's active tokens; its feed is 404 from now on. Another user's, or a revoked one, is 404. */
  async revoke(auth: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const rows: Array<{ id: string; label: string | null }> = await em.query(
        // (TypeORM answers a bare UPDATE … RETURNING with [rows, count]; the CTE makes it a plain row list.)
        `WITH revoked AS (
           UPDATE calendar_feed_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id, label
         ) SELECT id, label FROM revoked`,
        [id, auth.userId, now],
      );
      if (rows.length === 0) throw notFound('Calendar feed token');
      await this.audit.record(
        em,
        actorOf(auth),
        {
          action: 'calendar_token.revoked',
          entityType: 'calendar_feed_token',
          entityId: id,
          organisationId: auth.organisationId,
          data: { userId: auth.userId, label: rows[0].label },
        },
        now,
      );
    });
  }

  /**
   * The owner of an active token, as a caller: its current role and organisation. Null (→ 404) for a
   * malformed, unknown or revoked token, a deactivated owner, or an owner whose role has no feed.
   */
  async resolve(token: string): Promise<FeedOwner | null> {
    if (!FEED_TOKEN.test(token)) return null;
    const repo = this.dataSource.getRepository(CalendarFeedToken);
    const row = await repo.findOne({ where: { tokenHash: hashFeedToken(token), revokedAt: IsNull() } });
    if (!row) return null;
    const user = await this.users.findActive(row.userId);
    if (!user || !FEED_ROLES.includes(user.role) || !user.organisationId) return null;
    const now = this.clock.now();
    await this.dataSource.query(`UPDATE calendar_feed_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`, [
      row.id,
      now,
      new Date(now.getTime() - LAST_USED_RESOLUTION_MS),
    ]);
    return { tokenId: row.id, user: { userId: user.id, email: user.email, role: user.role, organisationId: user.organisationId } };
  }
}
