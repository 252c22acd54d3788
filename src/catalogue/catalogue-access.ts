import { SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { conflict, DomainError, forbidden, unauthorized } from '../common/errors/domain-error';

/** 403 for editing a facility (or its resources) that another operator runs. */
export const notYourFacility = () =>
  new DomainError(403, 'not_your_facility', 'This facility is run by another operator; only its operator or an admin may change it.');

/** Whether the caller runs the facility, or is an admin. */
export const operates = (auth: AuthUser | undefined, operatorId: string): boolean =>
  !!auth && (auth.role === 'admin' || (auth.role === 'operator' && auth.organisationId === operatorId));

/**
 * Which inactive items a search may show: none (the default), the caller's own (operators asking
 * `includeInactive=true`) or all (admins asking). Anyone else asking gets 401 (anonymous) or 403.
 */
export type InactiveScope = { kind: 'none' } | { kind: 'own'; operatorId: string } | { kind: 'all' };

export function inactiveScope(auth: AuthUser | undefined, includeInactive: boolean | undefined): InactiveScope {
  if (!includeInactive) return { kind: 'none' };
  if (!auth) throw unauthorized('includeInactive=true needs a bearer token of an operator or an admin.');
  if (auth.role === 'admin') return { kind: 'all' };
  if (auth.role === 'operator' && auth.organisationId) return { kind: 'own', operatorId: auth.organisationId };
  throw forbidden(`includeInactive=true is for operators (their own facilities) and admins; you are signed in as ${auth.role}.`);
}

/**
 * Restricts a query to what the scope may see. `activeSql` says when a row is publicly visible
 * (e.g. `f.active` or `r.active AND f.active`); `operatorSql` is the facility's operator column.
 */
export function applyInactiveScope<T extends object>(qb: SelectQueryBuilder<T>, scope: InactiveScope, activeSql: string, operatorSql: string): void {
  if (scope.kind === 'none') qb.andWhere(`(${activeSql})`);
  else if (scope.kind === 'own') qb.andWhere(`((${activeSql}) OR ${operatorSql} = :scopeOperatorId)`, { scopeOperatorId: scope.operatorId });
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
    const figures = JSON.parse(err.detail ?? '{}');
    throw conflict(err.message, HELD_MESSAGES[err.message], Array.isArray(figures) ? { bookings: figures } : figures);
  }
  throw e;
}
