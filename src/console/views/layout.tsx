import type { PropsWithChildren } from '@kitajs/html';
import { Role } from '../../common/auth/auth-user';
import { Messages } from '../i18n/messages';
import { PageContext } from '../page-context';
import { assetUrl } from '../assets';
import { CsrfField, Notice } from './components';

type NavKey = keyof Messages['common'];
interface NavItem {
  href: string;
  label: NavKey;
}

/** Each role's daily work, in the order of the day: what the navigation offers. */
export const NAVIGATION: Record<Role, NavItem[]> = {
  enterprise: [
    { href: '/sme/catalogue', label: 'navCatalogue' },
    { href: '/sme/search', label: 'navSearch' },
    { href: '/sme/bookings', label: 'navMyBookings' },
    { href: '/sme/projects', label: 'navMyProjects' },
    { href: '/sme/usage', label: 'navMyUsage' },
    { href: '/inbox', label: 'navNotifications' },
  ],
  operator: [
    { href: '/operator/queue', label: 'navQueue' },
    { href: '/operator/calendar', label: 'navCalendar' },
    { href: '/operator/usage', label: 'navUsage' },
    { href: '/operator/slurm', label: 'navSlurm' },
    { href: '/operator/resources', label: 'navResources' },
    { href: '/operator/indicators', label: 'navIndicators' },
    { href: '/inbox', label: 'navNotifications' },
  ],
  official: [
    { href: '/official', label: 'navDashboard' },
    { href: '/official/below-line', label: 'navBelowLine' },
    { href: '/official/audit', label: 'navAudit' },
  ],
  admin: [
    { href: '/admin/organisations', label: 'navOrganisations' },
    { href: '/admin/users', label: 'navUsers' },
    { href: '/admin/references', label: 'navReferences' },
  ],
};

/** Where each role starts after signing in. */
export const HOME_OF: Record<Role, string> = {
  enterprise: '/sme/catalogue',
  operator: '/operator/queue',
  official: '/official',
  admin: '/admin/organisations',
};

export const roleLabel = (m: Messages, role: Role): string =>
  ({ enterprise: m.common.roleEnterprise, operator: m.common.roleOperator, official: m.common.roleOfficial, admin: m.common.roleAdmin })[role];

/**
 * The frame of every page: language, skip link, the role's navigation, who is signed in, the language
 * switch and sign-out (both POST forms with the CSRF token), then the page. htmx sends the CSRF token in a
 * header on every request it makes (`hx-headers` on the body).
 */
export function Layout(props: PropsWithChildren<{ ctx: PageContext; title: string; scripts?: 'charts'[] }>): JSX.Element {
  const { ctx } = props;
  const m = ctx.m.common;
  const nav = ctx.viewer ? NAVIGATION[ctx.viewer.role] : [];
  const other = ctx.language === 'en' ? 'zh-CN' : 'en';
  return (
    <>
      {'<!doctype html>'}
      <html lang={ctx.language}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${props.title} · ${m.appName}`}</title>
          {/* No favicon file: an empty one, so that browsers do not ask /favicon.ico (a 404). */}
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href={assetUrl('console.css')} />
          <script src={assetUrl('htmx.min.js')} defer></script>
          {props.scripts?.includes('charts') ? <script src={assetUrl('echarts.min.js')} defer></script> : ''}
          <script src={assetUrl('console.js')} defer></script>
        </head>
        <body hx-headers={JSON.stringify({ 'X-CSRF-Token': ctx.csrfToken })}>
          <a class="skip" href="#main" safe>
            {m.skipToContent}
          </a>
          <header class="top">
            <a class="brand" href="/" safe>
              {m.appName}
            </a>
            {nav.length > 0 ? (
              <nav aria-label={m.navHome}>
                <ul>
                  {nav.map((item) => (
                    <li>
                      <a href={item.href} aria-current={ctx.path === item.href || ctx.path.startsWith(`${item.href}/`) ? 'page' : undefined} safe>
                        {m[item.label] as string}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            ) : (
              ''
            )}
            <div class="who">
              {ctx.viewer ? (
                <span class="viewer" safe>
                  {m.signedInAs(ctx.viewer.displayName, roleLabel(ctx.m, ctx.viewer.role))}
                </span>
              ) : (
                ''
              )}
              <form method="post" action="/language" class="inline">
                <CsrfField ctx={ctx} />
                <input type="hidden" name="language" value={other} />
                <input type="hidden" name="next" value={ctx.path} />
                <button type="submit" class="link" lang={other} title={m.languageSwitchLabel} safe>
                  {m.languageSwitch}
                </button>
              </form>
              {ctx.viewer ? (
                <form method="post" action="/sign-out" class="inline">
                  <CsrfField ctx={ctx} />
                  <button type="submit" class="link" safe>
                    {m.navSignOut}
                  </button>
                </form>
              ) : (
                ''
              )}
            </div>
          </header>
          <main id="main" tabindex="-1">
            <h1 safe>{props.title}</h1>
            <Notice message={ctx.notice} />
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
