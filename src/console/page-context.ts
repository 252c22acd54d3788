import { AuthUser } from '../common/auth/auth-user';
import { Language } from './i18n/language';
import { Messages } from './i18n/messages';

/** The signed-in user as the pages show it. */
export interface Viewer extends AuthUser {
  displayName: string;
  organisationName: string | null;
  sessionId: string;
}

/** What every page handler gets: who is looking, in which language, and the CSRF token for its forms. */
export interface PageContext {
  language: Language;
  m: Messages;
  viewer: Viewer | null;
  csrfToken: string;
  /** The request path, for the navigation's current item and the sign-in's way back. */
  path: string;
  requestId: string;
  /** A one-time message after a redirect (`?notice=`), already translated. */
  notice?: string;
}

/** The signed-in context of a page that requires a session (the console guard has checked it). */
export type SignedInContext = PageContext & { viewer: Viewer };
