import type { Fabric, OperationValue, ProcessId } from '../../fabric/index.js';
import { describeValue } from './numberValue.js';
import { firstBallot, nextBallot } from '../common/ballot.js';
import { indexedMessages, type IndexedMessage } from '../common/instances.js';
import { EntryTooLarge, InvalidLogConfig, LogClosed, LogFull } from '../common/logErrors.js';
import { metered, newMeter, type Meter } from '../common/meter.js';
import { Omega } from '../common/omega.js';
import type { PhaseClock, TimeoutPolicy } from '../common/phaseTimer.js';
import { StallDetector } from '../common/stallDetector.js';
import type { LogEntry, ReplicatedLog } from '../common/replicatedLog.js';
import { TickTimers } from '../common/tickTimers.js';
import { decodeEntry, delivers, encodeEntry, entryTagSize, noOp, packDecided, tagKey, unpackDecided } from './logEntry.js';
import { DeliveryFeed } from '../common/deliveryFeed.js';

/**
 * The shell every consensus log shares (Protected Memory Paxos, Disk Paxos,
 * Multi-Paxos): one consensus instance per log index, driven Multi-Paxos
 * style by the process Ω trusts.
 *
 * - A leader runs phase 1 once for a ballot, covering every instance from
 *   the first one it does not know decided; what it finds accepted there it
 *   proposes again (gaps get a no-op). Then it keeps the ballot — and, in
 *   PMP, its permissions — and each append costs phase 2 alone: one write
 *   round trip to a majority of memories (PMP), write then read (Disk Paxos)
 *   or one accept/accepted round trip (Multi-Paxos). Up to `window` instances
 *   are in phase 2 at once, at consecutive indices.
 * - A process that does not lead forwards its appends to the one Ω trusts,
 *   and again on every heartbeat until they are delivered (an append is
 *   tagged with its origin and sequence, so a repeat is harmless).
 * - The leader announces each decision, at once or (`announce: 'heartbeat'`)
 *   with the others of its heartbeat period, carried by the next heartbeat;
 *   every heartbeat carries the sender's count of instances decided in a row,
 *   and a process behind fetches the missing ones. So every live process
 *   delivers the same log.
 * - Delivery skips no-ops and repeats of a delivered append (logEntry.ts):
 *   an append is in the log once, at the position where it was first decided.
 * - A phase that does not reach its majority in time gives the ballot up;
 *   the deadlines are checked on Ω's heartbeat tick (TickTimers), so the
 *   steady-state path arms no timer and sends nothing but its phase 2.
 *
 * Notes: `attempt` {ballot, from} when a leader starts phase 1; `decide`
 * {index, value, ballot, started} when phase 2 of instance `index` succeeded
 * here (`started`: when that phase 2 began; the first decision of a ballot
 * also carries the cost of the attempt so far — verbs, messages, bytes,
 * permissionRequests since its `attempt` note, phase 1 included); `learn`
 * {index, value, from} for an instance decided elsewhere;
 * `commit` {index, value, instance} when a log entry is delivered (`index` is
 * the log position, `instance` the consensus instance that decided it).
 * `value` is the entry's value as the log's `describe` shows it (null for a
 * no-op).
 */
export const logMessageKinds = ['heartbeat', 'forward', 'decided', 'fetch', 'prepare', 'promise', 'accept', 'accepted', 'nack'] as const;
export type LogMessageKind = (typeof logMessageKinds)[number];
export type LogMessage = IndexedMessage<LogMessageKind>;
export const logMessages = indexedMessages(logMessageKinds);

export type PrepareOutcome = { readonly adopted: ReadonlyMap<number, Uint8Array> } | { readonly preempted: bigint };
export type AcceptOutcome = 'decided' | { readonly preempted: bigint };

/** One algorithm's two phases, per ballot and per instance; the shell does the rest. */
export interface LogAlgorithm {
  /** Phase 1 of `ballot` for every instance from `from` on: the values found accepted there, by instance. */
  prepare(ballot: bigint, from: number): Promise<PrepareOutcome>;
  /** Phase 2 of `ballot` at instance `index`. */
  accept(ballot: bigint, index: number, entry: Uint8Array): Promise<AcceptOutcome>;
  onMessage?(from: ProcessId, message: LogMessage): void;
  /** Stops issuing anything (the log closed). */
  close?(): void;
}

/** Times in the backend's unit (the scenario derives them from the one-way delay). */
export interface LogTiming {
  /** Ω's heartbeat period (also the tick on which phase deadlines and re-forwards are checked). */
  readonly heartbeat: number;
  readonly suspectAfter: TimeoutPolicy;
  /** Base of the randomized back-off after a preempted phase 1. */
  readonly backoff: number;
  /** How long a phase may wait for its majority (adaptive, protocols/common/phaseTimer.ts). */
  readonly phase: TimeoutPolicy;
}

/**
 * Timings from the backend's one-way delay (the scenarios' choice, for a
 * bench or a library user): heartbeat 4 delays, suspicion after 20, phase
 * timeout 30, back-off base 4 — all adaptive from there.
 */
export function logTimingFor(delay: number): LogTiming {
  return {
    heartbeat: 4 * delay,
    suspectAfter: { base: 20 * delay, cap: 20 * delay * 2 ** 12, adaptive: true },
    backoff: 4 * delay,
    phase: { base: 30 * delay, cap: 30 * delay * 2 ** 12, adaptive: true },
  };
}

export interface LogOptions {
  /** Largest value an append takes, in bytes. */
  readonly capacity: number;
  /** Instances (log indices) of this run: the log is full when they are all decided. */
  readonly entries: number;
  /** Instances a leader keeps in phase 2 at once (1 = one decision at a time). */
  readonly window: number;
  readonly timing: LogTiming;
  /** Contention: this process believes it leads until this time, whatever Ω says. */
  readonly believeLeaderUntil?: number;
  /** Wait this long before leading (staggered starts). */
  readonly startDelay?: number;
  /** How notes show a value (default: an 8-byte value as its u64 number, others as hex). */
  readonly describe?: (value: Uint8Array) => OperationValue;
  /**
   * When the leader tells the others what it decided: `each` (the default)
   * sends a `decided` message per decision as it happens; `heartbeat` packs
   * the decisions of one heartbeat period into its next heartbeat. The
   * leader's appends complete exactly as fast either way (no one waits for
   * an announcement); followers learn up to one heartbeat later, and wake
   * once per period instead of once per decision — on a real machine with
   * few cores, their per-decision wake-ups compete with the leader's.
   */
  readonly announce?: 'each' | 'heartbeat';
}

/** What an algorithm gets from the shell. */
export interface LogContext {
  /** The metered fabric. */
  readonly fabric: Fabric;
  /** `now`, a `setTimer` whose deadlines are checked on the heartbeat tick, and whether this process stalled. */
  readonly clock: PhaseClock;
  readonly timing: LogTiming;
  send(to: ProcessId, message: LogMessage): void;
  /** Sends to every other process (encoded once). */
  sendAll(message: LogMessage): void;
}

/** The bytes of a tagged entry that fit `capacity` user bytes. */
export function slotCapacityFor(capacity: number): number {
  return capacity + entryTagSize;
}

export function validateLogOptions(options: LogOptions): void {
  if (!Number.isInteger(options.capacity) || options.capacity < 0) throw new InvalidLogConfig(`log capacity ${options.capacity} (accepted: an integer number of bytes >= 0)`);
  if (!Number.isInteger(options.entries) || options.entries < 1) throw new InvalidLogConfig(`log entries ${options.entries} (accepted: an integer >= 1)`);
  if (!Number.isInteger(options.window) || options.window < 1) throw new InvalidLogConfig(`log window ${options.window} (accepted: an integer >= 1)`);
}

const empty = new Uint8Array(0);
/** Bytes of decisions one heartbeat carries at most (well inside a shm ring's largest message). */
const heartbeatBatchBytes = 16 * 1024;

interface Pending {
  readonly entry: Uint8Array;
  readonly resolve: (index: number) => void;
  readonly reject: (error: Error) => void;
}

export class ConsensusLog implements ReplicatedLog {
  /** The metered fabric the algorithm issues its verbs through. */
  readonly fabric: Fabric;
  private readonly omega: Omega;
  private readonly timers: TickTimers;
  /** The heartbeat tick, late, tells that this process stalled (its phases then teach the timers nothing). */
  private readonly stalls: StallDetector;
  private readonly algorithm: LogAlgorithm;
  private readonly describe: (value: Uint8Array) => OperationValue;
  private meter: Meter = newMeter();

  /** Decided tagged entries by instance (sparse beyond `contiguous`). */
  private readonly instances: (Uint8Array | undefined)[] = [];
  /** Instances decided in a row from 0: the first one not known decided. */
  private contiguous = 0;
  /** The delivered entries, in log order, as `decided` and as the `entries()` stream. */
  private readonly deliveries = new DeliveryFeed<LogEntry>();
  private readonly deliveredTags = new Set<number>();
  private readonly own = new Map<number, Pending>();
  private sequence = 0;
  /** Entries to propose (own and forwarded), by tag, in arrival order. */
  private readonly queue = new Map<number, Uint8Array>();
  /** Tags this process is proposing (in phase 2 or waiting as re-proposals): a forwarded copy is ignored. */
  private readonly proposing = new Set<number>();
  /** Instances decided here and not yet announced (`announce: 'heartbeat'`). */
  private unannounced: number[] = [];
  /** Re-proposals a phase 1 found (and no-ops for its gaps), in index order. */
  private redo: { readonly index: number; readonly entry: Uint8Array }[] = [];

  private ballot = 0n;
  /** The meter when the current ballot's attempt began, until its first decision is noted with its cost. */
  private attemptMeter: { readonly ballot: bigint; readonly at: Meter } | undefined;
  private prepared = false;
  private highestSeen = 0n;
  private nextIndex = 0;
  private inflight = 0;
  private preemptions = 0;
  private nextFetchAt = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private cancelHeartbeat: (() => void) | undefined;

  constructor(
    private readonly raw: Fabric,
    algorithm: (context: LogContext) => LogAlgorithm,
    private readonly options: LogOptions,
  ) {
    validateLogOptions(options);
    this.fabric = metered(raw, () => this.meter);
    this.describe = options.describe ?? describeValue;
    this.omega = new Omega(raw, options.timing.suspectAfter);
    if (options.believeLeaderUntil !== undefined) this.omega.believeLeader(options.believeLeaderUntil);
    this.timers = new TickTimers(() => raw.now());
    this.stalls = new StallDetector(() => raw.now(), options.timing.heartbeat);
    const clock: PhaseClock = {
      now: () => raw.now(),
      setTimer: (duration, callback) => this.timers.setTimer(duration, callback),
      stalledSince: (time) => this.stalls.stalledSince(time),
    };
    this.algorithm = algorithm({
      fabric: this.fabric,
      clock,
      timing: options.timing,
      send: (to, message) => this.fabric.send(to, logMessages.encode(message)),
      sendAll: (message) => {
        const data = logMessages.encode(message);
        for (let process = 0; process < raw.processCount; process++) if (process !== raw.self) this.fabric.send(process, data);
      },
    });
    raw.onMessage((message) => this.onMessage(message.from, message.data));
    this.cancelHeartbeat = raw.setTimer(options.timing.heartbeat, () => this.tick());
    void this.drive();
  }

  get decided(): readonly LogEntry[] {
    return this.deliveries.items;
  }

  /** Verbs, messages, bytes and permission requests issued so far. */
  get cost(): Meter {
    return { ...this.meter };
  }

  append(value: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new LogClosed('append'));
    if (value.length > this.options.capacity) return Promise.reject(new EntryTooLarge(value.length, this.options.capacity));
    if (this.contiguous >= this.options.entries) return Promise.reject(new LogFull(this.options.entries));
    const entry = encodeEntry({ origin: this.raw.self, sequence: this.sequence++, value });
    const tag = tagKey(entry);
    return new Promise((resolve, reject) => {
      this.own.set(tag, { entry, resolve, reject });
      this.queue.set(tag, entry);
      if (!this.omega.isLeader()) this.fabric.send(this.omega.leader(), logMessages.encode({ kind: 'forward', ballot: 0n, other: 0n, index: 0, value: entry }));
      this.signal();
    });
  }

  entries(): AsyncIterable<LogEntry> {
    return this.deliveries.iterate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelHeartbeat?.();
    if (this.unannounced.length > 0) {
      // `announce: 'heartbeat'`: what was decided since the last beat goes out now; a closed log answers no fetch.
      const beat = logMessages.encode({ kind: 'heartbeat', ballot: 0n, other: BigInt(this.contiguous), index: 0, value: this.unannouncedPacked() });
      for (let process = 0; process < this.raw.processCount; process++) if (process !== this.raw.self) this.raw.send(process, beat);
    }
    this.timers.clear();
    this.algorithm.close?.();
    for (const pending of this.own.values()) pending.reject(new LogClosed('an append still pending'));
    this.own.clear();
    this.queue.clear();
    this.deliveries.close();
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Ω's heartbeat, carrying how many instances this process knows decided in a row; phase deadlines; re-forwards. */
  private tick(): void {
    if (this.closed) return;
    // The period's decisions ride in the heartbeat (`announce: 'heartbeat'`): a follower learns them
    // before it reads the count, so it never fetches what is on its way.
    const beat = logMessages.encode({ kind: 'heartbeat', ballot: 0n, other: BigInt(this.contiguous), index: 0, value: this.unannouncedPacked() });
    for (let process = 0; process < this.raw.processCount; process++) if (process !== this.raw.self) this.raw.send(process, beat);
    this.stalls.ticked();
    this.timers.tick();
    if (!this.omega.isLeader()) {
      const leader = this.omega.leader();
      // Every append of mine not yet delivered, wherever it waits here (queued, or a re-proposal of a
      // ballot I no longer lead with): the leader drops what it already has.
      for (const pending of this.own.values()) this.fabric.send(leader, logMessages.encode({ kind: 'forward', ballot: 0n, other: 0n, index: 0, value: pending.entry }));
    }
    this.cancelHeartbeat = this.raw.setTimer(this.options.timing.heartbeat, () => this.tick());
    this.signal();
  }

  private onMessage(from: ProcessId, data: Uint8Array): void {
    if (this.closed) return;
    const message = logMessages.decode(data);
    if (!message) return; // not ours: ignored, never trusted
    this.omega.heard(from);
    switch (message.kind) {
      case 'heartbeat':
        if (message.value.length > 0) {
          for (const { index, entry } of unpackDecided(message.value) ?? []) if (index < this.options.entries) this.decideInstance(index, entry, 'learn', { from });
        }
        if (message.other > BigInt(this.contiguous) && this.raw.now() >= this.nextFetchAt) {
          this.nextFetchAt = this.raw.now() + this.options.timing.heartbeat;
          this.fabric.send(from, logMessages.encode({ kind: 'fetch', ballot: 0n, other: 0n, index: this.contiguous, value: new Uint8Array(0) }));
        }
        return;
      case 'forward': {
        const tag = tagKey(message.value);
        if (decodeEntry(message.value) === undefined || this.deliveredTags.has(tag) || this.queue.has(tag) || this.proposing.has(tag)) return;
        this.queue.set(tag, message.value);
        this.signal();
        return;
      }
      case 'decided':
        if (message.index < this.options.entries) this.decideInstance(message.index, message.value, 'learn', { from });
        return;
      case 'fetch':
        for (let index = message.index; index < Math.min(this.contiguous, message.index + 64); index++) {
          this.fabric.send(from, logMessages.encode({ kind: 'decided', ballot: 0n, other: 0n, index, value: this.instances[index] as Uint8Array }));
        }
        return;
      default:
        this.algorithm.onMessage?.(from, message);
    }
  }

  /** The leader loop: phase 1 when needed, then keep up to `window` instances in phase 2. */
  private async drive(): Promise<void> {
    if (this.options.startDelay) await this.raw.sleep(this.options.startDelay);
    while (!this.closed) {
      if (!this.omega.isLeader() || this.contiguous >= this.options.entries) {
        await this.nextEvent();
        continue;
      }
      if (!this.prepared) {
        // A new ballot starts only when the old one's phase-2 steps have settled.
        if (this.inflight > 0) {
          await this.nextEvent();
          continue;
        }
        await this.lead();
        continue;
      }
      this.launch();
      await this.nextEvent();
    }
  }

  /** Phase 1 with a fresh ballot; on success the ballot stays prepared for every later instance. */
  private async lead(): Promise<void> {
    const { self, processCount } = this.raw;
    const ballot = this.ballot === 0n ? firstBallot(self) : nextBallot(self, processCount, this.highestSeen > this.ballot ? this.highestSeen : this.ballot);
    this.ballot = ballot;
    const from = this.contiguous;
    const started = this.raw.now();
    this.raw.note('attempt', { ballot: Number(ballot), from });
    this.attemptMeter = { ballot, at: { ...this.meter } };
    const outcome = await this.algorithm.prepare(ballot, from);
    if (this.closed || this.ballot !== ballot) return;
    if ('preempted' in outcome) {
      if (outcome.preempted > this.highestSeen) this.highestSeen = outcome.preempted;
      this.preemptions++;
      // Preempted by a higher ballot: give its leader room, at least twice as long as this phase 1 took.
      // Timed out (or refused) at our own ballot: the phase's length was our timeout, not a rival's
      // phase — backing off in proportion to it only idles the leader Ω chose.
      const rival = outcome.preempted > ballot ? 2 * (this.raw.now() - started) : 0;
      const window = Math.max(this.options.timing.backoff * 2 ** Math.min(this.preemptions, 6), rival);
      await this.raw.sleep(this.raw.random() * window);
      return;
    }
    this.preemptions = 0;
    // Paxos per instance: what phase 1 found accepted must be proposed again at its index, and
    // the gaps below the highest such index get a no-op (delivery skips them).
    let top = from;
    for (const index of outcome.adopted.keys()) if (index + 1 > top) top = index + 1;
    for (const pending of this.redo.splice(0)) {
      this.proposing.delete(tagKey(pending.entry));
      this.requeue(pending.entry);
    }
    for (let index = from; index < top; index++) {
      if (this.instances[index] !== undefined) continue;
      const entry = outcome.adopted.get(index) ?? noOp;
      this.redo.push({ index, entry });
      // An append found accepted somewhere is proposed there, not at a new index as well.
      this.queue.delete(tagKey(entry));
      this.proposing.add(tagKey(entry));
    }
    this.nextIndex = top;
    this.prepared = true;
  }

  private launch(): void {
    while (this.prepared && this.inflight < this.options.window) {
      let index: number;
      let entry: Uint8Array;
      const redo = this.redo.shift();
      if (redo) {
        ({ index, entry } = redo);
        if (this.instances[index] !== undefined) {
          this.proposing.delete(tagKey(entry));
          this.requeue(entry);
          continue;
        }
      } else {
        const first = this.queue.entries().next();
        if (first.done) return;
        while (this.nextIndex < this.options.entries && this.instances[this.nextIndex] !== undefined) this.nextIndex++;
        if (this.nextIndex >= this.options.entries) return; // full: the pending appends are refused when delivery reaches the end
        const [tag, queued] = first.value;
        this.queue.delete(tag);
        this.proposing.add(tag);
        index = this.nextIndex++;
        entry = queued;
      }
      this.inflight++;
      const ballot = this.ballot;
      const started = this.raw.now();
      this.algorithm.accept(ballot, index, entry).then(
        (outcome) => this.concluded(ballot, index, entry, started, outcome),
        // A step that failed (abandoned by a newer ballot, refused) gives the ballot up like a preemption.
        () => this.concluded(ballot, index, entry, started, { preempted: ballot }),
      );
    }
  }

  private concluded(ballot: bigint, index: number, entry: Uint8Array, started: number, outcome: AcceptOutcome): void {
    this.inflight--;
    this.proposing.delete(tagKey(entry));
    if (outcome === 'decided') {
      this.decideInstance(index, entry, 'decide', { ballot: Number(ballot), started, ...this.attemptCost(ballot) });
      if (this.options.announce === 'heartbeat') this.unannounced.push(index);
      else this.announce(index, ballot, entry);
    } else {
      if (outcome.preempted > this.highestSeen) this.highestSeen = outcome.preempted;
      if (this.ballot === ballot) {
        this.prepared = false;
        // Re-proposals not yet started go back to the queue: the next phase 1 finds them again or not.
        for (const pending of this.redo.splice(0)) {
          this.proposing.delete(tagKey(pending.entry));
          this.requeue(pending.entry);
        }
      }
      // In doubt at `index`: propose it again (delivery drops a second decision of the same append).
      if (this.instances[index] !== entry) this.requeue(entry);
    }
    this.signal();
  }

  private announce(index: number, ballot: bigint, entry: Uint8Array): void {
    const announcement = logMessages.encode({ kind: 'decided', ballot, other: 0n, index, value: entry });
    for (let process = 0; process < this.raw.processCount; process++) if (process !== this.raw.self) this.raw.send(process, announcement);
  }

  /**
   * The decisions of the period that ended, packed for the heartbeat
   * (`announce: 'heartbeat'`; empty otherwise). Beyond `heartbeatBatchBytes`
   * the earlier ones go as `decided` messages just before it.
   */
  private unannouncedPacked(): Uint8Array {
    if (this.unannounced.length === 0) return empty;
    const instances = this.unannounced.map((index) => ({ index, entry: this.instances[index] as Uint8Array }));
    this.unannounced = [];
    let bytes = 0;
    let first = instances.length;
    while (first > 0 && bytes + 8 + instances[first - 1].entry.length <= heartbeatBatchBytes) bytes += 8 + instances[--first].entry.length;
    for (const { index, entry } of instances.slice(0, first)) this.announce(index, this.ballot, entry);
    return packDecided(instances.slice(first));
  }

  /** The cost of `ballot`'s attempt so far, once: for its first decision (what a single-decree table reports). */
  private attemptCost(ballot: bigint): Record<string, number> {
    if (this.attemptMeter?.ballot !== ballot) return {};
    const { at } = this.attemptMeter;
    this.attemptMeter = undefined;
    return { verbs: this.meter.verbs - at.verbs, messages: this.meter.messages - at.messages, bytes: this.meter.bytes - at.bytes, permissionRequests: this.meter.permissionRequests - at.permissionRequests };
  }

  /** Puts an append back among those to propose, unless it is a no-op or already delivered. */
  private requeue(entry: Uint8Array): void {
    const tag = tagKey(entry);
    if (entry === noOp || decodeEntry(entry)?.origin === -1 || this.deliveredTags.has(tag) || this.closed) return;
    this.queue.set(tag, entry);
  }

  private decideInstance(index: number, entry: Uint8Array, kind: 'decide' | 'learn', detail: Readonly<Record<string, OperationValue>>): void {
    const known = this.instances[index];
    if (kind === 'learn' && known !== undefined) return;
    const decoded = decodeEntry(entry);
    const noted = { index, value: decoded && decoded.origin >= 0 ? this.describe(decoded.value) : null, ...detail };
    // Each kind spelled out: the event catalogue's test finds the kinds protocols emit by scanning for them.
    if (kind === 'decide') this.raw.note('decide', noted);
    else this.raw.note('learn', noted);
    if (known !== undefined) return;
    this.instances[index] = entry;
    this.deliver();
    this.signal();
  }

  /** Delivers every instance decided in a row, skipping no-ops and repeated appends. */
  private deliver(): void {
    while (this.contiguous < this.options.entries && this.instances[this.contiguous] !== undefined) {
      const decided = this.instances[this.contiguous] as Uint8Array;
      const entry = delivers(this.deliveredTags, decided);
      if (entry) {
        const tag = tagKey(decided);
        this.deliveredTags.add(tag);
        this.queue.delete(tag);
        const logEntry: LogEntry = { index: this.deliveries.items.length, value: entry.value };
        this.deliveries.push(logEntry);
        this.raw.note('commit', { index: logEntry.index, value: this.describe(entry.value), instance: this.contiguous });
        const pending = this.own.get(tag);
        if (pending) {
          this.own.delete(tag);
          pending.resolve(logEntry.index);
        }
      }
      this.contiguous++;
    }
    if (this.contiguous >= this.options.entries) {
      for (const pending of this.own.values()) pending.reject(new LogFull(this.options.entries));
      this.own.clear();
      this.queue.clear();
    }
  }
}
