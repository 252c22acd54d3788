import { isComputeResource, SERVICE_CATEGORIES, ServiceCategory } from '../catalogue/catalogue.constants';

/** The categories a resource can be booked for: `compute` alone on a compute resource, the six pilot services elsewhere. */
export function serviceCategoriesOffered(resource: { kind: string; unit: string }): ServiceCategory[] {
  return isComputeResource(resource) ? ['compute'] : SERVICE_CATEGORIES.filter((c) => c !== 'compute');
}

export type ServiceCategoryDecision =
  { ok: true; category: ServiceCategory } | { ok: false; error: 'required' } | { ok: false; error: 'not_offered'; allowed: ServiceCategory[] };

/**
 * The service category of a new booking: on a compute resource `compute` (the default; any other is refused),
 * elsewhere the one asked for, which is required and may not be `compute`.
 */
export function decideServiceCategory(resource: { kind: string; unit: string }, requested: ServiceCategory | null | undefined): ServiceCategoryDecision {
  const allowed = serviceCategoriesOffered(resource);
  if (requested == null) return isComputeResource(resource) ? { ok: true, category: 'compute' } : { ok: false, error: 'required' };
  return allowed.includes(requested) ? { ok: true, category: requested } : { ok: false, error: 'not_offered', allowed };
}
