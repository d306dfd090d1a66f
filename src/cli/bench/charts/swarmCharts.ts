import { latencyCdf, ratioBars, type Chart } from '../../plots/index.js';
import type { BenchRow } from '../swarmRows.js';

/**
 * `mnm bench swarm`: per backend, the CDF of each algorithm's operations in
 * the uncontended case (raw, the unreplicated store, among them), and every
 * row's p50 as a multiple of raw's in the same case and workload.
 */
export function swarmCharts(result: Record<string, unknown>): Chart[] {
  const rows = (result.rows as BenchRow[]).filter((row) => row.ok);
  const backends = [...new Set(rows.map((row) => row.backend))];
  const unit = (backend: string) => (backend === 'sim' ? 'virtual µs, rdma model' : 'µs');
  return backends.flatMap((backend) => {
    const mine = rows.filter((row) => row.backend === backend);
    const uncontended = mine.filter((row) => row.case === 'uncontended' && row.percentilesUs !== undefined);
    return [
      {
        name: `cdf-${backend}`,
        spec: latencyCdf({
          title: `SWARM registers on ${backend}, uncontended`,
          subtitle: `${String(result.clients)} clients, 3 memories (raw: 1)`,
          unit: unit(backend),
          seriesTitle: 'algorithm, operation',
          series: uncontended.map((row) => ({ name: `${row.algorithm} ${row.op}`, percentiles: row.percentilesUs })),
        }),
      },
      {
        name: `vs-raw-${backend}`,
        spec: ratioBars({
          title: `SWARM registers on ${backend}: p50 against the unreplicated store`,
          subtitle: 'raw in the same case (contention rows: raw under contention) and workload, same operation kind',
          baseline: 'raw p50',
          groupTitle: 'case',
          bars: mine.filter((row) => row.algorithm !== 'raw').map((row) => ({ name: `${row.algorithm} ${row.op}, ${row.case}`, ratio: row.p50VsRaw, group: row.case })),
        }),
      },
    ];
  });
}
