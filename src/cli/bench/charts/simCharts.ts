import { ratioBars, type Chart } from '../../plots/index.js';

/** `mnm bench sim`: the simulator's speed with the trace kept, and under rdma, as multiples of its speed with the trace off (unit latency). */
export function simCharts(result: Record<string, unknown>): Chart[] {
  const ratios = result.ratios as Record<string, number>;
  return [
    {
      name: 'speed',
      spec: ratioBars({
        title: 'Simulator speed (verbs/s) against the trace-off run',
        subtitle: `${String(result.verbsPerRun)} verbs per run, 4 processes, one memory`,
        baseline: 'unit latency, trace off',
        bars: [
          { name: 'unit latency, trace hashed', ratio: ratios.traceHashVsOff },
          { name: 'unit latency, trace kept in full', ratio: ratios.traceFullVsOff },
          { name: 'rdma latency, trace off', ratio: ratios.rdmaVsUnit },
        ],
      }),
    },
  ];
}
