import { BOOKING_STATES, BookingAction, BookingParty, HOLDING_STATES, holdsSlot, planTransition, timingRefusal, TRANSITIONS } from './booking-transitions';

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

describe('held states', () => {
  it('are pending, approved and in_use, all of them states', () => {
    expect([...HOLDING_STATES]).toEqual(['pending', 'approved', 'in_use']);
    expect(BOOKING_STATES.filter(holdsSlot)).toEqual(['pending', 'approved', 'in_use']);
  });
});

describe('time rules of the life cycle (timingRefusal)', () => {
  const startsAt = new Date('2030-01-09T01:00:00Z'); // 09:00 Shanghai
  const endsAt = new Date('2030-01-09T03:00:00Z');
  const window = { startsAt, endsAt };
  const settings = { checkInEarlyMinutes: 30 };
  const at = (iso: string) => new Date(iso);
  const code = (action: BookingAction, party: BookingParty, now: string, s = settings) => timingRefusal(action, party, window, at(now), s)?.code ?? null;

  it('opens check-in CHECK_IN_EARLY_MINUTES before the start and closes it at the end', () => {
    expect(code('check_in', 'operator', '2030-01-07T01:00:00Z')).toBe('too_early_to_check_in'); // two days ahead
    expect(code('check_in', 'operator', '2030-01-09T00:29:59.999Z')).toBe('too_early_to_check_in');
    expect(code('check_in', 'operator', '2030-01-09T00:30:00Z')).toBeNull();
    expect(code('check_in', 'operator', '2030-01-09T01:00:00Z')).toBeNull();
    expect(code('check_in', 'operator', '2030-01-09T02:59:59.999Z')).toBeNull();
    expect(code('check_in', 'operator', '2030-01-09T03:00:00Z')).toBe('booking_over');
    expect(code('check_in', 'operator', '2030-01-09T00:59:59Z', { checkInEarlyMinutes: 0 })).toBe('too_early_to_check_in');
    expect(code('check_in', 'operator', '2030-01-09T01:00:00Z', { checkInEarlyMinutes: 0 })).toBeNull();
    expect(timingRefusal('check_in', 'operator', window, at('2030-01-09T00:00:00Z'), settings)?.details).toEqual({
      checkInOpensAt: '2030-01-09T00:30:00.000Z',
      startsAt: '2030-01-09T01:00:00.000Z',
    });
  });

  it('allows check-out only once the booking has started (early check-in does not make it start)', () => {
    expect(code('check_out', 'operator', '2030-01-07T01:00:00.100Z')).toBe('not_started');
    expect(code('check_out', 'operator', '2030-01-09T00:45:00Z')).toBe('not_started');
    expect(code('check_out', 'operator', '2030-01-09T01:00:00Z')).toBeNull();
    expect(code('check_out', 'operator', '2030-01-09T05:00:00Z')).toBeNull(); // late check-out is fine
  });

  it('lets the owner cancel only before the start; the operator and the jobs any time', () => {
    expect(code('cancel', 'owner', '2030-01-09T00:59:59Z')).toBeNull();
    expect(code('cancel', 'owner', '2030-01-09T01:00:00Z')).toBe('booking_started');
    expect(code('cancel', 'operator', '2030-01-09T02:00:00Z')).toBeNull();
    for (const action of ['approve', 'reject', 'expire', 'mark_no_show'] as BookingAction[]) {
      expect(code(action, TRANSITIONS[action].by[0], '2030-01-10T00:00:00Z')).toBeNull();
    }
  });
});
