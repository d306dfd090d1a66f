/**
 * Runtime pieces that every real backend (shm, tcp) shares: the operation
 * journal that records a process's history where a crash cannot lose it, the
 * merge of journals, per-process random streams and the run clock. The
 * simulator has its own (virtual-time) equivalents.
 */
import type { Fabric, HistoryEvent, NoteEvent } from '../fabric/fabric.js';
import { HistoryRecorder } from '../fabric/historyRecorder.js';
import type { OperationValue, ProcessId } from '../fabric/types.js';

/** What a real backend's process records for the coordinator: history events and notes. */
export type JournalRecord = { readonly type: 'history'; readonly event: HistoryEvent } | { readonly type: 'note'; readonly note: NoteEvent };

/**
 * The operation recorder of a process on a real backend. Every event goes to
 * `sink` synchronously (a shared-memory journal, or a pipe), before the
 * operation's first verb, so a crash loses nothing that already happened.
 * Operation ids are unique across processes without coordination:
 * `process + processCount * k` for the process's k-th operation.
 */
export class OperationJournal extends HistoryRecorder {
  constructor(
    private readonly processId: ProcessId,
    processCount: number,
    private readonly clock: () => number,
    private readonly sink: (record: JournalRecord) => void,
  ) {
    let count = 0;
    super(processId, () => processId + processCount * count++, clock, (event) => sink({ type: 'history', event }));
  }

  note(kind: string, detail?: Readonly<Record<string, OperationValue>>): void {
    this.sink({ type: 'note', note: { time: this.clock(), process: this.processId, kind, ...(detail ? { detail } : {}) } });
  }
}

/** Merges the journals of every process into one history (by time) and one list of notes. */
export function mergeJournals(records: readonly JournalRecord[]): { history: HistoryEvent[]; notes: NoteEvent[] } {
  const history = records.flatMap((record) => (record.type === 'history' ? [record.event] : []));
  const notes = records.flatMap((record) => (record.type === 'note' ? [record.note] : []));
  history.sort((a, b) => a.time - b.time);
  notes.sort((a, b) => a.time - b.time);
  return { history, notes };
}

/** A small seeded generator (splitmix64 reduced to doubles) for `Fabric.random()` on real backends. */
export function seededRandom(seed: number, process: ProcessId): () => number {
  let state = (BigInt(seed) * 0x9e3779b97f4a7c15n + BigInt(process + 1) * 0xbf58476d1ce4e5b9n) & ((1n << 64n) - 1n);
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & ((1n << 64n) - 1n);
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & ((1n << 64n) - 1n);
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & ((1n << 64n) - 1n);
    z ^= z >> 31n;
    return Number(z >> 11n) / 2 ** 53;
  };
}

/** The real clock of a run: a shared epoch on the machine's monotonic clock, in the run's time unit. */
export class RunClock {
  constructor(
    /** `process.hrtime.bigint()` at the run's start (the same clock in every thread and process of one host). */
    private readonly epoch: bigint,
    /** Microseconds per time unit. */
    readonly unitMicroseconds: number,
  ) {}

  now(): number {
    return Number(process.hrtime.bigint() - this.epoch) / 1000 / this.unitMicroseconds;
  }

  /** A duration in time units, as milliseconds for `setTimeout`. */
  milliseconds(duration: number): number {
    return (Math.max(0, duration) * this.unitMicroseconds) / 1000;
  }

  /** Calls `callback` after `duration` time units (at once, but asynchronously, for 0); returns the cancel. */
  setTimer(duration: number, callback: () => void): () => void {
    const milliseconds = this.milliseconds(duration);
    if (milliseconds === 0) {
      const immediate = setImmediate(callback);
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(callback, milliseconds);
    return () => clearTimeout(timer);
  }
}

/** What a process body factory module exports: `(args, process) => body | undefined`. */
export type BodyFactory = (args: unknown, process: ProcessId) => ((fabric: Fabric) => Promise<unknown>) | undefined;

/**
 * Names the code a real backend runs in each process: a module (by URL), the
 * factory it exports, and JSON arguments. The module is loaded inside the
 * worker or OS process, so bodies share nothing but the fabric.
 */
export interface BodyReference {
  readonly module: string;
  readonly export: string;
  readonly args: unknown;
}
