/** Charts of bench results as SVG (docs/plots.md): spec builders from plain data, and the headless renderer. */
export type { Chart } from './chart.js';
export { percentiles } from './percentiles.js';
export { latencyCdf, type LatencySeries, type LatencyCdfOptions } from './latencyCdf.js';
export { ratioBars, type RatioBar, type RatioBarsOptions } from './ratioBars.js';
export { tableBars, type TableBarsOptions } from './tableBars.js';
export { renderSvg, ChartsUnavailable } from './renderSvg.js';
export { writeCharts, chartFileName } from './writeCharts.js';
