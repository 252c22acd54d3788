import { BOOKING_STATES, BookingAction, BookingParty, planTransition, TRANSITIONS } from './booking-transitions';

describe('booking transition table', () => {
  const allowed: Array<[BookingAction, string, string, BookingParty]> = [
    ['approve', 'pending', 'approved', 'operator'],
    ['reject', 'pending', 'rejected', 'operator'],
    ['cancel', 'pending', 'cancelled', 'owner'],
    ['cancel', 'pending', 'cancelled', 'operator'],
    ['cancel', 'approved', 'cancelled', 'owner'],
    ['cancel', 'approved', 'cancelled', 'operator'],
    ['check_in', 'approved', 'in_use', 'operator'],
    ['check_out', 'in_use', 'completed', 'operator'],
    ['expire', 'pending', 'expired', 'job'],
    ['mark_no_show', 'approved', 'no_show', 'job'],
  ];

  it.each(allowed)('%s: %s → %s by %s', (action, from, to, party) => {
    expect(planTransition(action, from as never, party)).toEqual({ ok: true, to });
  });

  it('refuses every other (action, state) pair with wrong_state', () => {
    let refused = 0;
    for (const action of Object.keys(TRANSITIONS) as BookingAction[]) {
      for (const state of BOOKING_STATES) {
        const party = TRANSITIONS[action].by[0];
        const isAllowed = allowed.some(([a, f]) => a === action && f === state);
        const plan = planTransition(action, state, party);
        if (isAllowed) expect(plan.ok).toBe(true);
        else {
          expect(plan).toEqual({ ok: false, error: 'wrong_state', allowedFrom: TRANSITIONS[action].from });
          refused++;
        }
      }
    }
    expect(refused).toBe(7 * 8 - 8); // 8 (action, from) pairs are allowed
  });

  it('refuses parties the table does not name', () => {
    expect(planTransition('approve', 'pending', 'owner')).toEqual({ ok: false, error: 'not_allowed_party' });
    expect(planTransition('check_in', 'approved', 'owner')).toEqual({ ok: false, error: 'not_allowed_party' });
    expect(planTransition('expire', 'pending', 'operator')).toEqual({ ok: false, error: 'not_allowed_party' });
    expect(planTransition('reject', 'pending', 'job')).toEqual({ ok: false, error: 'not_allowed_party' });
  });
});
