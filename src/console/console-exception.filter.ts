import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemDetailsFilter } from '../common/errors/problem-details.filter';
import { isHtmx } from './console.decorators';
import { ConsoleRequest, PasswordChangeRequired, SignInRequired } from './console.guard';
import { errorText } from './i18n/errors';
import { pageContextOf } from './page-context.builder';
import { ErrorPage } from './views/error-pages';

/** Sends the browser somewhere else: a 303 for a plain form or link, HX-Redirect for htmx (which would otherwise swap the page in). */
export function redirectTo(req: ConsoleRequest, res: Response, url: string): void {
  if (isHtmx(req)) {
    res.setHeader('HX-Redirect', url);
    res.status(204).end();
  } else {
    res.redirect(303, url);
  }
}

/**
 * Every error on a console page becomes a page in the user's language: the sign-in page when there is
 * no session, the 403 / 404 pages, and for anything unexpected a page with the request id (the log has
 * the details). Form errors are shown beside their forms by the handlers; this is the rest.
 */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');
  private readonly problems = new ProblemDetailsFilter();

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const req = host.switchToHttp().getRequest<ConsoleRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof SignInRequired) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      return redirectTo(req, res, `/sign-in${next}`);
    }
    if (exception instanceof PasswordChangeRequired) return redirectTo(req, res, '/account/password');
    const problem = this.problems.toProblem(exception);
    if (problem.status >= 500 && problem.status !== 503) {
      this.logger.error(
        { error: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception), reqId: (req as { id?: unknown }).id },
        'console page failed',
      );
    }
    const ctx = pageContextOf(req, res);
    const m = ctx.m.common;
    const [title, text] =
      problem.status === 403
        ? [m.forbiddenTitle, m.forbiddenText]
        : problem.status === 404
          ? [m.notFoundTitle, m.notFoundText]
          : problem.status === 503
            ? [m.serverErrorTitle, m.databaseDown]
            : problem.status >= 500
              ? [m.serverErrorTitle, m.serverErrorText]
              : [m.errorTitle, errorText(problem.code, ctx.language) ?? problem.detail];
    if (typeof problem.retryAfterSeconds === 'number') res.setHeader('Retry-After', String(problem.retryAfterSeconds));
    const detail = problem.status < 500 && problem.status !== 404 && text !== problem.detail ? problem.detail : undefined;
    const html = await ErrorPage({ ctx, title, text, detail });
    res.status(problem.status).type('html').send(html);
  }
}
