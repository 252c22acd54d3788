/**
 * The booking life cycle, in one table. Every state change — from the API or from a scheduled
 * job — goes through `planTransition`; anything not listed here is refused with 409.
 *
 *   pending ──approve──► approved ──check_in──► in_use ──check_out──► completed
 *      ├─reject──► rejected    ├─cancel──► cancelled
 *      ├─cancel──► cancelled   └─mark_no_show (job)──► no_show
 *      └─expire (job)──► expired
 */
export const BOOKING_STATES = ['pending', 'approved', 'rejected', 'cancelled', 'expired', 'in_use', 'completed', 'no_show'] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

export type BookingAction = 'approve' | 'reject' | 'cancel' | 'check_in' | 'check_out' | 'expire' | 'mark_no_show';

/** Who may take an action: the booking's enterprise, the facility's operator, or a scheduled job. */
export type BookingParty = 'owner' | 'operator' | 'job';

interface TransitionRule {
  from: readonly BookingState[];
  to: BookingState;
  by: readonly BookingParty[];
  /** A reason is required (rejections) or optional (cancellations). */
  reason: 'required' | 'optional' | 'none';
}

export const TRANSITIONS: Readonly<Record<BookingAction, TransitionRule>> = {
  approve: { from: ['pending'], to: 'approved', by: ['operator'], reason: 'optional' },
  reject: { from: ['pending'], to: 'rejected', by: ['operator'], reason: 'required' },
  cancel: { from: ['pending', 'approved'], to: 'cancelled', by: ['owner', 'operator'], reason: 'optional' },
  check_in: { from: ['approved'], to: 'in_use', by: ['operator'], reason: 'none' },
  check_out: { from: ['in_use'], to: 'completed', by: ['operator'], reason: 'none' },
  expire: { from: ['pending'], to: 'expired', by: ['job'], reason: 'none' },
  mark_no_show: { from: ['approved'], to: 'no_show', by: ['job'], reason: 'none' },
};

export type TransitionPlan =
  | { ok: true; to: BookingState }
  | { ok: false; error: 'not_allowed_party' }
  | { ok: false; error: 'wrong_state'; allowedFrom: readonly BookingState[] };

/** Whether `party` may take `action` on a booking in state `from`. Party is checked before state. */
export function planTransition(action: BookingAction, from: BookingState, party: BookingParty): TransitionPlan {
  const rule = TRANSITIONS[action];
  if (!rule.by.includes(party)) return { ok: false, error: 'not_allowed_party' };
  if (!rule.from.includes(from)) return { ok: false, error: 'wrong_state', allowedFrom: rule.from };
  return { ok: true, to: rule.to };
}
