import { decimal } from '../decimal.js';

/** A table cell as text: numbers rounded as in every summary (`decimal`), a missing figure as `-`. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return decimal(value);
  return String(value);
}
