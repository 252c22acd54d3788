import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../common/access/access.service';
import { Actor, AuthUser, actorOf } from '../common/auth/auth-user';
import { badRequest, DomainError } from '../common/errors/domain-error';
import { page, Page } from '../common/pagination';
import { OrganisationsService } from '../organisations/organisations.service';
import { DEFAULT_TIME_ZONE } from './catalogue.constants';
import { notYourFacility, searchViewer } from './catalogue-access';
import { likeSubstring, searchTerms } from './catalogue-validation';
import { facilityView } from './catalogue-views';
import { CreateFacilityDto, FacilityDetailDto, FacilityDto, FacilityQueryDto, UpdateFacilityDto } from './facilities.dto';
import { Facility } from './facility.entity';
import { Resource } from './resource.entity';

/** What a new facility needs besides its operator (the seeder passes the same shape). */
export type NewFacility = Omit<CreateFacilityDto, 'operatorId'>;

/** Zones PostgreSQL confirmed, asked once each. */
const knownZones = new Set<string>(['Asia/Shanghai', 'UTC']);

const UPDATABLE: ReadonlyArray<keyof UpdateFacilityDto> = [
  'kind',
  'nameZh',
  'nameEn',
  'cityCode',
  'address',
  'directions',
  'stages',
  'timeZone',
  'description',
  'contact',
  'active',
];

@Injectable()
export class FacilitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly access: AccessService,
  ) {}

  /** Operators create facilities for their own organisation; admins name the operator organisation. */
  async create(auth: AuthUser, dto: CreateFacilityDto): Promise<FacilityDetailDto> {
    const { operatorId: requested, ...facility } = dto;
    let operatorId: string;
    if (auth.role === 'admin') {
      if (!requested) {
        throw badRequest('validation_failed', 'Admins must say which operator organisation runs the facility.', [
          { field: 'operatorId', message: 'operatorId is required when an admin creates a facility' },
        ]);
      }
      operatorId = requested;
    } else {
      if (!auth.organisationId) throw notYourFacility();
      if (requested && requested !== auth.organisationId) {
        throw new DomainError(403, 'not_your_organisation', 'Operators create facilities for their own organisation only; omit operatorId.');
      }
      operatorId = auth.organisationId;
    }
    const created = await this.dataSource.transaction((em) => this.insert(em, actorOf(auth), operatorId, facility));
    return this.get(auth, created.id);
  }

  /** Inserts a facility and its audit entry inside the caller's transaction. */
  async insert(em: EntityManager, actor: Actor, operatorId: string, dto: NewFacility): Promise<Facility> {
    const operator = await this.organisations.findById(operatorId, em);
    if (operator.kind !== 'operator') {
      throw badRequest('not_an_operator', `Organisation ${operatorId} is an ${operator.kind}, not an operator.`, [
        { field: 'operatorId', message: 'operatorId must be an organisation of kind operator' },
      ]);
    }
    const timeZone = dto.timeZone ?? DEFAULT_TIME_ZONE;
    await this.assertTimeZoneKnown(timeZone);
    const facility = await em.save(
      Facility,
      em.create(Facility, {
        operatorId,
        kind: dto.kind,
        nameZh: dto.nameZh,
        nameEn: dto.nameEn,
        cityCode: dto.cityCode,
        address: dto.address,
        directions: dto.directions,
        stages: dto.stages,
        timeZone,
        description: dto.description ?? '',
        contact: dto.contact ?? '',
        active: dto.active ?? true,
      }),
    );
    await this.audit.record(em, actor, {
      action: 'facility.created',
      entityType: 'facility',
      entityId: facility.id,
      organisationId: operatorId,
      data: {
        kind: facility.kind,
        nameZh: facility.nameZh,
        nameEn: facility.nameEn,
        cityCode: facility.cityCode,
        directions: facility.directions,
        stages: facility.stages,
        timeZone: facility.timeZone,
        active: facility.active,
      },
    });
    facility.operator = operator;
    return facility;
  }

  /**
   * Partial update by the facility's operator or an admin. `active: false` deactivates (hidden
   * from search, history kept); the audit entry says facility.deactivated / .reactivated / .updated.
   */
  async update(auth: AuthUser, id: string, dto: UpdateFacilityDto): Promise<FacilityDetailDto> {
    await this.dataSource.transaction(async (em) => {
      await this.access.requireAccess(auth, 'facility.manage', [id], { em });
      const facility = (await this.lockFacility(em, id))!;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const key of UPDATABLE) {
        const to = dto[key];
        if (to === undefined) continue;
        const from = facility[key as keyof Facility];
        if (JSON.stringify(from) !== JSON.stringify(to)) changes[key] = { from, to };
      }
      if (Object.keys(changes).length === 0) return;
      if (changes.timeZone) await this.assertTimeZoneKnown(dto.timeZone!);
      const patch = Object.fromEntries(Object.entries(changes).map(([k, c]) => [k, c.to]));
      await em.update(Facility, { id }, patch);
      const action = changes.active ? (dto.active ? 'facility.reactivated' : 'facility.deactivated') : 'facility.updated';
      await this.audit.record(em, actorOf(auth), { action, entityType: 'facility', entityId: id, organisationId: facility.operatorId, data: { changes } });
    });
    return this.get(auth, id);
  }

  /** One facility with the resources the caller may see. Inactive ones are 404 except for their operator and admins. */
  async get(auth: AuthUser | undefined, id: string): Promise<FacilityDetailDto> {
    await this.access.requireAccess(auth, 'facility.read', [id]);
    const facility = (await this.dataSource.getRepository(Facility).findOne({ where: { id }, relations: { operator: true } }))!;
    const qb = this.dataSource
      .getRepository(Resource)
      .createQueryBuilder('r')
      .innerJoin('r.facility', 'f')
      .select(['r.id', 'r.nameZh', 'r.nameEn', 'r.mode', 'r.capacity', 'r.unit', 'r.active'])
      .where('r.facility_id = :id', { id });
    this.access.applyScope(qb, auth, 'resource.read');
    const resources = await qb.orderBy('r.nameZh', 'ASC').addOrderBy('r.id', 'ASC').getMany();
    return { ...facilityView(facility), resources };
  }

  /** Search: filters combine with AND; each word of `q` is a case-insensitive substring (trigram index); stable order. */
  async search(auth: AuthUser | undefined, q: FacilityQueryDto): Promise<Page<FacilityDto>> {
    const qb = this.dataSource.getRepository(Facility).createQueryBuilder('f').innerJoinAndSelect('f.operator', 'o');
    this.access.applyScope(qb, searchViewer(auth, q.includeInactive), 'facility.read');
    if (q.kind) qb.andWhere('f.kind = :kind', { kind: q.kind });
    if (q.city) qb.andWhere('f.city_code = :city', { city: q.city });
    if (q.direction) qb.andWhere('f.directions @> ARRAY[:direction]::text[]', { direction: q.direction });
    if (q.stage) qb.andWhere('f.stages @> ARRAY[:stage]::text[]', { stage: q.stage });
    if (q.operatorId) qb.andWhere('f.operator_id = :operatorId', { operatorId: q.operatorId });
    // Every word of q must be a case-insensitive substring (trigram index).
    searchTerms(q.q ?? '').forEach((term, i) => qb.andWhere(`f.search_text ILIKE :term${i}`, { [`term${i}`]: likeSubstring(term) }));
    qb.orderBy('f.cityCode', 'ASC').addOrderBy('f.nameZh', 'ASC').addOrderBy('f.id', 'ASC').limit(q.limit).offset(q.offset);
    const [rows, total] = await qb.getManyAndCount();
    return page(rows.map(facilityView), total, q);
  }

  /** The facility row, locked for the rest of the transaction (`SELECT … FOR UPDATE`), or null. */
  lockFacility(em: EntityManager, id: string): Promise<Facility | null> {
    return em.getRepository(Facility).createQueryBuilder('f').setLock('pessimistic_write').where('f.id = :id', { id }).getOne();
  }

  /** The facility by id, whatever its state, or null. */
  findById(em: EntityManager, id: string): Promise<Facility | null> {
    return em.findOne(Facility, { where: { id } });
  }

  /**
   * The JavaScript runtime accepted the name (DTO); PostgreSQL must know it too, for `AT TIME ZONE`.
   * Asked on a pooled connection of its own, so an unknown zone cannot abort the caller's transaction.
   */
  private async assertTimeZoneKnown(timeZone: string): Promise<void> {
    if (knownZones.has(timeZone)) return;
    try {
      await this.dataSource.query(`SELECT now() AT TIME ZONE $1`, [timeZone]);
    } catch {
      throw badRequest('validation_failed', `The database does not know the time zone ${timeZone}.`, [
        { field: 'timeZone', message: 'timeZone must be an IANA time zone name such as Asia/Shanghai' },
      ]);
    }
    knownZones.add(timeZone);
  }
}
