import type { TopLevelSpec } from 'vega-lite';
import { chartConfig } from './chart.js';
import { percentiles } from './percentiles.js';

/** One line of a latency CDF: raw samples, or their 101 percentiles (percentiles.ts). */
export type LatencySeries = { readonly name: string; readonly samples: readonly number[] } | { readonly name: string; readonly percentiles: readonly number[] };

export interface LatencyCdfOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly series: readonly LatencySeries[];
  /** The unit of the samples, in the axis title (default µs). */
  readonly unit?: string;
  /** The series' legend title (default 'series'). */
  readonly seriesTitle?: string;
  /** What is counted, for the y axis (default 'operations'). */
  readonly counted?: string;
}

/** The points of one series: (latency, fraction of operations at or below it). */
export function cdfPoints(series: LatencySeries): { series: string; latency: number; fraction: number }[] {
  const values = 'samples' in series ? percentiles(series.samples) : series.percentiles;
  if (values.length < 2) throw new RangeError(`series '${series.name}': a CDF needs at least 2 percentiles`);
  return values.map((latency, index) => ({ series: series.name, latency, fraction: index / (values.length - 1) }));
}

/**
 * A log latency axis when the values span more than a decade and are all
 * positive (a log scale cannot place 0); linear otherwise, where a log
 * axis would only squeeze the lines together.
 */
export function wantsLogScale(latencies: readonly number[]): boolean {
  if (latencies.length === 0) return false;
  const low = Math.min(...latencies);
  const high = Math.max(...latencies);
  return low > 0 && high / low > 10;
}

/** A latency CDF: one step line per series, latency on x, the fraction of operations at or below it on y. */
export function latencyCdf(options: LatencyCdfOptions): TopLevelSpec {
  const values = options.series.flatMap(cdfPoints);
  const log = wantsLogScale(values.map((point) => point.latency));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.subtitle ? { text: options.title, subtitle: options.subtitle } : options.title,
    width: 520,
    height: 260,
    config: chartConfig,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'latency', type: 'quantitative', title: `latency (${options.unit ?? 'µs'}${log ? ', log scale' : ''})`, scale: log ? { type: 'log' } : { zero: true } },
      y: { field: 'fraction', type: 'quantitative', title: `fraction of ${options.counted ?? 'operations'}`, scale: { domain: [0, 1] }, axis: { format: '%' } },
      color: { field: 'series', type: 'nominal', title: options.seriesTitle ?? 'series', sort: options.series.map((series) => series.name) },
      tooltip: [{ field: 'series' }, { field: 'latency' }, { field: 'fraction', format: '.0%' }],
    },
  };
}
