import { applyDecorators, CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiSecurity } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { Public } from '../common/auth/auth.decorators';

/**
 * For public routes that show more to some callers (an operator sees its inactive facilities): when
 * the request carries an Authorization header, it is checked exactly as the global AuthGuard checks
 * it (so a bad or expired token is 401, not silently anonymous) and the caller is set for `@Auth()`.
 * Without the header the request stays anonymous.
 */
@Injectable()
export class OptionalAuthGuard implements CanActivate {
  private authGuard?: AuthGuard;

  constructor(private readonly moduleRef: ModuleRef) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    if (req.user || !req.headers.authorization) return true;
    this.authGuard ??= this.moduleRef.get(AuthGuard, { strict: false });
    await this.authGuard.authenticate(context);
    return true;
  }
}

/** A browse route: no token needed; a token, if sent, identifies the caller (OpenAPI: bearer optional). */
export const PublicWithOptionalAuth = () => applyDecorators(Public(), UseGuards(OptionalAuthGuard), ApiSecurity({}), ApiSecurity('bearer'));
