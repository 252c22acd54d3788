import type { AccessService } from '../common/access/access.service';
import type { AuthUser } from '../common/auth/auth-user';

/** The resource filters every report takes (over `r` resources and `f` facilities). */
export interface ReportFilters {
  facilityId?: string;
  operatorId?: string;
  city?: string;
  kind?: string;
  direction?: string;
  unit?: string;
}

/**
 * The positional parameters ($1 from, $2 to, $3 now, then the caller's scope and filters) and the predicate
 * over `r` and `f` choosing the resources of a report: the caller's `report.read` scope and the filters.
 */
export function reportScope(access: AccessService, auth: AuthUser, from: Date, to: Date, now: Date, q: ReportFilters) {
  const params: unknown[] = [from, to, now];
  const scope = access.scope(auth, 'report.read', params.length + 1);
  params.push(...scope.params);
  const where = [scope.sql];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.facilityId) add('f.id = ?', q.facilityId);
  if (q.operatorId) add('f.operator_id = ?', q.operatorId);
  if (q.city) add('f.city_code = ?', q.city);
  if (q.kind) add('f.kind = ?', q.kind);
  if (q.direction) add('? = ANY(f.directions)', q.direction);
  if (q.unit) add('r.unit = ?', q.unit);
  return { params, resourceWhere: where.join(' AND ') };
}
