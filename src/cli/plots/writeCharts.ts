import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chart } from './chart.js';
import { renderSvg } from './renderSvg.js';

/** A chart's file name: `<prefix>-<name>.svg`, with anything but letters, digits, '-', '_' and '.' made '-'. */
export function chartFileName(prefix: string, name: string): string {
  return `${prefix}-${name}`.replace(/[^A-Za-z0-9._-]+/g, '-') + '.svg';
}

/** Renders each chart and writes it into `directory` (created if missing); returns the paths written, in order. */
export async function writeCharts(directory: string, prefix: string, charts: readonly Chart[]): Promise<string[]> {
  mkdirSync(directory, { recursive: true });
  const paths: string[] = [];
  for (const chart of charts) {
    const path = join(directory, chartFileName(prefix, chart.name));
    writeFileSync(path, await renderSvg(chart.spec));
    paths.push(path);
  }
  return paths;
}
