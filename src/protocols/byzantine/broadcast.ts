import type { Fabric, ProcessId } from '../../fabric/index.js';
import type { BroadcastMutant } from './mutants.js';
import { BroadcastStopped, EmptyMessage, MessageTooLarge, NotASender, SlotsExhausted } from './errors.js';
import { DeliveryFeed } from '../common/deliveryFeed.js';
import { BroadcastRounds, type BroadcastMode, type Delivery, type RoundsConfig } from './rounds.js';

/**
 * Consistent broadcast (CB) and reliable broadcast (RB) with n = 2f+1
 * replicators over SWMR registers, per ../shared/specs/byzantine-broadcast.md,
 * as calls: `broadcast(bytes)` resolves with the message's sequence number k
 * once the sender's part is complete; every process's deliveries come in k
 * order per sender, through `onDeliver` and `deliveries()`; the object works
 * until its owner calls `stop()`.
 *
 * Where the safety argument lives, next to the code it argues about:
 * - slot.ts: write-once fields behind a flags word (L0: a counted field of a
 *   correct owner is its final value; anything torn is merely absent);
 * - sender.ts: sign only after the timeout, only H(m) of the write-once slot;
 * - replicator.ts: adopt once, write `signed`, then read, then `checked`;
 * - receiver.ts: unanimous echoes, or f+1 checked and no conflict (CB
 *   consistency); delivery in k order;
 * - reliable.ts: Readys, ReadySets and `delivered` (RB consistency, totality);
 * - rounds.ts: the shell whose round order (a write completes on a majority
 *   before the next read) the replicator's check needs.
 *
 * Every process is a replicator and a receiver (it runs one of these objects
 * for as long as others may need its record); the layout's senders may also
 * broadcast. Slots are append-only and sized per run (`layout.messages`
 * broadcasts per sender).
 */
export { broadcastMutants, type BroadcastMutant } from './mutants.js';
export { BroadcastError, BroadcastStopped, EmptyMessage, MessageTooLarge, NotASender, SlotsExhausted } from './errors.js';
export { hex, text, type BroadcastMode, type Delivery } from './rounds.js';

/** The settings of RoundsConfig (rounds.ts, documented there) but the mode, which the class chooses. */
export interface BroadcastConfig extends Omit<RoundsConfig, 'mode' | 'window'> {
  /**
   * Own broadcasts in flight at once (default 1: each starts when the
   * previous one completed). The run's history records each broadcast as an
   * operation only with a window of 1 (it holds one open operation per
   * process); the `broadcast` and `deliver` notes record them either way.
   */
  readonly window?: number;
  /** Called with every delivery, in k order per sender (as delivered with `release: 'arrival'`). */
  readonly onDeliver?: (delivery: Delivery) => void;
}

/** What CB and RB share: the calls; the protocol is the shell's (rounds.ts) with CB's or RB's delivery on top. */
abstract class BroadcastEndpoint {
  private readonly rounds: BroadcastRounds;
  private readonly feed = new DeliveryFeed<Delivery>();

  protected constructor(
    private readonly fabric: Fabric,
    private readonly config: BroadcastConfig,
    mode: BroadcastMode,
  ) {
    const window = config.window ?? 1;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window ${window}: broadcasts in flight must be a positive integer`);
    this.rounds = new BroadcastRounds(fabric, { ...config, mode, window });
    this.rounds.listen((delivery) => {
      this.feed.push(delivery);
    });
    if (config.onDeliver) this.rounds.listen(config.onDeliver);
  }

  /** Largest message a broadcast accepts, in bytes. */
  get messageCapacity(): number {
    return this.config.layout.shape.messageCapacity;
  }

  /**
   * Broadcasts `message` (any bytes, 1..messageCapacity) as this sender's
   * next k; resolves with k once the sender's part is done (every process
   * acknowledged, or its signature is written). Up to `window` broadcasts
   * are in flight; later ones wait their turn. Throws (rejects) a typed
   * error, writing nothing, when the message does not fit, this process is
   * not a sender, the run's slots are used up or the object was stopped; a
   * broadcast still in flight at `stop()` rejects with `BroadcastStopped`.
   */
  broadcast(message: Uint8Array): Promise<number> {
    const { fabric, config } = this;
    const { layout } = config;
    if (this.rounds.stopped) return Promise.reject(new BroadcastStopped(fabric.self));
    if (!layout.senders.includes(fabric.self)) return Promise.reject(new NotASender(fabric.self, layout.senders));
    if (message.length === 0) return Promise.reject(new EmptyMessage(this.messageCapacity));
    if (message.length > this.messageCapacity) return Promise.reject(new MessageTooLarge(message.length, this.messageCapacity));
    if (this.rounds.upcoming > layout.messages) return Promise.reject(new SlotsExhausted(layout.messages));
    // A copy: the caller may reuse its buffer; what the slot holds must not change under the sender.
    const copy = Uint8Array.from(message);
    return new Promise((resolve, reject) => this.rounds.enqueue(copy, { resolve, reject }));
  }

  /** Calls `listener` with every later delivery, in k order per sender; returns a function that unsubscribes it. */
  onDeliver(listener: (delivery: Delivery) => void): () => void {
    return this.rounds.listen(listener);
  }

  /** Every delivery, from the first one of the run, in k order per sender; ends when the object is stopped. */
  deliveries(): AsyncGenerator<Delivery, void, undefined> {
    return this.feed.iterate(() => this.rounds.stopped);
  }

  /**
   * Resolves with true once the first `count` broadcasts of every sender are
   * delivered here, this process's duties for them (its check, its signed
   * Ready...) are done and its own broadcasts are complete; with false if it
   * was stopped first.
   */
  finished(count: number): Promise<boolean> {
    return this.rounds.finished(count);
  }

  /**
   * Stops the protocol after its current round: later `broadcast` calls and
   * broadcasts still in flight reject with `BroadcastStopped`, `deliveries()`
   * ends, and it notes what it gave up on and its signature counts. Leaves no
   * timer behind. Stopping early may leave others waiting for this process's
   * record: stop once the work every process needs is done (`finished`).
   */
  async stop(): Promise<void> {
    await this.rounds.stop();
    this.feed.close();
  }

  /**
   * Stops at the round boundary where `finished(count)` comes true — no
   * round after the work is done — and resolves once stopped: true if the
   * work was finished, false if stopped before (`stop`, `stopBy`).
   */
  async stopWhenFinished(count: number): Promise<boolean> {
    const finished = await this.rounds.finished(count, true);
    await this.stop();
    return finished;
  }

  /**
   * Stops at the first round boundary at or after `time` unless stopped
   * before (see `stop`); sets no timer. For owners that wait for work a
   * Byzantine sender may never let finish.
   */
  stopBy(time: number): void {
    this.rounds.stopBy(time);
  }

  /** Same as `stop()`. */
  close(): Promise<void> {
    return this.stop();
  }

  /** Signatures made, verified and rejected by this process, and malformed fields it read. */
  get counters(): { made: number; verified: number; rejected: number; malformed: number } {
    return { ...this.rounds.signer.counters, malformed: this.rounds.malformed };
  }

  get self(): ProcessId {
    return this.fabric.self;
  }
}

/**
 * Consistent broadcast: correct processes that deliver (s, k) deliver the
 * same message; a correct sender's message is delivered by every correct
 * process. Fast path (every record echoes H(m)): 8 delays, no signature;
 * slow path: the sender's one signature.
 */
export class ConsistentBroadcast extends BroadcastEndpoint {
  constructor(fabric: Fabric, config: BroadcastConfig) {
    super(fabric, config, 'cb');
  }
}

/**
 * Reliable broadcast: consistent broadcast plus totality — if a correct
 * process delivers (s, k), every correct process does. Layered on CB's
 * per-broadcast outcome (reliable.ts): unsigned Readys for the fast path,
 * signed Readys and a transferable ReadySet on the slow path.
 */
export class ReliableBroadcast extends BroadcastEndpoint {
  constructor(fabric: Fabric, config: BroadcastConfig) {
    super(fabric, config, 'rb');
  }
}
