import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthUser, Role } from './auth-user';

export const PUBLIC_ROUTE = 'auth:public';
export const ALLOWED_ROLES = 'auth:roles';

/** No token needed (browsing, login, health). Every other route requires one: the default is closed. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * A route for signed-in callers, optionally only some roles: sets what the global guard checks and
 * the OpenAPI security and error responses in one place.
 */
export function Authenticated(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(ALLOWED_ROLES, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired bearer token (problem+json).' }),
    ...(roles.length ? [ApiForbiddenResponse({ description: `Only for: ${roles.join(', ')} (problem+json).` })] : []),
  );
}

/** The caller of the request (set by the guard). */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest<{ user: AuthUser }>().user;
});
