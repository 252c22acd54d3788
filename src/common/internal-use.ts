/**
 * Internal use: an operator using the resources of its own facilities. A booking or a usage record is
 * internal when its organisation is the facility's operator — no flag column, this one predicate:
 * `<row>.organisation_id = <facility>.operator_id`, for a row alias (`b` bookings, `ur` usage records)
 * and the alias of its facility (`facilities`, joined on the row's `facility_id`). Everything that tells
 * internal from external use (the views' `internal`, the lists' `internal=` filter) uses it.
 */
export function internalUseSql(row: string, facility = 'f'): string {
  return `(${row}.organisation_id = ${facility}.operator_id)`;
}

/** The same in TypeScript, for a row at hand (the booking service deciding whether a request is internal). */
export function isInternalUse(organisationId: string, facilityOperatorId: string): boolean {
  return organisationId === facilityOperatorId;
}
