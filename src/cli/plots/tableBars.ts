import type { TopLevelSpec } from 'vega-lite';
import { chartConfig } from './chart.js';

export interface TableBarsOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** The table's rows, as `--json` prints them. */
  readonly rows: readonly Record<string, unknown>[];
  /** The x axis: a field, or a function that names a row's bar (e.g. algorithm + case). */
  readonly category: string | ((row: Record<string, unknown>) => string);
  /** The x axis's title (default: the category field's name; null: none). */
  readonly categoryTitle?: string | null;
  /** The measured field(s): one, or several drawn side by side (one colour each). */
  readonly values: readonly string[];
  readonly valueTitle: string;
  /** With one value: a field whose values sit side by side in colour (e.g. f). */
  readonly series?: string;
  readonly seriesTitle?: string;
  /** A field to split the chart into columns (e.g. f, when several values are drawn). */
  readonly facet?: string;
  readonly facetTitle?: string;
}

/** Pixels per bar (with xOffset, Vega-Lite's width step is one bar, not one group). */
const barWidth = 16;

/** The rows as long data: one point per (row, measured field) with a number in it. */
export function tableBarsData(options: Pick<TableBarsOptions, 'rows' | 'category' | 'values' | 'series' | 'facet'>): { category: string; measure: string; value: number; series: string; facet: string }[] {
  const name = typeof options.category === 'string' ? (row: Record<string, unknown>) => String(row[options.category as string]) : options.category;
  return options.rows.flatMap((row) =>
    options.values
      .filter((field) => typeof row[field] === 'number' && Number.isFinite(row[field]))
      .map((field) => ({
        category: name(row),
        measure: field,
        value: row[field] as number,
        series: options.series ? String(row[options.series]) : field,
        facet: options.facet ? String(row[options.facet]) : '',
      })),
  );
}

/**
 * A table of measured rows as grouped vertical bars: one group per
 * category (in the rows' order), one bar per series or per measured field,
 * each labelled with its value, optionally one column per facet value.
 */
export function tableBars(options: TableBarsOptions): TopLevelSpec {
  if (options.values.length === 0) throw new RangeError('tableBars: no value field');
  if (options.values.length > 1 && options.series) throw new RangeError('tableBars: several values are told apart by colour already; split by facet instead of series');
  const values = tableBarsData(options);
  const order = [...new Set(values.map((point) => point.category))];
  const colourTitle = options.series ? (options.seriesTitle ?? options.series) : 'measure';
  const x = { field: 'category', type: 'nominal' as const, title: options.categoryTitle ?? (typeof options.category === 'string' ? options.category : null), sort: order, axis: { labelAngle: -30, labelLimit: 200 } };
  const y = { field: 'value', type: 'quantitative' as const, title: options.valueTitle };
  const xOffset = { field: 'series', type: 'nominal' as const };
  const layers = {
    layer: [
      { mark: { type: 'bar' as const, tooltip: true }, encoding: { x, y, xOffset, color: { field: 'series', type: 'nominal' as const, title: colourTitle } } },
      { mark: { type: 'text' as const, dy: -4, fontSize: 9, baseline: 'bottom' as const }, encoding: { x, y, xOffset, text: { field: 'value', type: 'quantitative' as const, format: '.3~g' } } },
    ],
  };
  const head = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.subtitle ? { text: options.title, subtitle: options.subtitle } : options.title,
    config: chartConfig,
    data: { values },
  };
  if (!options.facet) return { ...head, width: { step: barWidth }, height: 240, ...layers } as TopLevelSpec;
  return {
    ...head,
    facet: { column: { field: 'facet', type: 'nominal', title: options.facetTitle ?? options.facet } },
    spec: { width: { step: barWidth }, height: 220, ...layers },
  } as TopLevelSpec;
}
