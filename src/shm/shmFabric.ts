import {
  BadAddress,
  Inbox,
  PermissionDenied,
  TimedOut,
  checkAddress,
  proposalProblem,
  type Access,
  type Address,
  type Fabric,
  type Message,
  type OperationValue,
  type PermissionOptions,
  type ProcessId,
  type RegionRef,
  type RegionSpec,
  type VerbOptions,
} from '../fabric/index.js';
import { FineTimers } from './fineTimers.js';
import { Journal } from './journal.js';
import { MessageRing } from './messageRing.js';
import { OperationJournal, RunClock, seededRandom } from '../realtime/operationJournal.js';
import { controlIndex, type SharedWorld } from './sharedWorld.js';
import { ShmRegion, type ShmOutcome } from './shmMemory.js';

/** `Atomics.waitAsync` (Node 20 has it; TypeScript's ES2022 library does not declare it). */
interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeout?: number): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

/** Timers shorter than this go to the clock thread (Node's own timers have a 1 ms grain). */
export const fineTimerBelowMilliseconds = 1;

/** Completions delivered as microtasks before the process is made to yield to its event loop. */
const verbsPerTurn = 256;

/**
 * The fabric of one process on the shm backend, living in that process's
 * worker thread. Verbs run synchronously on the shared memory in the
 * caller's thread (so they take effect in issue order: one queue pair per
 * memory), and complete as microtasks; after `verbsPerTurn` completions
 * without an event-loop turn, completions wait for the next turn so that a
 * process hammering memory still runs its timers and message handler.
 *
 * Messages travel through shared-memory rings (one per ordered pair); the
 * receiver waits for them with `Atomics.waitAsync` on its doorbell word,
 * which leaves its event loop free (timers, heartbeats) while it waits.
 */
export class ShmFabric implements Fabric {
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: readonly RegionSpec[];
  readonly history: OperationJournal;

  private readonly memories: Map<string, ShmRegion>[];
  /** Each region's spec alone, by name: what `checkAddress` needs to look at for a known region. */
  private readonly regionLists: Map<string, readonly RegionSpec[]>;
  private readonly control: Int32Array;
  private readonly index: ReturnType<typeof controlIndex>;
  private readonly outgoing: MessageRing[];
  private readonly incoming: MessageRing[];
  private readonly backlog = new Map<ProcessId, Uint8Array[]>();
  private backlogTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly inbox = new Inbox();
  private readonly randomStream: () => number;
  private clockSource: RunClock;
  private verbsThisTurn = 0;
  private turnArmed = false;
  private readonly deferred: (() => void)[] = [];
  /** Receivers whose doorbell rang in this turn, and those sent to since (rung again at the end of the turn). */
  private readonly rungThisTurn: boolean[];
  private readonly unrung: boolean[];
  private doorbellArmed = false;
  private listening = false;
  private stopped = false;
  /** Timers shorter than Node's 1 ms grain (fineTimers.ts); its clock thread starts with the fabric, before the run's start. */
  private readonly fineTimers = new FineTimers();

  constructor(
    private readonly world: SharedWorld,
    readonly self: ProcessId,
    seed: number,
    unitMicroseconds: number,
  ) {
    this.processCount = world.processCount;
    this.memoryCount = world.memoryCount;
    this.regions = world.regions;
    this.regionLists = new Map(world.regions.map((spec) => [spec.name, [spec]]));
    this.control = new Int32Array(world.control);
    this.index = controlIndex(world);
    const isDead = (process: ProcessId) => Atomics.load(this.control, this.index.processDead(process)) === 1;
    this.memories = world.regionBuffers.map((regions) => new Map(Object.entries(regions).map(([name, region]) => [name, new ShmRegion(region, world.processCount, isDead)])));
    this.outgoing = Array.from({ length: world.processCount }, (_, to) => new MessageRing(world.rings[self * world.processCount + to]));
    this.incoming = Array.from({ length: world.processCount }, (_, from) => new MessageRing(world.rings[from * world.processCount + self]));
    this.rungThisTurn = new Array<boolean>(world.processCount).fill(false);
    this.unrung = new Array<boolean>(world.processCount).fill(false);
    this.randomStream = seededRandom(seed, self);
    this.clockSource = new RunClock(process.hrtime.bigint(), unitMicroseconds);
    const journal = new Journal(world.journals[self]);
    this.history = new OperationJournal(self, world.processCount, () => this.now(), (record) => journal.append(record));
    this.fineTimers.start();
  }

  /** Sets the run's shared epoch (when the coordinator starts every body at once) and starts listening for messages. */
  start(epoch: bigint): void {
    this.clockSource = new RunClock(epoch, this.clockSource.unitMicroseconds);
    if (!this.listening) {
      this.listening = true;
      void this.listen();
    }
  }

  /** Resolves once the process's clock thread runs (the worker says `ready` only then). */
  ready(): Promise<void> {
    return this.fineTimers.booted();
  }

  /** Stops the message loop (the worker is about to end). */
  stop(): void {
    this.stopped = true;
    this.fineTimers.stop();
    Atomics.add(this.control, this.index.doorbell(this.self), 1);
    Atomics.notify(this.control, this.index.doorbell(this.self));
  }

  read(address: Address, length: number, options?: VerbOptions): Promise<Uint8Array> {
    return this.verb(address, length, 'read', false, options, (region) => region.read(this.self, address.offset, length));
  }

  write(address: Address, data: Uint8Array, options?: VerbOptions): Promise<void> {
    return this.verb(address, data.length, 'write', false, options, (region) => region.write(this.self, address.offset, data));
  }

  cas(address: Address, expected: bigint, desired: bigint, options?: VerbOptions): Promise<bigint> {
    return this.verb(address, 8, 'cas', true, options, (region) => region.cas(this.self, address.offset, expected, desired));
  }

  faa(address: Address, delta: bigint, options?: VerbOptions): Promise<bigint> {
    return this.verb(address, 8, 'faa', true, options, (region) => region.faa(this.self, address.offset, delta));
  }

  requestPermission(region: RegionRef, access: Access, options?: PermissionOptions): Promise<void> {
    const proposal = options?.proposal;
    const problem = proposalProblem(proposal);
    if (problem !== undefined) return Promise.reject(new RangeError(`requestPermission on m${region.memory} region '${region.region}': ${problem}`));
    return this.verb({ ...region, offset: 0 }, 0, 'requestPermission', false, options, (target) => {
      const outcome = target.requestPermission(this.self, access, proposal);
      return outcome.ok ? { ok: true, value: undefined } : outcome;
    });
  }

  private verb<T>(address: Address, length: number, name: string, wordAligned: boolean, options: VerbOptions | undefined, execute: (region: ShmRegion) => ShmOutcome<T>): Promise<T> {
    try {
      // The region's own spec when the name is known (a map lookup, not a scan of every region); the full list otherwise, for the message.
      checkAddress(this.regionLists.get(address.region) ?? this.regions, this.memoryCount, address, length, name, wordAligned);
    } catch (error) {
      return Promise.reject(error instanceof BadAddress ? error : new BadAddress(String(error)));
    }
    if (Atomics.load(this.control, this.index.memoryCrashed(address.memory)) === 1) {
      // A crashed memory never answers: only the caller's timeout ends the wait.
      return options?.timeout === undefined ? new Promise<T>(() => {}) : this.timeoutOnly(name, address, options.timeout);
    }
    const region = this.memories[address.memory].get(address.region) as ShmRegion;
    const outcome = execute(region);
    if (this.verbsThisTurn++ < verbsPerTurn) {
      this.armTurn();
      // Already settled: the completion runs as a microtask, with no executor closure to allocate.
      return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(new PermissionDenied(address.memory, address.region, name, this.self, outcome.reason));
    }
    return new Promise<T>((resolve, reject) => {
      this.deferred.push(() => (outcome.ok ? resolve(outcome.value) : reject(new PermissionDenied(address.memory, address.region, name, this.self, outcome.reason))));
      this.armTurn();
    });
  }

  private armTurn(): void {
    if (this.turnArmed) return;
    this.turnArmed = true;
    setImmediate(() => {
      this.turnArmed = false;
      this.verbsThisTurn = 0;
      const due = this.deferred.splice(0, this.deferred.length);
      for (const complete of due) complete();
    });
  }

  private timeoutOnly<T>(name: string, address: Address, timeout: number): Promise<T> {
    return new Promise<T>((_, reject) => {
      this.setTimer(timeout, () => reject(new TimedOut(`${name} on m${address.memory} region '${address.region}'`, timeout)));
    });
  }

  send(to: ProcessId, data: Uint8Array): void {
    if (!Number.isInteger(to) || to < 0 || to >= this.processCount) throw new RangeError(`send: no process p${to} (p0..p${this.processCount - 1})`);
    if (Atomics.load(this.control, this.index.processDead(to)) === 1) return; // lost: the receiver crashed
    const ring = this.outgoing[to];
    if (data.length > ring.largestMessage) throw new RangeError(`send: ${data.length} bytes exceed the shm ring's largest message (${ring.largestMessage} bytes)`);
    const waiting = this.backlog.get(to);
    if (waiting && waiting.length > 0) waiting.push(data.slice());
    else if (!ring.push(data)) this.backlog.set(to, [data.slice()]);
    else this.ringLater(to);
    if (this.backlog.size > 0) this.flushLater();
  }

  /**
   * Rings `to`'s doorbell at once for the first message to it in this turn,
   * and once more at the end of the turn for any later ones. Waking a thread
   * that waits on its doorbell costs the sender a syscall and starts the
   * receiver competing for the cores (measured: a shm log leader ringing each
   * follower per decision spent more on that than on the decision); a reply
   * or a lone message still leaves at once, a burst costs two rings. A later
   * message is in the ring before the end-of-turn ring, so a receiver that
   * drained early is woken again for it.
   */
  private ringLater(to: ProcessId): void {
    if (!this.rungThisTurn[to]) {
      this.rungThisTurn[to] = true;
      this.ring(to);
    } else this.unrung[to] = true;
    if (this.doorbellArmed) return;
    this.doorbellArmed = true;
    setImmediate(() => {
      this.doorbellArmed = false;
      for (let process = 0; process < this.processCount; process++) {
        this.rungThisTurn[process] = false;
        if (!this.unrung[process]) continue;
        this.unrung[process] = false;
        this.ring(process);
      }
    });
  }

  private ring(to: ProcessId): void {
    Atomics.add(this.control, this.index.doorbell(to), 1);
    Atomics.notify(this.control, this.index.doorbell(to));
  }

  /** Retries messages that did not fit in a full ring, as the receiver drains it. */
  private flushLater(): void {
    if (this.backlogTimer !== undefined) return;
    this.backlogTimer = setTimeout(() => {
      this.backlogTimer = undefined;
      for (const [to, waiting] of this.backlog) {
        if (Atomics.load(this.control, this.index.processDead(to)) === 1) waiting.length = 0;
        let sent = 0;
        while (sent < waiting.length && this.outgoing[to].push(waiting[sent])) sent++;
        waiting.splice(0, sent);
        if (sent > 0) this.ring(to);
        if (waiting.length === 0) this.backlog.delete(to);
      }
      if (this.backlog.size > 0) this.flushLater();
    }, 1);
  }

  private async listen(): Promise<void> {
    const doorbell = this.index.doorbell(this.self);
    while (!this.stopped) {
      const seen = Atomics.load(this.control, doorbell);
      let got = 0;
      for (let from = 0; from < this.processCount; from++) got += this.incoming[from].drain((data) => this.deliver({ from, data }));
      if (got > 0) continue;
      const waiting = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.control, doorbell, seen);
      if (waiting.async) await waiting.value;
    }
  }

  private deliver(message: Message): void {
    this.inbox.deliver(message);
  }

  onMessage(handler: (message: Message) => void): void {
    this.inbox.setHandler(handler);
  }

  receive(): Promise<Message> {
    return this.inbox.receive();
  }

  now(): number {
    return this.clockSource.now();
  }

  clock(): number {
    return this.now();
  }

  sleep(duration: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(duration, resolve));
  }

  /**
   * A timer of less than a millisecond (but more than 0) runs on the
   * process's clock thread (fineTimers.ts): `setTimeout` would round it up
   * to ~1.1 ms, 4× too late for a 250 µs heartbeat. Longer ones use
   * `setTimeout` (its grain is small next to them), 0 `setImmediate`.
   */
  setTimer(duration: number, callback: () => void): () => void {
    const milliseconds = this.clockSource.milliseconds(duration);
    if (milliseconds > 0 && milliseconds < fineTimerBelowMilliseconds) return this.fineTimers.schedule(BigInt(Math.ceil(milliseconds * 1e6)), callback);
    return this.clockSource.setTimer(duration, callback);
  }

  random(): number {
    return this.randomStream();
  }

  note(kind: string, detail?: Readonly<Record<string, OperationValue>>): void {
    this.history.note(kind, detail);
  }

  compute(): Promise<void> {
    return Promise.resolve();
  }
}
