import { decimal } from '../decimal.js';

/** A table cell as text: numbers rounded as in every summary (`decimal`), a missing figure as `-`. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return decimal(value);
  return String(value);
}

/** A header and rows of cells as lines of left-aligned columns, two spaces apart. */
export function alignedColumns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (cells: readonly string[]) => cells.map((text, column) => text.padEnd(widths[column])).join('  ');
  return [format(header), ...rows.map(format)];
}
