/** The deterministic discrete-event backend of the fabric contract. */
export { Simulation, type SimulationConfig, type SimulationResult, type DynamicFault, type Preload } from './simulation.js';
export { latencyModel, latencyNames, unitLatency, rdmaLatency, lanLatency, uniformLatency, type LatencyModel } from './latency.js';
export { drawFaults, parseCrashes, parsePauses, withinTolerance, describeFault, faultProfiles, type Fault, type FaultProfile, type FaultWorld, type Tolerance } from './faults.js';
export { Prng } from './prng.js';
export { parseNotePauses, describeNotePause, type NotePause } from './notePauses.js';
export type { OrderedGrant } from './context.js';
export { parseHolds, validateHolds, describeHold, describePattern, verbKinds, type Hold, type EventPattern, type HappeningPattern, type EventLabel, type Happening } from './holds.js';
export { MemoryWatch, describeChange, type MemoryChange, type MemoryWatcher, type MemoryViolation, type WatchFinding, type ChangeKind } from './watch.js';
