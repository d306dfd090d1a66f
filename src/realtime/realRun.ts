import type { HistoryEvent, NoteEvent } from '../fabric/fabric.js';
import type { MemoryId, ProcessId, RegionSpec } from '../fabric/types.js';
import type { Fault } from '../fabric/faults.js';
import type { BodyReference } from './operationJournal.js';

export type { CrashFault, Fault } from '../fabric/faults.js';

/** One run on a real backend (shm or tcp): the world, the bodies, the crashes and the limits. */
export interface RealRunConfig {
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: readonly RegionSpec[];
  /** The code each process runs (loaded inside its worker or OS process). */
  readonly body: BodyReference;
  readonly seed: number;
  /** Microseconds per time unit of `now()`, `sleep()` and timeouts (default 1). */
  readonly unitMicroseconds?: number;
  /** Memories crashed before any process starts. */
  readonly crashedMemories?: readonly MemoryId[];
  /** Faults of the one fault type; a backend injects the crashes and refuses the rest (`realBackendFaults`). */
  readonly faults?: readonly Fault[];
  /** Wall-clock limit after the start, in milliseconds. */
  readonly deadlineMilliseconds: number;
  /** Processes may take this long to load their bodies (default 60 s). */
  readonly startupMilliseconds?: number;
}

/** What a run on a real backend produced. */
export interface RealRunResult {
  /** `done` when every live body returned, `deadline` when the wall-clock limit came first. */
  readonly end: 'done' | 'deadline';
  /** Time in the run's unit when it ended. */
  readonly time: number;
  readonly results: Readonly<Record<ProcessId, unknown>>;
  readonly errors: readonly { readonly process: ProcessId; readonly message: string }[];
  readonly history: readonly HistoryEvent[];
  readonly notes: readonly NoteEvent[];
  readonly crashedProcesses: readonly ProcessId[];
  readonly crashedMemories: readonly MemoryId[];
  /** Live processes whose body had not returned when the run ended. */
  readonly unfinished: readonly ProcessId[];
}
