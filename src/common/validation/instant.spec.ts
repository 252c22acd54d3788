import { parseInstant } from './instant';

const iso = (text: string) => parseInstant(text)?.toISOString() ?? null;

describe('parseInstant (strict ISO 8601 with an offset)', () => {
  it('reads the accepted forms', () => {
    expect(iso('2030-01-08T09:00:00+08:00')).toBe('2030-01-08T01:00:00.000Z');
    expect(iso('2030-01-08T09:00+08:00')).toBe('2030-01-08T01:00:00.000Z');
    expect(iso('2030-01-08T01:00:00Z')).toBe('2030-01-08T01:00:00.000Z');
    expect(iso('2030-01-08T01:00:00.5Z')).toBe('2030-01-08T01:00:00.500Z');
    expect(iso('2030-01-08T01:00:00.123456789Z')).toBe('2030-01-08T01:00:00.123Z');
    expect(iso('2030-01-08T09:00:00-05:30')).toBe('2030-01-08T14:30:00.000Z');
    expect(iso('2030-01-08T09:00:00+05:45')).toBe('2030-01-08T03:15:00.000Z');
    expect(iso('2030-12-31T23:59:59+00:00')).toBe('2030-12-31T23:59:59.000Z');
  });

  it('checks the calendar: leap years and month lengths', () => {
    expect(iso('2027-02-29T08:00:00+08:00')).toBeNull(); // 2027 is not a leap year (was 2027-03-01)
    expect(iso('2028-02-29T08:00:00+08:00')).toBe('2028-02-29T00:00:00.000Z');
    expect(iso('2100-02-29T08:00:00Z')).toBeNull(); // divisible by 100, not by 400
    expect(iso('2000-02-29T08:00:00Z')).toBe('2000-02-29T08:00:00.000Z');
    expect(iso('2030-04-31T08:00:00Z')).toBeNull();
    expect(iso('2030-06-31T08:00:00Z')).toBeNull();
    expect(iso('2030-01-32T08:00:00Z')).toBeNull();
    expect(iso('2030-01-00T08:00:00Z')).toBeNull();
    expect(iso('2030-13-01T08:00:00Z')).toBeNull();
    expect(iso('2030-00-01T08:00:00Z')).toBeNull();
    expect(iso('0000-01-01T00:00:00Z')).toBeNull();
    expect(iso('0099-01-01T00:00:00Z')).toBe('0099-01-01T00:00:00.000Z'); // not shifted to 1999
  });

  it('checks the clock: hours 00–23 (no 24:00), minutes and seconds 00–59 (no leap second)', () => {
    expect(iso('2030-01-08T24:00:00+08:00')).toBeNull();
    expect(iso('2030-01-08T23:60:00+08:00')).toBeNull();
    expect(iso('2030-01-08T23:59:60+08:00')).toBeNull();
    expect(iso('2030-01-08T25:00+08:00')).toBeNull();
    expect(iso('2030-01-08T00:00:00+08:00')).toBe('2030-01-07T16:00:00.000Z');
  });

  it('checks the offset: required, ±HH:MM from −12:00 to +14:00, no −00:00', () => {
    expect(iso('2030-01-08T09:00:00')).toBeNull();
    expect(iso('2030-01-08T09:00:00+0800')).toBeNull();
    expect(iso('2030-01-08T09:00:00+08')).toBeNull();
    expect(iso('2030-01-08T09:00:00+08:60')).toBeNull();
    expect(iso('2030-01-08T09:00:00+14:01')).toBeNull();
    expect(iso('2030-01-08T09:00:00+14:00')).toBe('2030-01-07T19:00:00.000Z');
    expect(iso('2030-01-08T09:00:00-12:00')).toBe('2030-01-08T21:00:00.000Z');
    expect(iso('2030-01-08T09:00:00-12:01')).toBeNull();
    expect(iso('2030-01-08T09:00:00+99:00')).toBeNull();
    expect(iso('2030-01-08T09:00:00-00:00')).toBeNull();
    expect(iso('2030-01-08T09:00:00+00:00')).toBe('2030-01-08T09:00:00.000Z');
  });

  it('refuses everything else', () => {
    for (const text of [
      '',
      'now',
      'yesterday',
      '2030-01-08',
      '2030-01-08 09:00:00+08:00',
      '2030-01-08t09:00:00z',
      '2030-1-8T09:00:00Z',
      '20300108T090000Z',
      '2030-W02-2T09:00:00Z',
      '2030-008T09:00:00Z',
      '+2030-01-08T09:00:00Z',
      '2030-01-08T09:00:00.Z',
      '2030-01-08T09:00:00.1234567890Z',
      '2030-01-08T9:00:00Z',
      ' 2030-01-08T09:00:00Z',
      '2030-01-08T09:00:00Z ',
      '1767225600000',
    ]) {
      expect([text, iso(text)]).toEqual([text, null]);
    }
    expect(parseInstant(1767225600000)).toBeNull();
    expect(parseInstant(undefined)).toBeNull();
    expect(parseInstant(['2030-01-08T09:00:00Z'])).toBeNull();
  });
});
