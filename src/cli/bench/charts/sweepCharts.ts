import { ratioBars, type Chart } from '../../plots/index.js';

/** `mnm bench sweep`: seeds/s on 2 worker threads as a multiple of 1 worker (same seeds, same tally). */
export function sweepCharts(result: Record<string, unknown>): Chart[] {
  const one = result.oneWorker as { seeds: number };
  return [
    {
      name: 'speedup',
      spec: ratioBars({
        title: `Mixed ${String(result.protocol)} sweep: seeds per second`,
        subtitle: `${one.seeds} seeds, ${String(result.cores)} cores, load average ${String(result.loadAverage)}`,
        baseline: '1 worker (this thread)',
        bars: [{ name: '2 worker threads', ratio: result.speedup as number }],
      }),
    },
  ];
}
