import { Prng, drawFaults, latencyModel, parseCrashes, parsePauses, type Fault } from '../sim/index.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/** The faults of a run: drawn from its profile by seed, plus the explicit ones. */
export function faultsOf(options: ResolvedOptions, scenario: Scenario): Fault[] {
  const world = { processCount: options.n, memoryCount: options.memories };
  const latency = latencyModel(options.latency);
  const window = scenario.faultWindow?.(options) ?? Math.min(options.horizon / 2, options.ops * 8 * latency.mean);
  const outageMax = scenario.outageMax?.(options);
  // Long pauses outlast every timeout of the protocol: four times the longest ordinary outage.
  const longOutage = 4 * (outageMax ?? window / 3);
  const drawn = drawFaults(options.faults, scenario.tolerance(options), { ...world, window, longOutage, ...(outageMax !== undefined ? { outageMax } : {}) }, new Prng(options.seed, 'faults'));
  return [...drawn, ...parseCrashes(options.crash ?? '', world), ...parsePauses(options.pause ?? '', world)].sort((a, b) => a.at - b.at);
}
