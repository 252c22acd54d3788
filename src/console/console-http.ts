import { randomUUID } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { consoleKey, CSRF_COOKIE, LANGUAGE_COOKIE, SESSION_COOKIE, VISITOR_COOKIE } from './console-session';
import { DEFAULT_LANGUAGE, isLanguage, Language } from './i18n/language';
import { renderCsrfRefusal } from './views/error-pages';

/** The first path segments the console owns; everything else is the API (/api/v1), /docs or /health. */
export const CONSOLE_SECTIONS = ['sign-in', 'sign-out', 'language', 'account', 'assets', 'sme', 'operator', 'official', 'admin', 'inbox'] as const;

/** The console's routes, for setGlobalPrefix's `exclude` (each section and everything below it, and `/`). */
export const CONSOLE_PREFIX_EXCLUDES: string[] = ['/', ...CONSOLE_SECTIONS.flatMap((s) => [s, `${s}/{*path}`])];

export const isConsolePath = (path: string): boolean => path === '/' || CONSOLE_SECTIONS.some((s) => path === `/${s}` || path.startsWith(`/${s}/`));

/** Whether the browser reached us over HTTPS (directly or through a trusted proxy): the cookies are then Secure. */
export const isSecureRequest = (req: Request): boolean => req.secure;

type CsrfUtilities = ReturnType<typeof doubleCsrf>;
const CSRF_LOCAL = 'consoleCsrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The console's HTTP set-up, before the API's: cookies, form bodies and CSRF protection for the console's
 * paths only. The API never reads a cookie, so it needs no CSRF protection, and a session cookie cannot
 * authenticate an API call.
 */
export function configureConsoleHttp(app: NestExpressApplication, config: AppConfig): void {
  const csrfUtilities = doubleCsrf({
    getSecret: () => consoleKey(config.jwtSecret, 'csrf'),
    // Bound to the signed-in session, or before sign-in to the browser's visitor id: a token of another browser is refused.
    getSessionIdentifier: (req: Request) => String(req.cookies?.[SESSION_COOKIE] ?? req.cookies?.[VISITOR_COOKIE] ?? ''),
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', path: '/', secure: false, httpOnly: true },
    getCsrfTokenFromRequest: (req: Request) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const body = req.body as Record<string, unknown> | undefined;
      if (body && typeof body._csrf === 'string') return body._csrf;
      // A multipart upload (the Slurm file) is parsed after this check, so its form carries the token in its action URL.
      const query = req.query?._csrf;
      return typeof query === 'string' ? query : null;
    },
    errorConfig: { statusCode: 403, code: 'csrf_invalid', message: 'The form is no longer valid (CSRF check failed).' },
  });
  // Per application (tests run several in one process), found again through req.app.
  (app.getHttpAdapter().getInstance() as { locals: Record<string, unknown> }).locals[CSRF_LOCAL] = csrfUtilities;
  app.use(cookieParser());
  app.useBodyParser('urlencoded', { extended: false, limit: '256kb' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!isConsolePath(req.path)) return next();
    res.setHeader('Cache-Control', req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store');
    if (!req.cookies?.[VISITOR_COOKIE] && !req.cookies?.[SESSION_COOKIE]) {
      const visitor = randomUUID();
      req.cookies = { ...(req.cookies as Record<string, string>), [VISITOR_COOKIE]: visitor };
      res.cookie(VISITOR_COOKIE, visitor, { httpOnly: true, sameSite: 'lax', secure: isSecureRequest(req), path: '/' });
    }
    if (SAFE_METHODS.has(req.method) || csrfUtilities.validateRequest(req)) return next();
    // Refused before any handler runs: nothing is changed. The page says what to do, in the visitor's language.
    res
      .status(403)
      .type('html')
      .send(renderCsrfRefusal(languageOfRequest(req)));
  });
}

/** A CSRF token for the forms of the page being rendered (the cookie half is set on the response). */
export function csrfTokenFor(req: Request, res: Response): string {
  const csrf = (req.app.locals as Record<string, CsrfUtilities | undefined>)[CSRF_LOCAL];
  if (!csrf) throw new Error('configureConsoleHttp has not run');
  return csrf.generateCsrfToken(req, res, { overwrite: false, cookieOptions: { secure: isSecureRequest(req) } });
}

/** Before the viewer is known (a refused form, a sign-in page): the language cookie, else Chinese. */
export function languageOfRequest(req: Request): Language {
  const value: unknown = req.cookies?.[LANGUAGE_COOKIE];
  return isLanguage(value) ? value : DEFAULT_LANGUAGE;
}
