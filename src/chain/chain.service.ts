import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CHAIN_STAGES, ChainStage, DEFAULT_TIME_ZONE } from '../catalogue/catalogue.constants';
import { AccessService } from '../common/access/access.service';
import { Actor, actorOf, AuthUser } from '../common/auth/auth-user';
import { cityByCode } from '../common/cities';
import { Clock } from '../common/clock';
import { conflict, unprocessable } from '../common/errors/domain-error';
import { page, Page } from '../common/pagination';
import { formatInZone } from '../common/time';
import { ChainFigureRow, ChainStore, HistoryRow, ProjectRow } from './chain-store';
import { AdvanceProjectDto, CreateProjectDto, ProjectQueryDto, RevertProjectDto, UpdateProjectDto } from './chain.dto';
import {
  ChainFacilityResponse,
  ChainFiguresResponse,
  ChainStageResponse,
  ChainViewResponse,
  ProjectDetailResponse,
  ProjectHistoryEntryResponse,
  ProjectResponse,
} from './chain.responses';

/**
 * Projects' dates are calendar days of the programme's province: "today" is the date in this zone
 * (Liaoning is in Asia/Shanghai), so a date is in the future when it is after today there.
 */
export const PROJECT_TIME_ZONE = DEFAULT_TIME_ZONE;

/** What a new project needs besides its owner (the demo seed passes the same shape). */
export type NewProjectInput = CreateProjectDto;

const DESCRIPTIVE: ReadonlyArray<[keyof UpdateProjectDto, keyof ProjectRow]> = [
  ['titleZh', 'title_zh'],
  ['titleEn', 'title_en'],
  ['description', 'description'],
  ['direction', 'direction'],
];

/**
 * Chain projects (lab → pilot → industry): an enterprise's project, its stage moves (one step at a
 * time, each kept as history and audited in its transaction), and its chain view. The booking engine
 * validates a booking's project through `resolveForBooking`.
 */
@Injectable()
export class ChainService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: ChainStore,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  /** Today's date where the programme runs (Asia/Shanghai), from the Clock. */
  today(): string {
    return formatInZone(this.clock.now(), PROJECT_TIME_ZONE).slice(0, 10);
  }

  /**
   * For BookingsService.request, inside its transaction: the caller's organisation's project (share-
   * locked, so its stage cannot move until the booking commits). Unknown, or another organisation's,
   * is the same 422 `unknown_project`: nothing tells whether another organisation's exists.
   */
  async resolveForBooking(em: EntityManager, organisationId: string, projectId: string): Promise<{ id: string; stage: ChainStage }> {
    const project = await this.store.findOwnForBooking(em, organisationId, projectId);
    if (!project) throw unprocessable('unknown_project', 'Your organisation has no project with this id (projectId).', { projectId });
    return project;
  }

  async create(auth: AuthUser, dto: CreateProjectDto): Promise<ProjectDetailResponse> {
    const id = await this.dataSource.transaction((em) => this.insert(em, actorOf(auth), auth.organisationId!, dto));
    return this.get(auth, id);
  }

  /** Inserts a project, its first history row and its audit entry inside the caller's transaction. */
  async insert(em: EntityManager, actor: Actor, organisationId: string, dto: NewProjectInput): Promise<string> {
    const now = this.clock.now();
    const today = this.today();
    const startedOn = dto.startedOn ?? today;
    const stage = dto.stage ?? 'lab_validation';
    const stageEnteredOn = dto.stageEnteredOn ?? startedOn;
    if (startedOn > today) throw inTheFuture('startedOn', startedOn, today);
    if (stageEnteredOn > today) throw inTheFuture('stageEnteredOn', stageEnteredOn, today);
    if (stageEnteredOn < startedOn) {
      throw unprocessable('before_project_start', `stageEnteredOn (${stageEnteredOn}) is before the project started (${startedOn}).`, {
        startedOn,
        stageEnteredOn,
      });
    }
    const by = actor.kind === 'user' ? actor.userId : null;
    const id = await this.store.insertProject(em, {
      organisationId,
      titleZh: dto.titleZh,
      titleEn: dto.titleEn ?? null,
      description: dto.description ?? '',
      direction: dto.direction,
      stage,
      startedOn,
      createdBy: by,
      at: now,
    });
    await this.store.insertHistory(em, { projectId: id, stage, enteredOn: stageEnteredOn, move: 'start', by, at: now });
    await this.audit.record(
      em,
      actor,
      {
        action: 'project.created',
        entityType: 'project',
        entityId: id,
        organisationId,
        data: { titleZh: dto.titleZh, titleEn: dto.titleEn ?? null, direction: dto.direction, stage, startedOn, stageEnteredOn },
      },
      now,
    );
    return id;
  }

  /** The demo seed's idempotent insert: an organisation's project with the same Chinese title is left alone. */
  async insertIfAbsent(em: EntityManager, actor: Actor, organisationId: string, dto: NewProjectInput): Promise<boolean> {
    if (await this.store.findIdByTitle(em, organisationId, dto.titleZh)) return false;
    await this.insert(em, actor, organisationId, dto);
    return true;
  }

  /** The owner changes the descriptive fields; an entry `project.updated` lists what changed. */
  async update(auth: AuthUser, id: string, dto: UpdateProjectDto): Promise<ProjectDetailResponse> {
    await this.dataSource.transaction(async (em) => {
      await this.access.requireAccess(auth, 'project.manage', [id], { em });
      const row = (await this.store.findById(em, id, true))!;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const set: Record<string, unknown> = {};
      for (const [field, column] of DESCRIPTIVE) {
        const to = dto[field];
        if (to === undefined || to === row[column]) continue;
        changes[field] = { from: row[column], to };
        set[column] = to;
      }
      if (Object.keys(changes).length === 0) return;
      const now = this.clock.now();
      await this.store.updateFields(em, id, set, now);
      await this.audit.record(
        em,
        actorOf(auth),
        { action: 'project.updated', entityType: 'project', entityId: id, organisationId: row.organisation_id, data: { changes } },
        now,
      );
    });
    return this.get(auth, id);
  }

  /** The next stage, reached `on` (with evidence). 409 `last_stage` at industrialisation. */
  advance(auth: AuthUser, id: string, dto: AdvanceProjectDto): Promise<ProjectDetailResponse> {
    return this.move(auth, id, +1, dto.on, { evidence: dto.evidence });
  }

  /** Back one stage, `on`, with a reason. 409 `first_stage` at lab_validation. */
  revert(auth: AuthUser, id: string, dto: RevertProjectDto): Promise<ProjectDetailResponse> {
    return this.move(auth, id, -1, dto.on, { reason: dto.reason });
  }

  private async move(auth: AuthUser, id: string, step: 1 | -1, on: string, note: { evidence?: string; reason?: string }): Promise<ProjectDetailResponse> {
    await this.dataSource.transaction(async (em) => {
      await this.access.requireAccess(auth, 'project.manage', [id], { em });
      const row = (await this.store.findById(em, id, true))!;
      const from = row.stage;
      const to = CHAIN_STAGES[CHAIN_STAGES.indexOf(from) + step] as ChainStage | undefined;
      if (!to) {
        throw step > 0
          ? conflict('last_stage', `The project is at the last stage (${from}); it cannot advance further.`, { stage: from })
          : conflict('first_stage', `The project is at the first stage (${from}); there is nothing to go back to.`, { stage: from });
      }
      const today = this.today();
      if (on > today) throw inTheFuture('on', on, today);
      if (on < row.stage_entered_on) {
        throw unprocessable('before_stage_entry', `on (${on}) is before the current stage (${from}) was entered (${row.stage_entered_on}).`, {
          stage: from,
          stageEnteredOn: row.stage_entered_on,
        });
      }
      const now = this.clock.now();
      await this.store.closeOpenHistory(em, id, on);
      await this.store.insertHistory(em, { projectId: id, stage: to, enteredOn: on, move: step > 0 ? 'advance' : 'revert', ...note, by: auth.userId, at: now });
      await this.store.setStage(em, id, to, now);
      await this.audit.record(
        em,
        actorOf(auth),
        {
          action: step > 0 ? 'project.advanced' : 'project.reverted',
          entityType: 'project',
          entityId: id,
          organisationId: row.organisation_id,
          data: { from, to, on, ...note },
        },
        now,
      );
    });
    return this.get(auth, id);
  }

  /** One project with its history (404 when the caller may not see it). */
  async get(auth: AuthUser, id: string): Promise<ProjectDetailResponse> {
    await this.access.requireAccess(auth, 'project.read', [id]);
    const em = this.dataSource.manager;
    const row = (await this.store.findById(em, id))!;
    return { ...projectView(row), history: (await this.store.history(em, id)).map(historyView) };
  }

  async list(auth: AuthUser, q: ProjectQueryDto): Promise<Page<ProjectResponse>> {
    const { rows, total } = await this.store.list(this.dataSource.manager, this.access.scope(auth, 'project.read'), {
      direction: q.direction,
      stage: q.stage,
      city: q.city,
      organisationId: q.organisationId,
      limit: q.limit ?? 20,
      offset: q.offset ?? 0,
    });
    return page(rows.map(projectView), total, q);
  }

  /**
   * The project along the chain: per stage, its stays (history), and the bookings made for it (by the
   * booking's stage) that the caller may read (`booking.read`: an operator counts only its own
   * facilities' bookings) — facilities, resources, booked and used unit-hours, cost.
   */
  async chain(auth: AuthUser, id: string): Promise<ChainViewResponse> {
    await this.access.requireAccess(auth, 'project.read', [id]);
    const em = this.dataSource.manager;
    const row = (await this.store.findById(em, id))!;
    const history = await this.store.history(em, id);
    const figures = await this.store.chainFigures(em, id, this.access.scope(auth, 'booking.read'));
    const stages: ChainStageResponse[] = CHAIN_STAGES.map((stage) => {
      const stays = history.filter((h) => h.stage === stage);
      const total = figures.find((f) => f.level === 'stage' && f.stage === stage);
      const facilities: ChainFacilityResponse[] = figures
        .filter((f) => f.level === 'facility' && f.stage === stage)
        .map((f) => ({
          id: f.facility_id!,
          nameZh: f.facility_name_zh!,
          nameEn: f.facility_name_en!,
          kind: f.facility_kind!,
          cityCode: f.facility_city_code!,
          ...figuresOf(f),
          resources: figures
            .filter((r) => r.level === 'resource' && r.stage === stage && r.facility_id === f.facility_id)
            .map((r) => ({ id: r.resource_id!, nameZh: r.resource_name_zh!, nameEn: r.resource_name_en!, unit: r.resource_unit!, ...figuresOf(r) })),
        }));
      return {
        stage,
        current: row.stage === stage,
        enteredOn: stays[0]?.entered_on ?? null,
        leftOn: stays.length === 0 || row.stage === stage ? null : stays[stays.length - 1].left_on,
        periods: stays.map((h) => ({ enteredOn: h.entered_on, leftOn: h.left_on })),
        ...figuresOf(total),
        facilities,
      };
    });
    const grand = figures.find((f) => f.level === 'total');
    return { project: projectView(row), stages, totals: { ...figuresOf(grand), facilities: grand?.facilities ?? 0, resources: grand?.resources ?? 0 } };
  }
}

const inTheFuture = (field: string, date: string, today: string) =>
  unprocessable('in_the_future', `${field} (${date}) is after today (${today}, ${PROJECT_TIME_ZONE}).`, { field, today });

function figuresOf(f: ChainFigureRow | undefined): ChainFiguresResponse {
  return {
    bookings: f?.bookings ?? 0,
    bookedUnitHours: Number(f?.booked_unit_hours ?? 0),
    usedUnitHours: Number(f?.used_unit_hours ?? 0),
    costFen: Number(f?.cost_fen ?? 0),
  };
}

export function projectView(r: ProjectRow): ProjectResponse {
  const city = r.organisation_city_code ? cityByCode(r.organisation_city_code) : undefined;
  return {
    id: r.id,
    titleZh: r.title_zh,
    titleEn: r.title_en,
    description: r.description,
    direction: r.direction,
    stage: r.stage,
    stageEnteredOn: r.stage_entered_on,
    startedOn: r.started_on,
    organisation: {
      id: r.organisation_id,
      nameZh: r.organisation_name_zh,
      nameEn: r.organisation_name_en,
      cityCode: r.organisation_city_code,
      cityNameZh: city?.nameZh ?? null,
      cityNameEn: city?.nameEn ?? null,
    },
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function historyView(h: HistoryRow): ProjectHistoryEntryResponse {
  return {
    stage: h.stage,
    enteredOn: h.entered_on,
    leftOn: h.left_on,
    move: h.move,
    evidence: h.evidence,
    reason: h.reason,
    by: h.entered_by,
    at: new Date(h.entered_at).toISOString(),
  };
}
