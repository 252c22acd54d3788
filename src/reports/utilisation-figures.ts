/**
 * Utilisation figures, defined once (the README, "Reports", says the same in words). Every figure is
 * computed in SQL for a period `[from, to)`, per resource and per time slice, and then summed per report row:
 *
 * - available unit-hours: capacity × hours of `resource_opening(resource, from, to)` (the weekly
 *   opening hours in the facility's zone, clipped to the slice and to the resource's creation) minus the
 *   resource's maintenance windows;
 * - held unit-hours: bookings in COUNTED_STATES, units × hours of their window clipped to the slice;
 * - used unit-hours: usage records not superseded that meet the slice (`ends_at > from AND starts_at < to`),
 *   pro rata: unit_hours × the clipped share of the record's period (a zero-length record counts whole in
 *   the slice that holds its instant);
 * - no-show rate: no_show ÷ bookings in COUNTED_STATES whose start lies in the slice and is not after now;
 * - approval rate: of the requests an operator decided in the slice (`decided_at` in it, `decided_by` set:
 *   automatic approvals are no decision), approved (every state but `rejected`) ÷ decided; median decision
 *   time: the median of decided_at − created_at, in hours, over the same requests;
 * - SME share: used unit-hours of SME enterprises ÷ used unit-hours;
 * - used per stage: the booking's stage; usage without a booking is `unassigned`;
 * - enterprises served: distinct organisations other than the facility's operator (internal use) with used unit-hours > 0;
 * - income (fen): price_fen of completed bookings whose end lies in (from, to].
 *
 * Every figure but the median and the distinct count is a sum over disjoint slices, so a period splits into
 * days without changing it: whole finished days are read from the daily snapshots (`report_day_facts`,
 * written by snapshotDaySql from the same facts) and the rest — the partial days at the edges, today, stale
 * days — is computed from the raw rows. The snapshot keeps decision times (for the exact median) and the
 * using organisation (for the distinct count).
 */

import { internalUseSql } from '../common/internal-use';

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
  /** Predicate over `b` (bookings) and `ur` (usage records) alike, through `{org}`: e.g. `{org} = $5`. Default: all (and snapshots may be read). */
  organisationWhere?: (column: string) => string;
  /** Leave available unit-hours out (a stage or an enterprise's own figures). */
  withoutAvailability?: boolean;
  /** Read the finished days that have a fresh daily snapshot from `report_day_facts` (default); false: everything from the raw rows. */
  snapshots?: boolean;
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

/** A snapshot day `day` (a date column) as the instants [from, to) in the report zone. */
const dayFrom = (day: string) => `(${day}::timestamp AT TIME ZONE ${TZ})`;
const dayTo = (day: string) => `((${day} + 1)::timestamp AT TIME ZONE ${TZ})`;

/**
 * The facts of the figures: one row per resource, slice and part (availability, a booking, a usage record, a
 * snapshot row, a snapshot decision time), with the columns every figure sums. `slices` is a CTE body giving
 * (s_from, s_to, month); `snap` one giving snapshot rows (or none).
 */
function factsCtes(q: {
  slices: string;
  resourceWhere: string;
  organisationWhere?: (column: string) => string;
  withoutAvailability?: boolean;
  snap?: string;
  /** A CTE body giving (month): every resource gets a row per month (or one), idle or not. */
  presence?: string;
}) {
  const org = q.organisationWhere ?? (() => 'TRUE');
  // Availability starts when the resource was created: a resource added in June is not idle from January.
  const available = q.withoutAvailability
    ? `SELECT NULL::uuid AS resource_id, NULL::text AS month, NULL::numeric AS available WHERE FALSE`
    : `SELECT res.resource_id, s.month,
              CASE WHEN greatest(s.s_from, res.created_at) >= s.s_to THEN 0
                   ELSE res.capacity * ${hoursOf(
                     `resource_opening(res.resource_id, greatest(s.s_from, res.created_at), s.s_to) - coalesce((SELECT range_agg(m.period) FROM maintenance_windows m
                       WHERE m.resource_id = res.resource_id AND m.period && tstzrange(s.s_from, s.s_to)), '{}'::tstzmultirange)`,
                   )} END AS available
         FROM res CROSS JOIN slices s`;
  const snap =
    q.snap ??
    `SELECT NULL::uuid AS resource_id, NULL::text AS month, NULL::text AS stage, NULL::text AS service_category, NULL::uuid AS organisation_id, FALSE AS sme,
            FALSE AS internal, 0::numeric AS available, 0::numeric AS held, 0::numeric AS used, 0 AS started, 0 AS no_shows, 0 AS decided, 0 AS approved,
            '{}'::numeric[] AS decision_hours, 0::bigint AS income, 0 AS completed
      WHERE FALSE`;
  return `
    slices AS (${q.slices}),
    res AS (
      SELECT r.id AS resource_id, r.name_zh, r.name_en, r.capacity, r.unit, r.created_at, f.id AS facility_id, f.name_zh AS facility_name_zh,
             f.name_en AS facility_name_en, f.operator_id, o.name_zh AS operator_name_zh, o.name_en AS operator_name_en, f.city_code, f.kind, f.directions
        FROM resources r JOIN facilities f ON f.id = r.facility_id JOIN organisations o ON o.id = f.operator_id
       WHERE ${q.resourceWhere}
    ),
    available AS (${available}),
    booked AS (
      SELECT b.resource_id, s.month, b.stage, b.service_category, ${internalUseSql('b', 'res')} AS internal,
             CASE WHEN b.state IN ${COUNTED} AND b.period && tstzrange(s.s_from, s.s_to)
                  THEN b.units * ${clippedHours('lower(b.period)', 'upper(b.period)')} ELSE 0 END AS held,
             (b.state IN ${COUNTED} AND lower(b.period) >= s.s_from AND lower(b.period) < s.s_to AND lower(b.period) <= $3::timestamptz)::int AS started,
             (b.state = 'no_show' AND lower(b.period) >= s.s_from AND lower(b.period) < s.s_to AND lower(b.period) <= $3::timestamptz)::int AS no_show,
             (b.decided_by IS NOT NULL AND b.decided_at >= s.s_from AND b.decided_at < s.s_to)::int AS decided,
             (b.decided_by IS NOT NULL AND b.decided_at >= s.s_from AND b.decided_at < s.s_to AND b.state <> 'rejected')::int AS approved,
             CASE WHEN b.decided_by IS NOT NULL AND b.decided_at >= s.s_from AND b.decided_at < s.s_to
                  THEN extract(epoch FROM b.decided_at - b.created_at) / 3600.0 END AS decision_hours,
             CASE WHEN b.state = 'completed' AND upper(b.period) > s.s_from AND upper(b.period) <= s.s_to THEN b.price_fen ELSE 0 END AS income,
             (b.state = 'completed' AND upper(b.period) > s.s_from AND upper(b.period) <= s.s_to)::int AS completed
        FROM bookings b JOIN res ON res.resource_id = b.resource_id CROSS JOIN slices s
       WHERE ${org('b.organisation_id')}
         AND (b.period && tstzrange(s.s_from, s.s_to) OR (b.decided_at >= s.s_from AND b.decided_at < s.s_to))
    ),
    used AS (
      -- A zero-length record counts whole in the slice holding its instant ([s_from, s_to), like everything else).
      SELECT ur.resource_id, s.month, coalesce(ub.stage, '${UNASSIGNED_STAGE}') AS stage, ub.service_category, ur.organisation_id, o.sme,
             ${internalUseSql('ur', 'res')} AS internal,
             CASE WHEN ur.ends_at = ur.starts_at THEN ur.unit_hours
                  ELSE ur.unit_hours * extract(epoch FROM least(ur.ends_at, s.s_to) - greatest(ur.starts_at, s.s_from)) / extract(epoch FROM ur.ends_at - ur.starts_at) END AS used
        FROM usage_records ur
        JOIN res ON res.resource_id = ur.resource_id
        JOIN organisations o ON o.id = ur.organisation_id
        LEFT JOIN bookings ub ON ub.id = ur.booking_id
        CROSS JOIN slices s
       WHERE ur.superseded_by IS NULL AND ur.starts_at < s.s_to AND (ur.ends_at > s.s_from OR ur.starts_at >= s.s_from) AND ${org('ur.organisation_id')}
    ),
    snap AS (${snap}),
    presence AS (${q.presence && !q.withoutAvailability ? `SELECT res.resource_id, p.month FROM res CROSS JOIN (${q.presence}) p` : 'SELECT NULL::uuid AS resource_id, NULL::text AS month WHERE FALSE'}),
    facts AS (
      SELECT resource_id, month, NULL::text AS stage, NULL::text AS service_category, NULL::uuid AS organisation_id, FALSE AS sme, FALSE AS internal,
             0::numeric AS available, 0::numeric AS held, 0::numeric AS used, 0 AS started, 0 AS no_shows, 0 AS decided, 0 AS approved,
             NULL::numeric AS decision_hours, 0::bigint AS income, 0 AS completed
        FROM presence
      UNION ALL
      SELECT resource_id, month, NULL, NULL, NULL, FALSE, FALSE, available, 0, 0, 0, 0, 0, 0, NULL, 0, 0 FROM available
      UNION ALL
      -- Parts that count nothing are left out, as in the snapshots (a rejected request outside the period, a 0-hour record).
      SELECT resource_id, month, stage, service_category, NULL, FALSE, internal, 0, held, 0, started, no_show, decided, approved, decision_hours, income, completed
        FROM booked
       WHERE held <> 0 OR started <> 0 OR decided <> 0 OR income <> 0 OR completed <> 0
      UNION ALL
      SELECT resource_id, month, stage, service_category, organisation_id, sme, internal, 0, 0, used, 0, 0, 0, 0, NULL, 0, 0 FROM used WHERE used <> 0
      UNION ALL
      SELECT resource_id, month, stage, service_category, organisation_id, sme, internal, available, held, used, started, no_shows, decided, approved, NULL, income, completed
        FROM snap
      UNION ALL
      SELECT snap.resource_id, snap.month, snap.stage, snap.service_category, NULL, FALSE, snap.internal, 0, 0, 0, 0, 0, 0, 0, h.hours, 0, 0
        FROM snap CROSS JOIN LATERAL unnest(snap.decision_hours) AS h(hours)
    )`;
}

/** The days of [$1, $2) that are whole, have a snapshot, and no change since (none when snapshots are not read). */
function coveredDays(snapshots: boolean): string {
  if (!snapshots) return `SELECT NULL::date AS day WHERE FALSE`;
  return `SELECT rd.day FROM report_days rd
           WHERE rd.day >= ($1::timestamptz AT TIME ZONE ${TZ})::date AND rd.day < ($2::timestamptz AT TIME ZONE ${TZ})::date
             AND ${dayFrom('rd.day')} >= $1::timestamptz AND ${dayTo('rd.day')} <= $2::timestamptz
             AND NOT EXISTS (SELECT 1 FROM report_day_changes c WHERE c.day = rd.day)`;
}

/**
 * The WITH clause of a report over [$1, $2) at $3: `res` (the resources), `facts` (their parts, finished days from
 * their snapshots where fresh, the rest — "live" — from the raw rows) and `covered` (the snapshot days read).
 */
export function reportCtes(q: Pick<FiguresQuery, 'monthly' | 'resourceWhere' | 'organisationWhere' | 'withoutAvailability' | 'snapshots'>): string {
  // An enterprise's own figures need the organisation of every booking: snapshots keep it for usage only.
  const snapshots = (q.snapshots ?? true) && !q.organisationWhere;
  const months = `SELECT greatest(g.m AT TIME ZONE ${TZ}, $1::timestamptz) AS m_from, least((g.m + interval '1 month') AT TIME ZONE ${TZ}, $2::timestamptz) AS m_to,
                         to_char(g.m, 'YYYY-MM') AS month
                    FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE ${TZ}), $2::timestamptz AT TIME ZONE ${TZ}, interval '1 month') AS g(m)
                   WHERE g.m AT TIME ZONE ${TZ} < $2::timestamptz`;
  const live = `SELECT tstzmultirange(tstzrange($1::timestamptz, $2::timestamptz)) - coalesce((SELECT range_agg(tstzrange(${dayFrom('c.day')}, ${dayTo('c.day')})) FROM covered c), '{}'::tstzmultirange) AS mr`;
  const slices = q.monthly
    ? `SELECT lower(x) AS s_from, upper(x) AS s_to, m.month FROM (${months}) m CROSS JOIN live
         CROSS JOIN LATERAL unnest(live.mr * tstzmultirange(tstzrange(m.m_from, m.m_to))) AS x`
    : `SELECT lower(x) AS s_from, upper(x) AS s_to, NULL::text AS month FROM live CROSS JOIN LATERAL unnest(live.mr) AS x`;
  const snap = `SELECT sf.resource_id, ${q.monthly ? `to_char(sf.day, 'YYYY-MM')` : 'NULL::text'} AS month, sf.stage, sf.service_category, sf.organisation_id,
                       sf.sme, sf.internal, sf.available, sf.held, sf.used, sf.started, sf.no_shows, sf.decided, sf.approved, sf.decision_hours,
                       sf.income_fen AS income, sf.completed
                  FROM report_day_facts sf JOIN covered c ON c.day = sf.day JOIN res ON res.resource_id = sf.resource_id
                 ${q.withoutAvailability ? 'WHERE sf.stage IS NOT NULL' : ''}`;
  return `
    WITH covered AS (${coveredDays(snapshots)}),
    live AS (${live}),
    ${factsCtes({
      slices,
      resourceWhere: q.resourceWhere,
      organisationWhere: q.organisationWhere,
      withoutAvailability: q.withoutAvailability,
      snap,
      presence: q.monthly ? `SELECT month FROM (${months}) m` : 'SELECT NULL::text AS month',
    })}`;
}

/** The report's figures per row (see reportCtes). */
export function figuresSql(q: FiguresQuery): string {
  return `${reportCtes(q)}
    SELECT ${q.select.join(', ')},
           ${q.withoutAvailability ? 'NULL' : 'round(coalesce(sum(facts.available), 0), 4)::text'} AS available_unit_hours,
           round(coalesce(sum(facts.held), 0), 4)::text AS held_unit_hours,
           round(coalesce(sum(facts.used), 0), 4)::text AS used_unit_hours,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.sme), 0), 4)::text AS sme_used_unit_hours,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = 'lab_validation'), 0), 4)::text AS used_lab_validation,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = 'pilot_maturation'), 0), 4)::text AS used_pilot_maturation,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = 'industrialisation'), 0), 4)::text AS used_industrialisation,
           round(coalesce(sum(facts.used) FILTER (WHERE facts.stage = '${UNASSIGNED_STAGE}'), 0), 4)::text AS used_unassigned,
           coalesce(sum(facts.started), 0)::int AS bookings_started,
           coalesce(sum(facts.no_shows), 0)::int AS no_shows,
           coalesce(sum(facts.decided), 0)::int AS decided,
           coalesce(sum(facts.approved), 0)::int AS approved,
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY facts.decision_hours))::numeric, 4)::text AS median_decision_hours,
           count(DISTINCT facts.organisation_id) FILTER (WHERE facts.used > 0 AND NOT facts.internal)::int AS enterprises_served,
           coalesce(sum(facts.income), 0)::text AS income_fen,
           (SELECT count(*)::int FROM covered) AS snapshot_days
      FROM facts JOIN res ON res.resource_id = facts.resource_id
      ${q.perDirection ? 'CROSS JOIN LATERAL unnest(res.directions) AS d(direction)' : ''}
     ${q.groupBy.length ? `GROUP BY ${q.groupBy.join(', ')}` : ''}
     ${q.groupBy.length ? `ORDER BY ${q.groupBy.join(', ')}` : ''}`;
}

/**
 * The snapshot of one day ($1 its start, $2 its end, $3 now, $4 the day): the facts of every resource, summed per
 * resource, stage and using organisation, all-zero rows left out. The same facts as the live path, so that the two
 * give identical figures (test/report-snapshots.e2e-spec.ts).
 */
export function snapshotDaySql(): string {
  return `
    WITH ${factsCtes({ slices: `SELECT $1::timestamptz AS s_from, $2::timestamptz AS s_to, NULL::text AS month`, resourceWhere: 'TRUE' })},
    summed AS (
      SELECT resource_id, stage, service_category, organisation_id, sme, internal,
             coalesce(sum(available), 0) AS available, sum(held) AS held, sum(used) AS used, sum(started)::int AS started, sum(no_shows)::int AS no_shows,
             sum(decided)::int AS decided, sum(approved)::int AS approved,
             coalesce(array_agg(decision_hours ORDER BY decision_hours) FILTER (WHERE decision_hours IS NOT NULL), '{}') AS decision_hours,
             sum(income)::bigint AS income, sum(completed)::int AS completed
        FROM facts GROUP BY resource_id, stage, service_category, organisation_id, sme, internal
    ),
    written AS (
      INSERT INTO report_day_facts (day, resource_id, stage, service_category, organisation_id, sme, internal, available, held, used, started, no_shows,
                                    decided, approved, decision_hours, income_fen, completed)
      SELECT $4::date, resource_id, stage, service_category, organisation_id, sme, internal, available, held, used, started, no_shows, decided, approved,
             decision_hours, income, completed
        FROM summed
       WHERE available <> 0 OR held <> 0 OR used <> 0 OR started <> 0 OR decided <> 0 OR income <> 0 OR completed <> 0
      RETURNING 1
    )
    SELECT count(*)::int AS fact_rows FROM written`;
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
