import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthUser, Role } from './auth-user';

export const PUBLIC_ROUTE = 'auth:public';
export const OPTIONAL_AUTH = 'auth:optional';
export const ALLOWED_ROLES = 'auth:roles';

/** No token needed (browsing, login, health). Every other route requires one: the default is closed. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * A browse route that shows more to some callers (an operator sees its inactive facilities): no token
 * needed, but a token, if sent, is checked like anywhere else (a bad one is 401, not silently
 * anonymous) and identifies the caller for `@Auth()`. OpenAPI: bearer optional.
 */
export const PublicWithOptionalAuth = () =>
  applyDecorators(SetMetadata(PUBLIC_ROUTE, true), SetMetadata(OPTIONAL_AUTH, true), ApiSecurity({}), ApiSecurity('bearer'));

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
