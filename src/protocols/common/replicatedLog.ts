/**
 * A replicated log: the interface every log-shaped consensus protocol of mnm
 * implements (Protected Memory Paxos, Disk Paxos, Multi-Paxos and Mu). One
 * consensus instance decides each index; indices are decided in order from
 * 0, with no gaps in what is delivered.
 */
export interface LogEntry {
  /** Position in the log, from 0. */
  readonly index: number;
  readonly value: Uint8Array;
}

/**
 * A state machine that a log with bounded storage (Mu's recycled log) can
 * copy between replicas: a replica that fell behind entries the log no
 * longer holds installs another replica's state instead of applying them.
 * The consumer of `entries()` provides it (`ReplicatedLog.useSnapshots`).
 */
export interface SnapshotMachine {
  /** This replica's state now, after the first `entries` log entries it applied (what `entries()` yielded and it consumed). */
  take(): { readonly entries: number; readonly state: Uint8Array };
  /**
   * Replaces this replica's state with one another replica took after its
   * first `entries` entries. Called from inside the `entries()` iteration,
   * between two entries: every entry yielded before was consumed, and the
   * next one yielded is entry `entries`.
   */
  install(entries: number, state: Uint8Array): void;
}

export interface ReplicatedLog {
  /**
   * Proposes `value` for the log; resolves with the index at which this very
   * value was decided (a proposal that loses an index to another value is
   * retried at the next free one). Rejects with a typed error on bad input
   * (a value larger than the log's entry capacity) or after `close()`.
   */
  append(value: Uint8Array): Promise<number>;
  /**
   * Every decided entry in index order, each at most once; ends after
   * `close()`. From index 0, except across a snapshot this replica
   * installed (`useSnapshots`): the entries below it are skipped, and the
   * machine's `install` is called in their place.
   */
  entries(): AsyncIterable<LogEntry>;
  /** The entries decided so far, contiguous from index 0 — or from the latest installed snapshot's position (`decided[0].index`). */
  readonly decided: readonly LogEntry[];
  /** Stops the log's background work (heartbeats, timers, catch-up); pending appends reject. Idempotent. */
  close(): Promise<void>;
  /**
   * Logs that recycle their storage (Mu): registers the state machine fed
   * by `entries()`, so that this replica can serve its state to a lagging
   * one and install another's when it lags. Without it such a log whose
   * `entries()` are consumed never skips entries: a lagging replica stays
   * behind instead of installing state its consumer could not follow.
   */
  useSnapshots?(machine: SnapshotMachine): void;
}
