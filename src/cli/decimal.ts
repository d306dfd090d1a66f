/**
 * A number as short text for the human summaries: integers as they are,
 * others rounded to three decimals (or, below 1, to three significant
 * digits), without trailing zeros. Floating-point sums such as
 * 12.030000000000001 or 2.0000000000000036 come out as 12.03 and 2; JSON
 * output keeps the exact values.
 */
export function decimal(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  const rounded = magnitude >= 1 ? Math.round(value * 1000) / 1000 : Number(value.toPrecision(3));
  // Rounding may reach a whole number (2.0000000000000036 → 2) or -0; both print plainly.
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
