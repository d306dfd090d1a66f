import type { TraceEvent, TraceSink } from '../trace/format.js';
import type { HappeningListener } from './holdBook.js';
import type { LatencyModel } from './latency.js';
import type { SimMemory } from './memory.js';
import type { Prng } from './prng.js';
import type { SimProcess } from './process.js';
import type { MemoryWatch } from './watch.js';
import type { Scheduler } from './scheduler.js';

/**
 * The pieces of one simulated world that its parts share. Each part (verbs,
 * network, faults, process handles) owns its own behaviour; this only wires
 * them to the same clock, trace and random streams.
 */
export interface SimContext {
  readonly scheduler: Scheduler;
  readonly latency: LatencyModel;
  /** The network stream: every delay drawn for verbs and messages. */
  readonly network: Prng;
  readonly processes: readonly SimProcess[];
  readonly memories: readonly SimMemory[];
  /** Whether events are built at all (off only for raw-speed benchmarks and sweeps). */
  readonly tracing: boolean;
  readonly trace: TraceSink;
  /** Statistics kept even when tracing is off. */
  readonly counters: SimCounters;
  /** Every granted permission request that carried a proposal, in the order the memories executed them. */
  readonly orderedGrants: OrderedGrant[];
  /** The scripted schedule's holds, told of every arrival, completion, delivery and note; absent when the run has none. */
  readonly holds?: HappeningListener;
  /** The run's note-triggered pauses (notePauses.ts), told of every note; absent when the run has none. */
  readonly notePauses?: { heard(process: number, kind: string): void };
  /** The run's memory watcher, told of every change a verb or a cut-short write makes (SimulationConfig.memoryWatcher); absent when the run has none. */
  readonly watch?: MemoryWatch;
}

/** One granted permission request that carried a proposal, as its memory executed it. */
export interface OrderedGrant {
  readonly t: number;
  readonly memory: number;
  readonly region: string;
  readonly process: number;
  readonly proposal: bigint;
}

export interface SimCounters {
  verbs: number;
  messages: number;
  tornReads: number;
  permissionChanges: number;
}

export function emit(context: SimContext, event: TraceEvent): void {
  context.trace.event(event);
}
