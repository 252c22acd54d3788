import { formatInZone } from '../common/time';
import type { BookingRow } from './booking-store';
import type { BookingState } from './booking-transitions';

/** A booking as the API shows it: UTC instants plus the same instants in the facility's zone. */
export interface BookingView {
  id: string;
  state: BookingState;
  resource: { id: string; nameZh: string; nameEn: string; unit: string; mode: string };
  facility: { id: string; nameZh: string; nameEn: string; address: string; timeZone: string };
  /**
   * The booking enterprise. `creditCode` (统一社会信用代码) and `sme` only for readers of the booking's
   * parties (`booking.read_parties`: the enterprise itself, the facility's operator, officials, admins), else null.
   */
  organisation: { id: string; nameZh: string; nameEn: string | null; creditCode: string | null; sme: boolean | null };
  /** The user who asked (id). */
  requestedBy: string;
  /** Who asked and how to reach them, for the same readers as the enterprise's details; else null. */
  requester: { id: string; displayName: string; email: string; phone: string | null } | null;
  startsAt: string;
  endsAt: string;
  /** The same window in the facility's time zone, e.g. 2026-12-01T09:00:00+08:00. */
  localStartsAt: string;
  localEndsAt: string;
  /** The window the booking keeps from others: widened by the changeover buffers. */
  blockedFrom: string;
  blockedUntil: string;
  units: number;
  stage: string;
  /** The service booked (SERVICE_CATEGORIES: the six pilot-platform services, or compute). */
  serviceCategory: string;
  /** Internal use: the facility's own operator booked it (no approval, no price). */
  internal: boolean;
  purpose: string;
  projectId: string | null;
  /** While pending: the decision deadline (min(request + DECISION_DEADLINE_HOURS, start)), when the expiry job expires it; else null. */
  expiresAt: string | null;
  price: { fen: number; listFen: number; discountPercent: number; currency: 'CNY' };
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  cancelledBy: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  checkedInAt: string | null;
  checkedOutAt: string | null;
  endedByJob: string | null;
  endedAt: string | null;
  /** Grows with each change (the calendar SEQUENCE). */
  version: number;
  createdAt: string;
  updatedAt: string;
}

const isoOrNull = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function bookingView(r: BookingRow): BookingView {
  const tz = r.facility_time_zone;
  return {
    id: r.id,
    state: r.state,
    resource: { id: r.resource_id, nameZh: r.resource_name_zh, nameEn: r.resource_name_en, unit: r.resource_unit, mode: r.resource_mode },
    facility: { id: r.facility_id, nameZh: r.facility_name_zh, nameEn: r.facility_name_en, address: r.facility_address, timeZone: tz },
    organisation: {
      id: r.organisation_id,
      nameZh: r.organisation_name_zh,
      nameEn: r.organisation_name_en,
      creditCode: r.sees_parties ? r.organisation_credit_code : null,
      sme: r.sees_parties ? r.organisation_sme : null,
    },
    requestedBy: r.requested_by,
    requester: r.sees_parties
      ? { id: r.requested_by, displayName: r.requester_display_name, email: r.requester_email, phone: r.requester_phone ?? null }
      : null,
    startsAt: new Date(r.starts_at).toISOString(),
    endsAt: new Date(r.ends_at).toISOString(),
    localStartsAt: formatInZone(new Date(r.starts_at), tz),
    localEndsAt: formatInZone(new Date(r.ends_at), tz),
    blockedFrom: new Date(r.blocked_from).toISOString(),
    blockedUntil: new Date(r.blocked_until).toISOString(),
    units: r.units,
    stage: r.stage,
    serviceCategory: r.service_category,
    internal: r.internal,
    purpose: r.purpose,
    projectId: r.project_id,
    expiresAt: isoOrNull(r.expires_at),
    price: { fen: Number(r.price_fen), listFen: Number(r.list_price_fen), discountPercent: r.discount_percent, currency: 'CNY' },
    decidedBy: r.decided_by,
    decidedAt: isoOrNull(r.decided_at),
    decisionReason: r.decision_reason,
    cancelledBy: r.cancelled_by,
    cancelledAt: isoOrNull(r.cancelled_at),
    cancelReason: r.cancel_reason,
    checkedInAt: isoOrNull(r.checked_in_at),
    checkedOutAt: isoOrNull(r.checked_out_at),
    endedByJob: r.ended_by_job,
    endedAt: isoOrNull(r.ended_at),
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
