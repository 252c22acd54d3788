import { isCalendarDate } from './chain.dto';

describe('isCalendarDate', () => {
  it('takes dates that exist, as YYYY-MM-DD', () => {
    for (const d of ['2030-01-08', '2028-02-29', '2000-02-29', '1900-01-01', '9999-12-31']) expect(isCalendarDate(d)).toBe(true);
  });
  it('refuses dates that do not exist, other forms and other types', () => {
    for (const d of [
      '2027-02-29',
      '1900-02-29',
      '2030-02-30',
      '2030-04-31',
      '2030-13-01',
      '2030-00-10',
      '2030-01-00',
      '1899-12-31',
      '2030-1-8',
      '20300108',
      '2030-01-08T00:00:00Z',
      ' 2030-01-08',
      '2030-01-08 ',
      '',
      20300108,
      null,
      undefined,
      new Date(),
    ]) {
      expect(isCalendarDate(d)).toBe(false);
    }
  });
});
