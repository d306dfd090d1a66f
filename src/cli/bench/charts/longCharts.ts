import { ratioBars, tableBars, type Chart } from '../../plots/index.js';

interface Series {
  readonly sizes: { operations: number; cpuMicrosecondsPerOperation: number }[];
  readonly ratio: number;
}

const what: Record<string, string> = { run: 'mnm run register', checkRegister: 'mnm check register', checkKv: 'mnm check kv' };

/** `mnm bench long`: CPU time per operation at each size, and the largest size's as a multiple of the smallest's. */
export function longCharts(result: Record<string, unknown>): Chart[] {
  const rows = Object.keys(what).flatMap((key) => (result[key] as Series).sizes.map((size) => ({ command: what[key], operations: size.operations.toLocaleString('en-US'), cpuMicrosecondsPerOperation: size.cpuMicrosecondsPerOperation })));
  return [
    {
      name: 'cost-per-operation',
      spec: tableBars({ title: 'Long runs: CPU time per operation', rows, category: 'command', categoryTitle: null, values: ['cpuMicrosecondsPerOperation'], valueTitle: 'CPU µs per operation', series: 'operations', seriesTitle: 'operations' }),
    },
    {
      name: 'ratios',
      spec: ratioBars({
        title: 'Long runs: cost per operation at the largest size',
        baseline: 'the cost per operation at the smallest size',
        bars: Object.keys(what).map((key) => ({ name: what[key], ratio: (result[key] as Series).ratio })),
      }),
    },
  ];
}
