import { latencyCdf, ratioBars, tableBars, type Chart } from '../../plots/index.js';
import type { PeerRatio, PeerRow } from '../peersFigures.js';

/**
 * `mnm bench peers`: per workload and client count, the latency CDF of every
 * system (mnm's KV stores on tcp, etcd, Redis); the calls per second of
 * every row as bars; and the ratios the issue asks for (Mu/etcd,
 * SWARM-KV/Redis, Mu/Multi-Paxos: p50 of a over b, measured in the same run).
 */
export function peersCharts(result: Record<string, unknown>): Chart[] {
  const rows = (result.rows as PeerRow[] | undefined) ?? [];
  const ratios = (result.ratios as PeerRatio[] | undefined) ?? [];
  const label = (row: Pick<PeerRow, 'system' | 'variant'>) => `${row.system}, ${row.variant}`;
  const cores = (result.machine as { cores?: number } | undefined)?.cores;
  const cases = [...new Map(rows.map((row) => [`${row.workload}/${row.clients}`, { workload: row.workload, clients: row.clients }])).values()];
  const charts: Chart[] = cases.map(({ workload, clients }) => ({
    name: `cdf-${workload.toLowerCase()}-${clients}`,
    spec: latencyCdf({
      title: `${workload}, ${clients} client${clients === 1 ? '' : 's'}: latency of every call`,
      subtitle: `64-byte values, zipfian keys, measured from a client process on loopback${cores ? `; ${cores} cores` : ''}`,
      seriesTitle: 'system',
      series: rows.filter((row) => row.workload === workload && row.clients === clients && row.percentilesUs.length > 1).map((row) => ({ name: label(row), percentiles: row.percentilesUs })),
    }),
  }));
  if (rows.length > 0) {
    charts.push({
      name: 'throughput',
      spec: tableBars({
        title: 'Calls per second (whole mix)',
        subtitle: 'one bar per client count; sequential: 1 client',
        rows: rows.map((row) => ({ ...row, system: label(row), case: `${row.workload}, ${row.clients} client${row.clients === 1 ? '' : 's'}` })),
        category: 'system',
        categoryTitle: null,
        values: ['perSecond'],
        valueTitle: 'calls per second',
        series: 'case',
        seriesTitle: 'workload, clients',
      }),
    });
  }
  if (ratios.length > 0) {
    charts.push({
      name: 'ratios',
      spec: ratioBars({
        title: 'mnm against the reference peers: p50 of a over b',
        subtitle: 'below 1: a is faster; measured in the same run',
        baseline: 'b',
        groupTitle: 'workload, clients',
        bars: ratios.map((entry) => ({ name: `${entry.name} (${entry.op}), ${entry.workload}, ${entry.clients}c`, ratio: entry.p50, group: `${entry.workload}, ${entry.clients}c` })),
      }),
    });
  }
  return charts;
}
