import type { MemoryId, ProcessId } from '../fabric/index.js';

/**
 * Memory watchers: invariants of what the memories hold, checked by the
 * simulator right after every change lands (a WRITE, a CAS that swapped, an
 * FAA, or a mid-write crash cutting a landing write short), instead of only
 * on the history after the run. A protocol whose safety rests on a memory
 * invariant ("buffers only grow", SWARM's Invariant D) then fails at the
 * verb that broke it, not at some later read that may never come.
 *
 * A watcher only reads; it never changes memory or draws randomness, so a
 * run with a watcher has the same schedule and trace as one without.
 *
 * It sees memory as it will be once every write has landed: a multi-word
 * write is seen whole when it reaches the memory, even while a concurrent
 * READ may still see some of its words old (a transient tear is the
 * readers' business); if its writer's crash then cuts it short, the words
 * that go back to their old contents are a change of their own (`cut`).
 */

/** What changed a region. `cut`: a crashed writer's words that had not landed yet went back to their old contents. */
export type ChangeKind = 'write' | 'cas' | 'faa' | 'cut';

/** One change to one region of one memory, as a watcher sees it right after it landed. */
export interface MemoryChange {
  readonly memory: MemoryId;
  readonly region: string;
  /** The changed range: bytes [offset, offset + length) of the region (whole words for a CAS, an FAA or a cut). */
  readonly offset: number;
  readonly length: number;
  /** The range's contents before the change (a copy the watcher may keep). */
  readonly before: Uint8Array;
  /** The range's contents now: a view into the memory, valid only during the call. */
  readonly after: Uint8Array;
  /**
   * Any region of this memory as it is now, whole (a view valid only during
   * the call; never write to it): e.g. the log entry a changed word names.
   * Undefined for a region this memory does not hold.
   */
  readonly regionBytes: (region: string) => Uint8Array | undefined;
  readonly kind: ChangeKind;
  /** The process whose verb (or whose crash, for `cut`) made the change. */
  readonly process: ProcessId;
  /** The verb's id, as in the trace's `verb.issue` (absent for a cut). */
  readonly verb?: number;
  /** Virtual time of the change. */
  readonly time: number;
}

/** A broken memory invariant: the property's name and what broke it. */
export interface WatchFinding {
  readonly property: string;
  readonly detail: string;
}

/**
 * Checks one change; returns what it broke (empty: nothing). Called with
 * every change to every region of every memory: a watcher interested in
 * some regions only returns early on the others.
 */
export type MemoryWatcher = (change: MemoryChange) => readonly WatchFinding[];

/** A finding as the run reports it: the watcher's property and detail, with the change that broke it. */
export interface MemoryViolation {
  readonly property: string;
  readonly detail: string;
  readonly process: ProcessId;
  readonly time: number;
}

/**
 * Runs a watcher over a run's changes and keeps its findings. A broken
 * invariant usually stays broken and is found again at every later change,
 * so only the first `keep` findings are kept with their details; the rest
 * are counted.
 */
export class MemoryWatch {
  readonly violations: MemoryViolation[] = [];
  /** Findings beyond the ones kept. */
  dropped = 0;

  constructor(
    private readonly watcher: MemoryWatcher,
    private readonly keep = 20,
  ) {}

  changed(change: MemoryChange): void {
    let findings: readonly WatchFinding[];
    try {
      findings = change.length > 0 ? this.watcher(change) : [];
    } catch (error) {
      // A watcher that throws is a checker bug; reporting it keeps a sweep going and the seed on record.
      findings = [{ property: 'memory-watcher-error', detail: `the watcher threw ${error instanceof Error ? error.message : String(error)}` }];
    }
    for (const finding of findings) {
      if (this.violations.length >= this.keep) {
        this.dropped++;
        continue;
      }
      this.violations.push({ property: finding.property, detail: `${finding.detail} — after ${describeChange(change)}`, process: change.process, time: change.time });
    }
  }

  /** The findings kept, and one line for those dropped. */
  report(): MemoryViolation[] {
    if (this.dropped === 0) return [...this.violations];
    const last = this.violations[this.violations.length - 1];
    return [...this.violations, { property: 'memory-watch', detail: `${this.dropped} more finding(s) of the memory watcher not listed`, process: last.process, time: last.time }];
  }
}

/** The change in the trace's terms: which verb (its id) of which process, where, when. */
export function describeChange(change: MemoryChange): string {
  const what = change.kind === 'cut' ? `p${change.process}'s crash cutting its write short` : `p${change.process}'s ${change.kind}${change.verb === undefined ? '' : ` (verb ${change.verb})`}`;
  return `${what} on m${change.memory} ${change.region}[${change.offset}..${change.offset + change.length}) at t=${Math.round(change.time * 1000) / 1000}`;
}
