/**
 * Utilisation figures, defined once (the README, "Reports", says the same in words). Every figure is
 * computed in SQL over the raw rows for a period `[from, to)`, per resource and per time slice (the
 * whole period, or its calendar months in Asia/Shanghai for `groupBy=month`), and then summed per
 * report row:
 *
 * - available unit-hours: capacity × hours of `resource_opening(resource, from, to)` (the weekly
 *   opening hours in the facility's zone, clipped to the slice) minus the resource's maintenance windows;
 * - held unit-hours: bookings in COUNTED_STATES, units × hours of their window clipped to the slice;
 * - used unit-hours: usage records not superseded that meet the slice (`ends_at > from AND starts_at < to`),
 *   pro rata: unit_hours × the clipped share of the record's period (a zero-length record counts whole);
 * - no-show rate: no_show ÷ bookings in COUNTED_STATES whose start lies in the slice and is not after now;
 * - approval rate: of the requests an operator decided in the slice (`decided_at` in it, `decided_by` set:
 *   automatic approvals are no decision), approved (every state but `rejected`) ÷ decided; median decision
 *   time: the median of decided_at − created_at, in hours, over the same requests;
 * - SME share: used unit-hours of SME enterprises ÷ used unit-hours;
 * - used per stage: the booking's stage; usage without a booking is `unassigned`;
 * - enterprises served: distinct enterprises with used unit-hours > 0;
 * - income (fen): price_fen of completed bookings whose end lies in (from, to].
 */

/** The states whose bookings count as held (and as having reached their start). */
export const COUNTED_STATES = ['approved', 'in_use', 'completed', 'no_show'] as const;
/** Usage without a booking, in the per-stage figures. */
export const UNASSIGNED_STAGE = 'unassigned';
/** Months of `groupBy=month` are calendar months in this zone (every facility of the programme is in it). */
export const REPORT_TIME_ZONE = 'Asia/Shanghai';

const COUNTED = `(${COUNTED_STATES.map((s) => `'${s}'`).join(', ')})`;
const TZ = `'${REPORT_TIME_ZONE}'`;

/** Hours of a tstzmultirange. */
const hoursOf = (mr: string) => `((SELECT coalesce(sum(extract(epoch FROM upper(x) - lower(x))), 0) FROM unnest(${mr}) AS x) / 3600.0)`;
/** Hours of [lo, hi) clipped to the slice `s`. */
const clippedHours = (lo: string, hi: string) => `(greatest(extract(epoch FROM least(${hi}, s.s_to) - greatest(${lo}, s.s_from)), 0) / 3600.0)`;

export interface FiguresQuery {
  /** Positional parameters: $1 from, $2 to, $3 now; the caller's own from $4 on. */
  monthly: boolean;
  /** Predicate over `r` (resources) and `f` (facilities): which resources count. */
  resourceWhere: string;
  /** Predicate over `b` (bookings) and `ur` (usage records) alike, through `{org}`: e.g. `{org} = $5`. Default: all. */
  organisationWhere?: (column: string) => string;
  /** Leave available unit-hours out (a stage or an enterprise's own figures). */
  withoutAvailability?: boolean;
  /** The report row's columns (SQL over `res`, `facts`, `d` for a direction) with their aliases, and its GROUP BY. */
  select: string[];
  groupBy: string[];
  /** `CROSS JOIN LATERAL unnest(res.directions) AS d(direction)` for a row per direction. */
  perDirection?: boolean;
}

/** One report row's figures as SQL gives them (numbers as text: numeric). */
export interface FigureRow {
  available_unit_hours: string | null;
  held_unit_hours: string;
  used_unit_hours: string;
  sme_used_unit_hours: string;
  used_lab_validation: string;
  used_pilot_maturation: string;
  used_industrialisation: string;
  used_unassigned: string;
  bookings_started: number;
  no_shows: number;
  decided: number;
  approved: number;
  median_decision_hours: string | null;
  enterprises_served: number;
  income_fen: string;
  [column: string]: unknown;
}

export function figuresSql(q: FiguresQuery): string {
  const org = q.organisationWhere ?? (() => 'TRUE');
  const slices = q.monthly
    ? `SELECT greatest(g.m AT TIME ZONE ${TZ}, $1::timestamptz) AS s_from, least((g.m + interval '1 month') AT TIME ZONE ${TZ}, $2::timestamptz) AS s_to,
              to_char(g.m, 'YYYY-MM') AS month
         FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE ${TZ}), $2::timestamptz AT TIME ZONE ${TZ}, interval '1 month') AS g(m)
        WHERE g.m AT TIME ZONE ${TZ} < $2::timestamptz`
    : `SELECT $1::timestamptz AS s_from, $2::timestamptz AS s_to, NULL::text AS month`;
  const available = q.withoutAvailability
    ? `SELECT NULL::uuid AS resource_id, NULL::text AS month, NULL::numeric AS available WHERE FALSE`
    : `SELECT res.resource_id, s.month,
              res.capacity * ${hoursOf(
                `resource_opening(res.resource_id, s.s_from, s.s_to) - coalesce((SELECT range_agg(m.period) FROM maintenance_windows m
                  WHERE m.resource_id = res.resource_id AND m.period && tstzrange(s.s_from, s.s_to)), '{}'::tstzmultirange)`,
              )} AS available
         FROM res CROSS JOIN slices s`;
  return `
    WITH slices AS (${slices}),
    res AS (
      SELECT r.id AS resource_id, r.name_zh, r.name_en, r.capacity, f.id AS facility_id, f.name_zh AS facility_name_zh, f.name_en AS facility_name_en,
             f.operator_id, f.city_code, f.kind, f.directions
        FROM resources r JOIN facilities f ON f.id = r.facility_id
       WHERE ${q.resourceWhere}
    ),
    available AS (${available}),
    booked AS (
      SELECT b.resource_id, s.month, b.stage,
             CASE WHEN b.state IN ${COUNTED} AND b.period && tstzrange(s.s_from, s.s_to)
                  THEN b.units * ${clippedHours('lower(b.period)', 'upper(b.period)')} ELSE 0 END AS held,
             (b.state IN ${COUNTED} AND lower(b.period) >= s.s_from AND lower(b.period) < s.s_to AND lower(b.period) <= $3::timestamptz) AS started,
             (b.state = 'no_show' AND lower(b.period) >= s.s_from AND lower(b.period) < s.s_to AND lower(b.period) <= $3::timestamptz) AS no_show,
             (b.decided_by IS NOT NULL AND b.decided_at >= s.s_from AND b.decided_at < s.s_to) AS decided,
             (b.decided_by IS NOT NULL AND b.decided_at >= s.s_from AND b.decided_at < s.s_to AND b.state <> 'rejected') AS approved,
             CASE WHEN b.decided_by IS NOT NULL AND b.decided_at >= s.s_from AND b.decided_at < s.s_to
                  THEN extract(epoch FROM b.decided_at - b.created_at) / 3600.0 END AS decision_hours,
             CASE WHEN b.state = 'completed' AND upper(b.period) > s.s_from AND upper(b.period) <= s.s_to THEN b.price_fen ELSE 0 END AS income
        FROM bookings b JOIN res ON res.resource_id = b.resource_id CROSS JOIN slices s
       WHERE ${org('b.organisation_id')}
         AND (b.period && tstzrange(s.s_from, s.s_to) OR (b.decided_at >= s.s_from AND b.decided_at < s.s_to))
    ),
    used AS (
      SELECT ur.resource_id, s.month, coalesce(ub.stage, '${UNASSIGNED_STAGE}') AS stage, ur.organisation_id, o.sme,
             CASE WHEN ur.ends_at = ur.starts_at THEN ur.unit_hours
                  ELSE ur.unit_hours * extract(epoch FROM least(ur.ends_at, s.s_to) - greatest(ur.starts_at, s.s_from)) / extract(epoch FROM ur.ends_at - ur.starts_at) END AS used
        FROM usage_records ur
        JOIN res ON res.resource_id = ur.resource_id
        JOIN organisations o ON o.id = ur.organisation_id
        LEFT JOIN bookings ub ON ub.id = ur.booking_id
        CROSS JOIN slices s
       WHERE ur.superseded_by IS NULL AND ur.ends_at > s.s_from AND ur.starts_at < s.s_to AND ${org('ur.organisation_id')}
    ),
    facts AS (
      SELECT resource_id, month, NULL::text AS stage, available, 0::numeric AS held, 0::numeric AS used, NULL::uuid AS organisation_id, FALSE AS sme,
             FALSE AS started, FALSE AS no_show, FALSE AS decided, FALSE AS approved, NULL::numeric AS decision_hours, 0::bigint AS income
        FROM available
      UNION ALL
      SELECT resource_id, month, stage, NULL, held, 0, NULL, FALSE, started, no_show, decided, approved, decision_hours, income FROM booked
      UNION ALL
      SELECT resource_id, month, stage, NULL, 0, used, organisation_id, sme, FALSE, FALSE, FALSE, FALSE, NULL, 0 FROM used
    )
    SELECT ${q.select.join(', ')},
           ${q.withoutAvailability ? 'NULL' : 'round(coalesce(sum(facts.available), 0), 4)::text'} AS available_unit_hours,
           round(coalesce(sum(facts.held), 0), 4)::text AS held_unit_hours,
           round(coalesce(sum(facts.used), 0), 4)::text AS used_unit_hours,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.sme), 0), 4)::text AS sme_used_unit_hours,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = 'lab_validation'), 0), 4)::text AS used_lab_validation,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = 'pilot_maturation'), 0), 4)::text AS used_pilot_maturation,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = 'industrialisation'), 0), 4)::text AS used_industrialisation,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = '${UNASSIGNED_STAGE}'), 0), 4)::text AS used_unassigned,
           count(*) FILTER (WHERE facts.started)::int AS bookings_started,
           count(*) FILTER (WHERE facts.no_show)::int AS no_shows,
           count(*) FILTER (WHERE facts.decided)::int AS decided,
           count(*) FILTER (WHERE facts.approved)::int AS approved,
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY facts.decision_hours))::numeric, 4)::text AS median_decision_hours,
           count(DISTINCT facts.organisation_id) FILTER (WHERE facts.used > 0)::int AS enterprises_served,
           coalesce(sum(facts.income), 0)::text AS income_fen
      FROM facts JOIN res ON res.resource_id = facts.resource_id
      ${q.perDirection ? 'CROSS JOIN LATERAL unnest(res.directions) AS d(direction)' : ''}
     ${q.groupBy.length ? `GROUP BY ${q.groupBy.join(', ')}` : ''}
     ${q.groupBy.length ? `ORDER BY ${q.groupBy.join(', ')}` : ''}`;
}

/** The rates of a row, rounded to 4 places (null when the denominator is 0). */
export function ratesOf(r: FigureRow) {
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
  const available = r.available_unit_hours === null ? null : Number(r.available_unit_hours);
  const used = Number(r.used_unit_hours);
  return {
    utilisation: available === null ? null : ratio(used, available),
    bookingRate: available === null ? null : ratio(Number(r.held_unit_hours), available),
    noShowRate: ratio(r.no_shows, r.bookings_started),
    approvalRate: ratio(r.approved, r.decided),
    smeShare: ratio(Number(r.sme_used_unit_hours), used),
  };
}
