import { minutesOfDay, openingHoursErrors, sortIntervals } from './opening-hours';

const i = (weekday: number, opens: string, closes: string) => ({ weekday, opens, closes });

describe('opening hours validation', () => {
  it('accepts a schedule with lunch breaks, touching intervals and a window across midnight', () => {
    expect(
      openingHoursErrors([
        i(1, '08:30', '12:00'),
        i(1, '13:30', '17:30'),
        i(5, '08:00', '20:00'),
        i(5, '20:00', '24:00'),
        i(6, '00:00', '08:00'),
        i(7, '00:00', '24:00'),
      ]),
    ).toEqual([]);
    expect(openingHoursErrors([])).toEqual([]);
  });

  it('names the later of two overlapping intervals and the one it overlaps', () => {
    expect(openingHoursErrors([i(2, '11:00', '14:00'), i(3, '08:00', '12:00'), i(2, '08:00', '12:00')])).toEqual([
      { field: 'intervals[2]', message: 'intervals[2] (Tue 08:00–12:00) overlaps intervals[0] (Tue 11:00–14:00)' },
    ]);
  });

  it('finds an overlap hidden behind a shorter interval (a long interval covering two)', () => {
    const errors = openingHoursErrors([i(1, '08:00', '18:00'), i(1, '09:00', '10:00'), i(1, '12:00', '13:00')]);
    expect(errors.map((e) => e.field)).toEqual(['intervals[1]', 'intervals[2]']);
  });

  it('reports duplicates once', () => {
    expect(openingHoursErrors([i(4, '09:00', '10:00'), i(4, '09:00', '10:00')]).map((e) => e.field)).toEqual(['intervals[1]']);
  });

  it('does not mix weekdays', () => {
    expect(openingHoursErrors([i(1, '08:00', '18:00'), i(2, '08:00', '18:00')])).toEqual([]);
  });

  it.each([
    ['intervals[0].closes', i(1, '17:00', '08:00')],
    ['intervals[0].closes', i(1, '08:00', '08:00')],
    ['intervals[0].closes', i(1, '08:00', '24:01')],
    ['intervals[0].closes', i(1, '08:00', '12:60')],
    ['intervals[0].opens', i(1, '24:00', '24:00')],
    ['intervals[0].opens', i(1, '8:00', '12:00')],
    ['intervals[0].weekday', i(0, '08:00', '12:00')],
    ['intervals[0].weekday', i(8, '08:00', '12:00')],
    ['intervals[0].weekday', i(1.5, '08:00', '12:00')],
  ])('refuses %s in %j', (field, interval) => {
    expect(openingHoursErrors([interval]).map((e) => e.field)).toEqual([field]);
  });

  it('uses the given field name as prefix', () => {
    expect(openingHoursErrors([i(1, '09:00', '08:00')], 'openingHours')[0].field).toBe('openingHours[0].closes');
  });

  it('sorts by weekday and opening time, and converts times to minutes', () => {
    expect(sortIntervals([i(2, '09:00', '10:00'), i(1, '13:00', '14:00'), i(1, '08:00', '09:00')])).toEqual([
      i(1, '08:00', '09:00'),
      i(1, '13:00', '14:00'),
      i(2, '09:00', '10:00'),
    ]);
    expect(minutesOfDay('24:00')).toBe(1440);
    expect(minutesOfDay('07:30')).toBe(450);
    expect(minutesOfDay('24:30')).toBeNaN();
  });
});
