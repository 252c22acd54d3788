import type { AuthUser } from '../common/auth/auth-user';
import { conflict, forbidden, unauthorized } from '../common/errors/domain-error';

// Who may read and change catalogue rows is the access layer's (`facility.read|manage`, `resource.read|manage`).
export { notYourFacility } from '../common/access/permissions';

/**
 * Whom a search runs as: without `includeInactive` everyone searches as the public (active items
 * only); with it, operators see their own inactive items too and admins all (the access layer's
 * `facility.read` / `resource.read`). Anyone else asking gets 401 (anonymous) or 403.
 */
export function searchViewer(auth: AuthUser | undefined, includeInactive: boolean | undefined): AuthUser | undefined {
  if (!includeInactive) return undefined;
  if (!auth) throw unauthorized('includeInactive=true needs a bearer token of an operator or an admin.');
  if (auth.role === 'admin' || (auth.role === 'operator' && auth.organisationId)) return auth;
  throw forbidden(`includeInactive=true is for operators (their own facilities) and admins; you are signed in as ${auth.role}.`);
}

const HELD_MESSAGES: Record<string, string> = {
  maintenance_overlaps_bookings: 'Bookings hold the resource during this window; cancel them (which tells the enterprises) before adding maintenance.',
  resource_mode_in_use: 'Bookings hold this resource; it cannot switch between exclusive and pooled until they are over or cancelled.',
  capacity_below_holds: 'Bookings still to come hold more units than the new capacity at their busiest moment.',
};

/**
 * The database refuses catalogue changes that would break bookings holding a resource (triggers of
 * migrations MaintenanceGuard and ResourceChangeGuard, SQLSTATE PB409): a 409 with the trigger's
 * code and figures; anything else is rethrown.
 */
export function rethrowHeldBookingsConflict(e: unknown): never {
  const err = e as { code?: string; message?: string; detail?: string };
  if (err?.code === 'PB409' && err.message && HELD_MESSAGES[err.message]) {
    const figures = JSON.parse(err.detail ?? '{}') as unknown[] | Record<string, unknown>;
    throw conflict(err.message, HELD_MESSAGES[err.message], Array.isArray(figures) ? { bookings: figures } : figures);
  }
  throw e;
}
