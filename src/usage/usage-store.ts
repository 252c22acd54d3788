import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccessService } from '../common/access/access.service';
import type { AuthUser } from '../common/auth/auth-user';
import { internalUseSql } from '../common/internal-use';
import { formatInZone } from '../common/time';
import type { UsageSource } from './usage.dto';
import type { UsageRecordResponse } from './usage.responses';

/** A usage record as read from SQL, with its facility's zone. */
export interface UsageRow {
  id: string;
  resource_id: string;
  facility_id: string;
  organisation_id: string;
  booking_id: string | null;
  starts_at: Date;
  ends_at: Date;
  unit: string;
  units_used: number | null;
  unit_hours: string;
  source: UsageSource;
  note: string | null;
  recorded_by: string | null;
  recorded_by_label: string;
  recorded_at: Date;
  supersedes: string | null;
  superseded_by: string | null;
  import_id: string | null;
  slurm_cluster: string | null;
  slurm_job_id: string | null;
  slurm_user: string | null;
  slurm_account: string | null;
  slurm_partition: string | null;
  slurm_state: string | null;
  time_zone: string;
  /** Internal use: the facility's operator used its own resource (`internalUseSql`). */
  internal: boolean;
}

export interface NewUsage {
  resourceId: string;
  facilityId: string;
  organisationId: string;
  bookingId: string | null;
  startsAt: Date;
  endsAt: Date;
  unit: string;
  unitsUsed: number | null;
  /** Exact decimal text or a number; rounded half up to 4 decimals by numeric(14,4). */
  unitHours: string | number;
  source: UsageSource;
  note: string | null;
  recordedBy: string | null;
  recordedByLabel: string;
  recordedAt: Date;
  supersedes: string | null;
}

export interface UsageFilters {
  resourceId?: string;
  facilityId?: string;
  organisationId?: string;
  bookingId?: string;
  source?: string;
  operatorId?: string;
  city?: string;
  kind?: string;
  direction?: string;
  /** The booking's stage, or `unassigned` for records without a booking. */
  stage?: string;
  unit?: string;
  from?: Date;
  to?: Date;
  includeSuperseded?: boolean;
  /** true: internal use only (`internalUseSql`); false: other organisations' records only. */
  internal?: boolean;
  limit: number;
  offset: number;
}

const SELECT = `
  SELECT ur.id, ur.resource_id, ur.facility_id, ur.organisation_id, ur.booking_id, ur.starts_at, ur.ends_at, ur.unit, ur.units_used,
         ur.unit_hours::text AS unit_hours, ur.source, ur.note, ur.recorded_by, ur.recorded_by_label, ur.recorded_at, ur.supersedes,
         ur.superseded_by, ur.import_id, ur.slurm_cluster, ur.slurm_job_id, ur.slurm_user, ur.slurm_account, ur.slurm_partition,
         ur.slurm_state, f.time_zone, ${internalUseSql('ur')} AS internal
    FROM usage_records ur JOIN facilities f ON f.id = ur.facility_id`;

export function usageView(r: UsageRow): UsageRecordResponse {
  return {
    id: r.id,
    resourceId: r.resource_id,
    facilityId: r.facility_id,
    organisationId: r.organisation_id,
    bookingId: r.booking_id,
    startsAt: new Date(r.starts_at).toISOString(),
    endsAt: new Date(r.ends_at).toISOString(),
    localStartsAt: formatInZone(new Date(r.starts_at), r.time_zone),
    localEndsAt: formatInZone(new Date(r.ends_at), r.time_zone),
    unit: r.unit,
    unitsUsed: r.units_used,
    unitHours: Number(r.unit_hours),
    source: r.source,
    note: r.note,
    recordedBy: r.recorded_by,
    recordedByLabel: r.recorded_by_label,
    recordedAt: new Date(r.recorded_at).toISOString(),
    supersedes: r.supersedes,
    supersededBy: r.superseded_by,
    superseded: r.superseded_by !== null,
    internal: r.internal,
    importId: r.import_id,
    slurm: r.slurm_job_id
      ? {
          cluster: r.slurm_cluster!,
          jobId: r.slurm_job_id,
          user: r.slurm_user,
          account: r.slurm_account!,
          partition: r.slurm_partition!,
          state: r.slurm_state!,
        }
      : null,
  };
}

/** Named queries of usage records; each takes the transaction's EntityManager explicitly. */
@Injectable()
export class UsageStore {
  constructor(private readonly access: AccessService) {}

  async insert(em: EntityManager, u: NewUsage): Promise<string> {
    const [row] = await em.query<Array<{ id: string }>>(
      `INSERT INTO usage_records (resource_id, facility_id, organisation_id, booking_id, starts_at, ends_at, unit, units_used, unit_hours,
                                  source, note, recorded_by, recorded_by_label, recorded_at, supersedes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, round($9::numeric, 4), $10, $11, $12, $13, $14, $15)
       RETURNING id`,
      [
        u.resourceId,
        u.facilityId,
        u.organisationId,
        u.bookingId,
        u.startsAt,
        u.endsAt,
        u.unit,
        u.unitsUsed,
        String(u.unitHours),
        u.source,
        u.note,
        u.recordedBy,
        u.recordedByLabel,
        u.recordedAt,
        u.supersedes,
      ],
    );
    return row.id;
  }

  async findById(em: EntityManager, id: string, lock = false): Promise<UsageRow | null> {
    const rows: UsageRow[] = await em.query(`${SELECT} WHERE ur.id = $1 ${lock ? 'FOR UPDATE OF ur' : ''}`, [id]);
    return rows[0] ?? null;
  }

  /** The one change a record ever gets: the mark that `by` supersedes it (the trigger allows nothing else). */
  async markSuperseded(em: EntityManager, id: string, by: string, at: Date): Promise<void> {
    await em.query(`UPDATE usage_records SET superseded_by = $2, superseded_at = $3 WHERE id = $1`, [id, by, at]);
  }

  /** Records the caller may read (`usage.read`), filtered, newest first; totals over every matching non-superseded row. */
  async list(
    em: EntityManager,
    auth: AuthUser,
    f: UsageFilters,
  ): Promise<{
    rows: UsageRow[];
    total: number;
    totals: Array<{ unit: string; unit_hours: string; records: number }>;
    byOrganisation: Array<{ organisation_id: string; name_zh: string; name_en: string | null; unit: string; unit_hours: string; records: number }>;
  }> {
    const scope = this.access.scope(auth, 'usage.read', 1);
    const params = [...scope.params];
    const where = [scope.sql];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.resourceId) add('ur.resource_id = ?', f.resourceId);
    if (f.facilityId) add('ur.facility_id = ?', f.facilityId);
    if (f.organisationId) add('ur.organisation_id = ?', f.organisationId);
    if (f.bookingId) add('ur.booking_id = ?', f.bookingId);
    if (f.source) add('ur.source = ?', f.source);
    if (f.operatorId) add('f.operator_id = ?', f.operatorId);
    if (f.city) add('f.city_code = ?', f.city);
    if (f.kind) add('f.kind = ?', f.kind);
    if (f.direction) add('? = ANY(f.directions)', f.direction);
    if (f.stage === 'unassigned') where.push('ur.booking_id IS NULL');
    else if (f.stage) add('EXISTS (SELECT 1 FROM bookings sb WHERE sb.id = ur.booking_id AND sb.stage = ?)', f.stage);
    if (f.unit) add('ur.unit = ?', f.unit);
    if (f.internal !== undefined) where.push(f.internal ? internalUseSql('ur') : `NOT ${internalUseSql('ur')}`);
    // As reports count them: a zero-length record belongs to the instant it stands at.
    if (f.from) {
      params.push(f.from);
      where.push(`(ur.ends_at > $${params.length} OR (ur.starts_at = ur.ends_at AND ur.starts_at >= $${params.length}))`);
    }
    if (f.to) add('ur.starts_at < ?', f.to);
    const matching = where.join(' AND ');
    const listed = f.includeSuperseded ? matching : `${matching} AND ur.superseded_by IS NULL`;
    const from = 'FROM usage_records ur JOIN facilities f ON f.id = ur.facility_id';
    const [{ total }] = await em.query<Array<{ total: number }>>(`SELECT count(*)::int AS total ${from} WHERE ${listed}`, params);
    // Totals per unit and the same per enterprise ("how many GPU and core hours did each enterprise use?"),
    // in one pass over the matching non-superseded rows: the per-unit set has no organisation.
    const sums = await em.query<
      Array<{ organisation_id: string | null; name_zh: string | null; name_en: string | null; unit: string; unit_hours: string; records: number }>
    >(
      `SELECT ur.organisation_id, o.name_zh, o.name_en, ur.unit, sum(ur.unit_hours)::text AS unit_hours, count(*)::int AS records
         ${from} JOIN organisations o ON o.id = ur.organisation_id
        WHERE ${matching} AND ur.superseded_by IS NULL
        GROUP BY GROUPING SETS ((ur.unit), (ur.organisation_id, o.name_zh, o.name_en, ur.unit))
        ORDER BY o.name_zh NULLS FIRST, ur.organisation_id NULLS FIRST, ur.unit`,
      params,
    );
    const totals = sums.filter((t) => t.organisation_id === null);
    const byOrganisation = sums.filter((t): t is (typeof sums)[number] & { organisation_id: string; name_zh: string } => t.organisation_id !== null);
    const n = params.length;
    const rows: UsageRow[] = await em.query(`${SELECT} WHERE ${listed} ORDER BY ur.starts_at DESC, ur.id LIMIT $${n + 1} OFFSET $${n + 2}`, [
      ...params,
      f.limit,
      f.offset,
    ]);
    return { rows, total, totals, byOrganisation };
  }

  /** A booking's parties, to check a manual record against it. */
  async findBooking(em: EntityManager, id: string): Promise<{ id: string; resource_id: string; organisation_id: string } | null> {
    const [row] = await em.query<Array<{ id: string; resource_id: string; organisation_id: string }>>(
      `SELECT id, resource_id, organisation_id FROM bookings WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  async organisationKind(em: EntityManager, id: string): Promise<string | null> {
    const [row] = await em.query<Array<{ kind: string }>>(`SELECT kind FROM organisations WHERE id = $1`, [id]);
    return row?.kind ?? null;
  }
}
