import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccessService } from '../common/access/access.service';
import type { AuthUser } from '../common/auth/auth-user';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import type { BookingState } from './booking-transitions';
import { expiresAtSql } from './decision-deadline';
import { COUNTED_STATES } from '../reports/utilisation-figures';
import { internalUseSql } from '../common/internal-use';

/** A booking as read from SQL: the ranges split into instants, with resource and facility summaries. */
export interface BookingRow {
  id: string;
  resource_id: string;
  facility_id: string;
  organisation_id: string;
  requested_by: string;
  starts_at: Date;
  ends_at: Date;
  blocked_from: Date;
  blocked_until: Date;
  exclusive: boolean;
  units: number;
  state: BookingState;
  stage: string;
  service_category: string;
  purpose: string;
  project_id: string | null;
  price_fen: string;
  list_price_fen: string;
  discount_percent: number;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  checked_in_by: string | null;
  checked_in_at: Date | null;
  checked_out_by: string | null;
  checked_out_at: Date | null;
  ended_by_job: string | null;
  ended_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  resource_name_zh: string;
  resource_name_en: string;
  resource_unit: string;
  resource_mode: string;
  facility_name_zh: string;
  facility_name_en: string;
  facility_address: string;
  facility_time_zone: string;
  facility_operator_id: string;
  organisation_name_zh: string;
  organisation_name_en: string | null;
  organisation_credit_code: string | null;
  organisation_sme: boolean;
  requester_display_name: string;
  requester_email: string;
  requester_phone: string | null;
  /** The decision deadline while pending (`decision-deadline.ts`), else null. */
  expires_at: Date | null;
  /** Internal use: the facility's operator booked its own resource (`internalUseSql`). */
  internal: boolean;
  /** Whether the reader may see the requester and the enterprise's details (`booking.read_parties`). */
  sees_parties: boolean;
}

/**
 * The booking SELECT. `hours` is the SQL of DECISION_DEADLINE_HOURS (for `expires_at`), `parties`
 * the predicate of `booking.read_parties` for the reader (FALSE when there is none, e.g. for jobs).
 */
const selectBooking = (hours: string, parties: string) => `
  SELECT b.id, b.resource_id, b.facility_id, b.organisation_id, b.requested_by,
         lower(b.period) AS starts_at, upper(b.period) AS ends_at,
         lower(b.blocked) AS blocked_from, upper(b.blocked) AS blocked_until,
         b.exclusive, b.units, b.state, b.stage, b.service_category, b.purpose, b.project_id,
         b.price_fen, b.list_price_fen, b.discount_percent,
         b.decided_by, b.decided_at, b.decision_reason, b.cancelled_by, b.cancelled_at, b.cancel_reason,
         b.checked_in_by, b.checked_in_at, b.checked_out_by, b.checked_out_at, b.ended_by_job, b.ended_at,
         b.version, b.created_at, b.updated_at,
         r.name_zh AS resource_name_zh, r.name_en AS resource_name_en, r.unit AS resource_unit, r.mode AS resource_mode,
         f.name_zh AS facility_name_zh, f.name_en AS facility_name_en, f.address AS facility_address,
         f.time_zone AS facility_time_zone, f.operator_id AS facility_operator_id,
         o.name_zh AS organisation_name_zh, o.name_en AS organisation_name_en,
         o.credit_code AS organisation_credit_code, o.sme AS organisation_sme,
         u.display_name AS requester_display_name, u.email AS requester_email, u.phone AS requester_phone,
         ${expiresAtSql('b', hours)} AS expires_at,
         ${internalUseSql('b')} AS internal,
         coalesce(${parties}, FALSE) AS sees_parties
    FROM bookings b
    JOIN resources r ON r.id = b.resource_id
    JOIN facilities f ON f.id = b.facility_id
    JOIN organisations o ON o.id = b.organisation_id
    JOIN users u ON u.id = b.requested_by`;

/** Orders of the booking list: a leading `-` is descending; `id` breaks ties. */
export const BOOKING_SORTS = ['startsAt', '-startsAt', 'createdAt', '-createdAt', 'expiresAt', '-expiresAt'] as const;
export type BookingSort = (typeof BOOKING_SORTS)[number];
const ORDER_BY: Record<BookingSort, string> = {
  startsAt: 'lower(b.period) ASC, b.id',
  '-startsAt': 'lower(b.period) DESC, b.id',
  createdAt: 'b.created_at ASC, b.id',
  '-createdAt': 'b.created_at DESC, b.id',
  // Bookings that are not pending have no deadline: they come last either way.
  expiresAt: 'expires_at ASC NULLS LAST, b.id',
  '-expiresAt': 'expires_at DESC NULLS LAST, b.id',
};

export interface BookingFilters {
  state?: string;
  resourceId?: string;
  facilityId?: string;
  /** The facility's city (GB/T 2260 code) and kind. */
  city?: string;
  kind?: string;
  operatorId?: string;
  organisationId?: string;
  projectId?: string;
  /** Facilities serving this direction; bookings at this chain stage. */
  direction?: string;
  stage?: string;
  serviceCategory?: string;
  /** true: internal use only (`internalUseSql`); false: other organisations' bookings only. */
  internal?: boolean;
  /** Only the states reports count as held (approved, in_use, completed, no_show: src/reports/utilisation-figures.ts). */
  counted?: boolean;
  from?: Date;
  to?: Date;
  /** The resource's unit. */
  unit?: string;
  /** The window's start in [startFrom, startTo), its end in (endFrom, endTo], an operator's decision in [decidedFrom, decidedTo). */
  startFrom?: Date;
  startTo?: Date;
  endFrom?: Date;
  endTo?: Date;
  decidedFrom?: Date;
  decidedTo?: Date;
  /** Default `-startsAt`. */
  sort?: BookingSort;
  limit: number;
  offset: number;
}

/** Positional parameters of one statement: `add` returns the `$n` of a value. */
class Params {
  readonly values: unknown[] = [];
  add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
  addAll(scope: { params: unknown[] }): void {
    this.values.push(...scope.params);
  }
}

export interface NewBooking {
  resourceId: string;
  facilityId: string;
  organisationId: string;
  requestedBy: string;
  startsAt: Date;
  endsAt: Date;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  exclusive: boolean;
  units: number;
  state: BookingState;
  stage: string;
  serviceCategory: string;
  purpose: string;
  projectId: string | null;
  priceFen: number;
  listPriceFen: number;
  discountPercent: number;
  decidedAt: Date | null;
  createdAt: Date;
}

export interface HeldWindow {
  starts_at: Date;
  ends_at: Date;
  blocked_from: Date;
  blocked_until: Date;
  units: number;
  state: BookingState;
}

/** Named queries of the booking engine; each takes the transaction's EntityManager explicitly. */
@Injectable()
export class BookingStore {
  constructor(
    private readonly access: AccessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The SELECT for a reader (`viewer`; none: jobs and internal reads, which never show the parties). */
  private select(p: Params, viewer: AuthUser | undefined): string {
    const hours = p.add(this.config.jobs.decisionDeadlineHours);
    if (!viewer) return selectBooking(hours, 'FALSE');
    const parties = this.access.scope(viewer, 'booking.read_parties', p.values.length + 1);
    p.addAll(parties);
    return selectBooking(hours, parties.sql);
  }

  /** One booking, whatever the caller may see (check access first); `viewer` decides what the row shows. */
  async findById(em: EntityManager, id: string, lock = false, viewer?: AuthUser): Promise<BookingRow | null> {
    const p = new Params();
    const idParam = p.add(id);
    const select = this.select(p, viewer);
    // FOR UPDATE OF b: lock the booking row only, not the joined catalogue rows.
    const rows: BookingRow[] = await em.query(`${select} WHERE b.id = ${idParam} ${lock ? 'FOR UPDATE OF b' : ''}`, p.values);
    return rows[0] ?? null;
  }

  /** The bookings the caller may read (`booking.read`), filtered, in a stable order. */
  async list(em: EntityManager, auth: AuthUser, filters: BookingFilters): Promise<{ rows: BookingRow[]; total: number }> {
    const p = new Params();
    const scope = this.access.scope(auth, 'booking.read', 1);
    p.addAll(scope);
    const where = [scope.sql];
    const add = (sql: string, value: unknown) => where.push(sql.replace('?', p.add(value)));
    if (filters.state) add('b.state = ?', filters.state);
    if (filters.resourceId) add('b.resource_id = ?', filters.resourceId);
    if (filters.facilityId) add('b.facility_id = ?', filters.facilityId);
    if (filters.city) add('f.city_code = ?', filters.city);
    if (filters.kind) add('f.kind = ?', filters.kind);
    if (filters.operatorId) add('f.operator_id = ?', filters.operatorId);
    if (filters.organisationId) add('b.organisation_id = ?', filters.organisationId);
    if (filters.projectId) add('b.project_id = ?', filters.projectId);
    if (filters.direction) add('? = ANY(f.directions)', filters.direction);
    if (filters.stage) add('b.stage = ?', filters.stage);
    if (filters.serviceCategory) add('b.service_category = ?', filters.serviceCategory);
    if (filters.internal !== undefined) where.push(filters.internal ? internalUseSql('b') : `NOT ${internalUseSql('b')}`);
    if (filters.counted) add('b.state = ANY(?)', [...COUNTED_STATES]);
    if (filters.from) add('upper(b.period) > ?', filters.from);
    if (filters.to) add('lower(b.period) < ?', filters.to);
    if (filters.unit) add('(SELECT r.unit FROM resources r WHERE r.id = b.resource_id) = ?', filters.unit);
    if (filters.startFrom) add('lower(b.period) >= ?', filters.startFrom);
    if (filters.startTo) add('lower(b.period) < ?', filters.startTo);
    if (filters.endFrom) add('upper(b.period) > ?', filters.endFrom);
    if (filters.endTo) add('upper(b.period) <= ?', filters.endTo);
    if (filters.decidedFrom || filters.decidedTo) where.push('b.decided_by IS NOT NULL');
    if (filters.decidedFrom) add('b.decided_at >= ?', filters.decidedFrom);
    if (filters.decidedTo) add('b.decided_at < ?', filters.decidedTo);
    const whereSql = where.join(' AND ');
    const [{ total }] = await em.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM bookings b JOIN facilities f ON f.id = b.facility_id WHERE ${whereSql}`,
      [...p.values],
    );
    const select = this.select(p, auth);
    const rows: BookingRow[] = await em.query(
      `${select} WHERE ${whereSql} ORDER BY ${ORDER_BY[filters.sort ?? '-startsAt']} LIMIT ${p.add(filters.limit)} OFFSET ${p.add(filters.offset)}`,
      p.values,
    );
    return { rows, total };
  }

  /** Whether the resource's opening time covers the whole window (evaluated in the facility's zone). */
  async isWithinOpeningHours(em: EntityManager, resourceId: string, start: Date, end: Date): Promise<boolean> {
    const [row] = await em.query<Array<{ ok: boolean | null }>>(`SELECT resource_opening($1, $2, $3) @> tstzrange($2, $3) AS ok`, [resourceId, start, end]);
    return row.ok === true;
  }

  /** Holding bookings of a resource whose blocked range meets `[from, to)`. */
  async findHeldOverlapping(em: EntityManager, resourceId: string, from: Date, to: Date): Promise<HeldWindow[]> {
    return em.query(
      `SELECT lower(period) AS starts_at, upper(period) AS ends_at, lower(blocked) AS blocked_from, upper(blocked) AS blocked_until, units, state
         FROM bookings
        WHERE resource_id = $1 AND booking_state_holds(state) AND blocked && tstzrange($2, $3)
        ORDER BY lower(blocked)`,
      [resourceId, from, to],
    );
  }

  /** The most units held at any instant of `[from, to)` (SQL function `resource_peak_held_units`). */
  async peakHeldUnits(em: EntityManager, resourceId: string, from: Date, to: Date): Promise<number> {
    const [row] = await em.query<Array<{ peak: number }>>(`SELECT resource_peak_held_units($1, $2, $3) AS peak`, [resourceId, from, to]);
    return row.peak;
  }

  /** Undecided requests an organisation has open on a resource. */
  async countOpenRequests(em: EntityManager, resourceId: string, organisationId: string): Promise<number> {
    const [row] = await em.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM bookings WHERE resource_id = $1 AND organisation_id = $2 AND state = 'pending'`,
      [resourceId, organisationId],
    );
    return row.n;
  }

  /**
   * The most unit-hours an organisation would hold on a resource in any rolling 30-day window that
   * meets the new booking, counting the new booking. Candidate windows start where a booking starts
   * or end where one ends: the maximum of a sum of overlaps is reached at one of those.
   */
  async peakUnitHoursIn30Days(em: EntityManager, resourceId: string, organisationId: string, start: Date, end: Date, units: number): Promise<number> {
    const [row] = await em.query<Array<{ peak: number }>>(
      `WITH b AS (
         SELECT period, units FROM bookings
          WHERE resource_id = $1 AND organisation_id = $2 AND (booking_state_holds(state) OR state = 'completed')
            AND period && tstzrange($3::timestamptz - interval '30 days', $4::timestamptz + interval '30 days')
         UNION ALL SELECT tstzrange($3, $4), $5::int
       ), candidates AS (
         SELECT lower(period) AS ws FROM b UNION SELECT upper(period) - interval '30 days' FROM b
       )
       SELECT coalesce(max(total), 0)::float8 AS peak FROM (
         SELECT c.ws, sum(b.units * extract(epoch FROM (least(upper(b.period), c.ws + interval '30 days') - greatest(lower(b.period), c.ws))) / 3600) AS total
           FROM candidates c JOIN b ON b.period && tstzrange(c.ws, c.ws + interval '30 days')
          WHERE tstzrange(c.ws, c.ws + interval '30 days') && tstzrange($3, $4)
          GROUP BY c.ws
       ) x`,
      [resourceId, organisationId, start, end, units],
    );
    return Number(row.peak);
  }

  async insert(em: EntityManager, b: NewBooking): Promise<string> {
    const [row] = await em.query<Array<{ id: string }>>(
      `INSERT INTO bookings (resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, state, stage,
                             purpose, project_id, price_fen, list_price_fen, discount_percent, decided_at, created_at, updated_at, service_category)
       VALUES ($1, $2, $3, $4, tstzrange($5, $6), tstzrange($5::timestamptz - make_interval(mins => $7), $6::timestamptz + make_interval(mins => $8)),
               $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20)
       RETURNING id`,
      [
        b.resourceId,
        b.facilityId,
        b.organisationId,
        b.requestedBy,
        b.startsAt,
        b.endsAt,
        b.bufferBeforeMinutes,
        b.bufferAfterMinutes,
        b.exclusive,
        b.units,
        b.state,
        b.stage,
        b.purpose,
        b.projectId,
        b.priceFen,
        b.listPriceFen,
        b.discountPercent,
        b.decidedAt,
        b.createdAt,
        b.serviceCategory,
      ],
    );
    return row.id;
  }

  /** Applies a transition's column changes and bumps the version (calendar SEQUENCE). */
  async applyTransition(em: EntityManager, id: string, to: BookingState, set: Record<string, unknown>, at: Date): Promise<void> {
    const columns = Object.keys(set);
    const assignments = columns.map((c, i) => `${c} = $${i + 4}`).join(', ');
    await em.query(`UPDATE bookings SET state = $2, version = version + 1, updated_at = $3${assignments ? ', ' + assignments : ''} WHERE id = $1`, [
      id,
      to,
      at,
      ...columns.map((c) => set[c]),
    ]);
  }

  // ---- Calendar feeds (src/calendar) ----

  /**
   * The bookings a caller may see (`booking.read`, every state) whose window ends after `from`: a
   * private calendar feed. The latest `limit` by start, returned in start order.
   */
  async listForFeed(em: EntityManager, auth: AuthUser, from: Date, limit: number): Promise<BookingRow[]> {
    const p = new Params();
    const scope = this.access.scope(auth, 'booking.read', 1);
    p.addAll(scope);
    const select = this.select(p, auth);
    const rows: BookingRow[] = await em.query(
      `${select} WHERE ${scope.sql} AND upper(b.period) > ${p.add(from)} ORDER BY lower(b.period) DESC, b.id DESC LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.reverse();
  }

  /**
   * The holding bookings (pending, approved, in_use) of a resource whose blocked window meets
   * `[from, to)`, in time order: the public busy feed. Deliberately no organisation, purpose or requester.
   */
  async heldForResource(
    em: EntityManager,
    resourceId: string,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<Array<{ id: string; blocked_from: Date; blocked_until: Date; units: number; state: BookingState; version: number; updated_at: Date }>> {
    return em.query(
      `SELECT id, lower(blocked) AS blocked_from, upper(blocked) AS blocked_until, units, state, version, updated_at
         FROM bookings
        WHERE resource_id = $1 AND booking_state_holds(state) AND blocked && tstzrange($2, $3)
        ORDER BY lower(blocked), id
        LIMIT $4`,
      [resourceId, from, to, limit],
    );
  }
}
