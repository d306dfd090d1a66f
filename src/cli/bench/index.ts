import type { BenchSuite } from './suite.js';
import { simBench } from './sim.js';
import { checkBench } from './check.js';
import { broadcastBench } from './broadcast.js';
import { backendsBench } from './backends.js';
import { sweepWorkersBench } from './sweepWorkers.js';
import { longRunsBench } from './longRuns.js';
import { muBench } from './mu.js';
import { swarmBench } from './swarm.js';
import { peersBench } from './peers.js';
import { tablesBench } from './tables.js';
import { bftBench } from './bft.js';

/** Every benchmark suite, in the order `mnm bench all` runs them. */
export const suites: readonly BenchSuite[] = [simBench, checkBench, broadcastBench, backendsBench, sweepWorkersBench, longRunsBench, muBench, swarmBench, peersBench, tablesBench, bftBench];
