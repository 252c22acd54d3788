import { priceBooking } from './booking-pricing';

describe('priceBooking', () => {
  it('multiplies price per unit-hour by units and hours', () => {
    expect(priceBooking({ pricePerUnitHourFen: 1200, units: 8, durationMinutes: 180, smeDiscountPercent: 30, isSme: false })).toEqual({
      fen: 28_800,
      listFen: 28_800,
      discountPercent: 0,
      unitHours: 24,
    });
  });

  it('never prices internal use (an operator booking its own resource)', () => {
    expect(priceBooking({ pricePerUnitHourFen: 50_000, units: 1, durationMinutes: 240, smeDiscountPercent: 20, isSme: true, internal: true })).toEqual({
      fen: 0,
      listFen: 0,
      discountPercent: 0,
      unitHours: 4,
    });
    expect(priceBooking({ pricePerUnitHourFen: 50_000, units: 1, durationMinutes: 240, smeDiscountPercent: 0, isSme: false, internal: false }).fen).toBe(
      200_000,
    );
  });

  it('applies the SME discount only to SMEs', () => {
    const p = priceBooking({ pricePerUnitHourFen: 50_000, units: 1, durationMinutes: 240, smeDiscountPercent: 20, isSme: true });
    expect(p).toEqual({ fen: 160_000, listFen: 200_000, discountPercent: 20, unitHours: 4 });
  });

  it('prices partial hours and rounds half up to the fen', () => {
    // 7 fen/h × 1 × 90 min = 10.5 fen → 11; with 50 % discount 5.25 → 5
    expect(priceBooking({ pricePerUnitHourFen: 7, units: 1, durationMinutes: 90, smeDiscountPercent: 50, isSme: true })).toEqual({
      fen: 5,
      listFen: 11,
      discountPercent: 50,
      unitHours: 1.5,
    });
    // 1 fen/h × 1 × 30 min = 0.5 → 1
    expect(priceBooking({ pricePerUnitHourFen: 1, units: 1, durationMinutes: 30, smeDiscountPercent: 0, isSme: false }).fen).toBe(1);
  });

  it('stays exact for large pools and long bookings', () => {
    // 20,000 cores × 30 days × 9 fen
    const p = priceBooking({ pricePerUnitHourFen: 9, units: 20_000, durationMinutes: 30 * 24 * 60, smeDiscountPercent: 15, isSme: true });
    expect(p.listFen).toBe(129_600_000);
    expect(p.fen).toBe(110_160_000);
  });

  it('is free at price 0 and at 100 % discount', () => {
    expect(priceBooking({ pricePerUnitHourFen: 0, units: 3, durationMinutes: 60, smeDiscountPercent: 0, isSme: true }).fen).toBe(0);
    expect(priceBooking({ pricePerUnitHourFen: 900, units: 3, durationMinutes: 60, smeDiscountPercent: 100, isSme: true }).fen).toBe(0);
  });

  it('refuses fractions and negatives', () => {
    expect(() => priceBooking({ pricePerUnitHourFen: 1.5, units: 1, durationMinutes: 60, smeDiscountPercent: 0, isSme: false })).toThrow(RangeError);
    expect(() => priceBooking({ pricePerUnitHourFen: 1, units: -1, durationMinutes: 60, smeDiscountPercent: 0, isSme: false })).toThrow(RangeError);
  });
});
