// Numeric query parameters (`startIndex`, `count`) are decimal integers only (RFC 7644 §3.4.2.4
// defines them as integers; issue #18): `Number()` would also read "0x10" as 16, "1e3" as 1000,
// " 5" as 5 and "" as 0. A JSON number (a .search body) is taken as it is.
const DECIMAL = /^[+-]?\d+$/;

/** The value as a number, or NaN when it is text that is not a decimal integer. */
export function decimalInteger(raw: string | number): number {
  if (typeof raw === 'number') return raw;
  return DECIMAL.test(raw) ? Number(raw) : Number.NaN;
}
