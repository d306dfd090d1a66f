/**
 * Text width for laying out charts without a canvas. Vega measures text
 * with the `canvas` package when it is installed and otherwise guesses
 * 0.8 em per character, which makes every title, label and legend about
 * 50 % too wide (charts padded with empty space, labels cut short). This
 * is a better guess: Helvetica/Arial's advance widths (the metrics sans-serif
 * falls back to), in thousandths of an em, with a margin for wider
 * sans-serif faces such as DejaVu Sans, and bold a tenth wider.
 */
const widths: Record<string, number> = {};
function set(chars: string, width: number): void {
  for (const char of chars) widths[char] = width;
}
set(" !,./:;I[\\]fijlt|'", 278);
set('il', 222);
set('"', 355);
set('#$0123456789?_abdeghnopqu', 556);
set('%', 889);
set('&ABEKPSVXY', 667);
set("'", 191);
set('()-`r', 333);
set('*', 389);
set('+<=>~', 584);
set('@', 1015);
set('CDHNRUw', 722);
set('FTZ', 611);
set('GOQ', 778);
set('J', 500);
set('L', 556);
set('Mm', 833);
set('W', 944);
set('^', 469);
set('cksvxyz', 500);
set('{}', 334);
set('|', 260);

const otherWidth = 556;
const faceMargin = 1.15;
const boldFactor = 1.1;

/** The width in pixels of one line of `text` at `fontSize` pixels. */
export function sansTextWidth(text: string, fontSize: number, bold = false): number {
  let thousandths = 0;
  for (const char of text) thousandths += widths[char] ?? otherWidth;
  return (thousandths / 1000) * fontSize * faceMargin * (bold ? boldFactor : 1);
}

/** What Vega passes to its text-width hook: a text mark's item. */
interface TextItem {
  readonly text?: unknown;
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
  readonly limit?: number;
}

/** Vega's hook, in the shape `textMetrics.width(item, text)` is called (the text given or the item's own, the widest line). */
export function vegaTextWidth(item: TextItem, text?: unknown): number {
  const value = text ?? item.text;
  const lines = Array.isArray(value) ? value.map(String) : [value === undefined || value === null ? '' : String(value).trim()];
  const size = item.fontSize ?? 11;
  const bold = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600);
  return Math.max(0, ...lines.map((line) => sansTextWidth(line, size, bold)));
}
