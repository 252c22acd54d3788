import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import { ClientInfo } from '../auth/client-info';
import { SessionsService } from '../auth/sessions.service';
import { actorOf, Role } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { OrganisationsService } from '../organisations/organisations.service';
import { ConsolePreference } from './console-preference.entity';
import { signSessionCookie, verifySessionCookie } from './console-session';
import { DEFAULT_LANGUAGE, isLanguage, Language } from './i18n/language';
import { Viewer } from './page-context';

export interface SignedIn {
  cookie: string;
  /** The signed-in user's role, from the new access token (where the sign-in page sends them). */
  role: Role;
  expiresAt: Date;
  language: Language;
  passwordChangeRequired: boolean;
}

/**
 * The browser session: the API's own login (the same throttling, lockout, audit entries and session row),
 * with the session carried in a signed httpOnly cookie instead of bearer tokens. Each page reads the user
 * and the session from the database, so a sign-out, a deactivation or a password change ends it at once.
 */
@Injectable()
export class ConsoleSessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly organisations: OrganisationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Signs in with e-mail and password; refusals are the API's DomainErrors (`invalid_credentials`, `too_many_attempts`). */
  async signIn(email: string, password: string, client: ClientInfo): Promise<SignedIn> {
    const pair = await this.auth.login({ email, password }, client);
    return this.cookieFor(pair.accessToken, pair.passwordChangeRequired);
  }

  /** After a password change the API ends every session and opens a new one: the cookie follows it. */
  async cookieFor(accessToken: string, passwordChangeRequired: boolean): Promise<SignedIn> {
    const claims = await this.sessions.verifyAccessToken(accessToken);
    const expiresAt = claims && (await this.sessions.sessionExpiry(claims.sid));
    if (!claims || !expiresAt) throw new Error('a session just opened could not be read back');
    const cookie = signSessionCookie(this.config.jwtSecret, { sessionId: claims.sid, userId: claims.sub, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
    return { cookie, role: claims.role, expiresAt, language: await this.languageOf(claims.sub), passwordChangeRequired };
  }

  /** The viewer of a session cookie, or null when it is missing, forged, expired, ended, or its user is inactive. */
  async viewerOf(cookie: string | undefined): Promise<{ viewer: Viewer; language: Language; mustChangePassword: boolean } | null> {
    const claims = verifySessionCookie(this.config.jwtSecret, cookie, Math.floor(this.clock.now().getTime() / 1000));
    if (!claims) return null;
    const user = await this.sessions.findSessionUser(claims.userId, claims.sessionId);
    if (!user) return null;
    const auth = { userId: user.id, email: user.email, role: user.role, organisationId: user.organisationId };
    // The user is already loaded (and checked active with its session): only its organisation's name and the language remain.
    const [organisation, language] = await Promise.all([
      user.organisationId ? this.organisations.findById(user.organisationId) : Promise.resolve(null),
      this.languageOf(user.id),
    ]);
    const organisationName = organisation ? organisation.nameZh : null;
    return {
      viewer: { ...auth, displayName: user.displayName, organisationName, sessionId: claims.sessionId },
      language,
      mustChangePassword: user.mustChangePassword,
    };
  }

  signOut(viewer: Viewer, client: ClientInfo): Promise<void> {
    return this.sessions.endSession(viewer.sessionId, viewer.userId, client);
  }

  /** Remembers the language of the pages for the user (on every device), with its audit entry. */
  async setLanguage(viewer: Viewer, language: Language): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const before = await em.findOne(ConsolePreference, { where: { userId: viewer.userId }, lock: { mode: 'pessimistic_write' } });
      if (before?.language === language) return;
      await em.upsert(ConsolePreference, { userId: viewer.userId, language }, ['userId']);
      await this.audit.record(
        em,
        actorOf(viewer),
        {
          action: 'user.console_language_changed',
          entityType: 'user',
          entityId: viewer.userId,
          organisationId: viewer.organisationId,
          data: { from: before?.language ?? DEFAULT_LANGUAGE, to: language },
        },
        this.clock.now(),
      );
    });
  }

  private async languageOf(userId: string): Promise<Language> {
    const row = await this.dataSource.getRepository(ConsolePreference).findOne({ where: { userId } });
    return row && isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE;
  }
}
