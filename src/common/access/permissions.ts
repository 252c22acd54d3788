import type { Role } from '../auth/auth-user';
import { DomainError, forbidden } from '../errors/domain-error';

/** Who asks: a signed-in role, or the public (no bearer token, e.g. catalogue browsing). */
export type Viewer = Role | 'public';

/** A table the access layer answers about: where its rows are, with the joins its rules need. */
export interface AccessEntity {
  /** FROM clause; rules and list queries that use `AccessService.scope` name the tables with these aliases. */
  from: string;
  /** The id column. */
  id: string;
  idType: 'uuid' | 'bigint';
  /** What a 404 calls a row: "Booking was not found." */
  label: string;
}

export const ACCESS_ENTITIES = {
  booking: { from: 'bookings b JOIN facilities f ON f.id = b.facility_id', id: 'b.id', idType: 'uuid', label: 'Booking' },
  facility: { from: 'facilities f', id: 'f.id', idType: 'uuid', label: 'Facility' },
  resource: { from: 'resources r JOIN facilities f ON f.id = r.facility_id', id: 'r.id', idType: 'uuid', label: 'Resource' },
  organisation: { from: 'organisations o', id: 'o.id', idType: 'uuid', label: 'Organisation' },
  user: { from: 'users u', id: 'u.id', idType: 'uuid', label: 'User' },
  notification: { from: 'notifications n', id: 'n.id', idType: 'bigint', label: 'Notification' },
  project: { from: 'projects p', id: 'p.id', idType: 'uuid', label: 'Project' },
  usage: { from: 'usage_records ur JOIN facilities f ON f.id = ur.facility_id', id: 'ur.id', idType: 'uuid', label: 'Usage record' },
  audit: { from: 'audit_entries a', id: 'a.seq', idType: 'bigint', label: 'Audit entry' },
} as const satisfies Record<string, AccessEntity>;

export type AccessEntityName = keyof typeof ACCESS_ENTITIES;

/**
 * One permission. `roles` gives, per viewer, an SQL predicate over the entity's aliases that says
 * which rows it holds the permission on — `:org` is the caller's organisation id, `:user` its user
 * id, `TRUE` means every row; a viewer left out holds it on no row.
 *
 * A row the caller does not hold the permission on is answered 404 if the caller may not even see
 * it, 403 (`denied`) if it may: `seen` names the permission that decides "may see" (`'exists'`:
 * every existing row, e.g. the public catalogue). Without `seen` every refusal is 404.
 */
export interface PermissionRule {
  entity: AccessEntityName;
  roles: Partial<Record<Viewer, string>>;
  seen?: string;
  denied?: () => DomainError;
}

/** 403 for changing a facility (or its resources) that another operator runs. */
export const notYourFacility = () =>
  new DomainError(403, 'not_your_facility', 'This facility is run by another operator; only its operator or an admin may change it.');

const ALL = 'TRUE';
const OWN_ORGANISATION_BOOKING = 'b.organisation_id = :org';
const OPERATED_BOOKING = 'f.operator_id = :org';
const PUBLIC_FACILITY = 'f.active';
const PUBLIC_RESOURCE = '(r.active AND f.active)';
const OWN_PROJECT = 'p.organisation_id = :org';
/** An operator sees the projects that booked (in any state) one of its facilities. */
const PROJECT_BOOKED_HERE =
  'EXISTS (SELECT 1 FROM bookings pb JOIN facilities pf ON pf.id = pb.facility_id WHERE pb.project_id = p.id AND pf.operator_id = :org)';

/**
 * An operator's audit entries: those filed under its organisation, and those about a booking,
 * resource, facility or usage record of one of its facilities (whoever wrote them and whatever
 * organisation they are filed under, e.g. the SME's booking request).
 */
const OPERATED_AUDIT = `(a.organisation_id = :org
  OR (a.entity_type = 'facility' AND EXISTS (SELECT 1 FROM facilities af WHERE af.id::text = a.entity_id AND af.operator_id = :org))
  OR (a.entity_type = 'resource' AND EXISTS (SELECT 1 FROM resources ar JOIN facilities af ON af.id = ar.facility_id WHERE ar.id::text = a.entity_id AND af.operator_id = :org))
  OR (a.entity_type = 'booking' AND EXISTS (SELECT 1 FROM bookings ab JOIN facilities af ON af.id = ab.facility_id WHERE ab.id::text = a.entity_id AND af.operator_id = :org))
  OR (a.entity_type = 'usage_record' AND EXISTS (SELECT 1 FROM usage_records au JOIN facilities af ON af.id = au.facility_id WHERE au.id::text = a.entity_id AND af.operator_id = :org)))`;

/**
 * Every permission of the API, in one table: officials read everything and change nothing; admins
 * manage the catalogue and users; an enterprise (SME) sees only its own organisation's data; an
 * operator only its own facilities'. Adding a permission (`usage.read`, `chain.manage`, …) is one
 * entry here (and, for a new table, one in ACCESS_ENTITIES).
 */
export const PERMISSIONS = {
  // ---- bookings
  'booking.read': {
    entity: 'booking',
    roles: { enterprise: OWN_ORGANISATION_BOOKING, operator: OPERATED_BOOKING, official: ALL, admin: ALL },
  },
  /** The requester's name and contact and the enterprise's credit code and SME flag. */
  'booking.read_parties': {
    entity: 'booking',
    roles: { enterprise: OWN_ORGANISATION_BOOKING, operator: OPERATED_BOOKING, official: ALL, admin: ALL },
  },
  /**
   * Booking a resource: an enterprise any resource (its rules decide, e.g. 422 `inactive_resource`); an operator the
   * resources of its own facilities, for its own use (internal use); another operator's resource is 403
   * `not_your_facility`, or 404 when the operator may not even see it.
   */
  'booking.create': {
    entity: 'resource',
    roles: { enterprise: ALL, operator: 'f.operator_id = :org' },
    seen: 'resource.read',
    denied: () =>
      new DomainError(403, 'not_your_facility', 'This facility is run by another operator; an operator books only the resources of its own facilities.'),
  },
  /** The booking enterprise cancels its own booking (before the start: checked by the booking service). */
  'booking.cancel_own': {
    entity: 'booking',
    roles: { enterprise: OWN_ORGANISATION_BOOKING },
    seen: 'booking.read',
    denied: () => forbidden('Only the enterprise that booked it may cancel this booking as its owner.'),
  },
  /** The facility's operator approves, rejects or cancels. */
  'booking.decide': {
    entity: 'booking',
    roles: { operator: OPERATED_BOOKING },
    seen: 'booking.read',
    denied: () => forbidden("Only the facility's operator may decide on this booking."),
  },
  /** The facility's operator checks the user in and out. */
  'booking.check_in': {
    entity: 'booking',
    roles: { operator: OPERATED_BOOKING },
    seen: 'booking.read',
    denied: () => forbidden("Only the facility's operator may check this booking in or out."),
  },

  // ---- catalogue: public browsing of active items; inactive ones for their operator and admins
  'facility.read': {
    entity: 'facility',
    roles: {
      public: PUBLIC_FACILITY,
      enterprise: PUBLIC_FACILITY,
      official: PUBLIC_FACILITY,
      operator: `(${PUBLIC_FACILITY} OR f.operator_id = :org)`,
      admin: ALL,
    },
  },
  'facility.manage': {
    entity: 'facility',
    roles: { operator: 'f.operator_id = :org', admin: ALL },
    seen: 'exists',
    denied: notYourFacility,
  },
  'resource.read': {
    entity: 'resource',
    roles: {
      public: PUBLIC_RESOURCE,
      enterprise: PUBLIC_RESOURCE,
      official: PUBLIC_RESOURCE,
      operator: `(${PUBLIC_RESOURCE} OR f.operator_id = :org)`,
      admin: ALL,
    },
  },
  'resource.manage': {
    entity: 'resource',
    roles: { operator: 'f.operator_id = :org', admin: ALL },
    seen: 'exists',
    denied: notYourFacility,
  },

  // ---- usage records (actual use) and the Slurm import
  'usage.read': {
    entity: 'usage',
    roles: { enterprise: 'ur.organisation_id = :org', operator: OPERATED_BOOKING, official: ALL, admin: ALL },
  },
  /** The facility's operator records and corrects actual use, keeps its Slurm mappings and imports accounting files. */
  'usage.record': {
    entity: 'facility',
    roles: { operator: 'f.operator_id = :org' },
    seen: 'facility.read',
    denied: () => forbidden("Only the facility's operator may record its usage."),
  },
  /** Stored Slurm imports of a facility: its operator, officials and admins. */
  'usage.read_imports': {
    entity: 'facility',
    roles: { operator: 'f.operator_id = :org', official: ALL, admin: ALL },
  },

  // ---- reports (src/reports): utilisation figures over facilities; enterprises read their own use at /reports/my-usage
  'report.read': {
    entity: 'facility',
    roles: { operator: 'f.operator_id = :org', official: ALL, admin: ALL },
  },

  // ---- the audit trail
  /** Officials and admins all; an SME the entries filed under its organisation; an operator its own and its facilities'. */
  'audit.read': {
    entity: 'audit',
    roles: { enterprise: 'a.organisation_id = :org', operator: OPERATED_AUDIT, official: ALL, admin: ALL },
  },

  // ---- organisations, users, notifications
  'organisation.read': {
    entity: 'organisation',
    roles: { enterprise: 'o.id = :org', operator: 'o.id = :org', official: ALL, admin: ALL },
  },
  'user.read': {
    entity: 'user',
    roles: { enterprise: 'u.id = :user', operator: 'u.id = :user', official: 'u.id = :user', admin: ALL },
  },
  'notification.read': {
    entity: 'notification',
    roles: {
      enterprise: 'n.recipient_user_id = :user',
      operator: 'n.recipient_user_id = :user',
      official: 'n.recipient_user_id = :user',
      admin: 'n.recipient_user_id = :user',
    },
  },

  // ---- chain projects (src/chain)
  'project.read': {
    entity: 'project',
    roles: { enterprise: OWN_PROJECT, operator: PROJECT_BOOKED_HERE, official: ALL, admin: ALL },
  },
  /** The owning enterprise changes its project's description and moves it between stages. */
  'project.manage': {
    entity: 'project',
    roles: { enterprise: OWN_PROJECT },
    seen: 'project.read',
    denied: () => forbidden('Only the enterprise that owns this project may change it.'),
  },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;

// A `seen` must name a permission of the same entity: checked once, when the module loads.
for (const [name, rule] of Object.entries(PERMISSIONS) as Array<[string, PermissionRule]>) {
  if (rule.seen && rule.seen !== 'exists') {
    const seen = (PERMISSIONS as Record<string, PermissionRule>)[rule.seen];
    if (!seen || seen.entity !== rule.entity) throw new Error(`permission ${name}: seen = ${rule.seen} is not a ${rule.entity} permission`);
  }
}
