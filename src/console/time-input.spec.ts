import { isoToLocalInput, localInputToIso } from './time-input';

describe('datetime-local values in a facility time zone', () => {
  it('reads wall time in the zone and writes it back', () => {
    expect(localInputToIso('2026-12-07T09:00', 'Asia/Shanghai')).toBe('2026-12-07T09:00:00+08:00');
    expect(isoToLocalInput('2026-12-07T01:00:00Z', 'Asia/Shanghai')).toBe('2026-12-07T09:00');
    expect(localInputToIso('2026-07-01T12:30', 'Europe/Berlin')).toBe('2026-07-01T12:30:00+02:00');
  });

  it('leaves what is not a datetime-local value to the DTO', () => {
    expect(localInputToIso('tomorrow', 'Asia/Shanghai')).toBe('tomorrow');
    expect(localInputToIso(undefined, 'Asia/Shanghai')).toBeUndefined();
  });
});
