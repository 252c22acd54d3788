import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { canonicalJson } from '../audit/canonical-json';
import { unprocessable } from '../common/errors/domain-error';

/** How long a key is remembered (the issue asks for at least 24 hours). */
export const IDEMPOTENCY_TTL_MS = 48 * 3_600_000;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export const requestHash = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex');

/**
 * `Idempotency-Key` for POST /bookings, stored in the booking's own transaction: the key row is
 * inserted first, so a concurrent retry with the same key waits on the primary key until the first
 * commits (and then replays it) or rolls back (and then runs itself). Only successful answers are
 * stored: a refused request changed nothing, and its retry is evaluated afresh.
 */
@Injectable()
export class IdempotencyStore {
  /** Claims the key, or returns the stored answer of an earlier request with the same key. */
  async claim(em: EntityManager, organisationId: string, key: string, hash: string, now: Date): Promise<StoredResponse | null> {
    await em.query(`DELETE FROM idempotency_keys WHERE organisation_id = $1 AND key = $2 AND expires_at <= $3`, [organisationId, key, now]);
    const inserted = await em.query<Array<{ key: string }>>(
      `INSERT INTO idempotency_keys (organisation_id, key, request_hash, response_status, response_body, created_at, expires_at)
       VALUES ($1, $2, $3, 0, 'null'::jsonb, $4, $5)
       ON CONFLICT (organisation_id, key) DO NOTHING
       RETURNING key`,
      [organisationId, key, hash, now, new Date(now.getTime() + IDEMPOTENCY_TTL_MS)],
    );
    if (inserted.length === 1) return null;
    const [existing] = await em.query<Array<{ request_hash: string; response_status: number; response_body: unknown }>>(
      `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE organisation_id = $1 AND key = $2`,
      [organisationId, key],
    );
    if (existing.request_hash !== hash) {
      throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body; use a new key for a new request.');
    }
    return { status: existing.response_status, body: existing.response_body };
  }

  async complete(em: EntityManager, organisationId: string, key: string, response: StoredResponse): Promise<void> {
    await em.query(`UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE organisation_id = $1 AND key = $2`, [
      organisationId,
      key,
      response.status,
      JSON.stringify(response.body),
    ]);
  }
}
