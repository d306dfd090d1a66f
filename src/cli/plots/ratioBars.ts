import type { TopLevelSpec } from 'vega-lite';
import { chartConfig } from './chart.js';

/** One bar: a figure as a multiple of the baseline (null: not measured, left out). */
export interface RatioBar {
  readonly name: string;
  readonly ratio: number | null;
  /** Bars of one group share a colour (e.g. a backend). */
  readonly group?: string;
}

export interface RatioBarsOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** What the ratios are multiples of, measured in the same run (the axis says `× <baseline>`). */
  readonly baseline: string;
  readonly bars: readonly RatioBar[];
  /** The groups' legend title (default 'group'). */
  readonly groupTitle?: string;
}

/**
 * Ratios against the in-run baseline as horizontal bars, each labelled with
 * its value, and a rule at 1 (the baseline itself), so "above 1" reads as
 * "costs more than the baseline" at a glance. Bars keep the order given.
 */
export function ratioBars(options: RatioBarsOptions): TopLevelSpec {
  const values = options.bars.filter((bar) => bar.ratio !== null && Number.isFinite(bar.ratio)).map((bar) => ({ name: bar.name, ratio: bar.ratio as number, group: bar.group ?? '' }));
  const grouped = values.some((bar) => bar.group !== '');
  const order = values.map((bar) => bar.name);
  const y = { field: 'name', type: 'nominal' as const, title: null, sort: order, axis: { labelLimit: 360 } };
  const x = { field: 'ratio', type: 'quantitative' as const, title: `× ${options.baseline} (same run)` };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.subtitle ? { text: options.title, subtitle: options.subtitle } : options.title,
    width: 440,
    height: { step: 20 },
    config: chartConfig,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: { y, x, ...(grouped ? { color: { field: 'group', type: 'nominal', title: options.groupTitle ?? 'group' } } : {}) },
      },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { y, x, text: { field: 'ratio', type: 'quantitative', format: '.3~g' } } },
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', color: '#c00', strokeDash: [4, 3] }, encoding: { x: { field: 'one', type: 'quantitative' } } },
    ],
  };
}
