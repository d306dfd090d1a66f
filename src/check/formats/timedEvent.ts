import type { HistoryEvent } from '../history.js';

/**
 * An event with the time its source gave it, when it gave one (mnm histories'
 * `time`, Jepsen's `:time`, a cluster node's clock). Real time within one file
 * is the order of its lines; the times only matter for merging several files
 * into one history.
 */
export interface TimedEvent extends HistoryEvent {
  readonly time?: number;
}
