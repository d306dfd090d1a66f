/**
 * A replicated log: the interface every log-shaped consensus protocol of mnm
 * implements (Protected Memory Paxos, Disk Paxos and Multi-Paxos now; Mu
 * next). One consensus instance decides each index; indices are decided in
 * order from 0, with no gaps in what is delivered.
 */
export interface LogEntry {
  /** Position in the log, from 0. */
  readonly index: number;
  readonly value: Uint8Array;
}

export interface ReplicatedLog {
  /**
   * Proposes `value` for the log; resolves with the index at which this very
   * value was decided (a proposal that loses an index to another value is
   * retried at the next free one). Rejects with a typed error on bad input
   * (a value larger than the log's entry capacity) or after `close()`.
   */
  append(value: Uint8Array): Promise<number>;
  /** Every decided entry in index order, from index 0, each exactly once; ends after `close()`. */
  entries(): AsyncIterable<LogEntry>;
  /** The entries decided so far, contiguous from index 0 (what `entries()` has yielded or will yield first). */
  readonly decided: readonly LogEntry[];
  /** Stops the log's background work (heartbeats, timers, catch-up); pending appends reject. Idempotent. */
  close(): Promise<void>;
}
