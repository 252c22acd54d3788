/**
 * Official indicators, defined once (the README, "Official indicators", says the same in words, with the
 * Chinese names). They speak the language of the national evaluation of open sharing of large research
 * instruments (MOST/MOF) and of the provincial evaluations of pilot platforms. Per resource, over the period:
 *
 * - 年有效工作机时 effective working hours: used unit-hours (usage records, as in utilisation-figures.ts) ÷
 *   capacity — machine-equivalent hours, so a pool of 8 GPUs used for 8 card-hours worked 1 hour;
 * - 对外服务机时 external service hours: the part used by organisations other than the facility's operator;
 * - 共享率 sharing rate: external ÷ effective;
 * - annualised: × (hours of a year ÷ hours of the resource's part of the period), the part starting at the
 *   resource's creation or its first usage record if that is earlier (imported history); a calendar year
 *   (`year=`) has its own length, a period that is not a year 8,760 h;
 * - 服务企业数 firms served: distinct external organisations with use; how many of them are SMEs;
 * - 中试服务项数 pilot services: external completed bookings ending in the period, by service category (on pilot
 *   platforms: `pilotServices`);
 * - 服务收入 service income: price of completed bookings ending in the period, fen (internal use is never priced);
 * - for compute resources 核时 core-hours and 卡时 GPU card-hours delivered (used) against those available.
 *
 * A resource-year is flagged against the reference values of the year (indicator_references: the latest year
 * not after the report's): `below_1200h` when the annualised effective hours are below the full-use line,
 * `below_national_effective` and `below_national_external` below the national averages.
 */
import { SERVICE_CATEGORIES, ServiceCategory } from '../catalogue/catalogue.constants';
import { reportCtes } from './utilisation-figures';

export const INDICATOR_FLAGS = ['below_1200h', 'below_national_effective', 'below_national_external'] as const;
export type IndicatorFlag = (typeof INDICATOR_FLAGS)[number];
export const INDICATOR_GROUPS = ['resource', 'facility', 'operator', 'city', 'kind', 'direction'] as const;
export type IndicatorGroup = (typeof INDICATOR_GROUPS)[number];
/** The pilot-platform services of the 2024 national guidance (every category but compute), and all categories. */
export const SERVICE_KINDS = SERVICE_CATEGORIES;
export type ServiceKind = ServiceCategory;
export const PILOT_SERVICES = SERVICE_CATEGORIES.filter((c) => c !== 'compute');

/** Hours of a common year: the annualisation of a period that is not a calendar year. */
export const YEAR_HOURS = 8760;

export interface Reference {
  year: number;
  effectiveHours: number;
  externalHours: number;
  fullUseHours: number;
  source: string;
}

/** One resource's base figures as SQL gives them. */
export interface ResourceBase {
  resource_id: string;
  name_zh: string;
  name_en: string;
  unit: string;
  capacity: number;
  kind: string;
  city_code: string;
  facility_id: string;
  facility_name_zh: string;
  facility_name_en: string;
  operator_id: string;
  operator_name_zh: string;
  operator_name_en: string | null;
  directions: string[];
  active_hours: string;
  available: string;
  used: string;
  external_used: string;
  firms: string[];
  sme_firms: string[];
  income_fen: string;
  services: Record<string, number>;
  snapshot_days: number;
}

/** Per resource over [$1, $2) at $3 (scope and filters over `r` and `f` in `resourceWhere`): the base figures of the indicators. */
export function resourceBaseSql(resourceWhere: string): string {
  const services = SERVICE_KINDS.map((c) => `'${c}', coalesce(sum(facts.completed) FILTER (WHERE NOT facts.internal AND facts.service_category = '${c}'), 0)`);
  return `${reportCtes({ monthly: false, resourceWhere })}
    SELECT res.resource_id::text AS resource_id, res.name_zh, res.name_en, res.unit, res.capacity, res.kind, res.city_code, res.facility_id::text AS facility_id,
           res.facility_name_zh, res.facility_name_en, res.operator_id::text AS operator_id, res.operator_name_zh, res.operator_name_en, res.directions,
           (greatest(extract(epoch FROM $2::timestamptz - greatest($1::timestamptz, least(res.created_at,
             (SELECT min(u.starts_at) FROM usage_records u WHERE u.resource_id = res.resource_id)))), 0) / 3600.0)::text AS active_hours,
           coalesce(sum(facts.available), 0)::text AS available,
           coalesce(sum(facts.used), 0)::text AS used,
           coalesce(sum(facts.used) FILTER (WHERE NOT facts.internal), 0)::text AS external_used,
           coalesce(array_agg(DISTINCT facts.organisation_id::text) FILTER (WHERE facts.used > 0 AND NOT facts.internal), '{}') AS firms,
           coalesce(array_agg(DISTINCT facts.organisation_id::text) FILTER (WHERE facts.used > 0 AND NOT facts.internal AND facts.sme), '{}') AS sme_firms,
           coalesce(sum(facts.income), 0)::text AS income_fen,
           jsonb_build_object(${services.join(', ')}) AS services,
           (SELECT count(*)::int FROM covered) AS snapshot_days
      FROM facts JOIN res ON res.resource_id = facts.resource_id
     GROUP BY res.resource_id, res.name_zh, res.name_en, res.unit, res.capacity, res.kind, res.city_code, res.facility_id, res.facility_name_zh,
              res.facility_name_en, res.operator_id, res.operator_name_zh, res.operator_name_en, res.directions, res.created_at
     ORDER BY res.city_code, res.facility_name_zh, res.name_zh, res.resource_id`;
}

const round = (n: number, places = 4) => Math.round(n * 10 ** places) / 10 ** places;
const ratio = (a: number, b: number) => (b > 0 ? round(a / b) : null);

export interface ResourceIndicators {
  effectiveHours: number;
  annualisedEffectiveHours: number;
  externalHours: number;
  annualisedExternalHours: number;
  sharingRate: number | null;
  firmsServed: number;
  smeFirmsServed: number;
  servicesByCategory: Record<ServiceKind, number>;
  pilotServices: number;
  incomeFen: number;
  /** Core-hours (core_hour resources) and GPU card-hours (gpu_hour resources), delivered and available. */
  coreHoursDelivered: number;
  coreHoursAvailable: number;
  gpuHoursDelivered: number;
  gpuHoursAvailable: number;
  flags: IndicatorFlag[];
}

/** The indicators of one resource from its base figures; `yearHours` the length of the period's year (YEAR_HOURS if none). */
export function resourceIndicators(b: ResourceBase, yearHours: number, ref: Reference): ResourceIndicators {
  const used = Number(b.used);
  const external = Number(b.external_used);
  const effective = used / b.capacity;
  const externalHours = external / b.capacity;
  const active = Number(b.active_hours);
  // A resource that did not exist in the period worked 0 hours of 0: not annualised into anything.
  const factor = active > 0 ? yearHours / active : 0;
  const annualisedEffective = round(effective * factor);
  const annualisedExternal = round(externalHours * factor);
  const flags: IndicatorFlag[] = [];
  if (annualisedEffective < ref.fullUseHours) flags.push('below_1200h');
  if (annualisedEffective < ref.effectiveHours) flags.push('below_national_effective');
  if (annualisedExternal < ref.externalHours) flags.push('below_national_external');
  const servicesByCategory = Object.fromEntries(SERVICE_KINDS.map((c) => [c, Number(b.services[c] ?? 0)])) as Record<ServiceKind, number>;
  const available = Number(b.available);
  return {
    effectiveHours: round(effective),
    annualisedEffectiveHours: annualisedEffective,
    externalHours: round(externalHours),
    annualisedExternalHours: annualisedExternal,
    sharingRate: ratio(external, used),
    firmsServed: b.firms.length,
    smeFirmsServed: b.sme_firms.length,
    servicesByCategory,
    pilotServices: b.kind === 'pilot_platform' ? PILOT_SERVICES.reduce((n, c) => n + servicesByCategory[c], 0) : 0,
    incomeFen: Number(b.income_fen),
    coreHoursDelivered: b.unit === 'core_hour' ? round(used) : 0,
    coreHoursAvailable: b.unit === 'core_hour' ? round(available) : 0,
    gpuHoursDelivered: b.unit === 'gpu_hour' ? round(used) : 0,
    gpuHoursAvailable: b.unit === 'gpu_hour' ? round(available) : 0,
    flags,
  };
}

export interface GroupIndicators {
  resources: number;
  effectiveHours: number;
  annualisedEffectiveHours: number;
  /** Annualised effective hours per resource (the national average is one of these). */
  annualisedEffectiveHoursPerResource: number | null;
  externalHours: number;
  annualisedExternalHours: number;
  annualisedExternalHoursPerResource: number | null;
  sharingRate: number | null;
  firmsServed: number;
  smeFirmsServed: number;
  servicesByCategory: Record<ServiceKind, number>;
  pilotServices: number;
  incomeFen: number;
  coreHoursDelivered: number;
  coreHoursAvailable: number;
  gpuHoursDelivered: number;
  gpuHoursAvailable: number;
  /** How many of the resources carry each flag. */
  flagged: Record<IndicatorFlag, number>;
}

/** A group's indicators from its resources' (hours summed; firms a distinct union; rates from the sums). */
export function groupIndicators(members: Array<{ base: ResourceBase; indicators: ResourceIndicators }>): GroupIndicators {
  const sum = (f: (i: ResourceIndicators) => number) => round(members.reduce((n, m) => n + f(m.indicators), 0));
  const firms = new Set(members.flatMap((m) => m.base.firms));
  const smeFirms = new Set(members.flatMap((m) => m.base.sme_firms));
  const used = members.reduce((n, m) => n + Number(m.base.used) / m.base.capacity, 0);
  const external = members.reduce((n, m) => n + Number(m.base.external_used) / m.base.capacity, 0);
  const annualisedEffective = sum((i) => i.annualisedEffectiveHours);
  const annualisedExternal = sum((i) => i.annualisedExternalHours);
  return {
    resources: members.length,
    effectiveHours: round(used),
    annualisedEffectiveHours: annualisedEffective,
    annualisedEffectiveHoursPerResource: members.length ? round(annualisedEffective / members.length) : null,
    externalHours: round(external),
    annualisedExternalHours: annualisedExternal,
    annualisedExternalHoursPerResource: members.length ? round(annualisedExternal / members.length) : null,
    sharingRate: ratio(external, used),
    firmsServed: firms.size,
    smeFirmsServed: smeFirms.size,
    servicesByCategory: Object.fromEntries(SERVICE_KINDS.map((c) => [c, members.reduce((n, m) => n + m.indicators.servicesByCategory[c], 0)])) as Record<
      ServiceKind,
      number
    >,
    pilotServices: members.reduce((n, m) => n + m.indicators.pilotServices, 0),
    incomeFen: members.reduce((n, m) => n + m.indicators.incomeFen, 0),
    coreHoursDelivered: sum((i) => i.coreHoursDelivered),
    coreHoursAvailable: sum((i) => i.coreHoursAvailable),
    gpuHoursDelivered: sum((i) => i.gpuHoursDelivered),
    gpuHoursAvailable: sum((i) => i.gpuHoursAvailable),
    flagged: Object.fromEntries(INDICATOR_FLAGS.map((f) => [f, members.filter((m) => m.indicators.flags.includes(f)).length])) as Record<IndicatorFlag, number>,
  };
}
