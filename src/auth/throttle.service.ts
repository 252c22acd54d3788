import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A fixed-window limit on one key, e.g. 5 failed logins per 15 minutes for one e-mail address. */
export interface ThrottleRule {
  key: string;
  limit: number;
  windowMs: number;
  /** How long a key stays blocked once `block` is called; default: until its window ends. */
  blockMs?: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  /** Attempts counted in the current window, this one included (when allowed). */
  hits: number;
  /** When refused: seconds until the key may try again. */
  retryAfterSeconds: number;
}

const ms = (n: number) => `${n} milliseconds`;

/**
 * Counters in PostgreSQL (`throttle_buckets`), so a limit holds across every app instance on the
 * database. Each call is one atomic statement (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`), so
 * concurrent attempts each get their own position in the count and none slips past the limit.
 * Every time comes from the caller (the app's Clock), so tests move time instead of waiting.
 */
@Injectable()
export class ThrottleService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts one attempt. Refused when the key is blocked (the attempt is then not counted) or when
   * the count is over the limit; a new window starts once the old one has passed.
   */
  async take(rule: ThrottleRule, now: Date): Promise<ThrottleDecision> {
    const [row] = await this.dataSource.query<Array<{ hits: number; window_start: Date; blocked_until: Date | null }>>(
      `INSERT INTO throttle_buckets AS b (key, window_start, hits, blocked_until, expires_at)
       VALUES ($1, $2, 1, NULL, $2::timestamptz + $3::interval)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN b.blocked_until > $2 THEN b.hits
                     WHEN b.window_start + $3::interval <= $2 THEN 1
                     ELSE b.hits + 1 END,
         window_start = CASE WHEN b.blocked_until > $2 THEN b.window_start
                             WHEN b.window_start + $3::interval <= $2 THEN $2
                             ELSE b.window_start END,
         blocked_until = CASE WHEN b.blocked_until > $2 THEN b.blocked_until END,
         expires_at = CASE WHEN b.blocked_until > $2 THEN b.expires_at
                           WHEN b.window_start + $3::interval <= $2 THEN $2::timestamptz + $3::interval
                           ELSE greatest(b.expires_at, b.window_start + $3::interval) END
       RETURNING hits, window_start, blocked_until`,
      [rule.key, now, ms(rule.windowMs)],
    );
    const nowMs = now.getTime();
    if (row.blocked_until && row.blocked_until.getTime() > nowMs) {
      return { allowed: false, hits: row.hits, retryAfterSeconds: seconds(row.blocked_until.getTime() - nowMs) };
    }
    if (row.hits > rule.limit) {
      const until = rule.blockMs !== undefined ? nowMs + rule.blockMs : row.window_start.getTime() + rule.windowMs;
      return { allowed: false, hits: row.hits, retryAfterSeconds: seconds(until - nowMs) };
    }
    return { allowed: true, hits: row.hits, retryAfterSeconds: 0 };
  }

  /**
   * Blocks the key (the attempt that reached the limit failed). Returns the end of the block and
   * whether this call started it (so a lockout is reported once).
   */
  async block(rule: ThrottleRule, now: Date): Promise<{ until: Date; started: boolean; retryAfterSeconds: number }> {
    const [rows] = await this.dataSource.query<[Array<{ until: Date; started: boolean }>, number]>(
      `WITH old AS (SELECT key, blocked_until, window_start FROM throttle_buckets WHERE key = $1 FOR UPDATE),
            next AS (SELECT key, CASE WHEN blocked_until > $2 THEN blocked_until
                                      ELSE coalesce($2::timestamptz + $3::interval, window_start + $4::interval) END AS until,
                            NOT coalesce(blocked_until > $2, false) AS started
                       FROM old)
       UPDATE throttle_buckets b SET blocked_until = next.until, expires_at = greatest(b.expires_at, next.until)
         FROM next WHERE b.key = next.key
       RETURNING next.until, next.started`,
      [rule.key, now, rule.blockMs !== undefined ? ms(rule.blockMs) : null, ms(rule.windowMs)],
    );
    const until = rows[0]?.until ?? new Date(now.getTime() + (rule.blockMs ?? rule.windowMs));
    return { until, started: rows[0]?.started ?? false, retryAfterSeconds: seconds(until.getTime() - now.getTime()) };
  }

  /** Gives back one counted attempt (a login that succeeded is not a failure of its client address). */
  async giveBack(key: string): Promise<void> {
    await this.dataSource.query(`UPDATE throttle_buckets SET hits = greatest(hits - 1, 0) WHERE key = $1 AND blocked_until IS NULL`, [key]);
  }

  /** Forgets a key (the account's failures after a successful login, or an admin's password reset). */
  async clear(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM throttle_buckets WHERE key = $1`, [key]);
  }

  /** Removes buckets whose window and block have both passed; for a periodic job. */
  async prune(now: Date): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown, number]>(`DELETE FROM throttle_buckets WHERE expires_at < $1`, [now]);
    return count;
  }
}

const seconds = (msLeft: number) => Math.max(1, Math.ceil(msLeft / 1000));
