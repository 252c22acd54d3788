/**
 * Price of a booking in integer fen: price per unit-hour × units × hours, less the SME discount. Internal use
 * (the facility's operator booking its own resource) is never priced: 0, list price 0, no discount.
 */
export interface BookingPrice {
  /** What is charged, in fen. */
  fen: number;
  /** Before the discount, in fen. */
  listFen: number;
  /** The SME discount applied (0 when the organisation is not an SME). */
  discountPercent: number;
  /** Unit-hours booked (units × hours). */
  unitHours: number;
}

/** Rounds half up; all arithmetic in BigInt so large pools and long bookings stay exact. */
function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

export function priceBooking(input: {
  pricePerUnitHourFen: number;
  units: number;
  durationMinutes: number;
  smeDiscountPercent: number;
  isSme: boolean;
  internal?: boolean;
}): BookingPrice {
  const { pricePerUnitHourFen, units, durationMinutes } = input;
  if (![pricePerUnitHourFen, units, durationMinutes, input.smeDiscountPercent].every((n) => Number.isInteger(n) && n >= 0)) {
    throw new RangeError('priceBooking takes non-negative integers');
  }
  if (input.internal) return { fen: 0, listFen: 0, discountPercent: 0, unitHours: (units * durationMinutes) / 60 };
  const discountPercent = input.isSme ? input.smeDiscountPercent : 0;
  const base = BigInt(pricePerUnitHourFen) * BigInt(units) * BigInt(durationMinutes); // fen × minutes
  const listFen = divRoundHalfUp(base, 60n);
  const fen = divRoundHalfUp(base * BigInt(100 - discountPercent), 6000n);
  return { fen: Number(fen), listFen: Number(listFen), discountPercent, unitHours: (units * durationMinutes) / 60 };
}
