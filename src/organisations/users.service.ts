import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, Not } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../common/access/access.service';
import { Actor, AuthUser, actorOf, Role } from '../common/auth/auth-user';
import { hashPassword } from '../common/auth/password-hasher';
import { badRequest, conflict, notFound } from '../common/errors/domain-error';
import { page, Page } from '../common/pagination';
import { Organisation, OrganisationKind } from './organisation.entity';
import { CreateUserDto, UserQueryDto } from './organisations.dto';
import { isUniqueViolation, OrganisationsService } from './organisations.service';
import { User } from './user.entity';

/** Which organisation kind each role belongs to (admins belong to none). */
const ROLE_ORGANISATION_KIND: Record<Exclude<Role, 'admin'>, OrganisationKind> = {
  enterprise: 'enterprise',
  operator: 'operator',
  official: 'authority',
};

export const emailTaken = () => conflict('email_taken', 'A user with this e-mail address already exists.');

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** Admin: create a user in an organisation whose kind fits the role. */
  async create(auth: AuthUser, dto: CreateUserDto): Promise<User> {
    return this.dataSource.transaction((em) => this.insert(em, actorOf(auth), dto));
  }

  async insert(em: EntityManager, actor: Actor, dto: CreateUserDto): Promise<User> {
    const org = await this.organisationForRole(em, dto.role, dto.organisationId);
    if (await em.exists(User, { where: { email: dto.email } })) throw emailTaken();
    let user: User;
    try {
      user = await em.save(
        User,
        em.create(User, {
          email: dto.email,
          displayName: dto.displayName,
          role: dto.role,
          organisationId: org?.id ?? null,
          passwordHash: await hashPassword(dto.password),
          active: true,
        }),
      );
    } catch (e) {
      if (isUniqueViolation(e, 'email')) throw emailTaken();
      throw e;
    }
    await this.audit.record(em, actor, {
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      organisationId: user.organisationId,
      data: { email: user.email, role: user.role },
    });
    return this.view(user);
  }

  /** The organisation a user with this role must belong to (null for admins); 400/404 when it does not fit. */
  async organisationForRole(em: EntityManager, role: Role, organisationId: string | null | undefined): Promise<Organisation | null> {
    if (role === 'admin') {
      if (organisationId)
        throw badRequest('validation_failed', 'Admins belong to no organisation.', [
          { field: 'organisationId', message: 'organisationId must be omitted for admins' },
        ]);
      return null;
    }
    const org = organisationId ? await em.findOne(Organisation, { where: { id: organisationId } }) : null;
    if (!org) throw notFound('Organisation');
    const expected = ROLE_ORGANISATION_KIND[role];
    if (org.kind !== expected) {
      throw badRequest('role_does_not_fit_organisation', `A user with role ${role} must belong to an ${expected} organisation; this one is an ${org.kind}.`, [
        { field: 'role', message: `role ${role} needs an organisation of kind ${expected}` },
      ]);
    }
    return org;
  }

  /** The users the caller may read (`user.read`: the route is for admins, who read all). */
  async list(auth: AuthUser, q: UserQueryDto): Promise<Page<User>> {
    const qb = this.dataSource.getRepository(User).createQueryBuilder('u').leftJoinAndSelect('u.organisation', 'o');
    this.access.applyScope(qb, auth, 'user.read');
    if (q.role) qb.andWhere('u.role = :role', { role: q.role });
    if (q.organisationId) qb.andWhere('u.organisation_id = :organisationId', { organisationId: q.organisationId });
    const [items, total] = await qb.orderBy('u.email', 'ASC').addOrderBy('u.id', 'ASC').take(q.limit).skip(q.offset).getManyAndCount();
    return page(items, total, q);
  }

  /** Admins read anyone; others only themselves (anyone else is 404). */
  async get(auth: AuthUser, id: string): Promise<User> {
    await this.access.requireAccess(auth, 'user.read', [id]);
    const user = await this.dataSource.getRepository(User).findOne({ where: { id }, relations: { organisation: true } });
    if (!user) throw notFound('User');
    return user;
  }

  /** For login: the user with its password hash. */
  findForLogin(email: string): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim().toLowerCase() })
      .getOne();
  }

  /** Ids of the active users of organisations (notification recipients), inside the caller's transaction. */
  async activeUserIdsOf(em: EntityManager, organisationIds: string[]): Promise<string[]> {
    if (organisationIds.length === 0) return [];
    const rows: Array<{ id: string }> = await em.query(`SELECT id FROM users WHERE organisation_id = ANY($1::uuid[]) AND active ORDER BY id`, [
      organisationIds,
    ]);
    return rows.map((r) => r.id);
  }

  /** An active user by id, or null (the auth guard, calendar feed tokens). */
  findActive(id: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOne({ where: { id, active: true } });
  }

  /** A user by id inside the caller's transaction, or null. */
  findById(em: EntityManager, id: string): Promise<User | null> {
    return em.findOne(User, { where: { id } });
  }

  /** A user by id, row-locked (`FOR UPDATE`) until the caller's transaction ends; null when there is none. */
  lockById(em: EntityManager, id: string): Promise<User | null> {
    return em.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async recordLogin(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.update(User, { id }, { lastLoginAt: at });
  }

  /** Swaps in a rehash of the same password, unless the password was changed since `oldHash` was read. */
  async upgradePasswordHash(em: EntityManager, id: string, oldHash: string, newHash: string): Promise<void> {
    await em.createQueryBuilder().update(User).set({ passwordHash: newHash }).where('id = :id AND password_hash = :old', { id, old: oldHash }).execute();
  }

  async setPasswordHash(em: EntityManager, id: string, change: { hash: string; mustChangePassword: boolean; changedAt: Date }): Promise<void> {
    await em.update(User, { id }, { passwordHash: change.hash, mustChangePassword: change.mustChangePassword, passwordChangedAt: change.changedAt });
  }

  async setActive(em: EntityManager, id: string, active: boolean): Promise<void> {
    await em.update(User, { id }, { active });
  }

  /** Does not check that the organisation fits the role: see `organisationForRole`. */
  async setRole(em: EntityManager, id: string, role: Role, organisationId: string | null): Promise<void> {
    await em.update(User, { id }, { role, organisationId });
  }

  /**
   * Active admins other than `exceptId`. Race-free only while the caller holds a lock that
   * serialises changes to the admin set (the user-admin service's advisory lock).
   */
  countOtherActiveAdmins(em: EntityManager, exceptId: string): Promise<number> {
    return em.count(User, { where: { role: 'admin', active: true, id: Not(exceptId) } });
  }

  /** The CLI's create-admin: an admin created by the system actor (there may be no admin yet to act). */
  createFirstAdmin(dto: CreateUserDto): Promise<User> {
    return this.dataSource.transaction((em) => this.insert(em, { kind: 'system', label: 'cli create-admin' }, { ...dto, role: 'admin' }));
  }

  private view(user: User): User {
    const { passwordHash: _omit, ...rest } = user;
    return rest as User;
  }
}
