import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../common/access/access.service';
import { Clock } from '../common/clock';
import { Actor, AuthUser, actorOf } from '../common/auth/auth-user';
import { badRequest, FieldError } from '../common/errors/domain-error';
import { page, Page } from '../common/pagination';
import { rethrowHeldBookingsConflict, searchViewer } from './catalogue-access';
import { likeSubstring, searchTerms } from './catalogue-validation';
import { intervalView, MAINTENANCE_COLUMNS, MaintenanceRow, maintenanceView, resourceView } from './catalogue-views';
import { FacilitiesService } from './facilities.service';
import { Facility } from './facility.entity';
import { OpeningInterval, openingHoursErrors, sortIntervals } from './opening-hours';
import { OpeningHoursInterval } from './opening-interval.entity';
import { CreateResourceDto, OpeningIntervalViewDto, ResourceDetailDto, ResourceDto, ResourceQueryDto, UpdateResourceDto } from './resources.dto';
import { Resource } from './resource.entity';

/** What a new resource needs besides its facility (the seeder passes the same shape). */
export type NewResource = Omit<CreateResourceDto, 'facilityId'>;

export type ResourceWithFacility = Resource & { facility: Facility };

/** Defaults of the optional booking rules (documented on CreateResourceDto). */
const DEFAULTS = {
  minDurationMinutes: 60,
  maxDurationMinutes: 480,
  leadTimeMinutes: 1440,
  horizonDays: 90,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  approvalRequired: true,
  smeDiscountPercent: 0,
  slotMinutes: 15,
} as const;

const UPDATABLE: ReadonlyArray<keyof UpdateResourceDto> = [
  'nameZh',
  'nameEn',
  'description',
  'mode',
  'capacity',
  'unit',
  'minDurationMinutes',
  'maxDurationMinutes',
  'leadTimeMinutes',
  'horizonDays',
  'bufferBeforeMinutes',
  'bufferAfterMinutes',
  'approvalRequired',
  'pricePerUnitHourFen',
  'smeDiscountPercent',
  'maxUnitHoursPer30Days',
  'maxOpenRequests',
  'spec',
  'active',
  'slotMinutes',
];

/** Cross-field rules the DTO cannot check alone (on the merged values for an update). */
function ruleErrors(r: Pick<Resource, 'mode' | 'capacity' | 'minDurationMinutes' | 'maxDurationMinutes'>): FieldError[] {
  const errors: FieldError[] = [];
  if (r.mode === 'exclusive' && r.capacity !== 1) {
    errors.push({ field: 'capacity', message: 'capacity must be 1 for an exclusive resource (use mode pooled for a shared capacity)' });
  }
  if (r.maxDurationMinutes < r.minDurationMinutes) {
    errors.push({
      field: 'maxDurationMinutes',
      message: `maxDurationMinutes (${r.maxDurationMinutes}) must be at least minDurationMinutes (${r.minDurationMinutes})`,
    });
  }
  return errors;
}

const invalid = (errors: FieldError[]) =>
  badRequest(
    'validation_failed',
    `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${[...new Set(errors.map((e) => e.field))].join(', ')}.`,
    errors,
  );

@Injectable()
export class ResourcesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly facilities: FacilitiesService,
    private readonly clock: Clock,
    private readonly access: AccessService,
  ) {}

  /** The facility's operator (or an admin) publishes a resource, optionally with its weekly opening hours. */
  async create(auth: AuthUser, dto: CreateResourceDto): Promise<ResourceDetailDto> {
    const { facilityId, ...resource } = dto;
    const created = await this.dataSource.transaction(async (em) => {
      await this.access.requireAccess(auth, 'facility.manage', [facilityId], { em });
      const facility = (await this.facilities.findById(em, facilityId))!;
      return this.insert(em, actorOf(auth), facility, resource);
    });
    return this.get(auth, created.id);
  }

  /** Inserts a resource, its opening hours and its audit entry inside the caller's transaction. */
  async insert(em: EntityManager, actor: Actor, facility: Facility, dto: NewResource): Promise<Resource> {
    const [resource] = await this.insertMany(em, actor, facility, [dto]);
    return resource;
  }

  /**
   * Inserts several resources of one facility: one statement for the resources, one for all their
   * opening hours, and one audit entry per resource (the demo seeder loads 150+ this way).
   */
  async insertMany(em: EntityManager, actor: Actor, facility: Facility, dtos: NewResource[]): Promise<Resource[]> {
    if (dtos.length === 0) return [];
    const rows = dtos.map((dto) => {
      if (dto.mode === 'pooled' && dto.capacity === undefined) {
        throw invalid([{ field: 'capacity', message: 'capacity is required for a pooled resource (e.g. 512 for a pool of 512 GPUs)' }]);
      }
      const values = {
        facilityId: facility.id,
        nameZh: dto.nameZh,
        nameEn: dto.nameEn,
        description: dto.description ?? '',
        mode: dto.mode,
        capacity: dto.capacity ?? 1,
        unit: dto.unit,
        minDurationMinutes: dto.minDurationMinutes ?? DEFAULTS.minDurationMinutes,
        maxDurationMinutes: dto.maxDurationMinutes ?? Math.max(DEFAULTS.maxDurationMinutes, dto.minDurationMinutes ?? 0),
        leadTimeMinutes: dto.leadTimeMinutes ?? DEFAULTS.leadTimeMinutes,
        horizonDays: dto.horizonDays ?? DEFAULTS.horizonDays,
        bufferBeforeMinutes: dto.bufferBeforeMinutes ?? DEFAULTS.bufferBeforeMinutes,
        bufferAfterMinutes: dto.bufferAfterMinutes ?? DEFAULTS.bufferAfterMinutes,
        approvalRequired: dto.approvalRequired ?? DEFAULTS.approvalRequired,
        pricePerUnitHourFen: dto.pricePerUnitHourFen,
        smeDiscountPercent: dto.smeDiscountPercent ?? DEFAULTS.smeDiscountPercent,
        maxUnitHoursPer30Days: dto.maxUnitHoursPer30Days ?? null,
        maxOpenRequests: dto.maxOpenRequests ?? null,
        spec: dto.spec ?? {},
        active: dto.active ?? true,
        slotMinutes: dto.slotMinutes ?? DEFAULTS.slotMinutes,
      };
      const errors = [...ruleErrors(values), ...openingHoursErrors(dto.openingHours ?? [], 'openingHours')];
      if (errors.length) throw invalid(errors);
      return { values, intervals: sortIntervals(dto.openingHours ?? []) };
    });
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(Resource)
      .values(rows.map((r) => r.values) as QueryDeepPartialEntity<Resource>[])
      .execute();
    const resources = rows.map((r, i) => em.create(Resource, { ...r.values, ...(inserted.generatedMaps[i] as Partial<Resource>) }));
    await this.insertOpeningHours(
      em,
      rows.flatMap((r, i) => r.intervals.map((interval) => ({ ...interval, resourceId: resources[i].id }))),
    );
    for (const [i, resource] of resources.entries()) {
      await this.audit.record(em, actor, {
        action: 'resource.created',
        entityType: 'resource',
        entityId: resource.id,
        organisationId: facility.operatorId,
        data: {
          facilityId: facility.id,
          nameZh: resource.nameZh,
          nameEn: resource.nameEn,
          mode: resource.mode,
          capacity: resource.capacity,
          unit: resource.unit,
          pricePerUnitHourFen: resource.pricePerUnitHourFen,
          smeDiscountPercent: resource.smeDiscountPercent,
          approvalRequired: resource.approvalRequired,
          active: resource.active,
          openingHours: rows[i].intervals.map(intervalView),
        },
      });
    }
    return resources;
  }

  /** Partial update by the facility's operator or an admin; `active: false` deactivates. */
  async update(auth: AuthUser, id: string, dto: UpdateResourceDto): Promise<ResourceDetailDto> {
    await this.dataSource.transaction(async (em) => {
      const resource = await this.lockForEdit(em, auth, id);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const key of UPDATABLE) {
        const to = dto[key];
        if (to === undefined) continue;
        const from = resource[key as keyof Resource];
        if (JSON.stringify(from) !== JSON.stringify(to)) changes[key] = { from, to };
      }
      const merged = { ...resource, ...Object.fromEntries(Object.entries(changes).map(([k, c]) => [k, c.to])) } as Resource;
      const errors = ruleErrors(merged);
      if (errors.length) throw invalid(errors);
      if (Object.keys(changes).length === 0) return;
      const patch = Object.fromEntries(Object.entries(changes).map(([k, c]) => [k, c.to]));
      await em.update(Resource, { id }, patch).catch(rethrowHeldBookingsConflict);
      const action = changes.active ? (dto.active ? 'resource.reactivated' : 'resource.deactivated') : 'resource.updated';
      await this.audit.record(em, actorOf(auth), {
        action,
        entityType: 'resource',
        entityId: id,
        organisationId: resource.facility.operatorId,
        data: { facilityId: resource.facilityId, changes },
      });
    });
    return this.get(auth, id);
  }

  /** One resource with its opening hours, upcoming maintenance and facility; hidden ones are 404. */
  async get(auth: AuthUser | undefined, id: string): Promise<ResourceDetailDto> {
    const resource = await this.findVisible(auth, id);
    const hours = await this.findOpeningHours(this.dataSource.manager, [id]);
    const maintenance: MaintenanceRow[] = await this.dataSource.query(
      `SELECT ${MAINTENANCE_COLUMNS} FROM maintenance_windows
        WHERE resource_id = $1 AND upper(period) > $2 ORDER BY lower(period), id LIMIT 100`,
      [id, this.clock.now()],
    );
    return {
      ...resourceView(resource, resource.facility, hours.get(id) ?? []),
      maintenance: maintenance.map(maintenanceView),
    };
  }

  /** Search over resources and their facilities; every item carries its facility in brief and its opening hours. */
  async search(auth: AuthUser | undefined, q: ResourceQueryDto): Promise<Page<ResourceDto>> {
    const qb = this.dataSource.getRepository(Resource).createQueryBuilder('r').innerJoinAndSelect('r.facility', 'f');
    this.access.applyScope(qb, searchViewer(auth, q.includeInactive), 'resource.read');
    if (q.facilityId) qb.andWhere('r.facility_id = :facilityId', { facilityId: q.facilityId });
    if (q.kind) qb.andWhere('f.kind = :kind', { kind: q.kind });
    if (q.mode) qb.andWhere('r.mode = :mode', { mode: q.mode });
    if (q.unit) qb.andWhere('r.unit = :unit', { unit: q.unit });
    if (q.city) qb.andWhere('f.city_code = :city', { city: q.city });
    if (q.direction) qb.andWhere('f.directions @> ARRAY[:direction]::text[]', { direction: q.direction });
    if (q.stage) qb.andWhere('f.stages @> ARRAY[:stage]::text[]', { stage: q.stage });
    if (q.operatorId) qb.andWhere('f.operator_id = :operatorId', { operatorId: q.operatorId });
    // Each word of q must be found in the resource's or in its facility's text: per word one id list
    // from both trigram indexes (an OR across the join would scan every resource).
    searchTerms(q.q ?? '').forEach((term, i) => {
      qb.andWhere(
        `r.id IN (SELECT id FROM resources WHERE search_text ILIKE :term${i}
                  UNION ALL
                  SELECT r2.id FROM resources r2 JOIN facilities f2 ON f2.id = r2.facility_id WHERE f2.search_text ILIKE :term${i})`,
        { [`term${i}`]: likeSubstring(term) },
      );
    });
    qb.orderBy('f.cityCode', 'ASC')
      .addOrderBy('f.nameZh', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .addOrderBy('r.nameZh', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(q.limit)
      .offset(q.offset);
    const [rows, total] = await qb.getManyAndCount();
    const hours = await this.findOpeningHours(
      this.dataSource.manager,
      rows.map((r) => r.id),
    );
    return page(
      rows.map((r) => resourceView(r, r.facility!, hours.get(r.id) ?? [])),
      total,
      q,
    );
  }

  /**
   * A resource the caller may see, with its facility: active resources of active facilities for
   * everyone, inactive ones only for their operator and admins (404 for anyone else).
   */
  async findVisible(auth: AuthUser | undefined, id: string, em: EntityManager = this.dataSource.manager): Promise<ResourceWithFacility> {
    await this.access.requireAccess(auth, 'resource.read', [id], { em });
    return (await this.findResourceForBooking(em, id))!;
  }

  /**
   * For changes: the resource row locked `FOR UPDATE`, with its facility; 404 if missing, 403
   * `not_your_facility` unless the caller runs the facility or is an admin.
   */
  async lockForEdit(em: EntityManager, auth: AuthUser, id: string): Promise<ResourceWithFacility> {
    await this.access.requireAccess(auth, 'resource.manage', [id], { em });
    const resource = (await this.lockResource(em, id))!;
    const facility = await this.facilities.findById(em, resource.facilityId);
    return Object.assign(resource, { facility: facility! });
  }

  // ---- Named queries for the booking engine ----

  /** The resource with its facility (active flags included, whatever their values), or null. */
  async findResourceForBooking(em: EntityManager, resourceId: string): Promise<ResourceWithFacility | null> {
    const resource = await em.findOne(Resource, { where: { id: resourceId }, relations: { facility: true } });
    return resource as ResourceWithFacility | null;
  }

  /**
   * Locks the resource row inside a transaction: `FOR UPDATE` (`update`, the default: one holder at a time) or
   * `FOR SHARE` (`share`: many holders, none while a rule or maintenance change holds it `FOR UPDATE`); null if
   * there is none.
   */
  lockResource(em: EntityManager, resourceId: string, mode: 'update' | 'share' = 'update'): Promise<Resource | null> {
    return em
      .getRepository(Resource)
      .createQueryBuilder('r')
      .setLock(mode === 'share' ? 'pessimistic_read' : 'pessimistic_write')
      .where('r.id = :resourceId', { resourceId })
      .getOne();
  }

  /** Weekly schedules by resource id, each sorted by weekday and opening time ("HH:MM"). */
  async findOpeningHours(em: EntityManager, resourceIds: string[]): Promise<Map<string, OpeningIntervalViewDto[]>> {
    const byResource = new Map<string, OpeningIntervalViewDto[]>();
    if (resourceIds.length === 0) return byResource;
    const rows: Array<{ resource_id: string; weekday: number; opens: string; closes: string }> = await em.query(
      `SELECT resource_id, weekday, opens::text AS opens, closes::text AS closes
         FROM opening_hours WHERE resource_id = ANY($1::uuid[]) ORDER BY resource_id, weekday, opens`,
      [resourceIds],
    );
    for (const row of rows) {
      const list = byResource.get(row.resource_id) ?? [];
      list.push(intervalView(row));
      byResource.set(row.resource_id, list);
    }
    return byResource;
  }

  /** Maintenance windows of a resource overlapping `[from, to)` (`to` null: no end), earliest first. */
  async findMaintenanceOverlapping(em: EntityManager, resourceId: string, from: Date, to: Date | null): Promise<MaintenanceRow[]> {
    return em.query(
      `SELECT ${MAINTENANCE_COLUMNS} FROM maintenance_windows
        WHERE resource_id = $1 AND period && tstzrange($2::timestamptz, $3::timestamptz, '[)')
        ORDER BY lower(period), id`,
      [resourceId, from.toISOString(), to ? to.toISOString() : null],
    );
  }

  /** Writes validated opening intervals (of one or several resources) in one statement. */
  async insertOpeningHours(em: EntityManager, intervals: Array<OpeningInterval & { resourceId: string }>): Promise<void> {
    if (intervals.length === 0) return;
    await em
      .createQueryBuilder()
      .insert()
      .into(OpeningHoursInterval)
      .values(intervals.map((i) => ({ resourceId: i.resourceId, weekday: i.weekday, opens: i.opens, closes: i.closes })))
      .updateEntity(false)
      .execute();
  }
}
