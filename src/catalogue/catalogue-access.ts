import { SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError, forbidden, unauthorized } from '../common/errors/domain-error';

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
