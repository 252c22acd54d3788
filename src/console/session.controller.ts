import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ChangePasswordDto, LoginDto } from '../auth/auth.dto';
import { AuthService } from '../auth/auth.service';
import { DemoSeeder } from '../database/seed/demo-seeder';
import { clientInfoOf } from '../auth/client-info';
import { DomainError } from '../common/errors/domain-error';
import { isSecureRequest } from './console-http';
import { LANGUAGE_COOKIE, SESSION_COOKIE } from './console-session';
import { ConsoleSessionService, SignedIn } from './console-session.service';
import { AllowPendingPassword, AnonymousPage, ConsoleController, Html, Page } from './console.decorators';
import type { ConsoleRequest } from './console.guard';
import { redirectTo } from './console-exception.filter';
import { formErrorsOf, validateWith } from './forms';
import { isLanguage } from './i18n/language';
import type { PageContext, SignedInContext } from './page-context';
import { ChangePasswordPage, SignInPage } from './pages/session';
import { HOME_OF } from './views/layout';

/** Only a path of this site may be the way back after sign-in (no open redirect to another host). */
const safeNext = (next: unknown): string | null => (typeof next === 'string' && /^\/(?!\/)[^\\\s]*$/.test(next) && !next.startsWith('/sign-') ? next : null);

/** Sign-in, sign-out, the language switch and the change-password page. */
@ConsoleController()
export class SessionController {
  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly auth: AuthService,
    private readonly demo: DemoSeeder,
  ) {}

  @Get()
  @AnonymousPage()
  home(@Page() ctx: PageContext, @Req() req: ConsoleRequest, @Res() res: Response): void {
    redirectTo(req, res, ctx.viewer ? HOME_OF[ctx.viewer.role] : '/sign-in');
  }

  @Get('sign-in')
  @AnonymousPage()
  @Html()
  async signInPage(
    @Page() ctx: PageContext,
    @Query('next') next: unknown,
    @Query('signedOut') signedOut: unknown,
    @Req() req: ConsoleRequest,
    @Res() res: Response,
  ) {
    if (ctx.viewer) return redirectTo(req, res, safeNext(next) ?? HOME_OF[ctx.viewer.role]);
    const page = SignInPage({
      ctx: { ...ctx, notice: signedOut === '1' ? ctx.m.common.signedOut : ctx.notice },
      next: safeNext(next) ?? '',
      demoAccounts: await this.demo.demoAccountsPresent(),
    });
    return this.send(res, 200, page);
  }

  @Post('sign-in')
  @AnonymousPage()
  @Html()
  async signIn(@Page() ctx: PageContext, @Body() body: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() res: Response) {
    const email = typeof body.email === 'string' ? body.email : '';
    const next = safeNext(body.next);
    try {
      const dto = await validateWith(LoginDto, { email, password: typeof body.password === 'string' ? body.password : '' });
      const signedIn = await this.sessions.signIn(dto.email, dto.password, clientInfoOf(req));
      this.setSessionCookies(req, res, signedIn);
      return redirectTo(req, res, signedIn.passwordChangeRequired ? '/account/password' : (next ?? HOME_OF[signedIn.role]));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const m = ctx.m.common;
      const retry = typeof error.extra.retryAfterSeconds === 'number' ? error.extra.retryAfterSeconds : null;
      const message =
        error.code === 'too_many_attempts' || error.code === 'too_many_requests'
          ? m.tooManyAttempts(retry ?? 60)
          : error.code === 'invalid_credentials' || error.code === 'validation_failed'
            ? m.wrongCredentials
            : formErrorsOf(error, ctx.language, m.formHasErrors).message;
      if (retry !== null) res.setHeader('Retry-After', String(retry));
      return this.send(
        res,
        error.status === 429 ? 429 : 401,
        SignInPage({ ctx, email, next: next ?? '', error: message, demoAccounts: await this.demo.demoAccountsPresent() }),
      );
    }
  }

  @Post('sign-out')
  @AllowPendingPassword()
  async signOut(@Page() ctx: SignedInContext, @Req() req: ConsoleRequest, @Res() res: Response) {
    await this.sessions.signOut(ctx.viewer, clientInfoOf(req));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    redirectTo(req, res, '/sign-in?signedOut=1');
  }

  /** Switches the language of the pages; remembered for the user when signed in, in a cookie otherwise. */
  @Post('language')
  @AnonymousPage()
  async language(@Page() ctx: PageContext, @Body() body: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() res: Response) {
    const language = isLanguage(body.language) ? body.language : 'zh-CN';
    if (ctx.viewer) await this.sessions.setLanguage(ctx.viewer, language);
    res.cookie(LANGUAGE_COOKIE, language, { httpOnly: true, sameSite: 'lax', secure: isSecureRequest(req), path: '/', maxAge: 365 * 86_400_000 });
    redirectTo(req, res, safeNext(body.next) ?? '/');
  }

  @Get('account/password')
  @AllowPendingPassword()
  @Html()
  passwordPage(@Page() ctx: SignedInContext) {
    return ChangePasswordPage({ ctx });
  }

  @Post('account/password')
  @AllowPendingPassword()
  @Html()
  async changePassword(@Page() ctx: SignedInContext, @Body() body: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() res: Response) {
    try {
      const dto = await validateWith(ChangePasswordDto, { currentPassword: body.currentPassword ?? '', newPassword: body.newPassword ?? '' });
      const pair = await this.auth.changePassword(ctx.viewer, dto, clientInfoOf(req));
      this.setSessionCookies(req, res, await this.sessions.cookieFor(pair.accessToken, false));
      redirectTo(req, res, `${HOME_OF[ctx.viewer.role]}?notice=common.passwordChanged`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const errors = formErrorsOf(error, ctx.language, ctx.m.common.formHasErrors);
      if (error.code === 'current_password_wrong') errors.fields.currentPassword = errors.message;
      return this.send(res, error.status, ChangePasswordPage({ ctx, errors: errors.fields, error: errors.message, detail: errors.detail }));
    }
  }

  private setSessionCookies(req: ConsoleRequest, res: Response, signedIn: SignedIn): void {
    const secure = isSecureRequest(req);
    res.cookie(SESSION_COOKIE, signedIn.cookie, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: signedIn.expiresAt });
    res.cookie(LANGUAGE_COOKIE, signedIn.language, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 365 * 86_400_000 });
  }

  private async send(res: Response, status: number, page: JSX.Element): Promise<void> {
    res
      .status(status)
      .type('html')
      .send(await page);
  }
}
