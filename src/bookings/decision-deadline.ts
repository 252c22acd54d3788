/**
 * The decision deadline of a pending request, defined once: `DECISION_DEADLINE_HOURS` after it was
 * made, or the booking's start if that is earlier. The expiry job expires pending bookings whose
 * deadline has come (`BookingSweeps.expireUndecided`); the API shows it as `expiresAt`.
 * `b` is the bookings alias, `hours` the SQL (a parameter) holding DECISION_DEADLINE_HOURS.
 */
export const decisionDeadlineSql = (b: string, hours: string): string => `least(${b}.created_at + make_interval(hours => ${hours}::int), lower(${b}.period))`;

/** `expiresAt`: the decision deadline while the booking is pending, NULL in every other state. */
export const expiresAtSql = (b: string, hours: string): string => `CASE WHEN ${b}.state = 'pending' THEN ${decisionDeadlineSql(b, hours)} END`;
