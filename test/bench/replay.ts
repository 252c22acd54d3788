/**
 * Replays the statements captured from one booking (sql-capture.ts) with fresh parameters: another
 * organisation, user, session, resource, window and Idempotency-Key, "now" moved to the time of the replay,
 * and every value the captured run got back from PostgreSQL and passed on (the new booking's id) followed
 * into the statements after it. The statement texts are the app's, byte for byte, sent the same way
 * (`client.query(text, values)`: the extended protocol with an unnamed statement, as TypeORM does).
 */
import type { PoolClient } from 'pg';
import type { BenchOrg, BookingWindow, CapturedBooking } from './booking-setup';
import type { CapturedStatement, Encoded } from './sql-capture';

export interface ReplayFacts {
  org: BenchOrg;
  window: BookingWindow;
  idempotencyKey: string;
  /** The replay's "now": captured Dates other than the window are moved by (at − the capture's time). */
  at: Date;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Old value → new value, applied to every string parameter in one pass (so that a new value is never rewritten again). */
class Substitutions {
  private readonly map = new Map<string, string>();
  private pattern: RegExp | null = null;
  private dirty = true;

  set(from: string, to: string) {
    if (from === to || this.map.has(from)) return;
    this.map.set(from, to);
    this.dirty = true;
  }

  has(from: string) {
    return this.map.has(from);
  }

  apply(s: string): string {
    if (this.dirty) {
      this.pattern = this.map.size === 0 ? null : new RegExp([...this.map.keys()].map(escapeRegExp).join('|'), 'g');
      this.dirty = false;
    }
    return this.pattern ? s.replace(this.pattern, (m) => this.map.get(m)!) : s;
  }
}

export class StatementReplay {
  /** The statements before the transaction (the auth guard's reads) and the transaction itself, START TRANSACTION to COMMIT. */
  readonly outside: CapturedStatement[];
  readonly transaction: CapturedStatement[];

  constructor(
    private readonly captured: CapturedBooking,
    statements: CapturedStatement[] = captured.statements,
  ) {
    const begin = statements.findIndex((s) => /^\s*(START TRANSACTION|BEGIN)\b/i.test(s.text));
    const commit = statements.findIndex((s, i) => i > begin && /^\s*COMMIT\b/i.test(s.text));
    if (begin < 0 || commit < 0) {
      this.outside = statements;
      this.transaction = [];
    } else {
      this.outside = statements.slice(0, begin);
      this.transaction = statements.slice(begin, commit + 1);
      if (commit !== statements.length - 1) throw new Error(`statements after COMMIT in the capture: ${statements.length - 1 - commit}`);
    }
  }

  get statements(): CapturedStatement[] {
    return [...this.outside, ...this.transaction];
  }

  /** Runs every statement once on `client` with fresh parameters; a failing transaction is rolled back and the error thrown. */
  async run(client: PoolClient, facts: ReplayFacts): Promise<void> {
    const c = this.captured;
    const subs = new Substitutions();
    subs.set(c.org.organisationId, facts.org.organisationId);
    subs.set(c.org.userId, facts.org.userId);
    subs.set(c.org.sessionId, facts.org.sessionId);
    subs.set(c.org.email, facts.org.email);
    subs.set(c.window.resourceId, facts.window.resourceId);
    subs.set(c.window.startsAt.toISOString(), facts.window.startsAt.toISOString());
    subs.set(c.window.endsAt.toISOString(), facts.window.endsAt.toISOString());
    subs.set(c.idempotencyKey, facts.idempotencyKey);
    const dates = new Map<number, Date>([
      [c.window.startsAt.getTime(), facts.window.startsAt],
      [c.window.endsAt.getTime(), facts.window.endsAt],
    ]);
    const shift = facts.at.getTime() - c.sentAt.getTime();

    const decode = (v: Encoded): unknown => {
      if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
      if (typeof v === 'string') return subs.apply(v);
      if (Array.isArray(v)) return v.map(decode);
      if ('$date' in v) {
        const t = Date.parse(v.$date);
        return dates.get(t) ?? new Date(t + shift);
      }
      if ('$buf' in v) return Buffer.from(v.$buf, 'base64');
      return JSON.parse(subs.apply(JSON.stringify(v.$json))) as unknown;
    };

    const exec = async (s: CapturedStatement) => {
      const result = await client.query<Record<string, unknown>>(s.text, s.values.map(decode));
      // Values the capture got back and (maybe) passed on: follow the replay's own into later statements.
      const [was] = s.rows;
      const now = result.rows?.[0];
      if (was && now) {
        for (const [column, old] of Object.entries(was)) {
          const fresh = now[column];
          if (typeof old === 'string' && old.length >= 8 && typeof fresh === 'string' && !subs.has(old)) subs.set(old, fresh);
        }
      }
    };

    for (const s of this.outside) await exec(s);
    if (this.transaction.length === 0) return;
    try {
      for (const s of this.transaction) await exec(s);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}

/** The statement of `captured` that inserts the booking (for the bare-INSERT baseline). */
export function bookingInsert(captured: CapturedBooking): CapturedStatement {
  const s = captured.statements.find((x) => /^\s*INSERT INTO bookings\b/i.test(x.text));
  if (!s) throw new Error('no INSERT INTO bookings in the captured statements');
  return s;
}

/**
 * A short name for a statement: short ones as they are, long ones (TypeORM's column lists) as the verb,
 * the tables and the clauses that matter: `SELECT resources ⟕ facilities (DISTINCT ids, LIMIT 1)`.
 */
export function describeStatement(text: string, width = 96): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return flat;
  const verb = /^(\w+)/.exec(flat)?.[1].toUpperCase() ?? '?';
  const tables = [...flat.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+"?([a-z_]+)"?/gi)].map((m) => m[1]).filter((t) => t.toLowerCase() !== 'select');
  const unique = [...new Set(tables)];
  const notes = [
    /^SELECT DISTINCT "distinctAlias"/.test(flat) ? 'DISTINCT ids' : null,
    /WHERE EXISTS/.test(flat) ? 'EXISTS' : null,
    /\bFOR UPDATE\b/.test(flat) ? 'FOR UPDATE' : null,
    /\bLIMIT 1\b/.test(flat) ? 'LIMIT 1' : null,
    /\bRETURNING\b/.test(flat) ? 'RETURNING' : null,
  ].filter(Boolean);
  const out = `${verb} ${unique.join(' ⋈ ')}${notes.length ? ` (${notes.join(', ')})` : ''}`;
  return out.length <= width ? out : `${out.slice(0, width - 1)}…`;
}
