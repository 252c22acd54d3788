import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { AuditQueryDto } from '../audit/audit.dto';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../common/auth/auth-user';
import { ARGON2_OPTIONS, hashPassword, timingDummyHash, verifyPassword } from '../common/auth/password-hasher';
import { Clock } from '../common/clock';
import { PageQueryDto } from '../common/pagination';
import { assertAcceptablePassword } from '../common/validation/password';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { RegisterEnterpriseDto } from '../organisations/organisations.dto';
import { OrganisationsService } from '../organisations/organisations.service';
import { User } from '../organisations/user.entity';
import { UsersService } from '../organisations/users.service';
import { ChangePasswordDto, LoginDto, TokenPairDto } from './auth.dto';
import { currentPasswordWrong, invalidCredentials, passwordUnchanged, tooManyAttempts, tooManyRegistrations } from './auth.errors';
import { addressThrottleKey, ClientInfo } from './client-info';
import { ANONYMOUS, SessionsService, userActor } from './sessions.service';
import { ThrottleDecision, ThrottleRule, ThrottleService } from './throttle.service';

/** Whether a stored hash was made with another variant or other parameters than today's (then it is redone at login). */
export function needsRehash(hash: string): boolean {
  try {
    return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, ARGON2_OPTIONS);
  } catch {
    return false;
  }
}

/**
 * Registration, login (throttled per client address and per account, with lockout), password change
 * and the caller's own audit trail. Every outcome, failures included, is an audit entry.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly throttle: ThrottleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** An SME registers itself: the enterprise and its first user commit together, or neither does. */
  async register(dto: RegisterEnterpriseDto, client: ClientInfo) {
    const { registerIpLimit, registerIpWindowMs } = this.config.throttle;
    const slot = await this.throttle.take(
      { key: `register:ip:${addressThrottleKey(client.ip)}`, limit: registerIpLimit, windowMs: registerIpWindowMs },
      this.clock.now(),
    );
    if (!slot.allowed) throw tooManyRegistrations(slot.retryAfterSeconds);
    const actor = { kind: 'system' as const, label: `self-registration by ${dto.email}` };
    const user = await this.dataSource.transaction(async (em) => {
      const org = await this.organisations.insert(em, actor, {
        kind: 'enterprise',
        nameZh: dto.organisationNameZh,
        nameEn: dto.organisationNameEn,
        creditCode: dto.creditCode,
        sme: dto.sme,
        cityCode: dto.cityCode,
      });
      return this.users.insert(em, actor, {
        email: dto.email,
        displayName: dto.displayName,
        password: dto.password,
        role: 'enterprise',
        organisationId: org.id,
      });
    });
    return this.me({ userId: user.id, email: user.email, role: user.role, organisationId: user.organisationId });
  }

  /**
   * Each attempt is counted before the password is checked (one atomic statement per key), so
   * concurrent guesses cannot slip past the limits; a success gives the attempt back. A wrong
   * password, an unknown e-mail and an inactive account get the same answer after the same work,
   * and the same 429 once their e-mail address is locked.
   */
  async login(dto: LoginDto, client: ClientInfo): Promise<TokenPairDto> {
    const now = this.clock.now();
    const ipRule = this.loginIpRule(client);
    const accountRule = this.accountRule(dto.email);
    const ip = await this.throttle.take(ipRule, now);
    if (!ip.allowed) throw tooManyAttempts(ip.retryAfterSeconds);
    const account = await this.throttle.take(accountRule, now);
    if (!account.allowed) throw tooManyAttempts(account.retryAfterSeconds);

    const user = await this.users.findForLogin(dto.email);
    const ok = await verifyPassword(user ? user.passwordHash : await timingDummyHash(), dto.password);
    if (!user || !ok || !user.active) {
      const reason = !user ? 'unknown_email' : !ok ? 'wrong_password' : 'inactive';
      return this.loginFailed(dto.email, user, reason, client, [ipRule, ip], [accountRule, account], now);
    }

    await Promise.all([this.throttle.clear(accountRule.key), this.throttle.giveBack(ipRule.key)]);
    const rehashed = needsRehash(user.passwordHash) ? await hashPassword(dto.password) : null;
    return this.dataSource.transaction(async (em) => {
      await this.users.recordLogin(em, user.id, now);
      if (rehashed) await this.users.upgradePasswordHash(em, user.id, user.passwordHash, rehashed);
      const { pair, sessionId } = await this.sessions.open(em, user, client, now);
      await this.audit.record(
        em,
        userActor(user),
        {
          action: 'auth.login_succeeded',
          entityType: 'user',
          entityId: user.id,
          organisationId: user.organisationId,
          data: { sessionId, ip: client.ip, userAgent: client.userAgent, passwordRehashed: rehashed !== null, passwordChangeRequired: user.mustChangePassword },
        },
        now,
      );
      return pair;
    });
  }

  /** The signed-in user with its organisation. */
  me(auth: AuthUser) {
    return this.users.get(auth, auth.userId);
  }

  /**
   * Sets a new password (after checking the current one, which counts towards the account's lockout),
   * ends every session of the user and returns a fresh pair for a new one.
   */
  async changePassword(auth: AuthUser, dto: ChangePasswordDto, client: ClientInfo): Promise<TokenPairDto> {
    assertAcceptablePassword('newPassword', dto.newPassword, auth.email);
    if (dto.newPassword === dto.currentPassword) throw passwordUnchanged();
    const now = this.clock.now();
    const accountRule = this.accountRule(auth.email);
    const attempt = await this.throttle.take(accountRule, now);
    if (!attempt.allowed) throw tooManyAttempts(attempt.retryAfterSeconds);
    const current = await this.users.findForLogin(auth.email);
    if (!current || !(await verifyPassword(current.passwordHash, dto.currentPassword))) {
      const block = attempt.hits >= accountRule.limit ? await this.throttle.block(accountRule, now) : null;
      await this.dataSource.transaction(async (em) => {
        const entity = { entityType: 'user', entityId: auth.userId, organisationId: auth.organisationId };
        const actor = userActor({ id: auth.userId, email: auth.email, role: auth.role, organisationId: auth.organisationId });
        await this.audit.record(
          em,
          actor,
          {
            action: 'user.password_change_failed',
            ...entity,
            data: { reason: 'wrong_current_password', failures: attempt.hits, ip: client.ip, userAgent: client.userAgent },
          },
          now,
        );
        if (block?.started) {
          await this.audit.record(
            em,
            actor,
            {
              action: 'auth.locked',
              ...entity,
              data: { email: auth.email, failures: attempt.hits, lockedUntil: block.until.toISOString(), ip: client.ip },
            },
            now,
          );
        }
      });
      throw block ? tooManyAttempts(block.retryAfterSeconds) : currentPasswordWrong();
    }
    await this.throttle.clear(accountRule.key);
    const hash = await hashPassword(dto.newPassword);
    return this.dataSource.transaction(async (em) => {
      const user = await this.users.lockById(em, auth.userId);
      // Users are never deleted and the guard has just seen this one: a missing row is a bug (500).
      if (!user) throw new Error(`User ${auth.userId} not found while changing its password`);
      await this.users.setPasswordHash(em, user.id, { hash, mustChangePassword: false, changedAt: now });
      user.mustChangePassword = false;
      const ended = await this.sessions.revokeAllForUser(em, user.id, 'password_changed', now);
      const { pair, sessionId } = await this.sessions.open(em, user, client, now);
      await this.audit.record(
        em,
        userActor(user),
        {
          action: 'user.password_changed',
          entityType: 'user',
          entityId: user.id,
          organisationId: user.organisationId,
          data: { sessionsEnded: ended, newSessionId: sessionId, ip: client.ip, userAgent: client.userAgent },
        },
        now,
      );
      return pair;
    });
  }

  /** The caller's own trail: every entry about its user (logins, refreshes, password and role changes…). */
  myAudit(auth: AuthUser, q: PageQueryDto) {
    return this.audit.list(Object.assign(new AuditQueryDto(), { limit: q.limit, offset: q.offset, entityType: 'user', entityId: auth.userId }));
  }

  /** Audits the failure (committed although the request fails), locks when a limit is reached, and answers. */
  private async loginFailed(
    email: string,
    user: User | null,
    reason: 'unknown_email' | 'wrong_password' | 'inactive',
    client: ClientInfo,
    [ipRule, ip]: [ThrottleRule, ThrottleDecision],
    [accountRule, account]: [ThrottleRule, ThrottleDecision],
    now: Date,
  ): Promise<never> {
    const accountBlock = account.hits >= accountRule.limit ? await this.throttle.block(accountRule, now) : null;
    const ipBlock = ip.hits >= ipRule.limit ? await this.throttle.block(ipRule, now) : null;
    // Entries about an existing account are the user's; others are filed under the e-mail address tried.
    const entity = user
      ? { entityType: 'user', entityId: user.id, organisationId: user.organisationId }
      : { entityType: 'login', entityId: email, organisationId: null };
    await this.dataSource.transaction(async (em) => {
      await this.audit.record(
        em,
        ANONYMOUS,
        {
          action: 'auth.login_failed',
          ...entity,
          data: { email, reason, failures: account.hits, ip: client.ip, userAgent: client.userAgent },
        },
        now,
      );
      if (accountBlock?.started) {
        await this.audit.record(
          em,
          ANONYMOUS,
          {
            action: 'auth.locked',
            ...entity,
            data: { email, failures: account.hits, lockedUntil: accountBlock.until.toISOString(), ip: client.ip },
          },
          now,
        );
      }
      if (ipBlock?.started) {
        await this.audit.record(
          em,
          ANONYMOUS,
          {
            action: 'auth.client_throttled',
            entityType: 'client_address',
            entityId: addressThrottleKey(client.ip),
            data: { ip: client.ip, failures: ip.hits, blockedUntil: ipBlock.until.toISOString() },
          },
          now,
        );
      }
    });
    const retry = Math.max(accountBlock?.retryAfterSeconds ?? 0, ipBlock?.retryAfterSeconds ?? 0);
    throw retry > 0 ? tooManyAttempts(retry) : invalidCredentials();
  }

  /** Failed logins per client address (IPv6: per /64), blocked for the rest of the window once over. */
  private loginIpRule(client: ClientInfo): ThrottleRule {
    const { loginIpLimit, loginIpWindowMs } = this.config.throttle;
    return { key: `login:ip:${addressThrottleKey(client.ip)}`, limit: loginIpLimit, windowMs: loginIpWindowMs };
  }

  /** Failures in a row per e-mail address (whether or not it has an account); the lockout. */
  accountRule(email: string): ThrottleRule {
    const { lockoutThreshold, lockoutDurationMs } = this.config.throttle;
    return { key: `login:account:${email.trim().toLowerCase()}`, limit: lockoutThreshold, windowMs: lockoutDurationMs, blockMs: lockoutDurationMs };
  }
}
