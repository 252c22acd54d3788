import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../common/access/access.service';
import { Actor, AuthUser, actorOf } from '../common/auth/auth-user';
import { conflict, notFound } from '../common/errors/domain-error';
import { page, Page } from '../common/pagination';
import { Organisation } from './organisation.entity';
import { CreateOrganisationDto, OrganisationQueryDto } from './organisations.dto';

const isUniqueViolation = (e: unknown, constraint: string) =>
  e instanceof QueryFailedError &&
  (e as { code?: string; constraint?: string } & QueryFailedError).code === '23505' &&
  ((e as unknown as { constraint?: string }).constraint ?? '').includes(constraint);

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** Admin: create an organisation of any kind. */
  async create(auth: AuthUser, dto: CreateOrganisationDto): Promise<Organisation> {
    return this.dataSource.transaction((em) => this.insert(em, actorOf(auth), dto));
  }

  /** Inserts inside the caller's transaction (registration uses it together with the first user). */
  async insert(em: EntityManager, actor: Actor, dto: CreateOrganisationDto): Promise<Organisation> {
    if (dto.creditCode) await this.assertCreditCodeFree(em, dto.creditCode);
    let org: Organisation;
    try {
      org = await em.save(
        Organisation,
        em.create(Organisation, {
          kind: dto.kind,
          nameZh: dto.nameZh,
          nameEn: dto.nameEn ?? null,
          creditCode: dto.creditCode ?? null,
          sme: dto.kind === 'enterprise' ? (dto.sme ?? false) : false,
          cityCode: dto.cityCode ?? null,
        }),
      );
    } catch (e) {
      if (isUniqueViolation(e, 'credit_code')) throw creditCodeTaken();
      throw e;
    }
    await this.audit.record(em, actor, {
      action: 'organisation.created',
      entityType: 'organisation',
      entityId: org.id,
      organisationId: org.id,
      data: { kind: org.kind, nameZh: org.nameZh, creditCode: org.creditCode, sme: org.sme, cityCode: org.cityCode },
    });
    return org;
  }

  /** The organisations the caller may read (`organisation.read`: the route is for admins and officials, who read all). */
  async list(auth: AuthUser, q: OrganisationQueryDto): Promise<Page<Organisation>> {
    const qb = this.dataSource.getRepository(Organisation).createQueryBuilder('o');
    this.access.applyScope(qb, auth, 'organisation.read');
    if (q.kind) qb.andWhere('o.kind = :kind', { kind: q.kind });
    const [items, total] = await qb.orderBy('o.nameZh', 'ASC').addOrderBy('o.id', 'ASC').take(q.limit).skip(q.offset).getManyAndCount();
    return page(items, total, q);
  }

  /** Officials and admins read any organisation; others only their own (another one is 404). */
  async get(auth: AuthUser, id: string): Promise<Organisation> {
    await this.access.requireAccess(auth, 'organisation.read', [id]);
    return this.findById(id);
  }

  async findById(id: string, em: EntityManager = this.dataSource.manager): Promise<Organisation> {
    const org = await em.findOne(Organisation, { where: { id } });
    if (!org) throw notFound('Organisation');
    return org;
  }

  private async assertCreditCodeFree(em: EntityManager, creditCode: string) {
    if (await em.exists(Organisation, { where: { creditCode } })) throw creditCodeTaken();
  }
}

export const creditCodeTaken = () => conflict('credit_code_taken', 'An organisation with this unified social credit code is already registered.');
export { isUniqueViolation };
