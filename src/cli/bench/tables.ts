import { broadcastTable } from '../tables/broadcast.js';
import { consensusTable } from '../tables/consensus.js';
import { bftPlans, bftTable, measureBftRows } from '../tables/bft.js';
import { tablesCharts } from './charts/tablesCharts.js';
import type { BenchSuite } from './suite.js';

/**
 * The lecture's consensus and broadcast tables (`mnm table consensus|broadcast`),
 * measured from simulator runs as the tables are, so that `mnm bench all`
 * draws them as bar charts next to the timings. Counts (delays, verbs,
 * signatures) are exact in the simulator: nothing here is a wall-clock
 * figure, and each row still names the seed that reproduces it. The
 * in-run baseline of its ratios is Paxos (consensus) and the fast path
 * (broadcast).
 */
export const tablesBench: BenchSuite = {
  name: 'tables',
  summary: "the lecture's consensus, broadcast and bft tables from simulator runs (delays, work, signatures), drawn as bar charts",
  async run(options, io) {
    const consensus = await consensusTable.measure({ quiet: options.quiet }, io);
    const broadcast = await broadcastTable.measure({ quiet: options.quiet }, io);
    // The bft table (specs/bft-consensus.md §5); --quick keeps to f = 1 (an f = 2 view change costs a minute of simulation).
    const bft = { rows: await measureBftRows(bftPlans(options.quick ? [1] : [1, 2])) };
    return { consensus, broadcast, bft };
  },
  summarize(result) {
    const consensus = result.consensus as Parameters<typeof consensusTable.render>[0];
    const broadcast = result.broadcast as Parameters<typeof broadcastTable.render>[0];
    const bft = result.bft as Parameters<typeof bftTable.render>[0] | undefined;
    return [consensusTable.render(consensus).trimEnd(), '', broadcastTable.render(broadcast).trimEnd(), ...(bft ? ['', bftTable.render(bft).trimEnd()] : [])].join('\n');
  },
  charts: tablesCharts,
};
