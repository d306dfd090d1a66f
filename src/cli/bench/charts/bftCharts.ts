import { ratioBars, tableBars, type Chart } from '../../plots/index.js';

interface Run {
  readonly latency: { p50: number } | null;
}

/**
 * `mnm bench bft`: the call p50 of each protocol on the simulator (rdma,
 * signatures charged) as bars, and every ratio the suite reports against
 * its in-run baseline (the floor, Mu, PBFT, the fast path, one client).
 */
export function bftCharts(result: Record<string, unknown>): Chart[] {
  const sim = result.sim as Record<string, unknown> & { floor: Run; fast: Run; slow: Run; mu: Run; pbft: Run; windows: { window: number; overSequential: number | null }[] };
  const p50 = (run: Run) => run.latency?.p50 ?? 0;
  const bars: { name: string; ratio: number; group: string }[] = [];
  const add = (group: string, name: string, value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value)) bars.push({ name, ratio: value, group });
  };
  add('sim', 'sim: bft fast / verb round trip', sim.fastOverFloor);
  add('sim', 'sim: bft fast / Mu', sim.fastOverMu);
  add('sim', 'sim: bft fast / PBFT', sim.fastOverPbft);
  add('sim', 'sim: bft slow / fast', sim.slowOverFast);
  add('sim', 'sim: bft slow less Tslow / fast', sim.slowFromTriggerOverFast);
  for (const entry of sim.windows) add('sim', `sim: W = ${entry.window} throughput / one client`, entry.overSequential);
  for (const backend of ['shm', 'tcp'] as const) {
    const entry = result[backend] as Record<string, unknown> | undefined;
    if (!entry) continue;
    add(backend, `${backend}: bft / ${backend === 'shm' ? 'write verb' : 'ping-pong'}`, entry.bftOverFloor);
    add(backend, `${backend}: bft / Mu`, entry.bftOverMu);
    add(backend, `${backend}: bft / PBFT`, entry.bftOverPbft);
  }
  return [
    {
      name: 'calls',
      spec: tableBars({
        title: 'bft calls on the simulator (rdma, signatures charged)',
        subtitle: 'p50 invoke -> ok, one client, f = 1; slow path: a silent follower',
        rows: [
          { name: 'verb round trip (raw)', p50: p50(sim.floor) },
          { name: 'Mu (crash only)', p50: p50(sim.mu) },
          { name: 'PBFT (3f+1)', p50: p50(sim.pbft) },
          { name: 'bft fast path', p50: p50(sim.fast) },
          { name: 'bft slow path', p50: p50(sim.slow) },
        ],
        category: 'name',
        categoryTitle: null,
        values: ['p50'],
        valueTitle: 'latency (virtual µs)',
      }),
    },
    {
      name: 'ratios',
      spec: ratioBars({ title: 'bft against its baselines (p50, same run)', baseline: 'the baseline named in each bar', groupTitle: 'backend', bars }),
    },
  ];
}
