import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ChainStage, Direction } from '../catalogue/catalogue.constants';
import type { SqlScope } from '../common/access/access.service';

/** A project as read from SQL, with its owner and the entry date of its current stage. */
export interface ProjectRow {
  id: string;
  organisation_id: string;
  title_zh: string;
  title_en: string | null;
  description: string;
  direction: Direction;
  stage: ChainStage;
  stage_entered_on: string;
  started_on: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  organisation_name_zh: string;
  organisation_name_en: string | null;
  organisation_city_code: string | null;
}

export interface HistoryRow {
  id: string;
  stage: ChainStage;
  entered_on: string;
  left_on: string | null;
  move: 'start' | 'advance' | 'revert';
  evidence: string | null;
  reason: string | null;
  entered_by: string | null;
  entered_at: Date;
}

/** One row of the chain figures: grouping level 'resource', 'facility', 'stage' or 'total'. */
export interface ChainFigureRow {
  level: 'resource' | 'facility' | 'stage' | 'total';
  stage: ChainStage | null;
  facility_id: string | null;
  resource_id: string | null;
  bookings: number;
  facilities: number;
  resources: number;
  booked_unit_hours: string;
  used_unit_hours: string;
  cost_fen: string;
  facility_name_zh: string | null;
  facility_name_en: string | null;
  facility_kind: string | null;
  facility_city_code: string | null;
  resource_name_zh: string | null;
  resource_name_en: string | null;
  resource_unit: string | null;
}

export interface ProjectFilters {
  direction?: string;
  stage?: string;
  city?: string;
  organisationId?: string;
  limit: number;
  offset: number;
}

export interface NewProject {
  organisationId: string;
  titleZh: string;
  titleEn: string | null;
  description: string;
  direction: Direction;
  stage: ChainStage;
  startedOn: string;
  createdBy: string | null;
  at: Date;
}

export interface NewHistoryRow {
  projectId: string;
  stage: ChainStage;
  enteredOn: string;
  move: 'start' | 'advance' | 'revert';
  evidence?: string | null;
  reason?: string | null;
  by: string | null;
  at: Date;
}

/** Booking states whose unit-hours count as booked for a project (held, used or forfeited). */
export const CHAIN_BOOKED_STATES = ['approved', 'in_use', 'completed', 'no_show'] as const;

const SELECT_PROJECT = `
  SELECT p.id, p.organisation_id, p.title_zh, p.title_en, p.description, p.direction, p.stage,
         h.entered_on::text AS stage_entered_on, p.started_on::text AS started_on, p.created_by, p.created_at, p.updated_at,
         o.name_zh AS organisation_name_zh, o.name_en AS organisation_name_en, o.city_code AS organisation_city_code
    FROM projects p
    JOIN organisations o ON o.id = p.organisation_id
    JOIN project_stage_history h ON h.project_id = p.id AND h.left_on IS NULL`;

/** Named queries of chain projects; each takes the transaction's EntityManager explicitly. */
@Injectable()
export class ChainStore {
  /**
   * Used unit-hours of the booking `b` (an SQL expression over the alias): the booking's usage records
   * (`src/usage/`: check-out, manual and corrections), superseded ones excluded. The only place the
   * chain view reads "used".
   */
  static usedUnitHours(b: string): string {
    return `(SELECT coalesce(sum(u.unit_hours), 0) FROM usage_records u WHERE u.booking_id = ${b}.id AND u.superseded_by IS NULL)`;
  }

  /** Booked unit-hours of the booking `b`: units × the booked window in hours. */
  static bookedUnitHours(b: string): string {
    return `${b}.units * extract(epoch FROM (upper(${b}.period) - lower(${b}.period)))::numeric / 3600`;
  }

  async insertProject(em: EntityManager, p: NewProject): Promise<string> {
    const [row] = await em.query<Array<{ id: string }>>(
      `INSERT INTO projects (organisation_id, title_zh, title_en, description, direction, stage, started_on, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
      [p.organisationId, p.titleZh, p.titleEn, p.description, p.direction, p.stage, p.startedOn, p.createdBy, p.at],
    );
    return row.id;
  }

  async insertHistory(em: EntityManager, h: NewHistoryRow): Promise<void> {
    await em.query(
      `INSERT INTO project_stage_history (project_id, stage, entered_on, move, evidence, reason, entered_by, entered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [h.projectId, h.stage, h.enteredOn, h.move, h.evidence ?? null, h.reason ?? null, h.by, h.at],
    );
  }

  /** Closes the project's open history row on `on`. */
  async closeOpenHistory(em: EntityManager, projectId: string, on: string): Promise<void> {
    await em.query(`UPDATE project_stage_history SET left_on = $2 WHERE project_id = $1 AND left_on IS NULL`, [projectId, on]);
  }

  async setStage(em: EntityManager, projectId: string, stage: ChainStage, at: Date): Promise<void> {
    await em.query(`UPDATE projects SET stage = $2, updated_at = $3 WHERE id = $1`, [projectId, stage, at]);
  }

  async updateFields(em: EntityManager, projectId: string, set: Record<string, unknown>, at: Date): Promise<void> {
    const columns = Object.keys(set);
    await em.query(`UPDATE projects SET updated_at = $2${columns.map((c, i) => `, ${c} = $${i + 3}`).join('')} WHERE id = $1`, [
      projectId,
      at,
      ...columns.map((c) => set[c]),
    ]);
  }

  /**
   * One project (check access first); `lock` takes the row for the rest of the transaction first and
   * reads it afterwards, in a statement of its own: under READ COMMITTED a `SELECT … FOR UPDATE` that
   * waited for a concurrent move would see the moved project but the history row of its old snapshot.
   */
  async findById(em: EntityManager, id: string, lock = false): Promise<ProjectRow | null> {
    if (lock) await em.query(`SELECT 1 FROM projects WHERE id = $1 FOR UPDATE`, [id]);
    const rows: ProjectRow[] = await em.query(`${SELECT_PROJECT} WHERE p.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The project if it belongs to the organisation, with a share lock (a concurrent stage move waits), else null. */
  async findOwnForBooking(em: EntityManager, organisationId: string, id: string): Promise<{ id: string; stage: ChainStage } | null> {
    const rows = await em.query<Array<{ id: string; stage: ChainStage }>>(`SELECT id, stage FROM projects WHERE id = $1 AND organisation_id = $2 FOR SHARE`, [
      id,
      organisationId,
    ]);
    return rows[0] ?? null;
  }

  /** A project of the organisation by its Chinese title (the demo seed's idempotency). */
  async findIdByTitle(em: EntityManager, organisationId: string, titleZh: string): Promise<string | null> {
    const rows = await em.query<Array<{ id: string }>>(`SELECT id FROM projects WHERE organisation_id = $1 AND title_zh = $2`, [organisationId, titleZh]);
    return rows[0]?.id ?? null;
  }

  async history(em: EntityManager, projectId: string): Promise<HistoryRow[]> {
    return em.query(
      `SELECT h.id::text AS id, h.stage, h.entered_on::text AS entered_on, h.left_on::text AS left_on, h.move, h.evidence, h.reason, h.entered_by, h.entered_at
         FROM project_stage_history h WHERE h.project_id = $1 ORDER BY h.id`,
      [projectId],
    );
  }

  /** The projects in `scope` (`project.read`, aliases p), filtered, newest first (id breaks ties). */
  async list(em: EntityManager, scope: SqlScope, f: ProjectFilters): Promise<{ rows: ProjectRow[]; total: number }> {
    const params = [...scope.params];
    const add = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [scope.sql];
    if (f.direction) where.push(`p.direction = ${add(f.direction)}`);
    if (f.stage) where.push(`p.stage = ${add(f.stage)}`);
    if (f.city) where.push(`o.city_code = ${add(f.city)}`);
    if (f.organisationId) where.push(`p.organisation_id = ${add(f.organisationId)}::uuid`);
    const w = where.join(' AND ');
    const [{ total }] = await em.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM projects p JOIN organisations o ON o.id = p.organisation_id WHERE ${w}`,
      params,
    );
    const rows: ProjectRow[] = await em.query(
      `${SELECT_PROJECT} WHERE ${w} ORDER BY p.created_at DESC, p.id LIMIT ${add(f.limit)} OFFSET ${add(f.offset)}`,
      params,
    );
    return { rows, total };
  }

  /**
   * The chain figures of a project's bookings in `scope` (`booking.read`, aliases b and f), by the
   * booking's stage, facility and resource, with the subtotals per facility and stage and the grand
   * total (GROUPING SETS, exact numerics). Only bookings in CHAIN_BOOKED_STATES count.
   */
  async chainFigures(em: EntityManager, projectId: string, scope: SqlScope): Promise<ChainFigureRow[]> {
    const params = [...scope.params, projectId, [...CHAIN_BOOKED_STATES]];
    const p = params.length - 1;
    return em.query(
      `WITH x AS (
         SELECT b.stage, b.facility_id, b.resource_id,
                GROUPING(b.stage, b.facility_id, b.resource_id) AS g,
                count(*)::int AS bookings,
                count(DISTINCT b.facility_id)::int AS facilities,
                count(DISTINCT b.resource_id)::int AS resources,
                round(coalesce(sum(${ChainStore.bookedUnitHours('b')}), 0), 4)::text AS booked_unit_hours,
                round(coalesce(sum(${ChainStore.usedUnitHours('b')}), 0), 4)::text AS used_unit_hours,
                coalesce(sum(b.price_fen) FILTER (WHERE b.state = 'completed'), 0)::text AS cost_fen
           FROM bookings b JOIN facilities f ON f.id = b.facility_id
          WHERE (${scope.sql}) AND b.project_id = $${p} AND b.state = ANY($${p + 1}::text[])
          GROUP BY GROUPING SETS ((b.stage, b.facility_id, b.resource_id), (b.stage, b.facility_id), (b.stage), ())
       )
       SELECT CASE x.g WHEN 0 THEN 'resource' WHEN 1 THEN 'facility' WHEN 3 THEN 'stage' ELSE 'total' END AS level,
              x.stage, x.facility_id, x.resource_id, x.bookings, x.facilities, x.resources, x.booked_unit_hours, x.used_unit_hours, x.cost_fen,
              f.name_zh AS facility_name_zh, f.name_en AS facility_name_en, f.kind AS facility_kind, f.city_code AS facility_city_code,
              r.name_zh AS resource_name_zh, r.name_en AS resource_name_en, r.unit AS resource_unit
         FROM x
         LEFT JOIN facilities f ON f.id = x.facility_id
         LEFT JOIN resources r ON r.id = x.resource_id
        ORDER BY f.city_code, f.name_zh, f.id, r.name_zh, r.id`,
      params,
    );
  }
}
