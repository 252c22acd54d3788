import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { actorOf, AuthUser } from '../common/auth/auth-user';
import { hashPassword } from '../common/auth/password-hasher';
import { Clock } from '../common/clock';
import { notFound } from '../common/errors/domain-error';
import { assertAcceptablePassword } from '../common/validation/password';
import { User } from '../organisations/user.entity';
import { UsersService } from '../organisations/users.service';
import { AuthService } from './auth.service';
import { ChangeRoleDto, ResetPasswordDto } from './auth.dto';
import { lastAdmin } from './auth.errors';
import { SessionsService } from './sessions.service';
import { ThrottleService } from './throttle.service';

/** Serialises every change that could leave no active admin, so two of them cannot both pass the count. */
const ADMIN_SET_LOCK = 7316010;

/**
 * What admins do to accounts: deactivate (ending every session at once), reactivate, reset a password
 * (the user must set a new one before doing anything else) and change a role. Never the last active admin.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly throttle: ThrottleService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async deactivate(actor: AuthUser, id: string): Promise<User> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_SET_LOCK]);
      const user = await this.lockUser(em, id);
      if (!user.active) return;
      if (user.role === 'admin') await this.assertAnotherActiveAdmin(em, user.id);
      await this.users.setActive(em, user.id, false);
      const ended = await this.sessions.revokeAllForUser(em, user.id, 'deactivated', now);
      await this.audit.record(
        em,
        actorOf(actor),
        {
          action: 'user.deactivated',
          entityType: 'user',
          entityId: user.id,
          organisationId: user.organisationId,
          data: { email: user.email, sessionsEnded: ended },
        },
        now,
      );
    });
    return this.users.get(actor, id);
  }

  async reactivate(actor: AuthUser, id: string): Promise<User> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      const user = await this.lockUser(em, id);
      if (user.active) return;
      await this.users.setActive(em, user.id, true);
      await this.audit.record(
        em,
        actorOf(actor),
        {
          action: 'user.reactivated',
          entityType: 'user',
          entityId: user.id,
          organisationId: user.organisationId,
          data: { email: user.email },
        },
        now,
      );
    });
    return this.users.get(actor, id);
  }

  /** Sets a temporary password, ends every session and lifts a lockout; the user must change it at the next login. */
  async resetPassword(actor: AuthUser, id: string, dto: ResetPasswordDto): Promise<User> {
    const now = this.clock.now();
    const target = await this.users.get(actor, id);
    assertAcceptablePassword('temporaryPassword', dto.temporaryPassword, target.email);
    const hash = await hashPassword(dto.temporaryPassword);
    await this.dataSource.transaction(async (em) => {
      const user = await this.lockUser(em, id);
      await this.users.setPasswordHash(em, user.id, { hash, mustChangePassword: true, changedAt: now });
      const ended = await this.sessions.revokeAllForUser(em, user.id, 'password_reset', now);
      await this.audit.record(
        em,
        actorOf(actor),
        {
          action: 'user.password_reset',
          entityType: 'user',
          entityId: user.id,
          organisationId: user.organisationId,
          data: { email: user.email, sessionsEnded: ended, mustChangePassword: true },
        },
        now,
      );
    });
    await this.throttle.clear(this.auth.accountRule(target.email).key);
    return this.users.get(actor, id);
  }

  /** Changes a user's role (and the organisation it needs); takes effect on the user's next request. */
  async changeRole(actor: AuthUser, id: string, dto: ChangeRoleDto): Promise<User> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_SET_LOCK]);
      const user = await this.lockUser(em, id);
      const organisationId = dto.role === 'admin' ? null : (dto.organisationId ?? null);
      if (user.role === dto.role && user.organisationId === organisationId) return;
      if (user.role === 'admin' && dto.role !== 'admin' && user.active) await this.assertAnotherActiveAdmin(em, user.id);
      await this.users.organisationForRole(em, dto.role, organisationId);
      await this.users.setRole(em, user.id, dto.role, organisationId);
      await this.audit.record(
        em,
        actorOf(actor),
        {
          action: 'user.role_changed',
          entityType: 'user',
          entityId: user.id,
          organisationId: organisationId ?? user.organisationId,
          data: { email: user.email, from: { role: user.role, organisationId: user.organisationId }, to: { role: dto.role, organisationId } },
        },
        now,
      );
    });
    return this.users.get(actor, id);
  }

  private async lockUser(em: EntityManager, id: string): Promise<User> {
    const user = await this.users.lockById(em, id);
    if (!user) throw notFound('User');
    return user;
  }

  /** Called under ADMIN_SET_LOCK, so the count cannot change before the caller commits. */
  private async assertAnotherActiveAdmin(em: EntityManager, exceptId: string): Promise<void> {
    const others = await this.users.countOtherActiveAdmins(em, exceptId);
    if (others === 0) throw lastAdmin();
  }
}
