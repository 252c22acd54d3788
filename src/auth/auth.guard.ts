import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALLOWED_ROLES, OPTIONAL_AUTH, PUBLIC_ROUTE } from '../common/auth/auth.decorators';
import { AuthUser, Role } from '../common/auth/auth-user';
import { forbidden, unauthorized } from '../common/errors/domain-error';
import { ALLOW_PENDING_PASSWORD_CHANGE } from './auth.decorators';
import { passwordChangeRequired } from './auth.errors';
import { SessionsService } from './sessions.service';

export type { AccessTokenClaims } from './tokens';

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(). The user and its
 * session are read from the database on each request, so a deactivated user, a logout,
 * a password change or a changed role take effect at once, not when the token expires.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
      if (req.headers.authorization && this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH, targets)) await this.authenticate(context);
      return true;
    }
    const user = await this.authenticate(context);
    const roles = this.reflector.getAllAndOverride<Role[]>(ALLOWED_ROLES, targets) ?? [];
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw forbidden(`This needs one of the roles: ${roles.join(', ')}; you are signed in as ${user.role}.`);
    }
    return true;
  }

  /**
   * Checks the request's bearer token and session and sets the caller (`@Auth()`); 401 when the token or session is not valid, 403 while
   * an admin-reset password has not been changed (except on routes marked @AllowPendingPasswordChange()).
   */
  async authenticate(context: ExecutionContext): Promise<AuthUser> {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser; sessionId?: string }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Send a bearer token: Authorization: Bearer <accessToken from POST /api/v1/auth/login>.');
    const claims = await this.sessions.verifyAccessToken(match[1]);
    if (!claims) throw unauthorized('The access token is invalid or has expired; refresh it or log in again.');
    const user = await this.sessions.findSessionUser(claims.sub, claims.sid);
    if (!user) throw unauthorized('The session has ended or the user is no longer active; log in again.');
    const allowPending = this.reflector.getAllAndOverride<boolean>(ALLOW_PENDING_PASSWORD_CHANGE, [context.getHandler(), context.getClass()]);
    if (user.mustChangePassword && !allowPending) throw passwordChangeRequired();
    req.user = { userId: user.id, email: user.email, role: user.role, organisationId: user.organisationId };
    req.sessionId = claims.sid;
    return req.user;
  }
}
