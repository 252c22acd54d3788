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

/**
 * The states in which a booking holds its slot (its blocked window is taken, its units count against
 * the pool). Defined once: SQL uses `booking_state_holds(state)` (migration HeldStatesAndSlotGrain), and a
 * test checks that the two agree for every state.
 */
export const HOLDING_STATES = ['pending', 'approved', 'in_use'] as const satisfies readonly BookingState[];

export function holdsSlot(state: BookingState): boolean {
  return (HOLDING_STATES as readonly BookingState[]).includes(state);
}

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
  { ok: true; to: BookingState } | { ok: false; error: 'not_allowed_party' } | { ok: false; error: 'wrong_state'; allowedFrom: readonly BookingState[] };

/** Whether `party` may take `action` on a booking in state `from`. Party is checked before state. */
export function planTransition(action: BookingAction, from: BookingState, party: BookingParty): TransitionPlan {
  const rule = TRANSITIONS[action];
  if (!rule.by.includes(party)) return { ok: false, error: 'not_allowed_party' };
  if (!rule.from.includes(from)) return { ok: false, error: 'wrong_state', allowedFrom: rule.from };
  return { ok: true, to: rule.to };
}

/** Settings of the time rules (CHECK_IN_EARLY_MINUTES). */
export interface TimingSettings {
  /** Check-in opens this many minutes before the booking starts. */
  checkInEarlyMinutes: number;
}

export type TimingCode = 'booking_started' | 'too_early_to_check_in' | 'booking_over' | 'not_started';

export interface TimingRefusal {
  code: TimingCode;
  message: string;
  details: Record<string, string>;
}

/**
 * When an action may be taken, relative to the booked window `[startsAt, endsAt)` (checked after the
 * transition table has allowed the action from the current state; every refusal is 409):
 *
 *   action      party     allowed while                                   otherwise
 *   cancel      owner     now < startsAt                                  booking_started
 *   check_in    operator  startsAt − checkInEarlyMinutes ≤ now < endsAt   too_early_to_check_in / booking_over
 *   check_out   operator  now ≥ startsAt                                  not_started
 *
 * (The operator may cancel at any time; expiry and no-shows are timed by their jobs.)
 */
export function timingRefusal(
  action: BookingAction,
  party: BookingParty,
  window: { startsAt: Date; endsAt: Date },
  now: Date,
  settings: TimingSettings,
): TimingRefusal | null {
  const at = (d: Date) => d.toISOString();
  const start = window.startsAt.getTime();
  const end = window.endsAt.getTime();
  const t = now.getTime();
  switch (action) {
    case 'cancel':
      if (party === 'owner' && t >= start) {
        return {
          code: 'booking_started',
          message: 'The booking has started; only the facility operator can cancel it now.',
          details: { startsAt: at(window.startsAt) },
        };
      }
      return null;
    case 'check_in': {
      const opens = new Date(start - settings.checkInEarlyMinutes * 60_000);
      if (t < opens.getTime()) {
        return {
          code: 'too_early_to_check_in',
          message: `Check-in opens ${settings.checkInEarlyMinutes} minutes before the start, at ${at(opens)}.`,
          details: { checkInOpensAt: at(opens), startsAt: at(window.startsAt) },
        };
      }
      if (t >= end) {
        return { code: 'booking_over', message: 'The booked window is over; it can no longer be checked in.', details: { endsAt: at(window.endsAt) } };
      }
      return null;
    }
    case 'check_out':
      if (t < start) {
        return {
          code: 'not_started',
          message: `The booking has not started yet (it starts at ${at(window.startsAt)}); it cannot be checked out before.`,
          details: { startsAt: at(window.startsAt) },
        };
      }
      return null;
    default:
      return null;
  }
}
