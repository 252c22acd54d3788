import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from '../common/auth/auth.decorators';
import { AuthUser, Role } from '../common/auth/auth-user';
import { forbidden, unauthorized } from '../common/errors/domain-error';
import { UsersService } from '../organisations/users.service';

export interface AccessTokenClaims {
  sub: string;
  role: Role;
  org: string | null;
}

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(). The user is read
 * from the database on each request, so a deactivated user or a changed role takes effect at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Send a bearer token: Authorization: Bearer <accessToken from POST /api/v1/auth/login>.');
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(match[1]);
    } catch {
      throw unauthorized('The access token is invalid or has expired; log in again.');
    }
    const user = typeof claims.sub === 'string' && /^[0-9a-f-]{36}$/i.test(claims.sub) ? await this.users.findActive(claims.sub) : null;
    if (!user) throw unauthorized('The access token no longer belongs to an active user; log in again.');
    req.user = { userId: user.id, email: user.email, role: user.role, organisationId: user.organisationId };
    const roles = this.reflector.getAllAndOverride<Role[]>(ALLOWED_ROLES, targets) ?? [];
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw forbidden(`This needs one of the roles: ${roles.join(', ')}; you are signed in as ${user.role}.`);
    }
    return true;
  }
}
