import { hasAtMostDecimals } from './decimal-number';

describe('hasAtMostDecimals', () => {
  it('accepts finite numbers with up to the given decimals', () => {
    for (const v of [0, 1, -3, 12.5, 1.2345, 9_999_999_999.9999, 1e21]) expect([v, hasAtMostDecimals(v, 4)]).toEqual([v, true]);
  });
  it('refuses more decimals, exponent-notation fractions, non-numbers and non-finite values without throwing', () => {
    for (const v of [1.23456, 2e-323, 1e-7, 0.1 + 0.2, NaN, Infinity, -Infinity, '1.5', null, undefined, {}])
      expect([v, hasAtMostDecimals(v, 4)]).toEqual([v, false]);
  });
});
