import type { Statement } from '../../../../crypto/index.js';
import type { PointMessage, Request, StreamMessage } from '../messages.js';
import type { StreamOutcome } from '../streamState.js';

/**
 * The seam through which a Byzantine replica of bft deviates
 * (specs/bft-consensus.md §6). A correct BftReplica has no behaviour and
 * runs exactly the spec; a Byzantine one runs the same code with each of
 * these interception points handed to its strategy first. The points are
 * where a replica speaks (point messages per recipient, stream messages
 * before they are written, the leader's choice of requests) and where it
 * listens (every point message received, every stream message processed
 * with Σp's outcome: Σp depends on the stream prefix alone, so the
 * Byzantine replica's own outcome for its own stream is every correct
 * reader's). A Byzantine replica signs only as itself: the context's signer
 * is its own key.
 */
export interface ByzantineContext {
  readonly self: number;
  readonly n: number;
  readonly f: number;
  /** Every Byzantine replica of the run (they collude), this one included. */
  readonly colluders: ReadonlySet<number>;
  /** Sends bypassing the strategy (counted as the replica's messages). */
  sendRaw(to: number, message: PointMessage): void;
  /** Writes into the replica's stream bypassing the strategy, in call order. */
  broadcastRaw(message: StreamMessage): void;
  /** Signs as this replica (the only key it holds). */
  sign(statement: Statement): Uint8Array;
  /** Runs `task` after `delayUs` through the replica's work queue (not after stop). */
  schedule(delayUs: number, task: () => void): void;
  /** The run's deterministic randomness. */
  random(): number;
  /** The view the replica last entered. */
  view(): number;
  /** A note `adversary-effect` (the checkers never read it). */
  note(reason: string): void;
}

export interface BftReplicaBehaviour {
  /** The strategy's catalogue name. */
  readonly name: string;
  /** Called once, when the replica is built. */
  attach(context: ByzantineContext): void;
  /** A point message about to go to `to`: the messages to send instead (none: dropped). */
  point?(to: number, message: PointMessage): readonly PointMessage[];
  /** A stream message about to be written: the messages to write instead, in order (none: skipped). */
  stream?(message: StreamMessage): readonly StreamMessage[];
  /** The leader's pending requests before it picks a batch: the ones it may propose. */
  pending?(requests: readonly Request[]): readonly Request[];
  /** A point message received, before the replica handles it. */
  observePoint?(from: number, message: PointMessage): void;
  /** A stream message processed, with Σp's outcome at this replica. */
  observeStream?(sender: number, message: StreamMessage, outcome: StreamOutcome): void;
}
