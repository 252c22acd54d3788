import { formatInZone, minutesBetween } from './time';

describe('formatInZone', () => {
  it('renders an instant in Asia/Shanghai with its offset', () => {
    expect(formatInZone(new Date('2026-12-01T00:00:00Z'), 'Asia/Shanghai')).toBe('2026-12-01T08:00:00+08:00');
  });
  it('crosses midnight into the next local day', () => {
    expect(formatInZone(new Date('2026-12-01T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-02T00:30:00+08:00');
  });
  it('handles UTC and zones with DST', () => {
    expect(formatInZone(new Date('2026-07-01T12:00:00Z'), 'UTC')).toBe('2026-07-01T12:00:00+00:00');
    expect(formatInZone(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T14:00:00+02:00');
    expect(formatInZone(new Date('2026-01-01T12:00:00Z'), 'Europe/Berlin')).toBe('2026-01-01T13:00:00+01:00');
  });
  it('counts minutes', () => {
    expect(minutesBetween(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T01:30:00Z'))).toBe(90);
  });
});
