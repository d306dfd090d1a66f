import { forEachMemory, majority, type Fabric, type MemoryId, type ProcessId, type RegionSpec } from '../../fabric/index.js';
import { sequentialThenPipelined, type LatencyFigures } from './latencyFigures.js';

/**
 * The floor a decision is reported against: one slot write issued to every
 * memory in parallel, complete when a majority acknowledged — what a stable
 * leader's decision costs in Protected Memory Paxos once nothing else is in
 * the way. Measured by p0 inside its worker / OS process of a real backend,
 * on warm code, with the same quorum helper the protocols use (and no phase
 * timer: a timer per phase is protocol cost, not backend cost).
 *
 * - sequential: each majority write awaited before the next (p50/p99, rate);
 * - pipelined: `window` majority writes in flight (each to its own slot), the
 *   completion rate.
 */
export const floorSlotBytes = 64;
export const floorRegion = 'floor';

export interface FloorArgs {
  readonly count: number;
  readonly window: number;
}

export interface FloorFigures {
  readonly memories: number;
  readonly needed: number;
  readonly sequential: LatencyFigures;
  readonly window: number;
  readonly pipelinedPerSecond: number;
}

/** The floor's region: one slot per in-flight write, on every memory, open (no permission in the way). */
export function floorRegions(window: number): RegionSpec[] {
  return [{ name: floorRegion, size: floorSlotBytes * Math.max(1, window), policy: 'open' }];
}

export function floorBenchBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  if (process !== 0) return undefined;
  const { count, window } = args as FloorArgs;
  return async (fabric): Promise<FloorFigures> => {
    const memories: MemoryId[] = Array.from({ length: fabric.memoryCount }, (_, memory) => memory);
    const needed = majority(memories.length);
    const slot = new Uint8Array(floorSlotBytes).fill(7);
    const majorityWrite = (lane: number) => forEachMemory(memories, needed, (memory) => fabric.write({ memory, region: floorRegion, offset: lane * floorSlotBytes }, slot));
    const { sequential, pipelinedPerSecond } = await sequentialThenPipelined(majorityWrite, count, window);
    return { memories: memories.length, needed, sequential, window, pipelinedPerSecond };
  };
}
