import { applyDecorators, Controller, createParamDecorator, ExecutionContext, Header, SetMetadata, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/auth/auth.decorators';
import { Role } from '../common/auth/auth-user';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { ConsoleGuard, ConsoleRequest } from './console.guard';
import { pageContextOf } from './page-context.builder';

// The guard reads these keys (console.guard.ts).
const CONSOLE_ROLES = 'console:roles';
const CONSOLE_ANONYMOUS = 'console:anonymous';
const CONSOLE_PENDING_PASSWORD = 'console:pending-password';

/**
 * A controller of console pages: outside the OpenAPI document and the API's bearer guard (the pages have
 * their own session guard), every error rendered as a page in the user's language. Pages need a signed-in
 * user unless marked @AnonymousPage(); @ForRoles narrows them to roles (others get the 403 page).
 */
export const ConsoleController = (path = '') =>
  applyDecorators(Controller(path), ApiExcludeController(), Public(), UseGuards(ConsoleGuard), UseFilters(ConsoleExceptionFilter));

export const ForRoles = (...roles: Role[]) => SetMetadata(CONSOLE_ROLES, roles);
export const AnonymousPage = () => SetMetadata(CONSOLE_ANONYMOUS, true);
/** Pages a user whose password an admin reset may still open (the change-password page, sign-out). */
export const AllowPendingPassword = () => SetMetadata(CONSOLE_PENDING_PASSWORD, true);
export const Html = () => Header('Content-Type', 'text/html; charset=utf-8');

/** The page context (viewer, language, messages, CSRF token) of the request. */
export const Page = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const http = ctx.switchToHttp();
  return pageContextOf(http.getRequest<ConsoleRequest>(), http.getResponse<Response>());
});

/** Whether htmx made the request (it then wants a fragment, not a whole page). */
export const isHtmx = (req: Request): boolean => req.headers['hx-request'] === 'true';
