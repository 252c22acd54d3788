import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Role } from '../common/auth/auth-user';
import { forbidden } from '../common/errors/domain-error';
import { SESSION_COOKIE } from './console-session';
import { ConsoleSessionService } from './console-session.service';
import { Language } from './i18n/language';
import { Viewer } from './page-context';

export type ConsoleRequest = Request & { consoleViewer?: Viewer; consoleLanguage?: Language };

/** Thrown by the guard when a page needs a session: the console's filter answers with a redirect to the sign-in page. */
export class SignInRequired extends Error {}
/** Thrown when an admin reset the user's password: every page but the change-password page redirects there. */
export class PasswordChangeRequired extends Error {}

const CONSOLE_ROLES = 'console:roles';
const CONSOLE_ANONYMOUS = 'console:anonymous';
const CONSOLE_PENDING_PASSWORD = 'console:pending-password';

/**
 * The pages' guard: reads the session cookie (the viewer and their language), then lets anonymous pages
 * through, sends everyone else without a session to the sign-in page, and refuses a role the page is
 * not for with the 403 page. Row access is the services' own, exactly as for the API.
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: ConsoleSessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const session = await this.sessions.viewerOf(req.cookies?.[SESSION_COOKIE] as string | undefined);
    if (session) {
      req.consoleViewer = session.viewer;
      req.consoleLanguage = session.language;
    }
    if (this.reflector.getAllAndOverride<boolean>(CONSOLE_ANONYMOUS, targets)) return true;
    if (!session) throw new SignInRequired();
    if (session.mustChangePassword && !this.reflector.getAllAndOverride<boolean>(CONSOLE_PENDING_PASSWORD, targets)) throw new PasswordChangeRequired();
    const roles = this.reflector.getAllAndOverride<Role[]>(CONSOLE_ROLES, targets) ?? [];
    if (roles.length > 0 && !roles.includes(session.viewer.role)) throw forbidden(`This page is for: ${roles.join(', ')}.`);
    return true;
  }
}
