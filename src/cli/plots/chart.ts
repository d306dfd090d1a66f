import type { TopLevelSpec } from 'vega-lite';

/**
 * One chart a bench suite draws: `name` becomes part of its file name
 * (`<suite>-<name>.svg`), `spec` is a Vega-Lite spec with its data inline
 * (built by latencyCdf, ratioBars or tableBars from plain data).
 */
export interface Chart {
  readonly name: string;
  readonly spec: TopLevelSpec;
}

/** The look every chart shares: Helvetica-like text (what textWidth.ts measures), a white background (an SVG embedded in a dark page stays legible). */
export const chartConfig = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start' as const, subtitleFontSize: 11, subtitleColor: '#555' },
};
