import type { Fabric, Message, OperationId, ProcessId, ProcessMain } from '../../fabric/index.js';
import { DeliveryFeed } from '../common/deliveryFeed.js';
import { releaseInOrder } from './receiver.js';
import { BroadcastStopped, EmptyMessage, MessageTooLarge, NotASender, SlotsExhausted } from './errors.js';
import { hex, text } from './rounds.js';

/**
 * Bracha's reliable broadcast over messages (1987), the baseline: n = 3f+1
 * processes, no signatures, no shared memory. For sender s's k-th message:
 * - the sender sends INIT(m) to all;
 * - on the first INIT from the sender, a process sends ECHO(m) to all;
 * - on 2f+1 ECHO(m) (a quorum of n - f that any two intersect in a correct
 *   process), or on f+1 READY(m), it sends READY(m) to all (once);
 * - on 2f+1 READY(m) it delivers m.
 * Needing 3f+1 processes is the price of having no non-equivocation:
 * message passing alone lets a Byzantine sender tell different processes
 * different things.
 */
export const brachaMutants = {
  'small-echo-quorum': 'a process sends READY after f+1 ECHOs instead of 2f+1, so an equivocating sender can get two values ready',
} as const;
export type BrachaMutant = keyof typeof brachaMutants;

export const brachaAdversaries = {
  'equivocating-sender': 'sender sending INIT(m1) to half the processes and INIT(m2) to the others, then echoing and readying both',
  'silent-sender': 'sender that sends nothing',
  'silent-replicator': 'process that sends nothing (up to f of them)',
  'flip-replicator': 'process echoing and readying a conflicting value to everyone',
} as const;
export type BrachaAdversary = keyof typeof brachaAdversaries;

export interface BrachaConfig {
  readonly n: number;
  readonly f: number;
  readonly sender: ProcessId;
  /** Broadcasts the sender may make in the run (sequence numbers 1..messages, at most 255). */
  readonly messages: number;
  /** Called with every delivery, in k order. */
  readonly onDeliver?: (delivery: BrachaDelivery) => void;
  readonly mutant?: BrachaMutant;
}

/** Longest message: its length travels in one byte. */
export const brachaMessageCapacity = 255;

export interface BrachaDelivery {
  readonly sender: ProcessId;
  readonly sequence: number;
  readonly message: Uint8Array;
}

const kinds = { init: 1, echo: 2, ready: 3 } as const;
type Kind = keyof typeof kinds;

export function encodeBracha(kind: Kind, sequence: number, value: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(3 + value.length);
  bytes[0] = kinds[kind];
  bytes[1] = sequence;
  bytes[2] = value.length;
  bytes.set(value, 3);
  return bytes;
}

export function decodeBracha(bytes: Uint8Array): { kind: Kind; sequence: number; value: Uint8Array } | null {
  if (bytes.length < 3 || bytes.length !== 3 + bytes[2] || bytes[2] === 0) return null;
  const kind = (Object.keys(kinds) as Kind[]).find((name) => kinds[name] === bytes[0]);
  return kind ? { kind, sequence: bytes[1], value: bytes.slice(3) } : null;
}

/** One broadcast (s, k) as one process knows it. */
export interface BrachaInstance {
  readonly echoed: boolean;
  readonly readied: boolean;
  readonly delivered?: Uint8Array;
  /** Voters per value (by hex). */
  readonly echoes: ReadonlyMap<string, ReadonlySet<ProcessId>>;
  readonly readies: ReadonlyMap<string, ReadonlySet<ProcessId>>;
}

export const freshBrachaInstance: BrachaInstance = { echoed: false, readied: false, echoes: new Map(), readies: new Map() };

export interface BrachaStep {
  readonly instance: BrachaInstance;
  /** Send this to all. */
  readonly send?: { readonly kind: Kind; readonly value: Uint8Array };
  readonly deliver?: Uint8Array;
}

/**
 * What one message does to one broadcast, as a pure function: the first INIT
 * from the sender makes a process ECHO it; 2f+1 ECHOs (f+1 under the
 * `small-echo-quorum` mutant) or f+1 READYs of a value make it READY that
 * value (once); 2f+1 READYs deliver it. Any two sets of 2f+1 out of 3f+1
 * share a correct process, which echoes one value only: so no two values get
 * 2f+1 ECHOs, hence READY — the reason Bracha needs n = 3f+1.
 */
export function brachaNext(instance: BrachaInstance, message: { readonly from: ProcessId; readonly kind: Kind; readonly value: Uint8Array }, config: Pick<BrachaConfig, 'f' | 'sender' | 'mutant'>): BrachaStep {
  const { from, kind, value } = message;
  if (kind === 'init') {
    if (from !== config.sender || instance.echoed) return { instance };
    return { instance: { ...instance, echoed: true }, send: { kind: 'echo', value } };
  }
  const key = Buffer.from(value).toString('hex');
  const votes = kind === 'echo' ? instance.echoes : instance.readies;
  const voters = new Set(votes.get(key) ?? []);
  voters.add(from);
  const tallied = new Map(votes).set(key, voters);
  let next: BrachaInstance = kind === 'echo' ? { ...instance, echoes: tallied } : { ...instance, readies: tallied };
  const echoQuorum = config.mutant === 'small-echo-quorum' ? config.f + 1 : 2 * config.f + 1;
  const ready = (kind === 'echo' && voters.size >= echoQuorum) || (kind === 'ready' && voters.size >= config.f + 1);
  let send: BrachaStep['send'];
  if (ready && !next.readied) {
    next = { ...next, readied: true };
    send = { kind: 'ready', value };
  }
  let deliver: Uint8Array | undefined;
  if (kind === 'ready' && voters.size >= 2 * config.f + 1 && !next.delivered) {
    next = { ...next, delivered: value };
    deliver = value;
  }
  return { instance: next, ...(send ? { send } : {}), ...(deliver ? { deliver } : {}) };
}

/**
 * Bracha's broadcast as a call, like `ConsistentBroadcast`: the sender's
 * `broadcast(bytes)` resolves with k once the sender itself delivered it
 * (one at a time: the next INIT goes out then); every process's deliveries
 * come in k order through `onDeliver` and `deliveries()`; the object works
 * until its owner stops it, and ignores messages after that.
 */
export class BrachaBroadcast {
  private readonly instances = new Map<number, BrachaInstance>();
  private readonly feed = new DeliveryFeed<BrachaDelivery>();
  private readonly listeners = new Set<(delivery: BrachaDelivery) => void>();
  private readonly queue: { sequence: number; message: Uint8Array; resolve: (k: number) => void; reject: (error: Error) => void }[] = [];
  private sending: { sequence: number; message: Uint8Array; operation: OperationId; resolve: (k: number) => void; reject: (error: Error) => void } | undefined;
  private readonly waiting = new Map<number, Uint8Array>();
  private nextDelivery = 1;
  private nextSequence = 1;
  private readonly finishWaiters: { count: number; resolve: (finished: boolean) => void }[] = [];
  private stopped = false;
  private cancelDeadline: (() => void) | undefined;
  private ended: Promise<void> | undefined;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: BrachaConfig,
  ) {
    if (config.onDeliver) this.listeners.add(config.onDeliver);
    fabric.onMessage((message) => this.onMessage(message));
  }

  broadcast(message: Uint8Array): Promise<number> {
    const { fabric, config } = this;
    if (this.stopped) return Promise.reject(new BroadcastStopped(fabric.self));
    if (fabric.self !== config.sender) return Promise.reject(new NotASender(fabric.self, [config.sender]));
    if (message.length === 0) return Promise.reject(new EmptyMessage(brachaMessageCapacity));
    if (message.length > brachaMessageCapacity) return Promise.reject(new MessageTooLarge(message.length, brachaMessageCapacity));
    if (this.nextSequence > Math.min(config.messages, 255)) return Promise.reject(new SlotsExhausted(Math.min(config.messages, 255)));
    const sequence = this.nextSequence++;
    const copy = Uint8Array.from(message);
    return new Promise((resolve, reject) => {
      this.queue.push({ sequence, message: copy, resolve, reject });
      this.startNext();
    });
  }

  onDeliver(listener: (delivery: BrachaDelivery) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every delivery from the first one, in k order; ends when stopped. */
  deliveries(): AsyncGenerator<BrachaDelivery, void, undefined> {
    return this.feed.iterate(() => this.stopped);
  }

  /** Resolves with true once broadcasts 1..count are delivered here and its own are complete; false if stopped first. */
  finished(count: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.finishWaiters.push({ count, resolve });
      this.settleWaiters();
    });
  }

  /** Stops at time `time` unless stopped before (one timer, cancelled by an earlier stop). */
  stopBy(time: number): void {
    this.cancelDeadline?.();
    this.cancelDeadline = this.fabric.setTimer(Math.max(0, time - this.fabric.now()), () => void this.stop());
  }

  /** Stops: ignores messages from now on, rejects pending broadcasts, notes what it gave up on and its (zero) signature counts. */
  stop(): Promise<void> {
    this.ended ??= this.end();
    return this.ended;
  }

  close(): Promise<void> {
    return this.stop();
  }

  private async end(): Promise<void> {
    const { fabric, config } = this;
    this.stopped = true;
    this.cancelDeadline?.();
    const stopped = () => new BroadcastStopped(fabric.self);
    if (this.sending) {
      fabric.history.info(this.sending.operation, text(this.sending.message));
      this.sending.reject(stopped());
      this.sending = undefined;
    }
    for (const queued of this.queue.splice(0)) queued.reject(stopped());
    // Gave up on: what it heard of, or broadcast itself, but did not deliver.
    for (let sequence = this.nextDelivery; sequence <= config.messages; sequence++) {
      if (this.instances.has(sequence) || this.waiting.has(sequence) || sequence < this.nextSequence) fabric.note('give-up', { s: config.sender, k: sequence });
    }
    fabric.note('signatures', { made: 0, verified: 0, rejected: 0, malformed: 0 });
    for (const waiter of this.finishWaiters.splice(0)) waiter.resolve(false);
    this.feed.close();
  }

  private startNext(): void {
    const { fabric } = this;
    if (this.sending || this.stopped) return;
    const next = this.queue.shift();
    if (!next) return;
    const operation = fabric.history.invoke('broadcast', text(next.message), `p${fabric.self}/${next.sequence}`);
    fabric.note('broadcast', { s: fabric.self, k: next.sequence, m: text(next.message), hex: hex(next.message) });
    this.sending = { ...next, operation };
    this.toAll('init', next.sequence, next.message);
  }

  private toAll(kind: Kind, sequence: number, value: Uint8Array): void {
    const bytes = encodeBracha(kind, sequence, value);
    for (let to = 0; to < this.config.n; to++) this.fabric.send(to, bytes);
  }

  private onMessage(message: Message): void {
    const { config } = this;
    if (this.stopped) return;
    const decoded = decodeBracha(message.data);
    if (!decoded || decoded.sequence < 1 || decoded.sequence > config.messages) return;
    const { kind, sequence, value } = decoded;
    const step = brachaNext(this.instances.get(sequence) ?? freshBrachaInstance, { from: message.from, kind, value }, config);
    this.instances.set(sequence, step.instance);
    if (step.send) this.toAll(step.send.kind, sequence, step.send.value);
    if (step.deliver) this.handOver(sequence, step.deliver);
  }

  /** Hands deliveries over in k order; completes the sender's broadcast once it delivered it itself. */
  private handOver(sequence: number, value: Uint8Array): void {
    const { fabric, config } = this;
    this.waiting.set(sequence, value);
    const { released, next } = releaseInOrder(this.nextDelivery, this.waiting);
    for (let done = this.nextDelivery; done < next; done++) this.waiting.delete(done);
    const first = this.nextDelivery;
    this.nextDelivery = next;
    released.forEach((message, index) => {
      const delivery = { sender: config.sender, sequence: first + index, message };
      this.feed.push(delivery);
      for (const listener of this.listeners) listener(delivery);
      if (this.sending?.sequence === delivery.sequence) {
        const sending = this.sending;
        this.sending = undefined;
        fabric.history.ok(sending.operation, text(sending.message));
        sending.resolve(sending.sequence);
        this.startNext();
      }
    });
    this.settleWaiters();
  }

  private settleWaiters(): void {
    const own = this.sending === undefined && this.queue.length === 0;
    for (let index = this.finishWaiters.length - 1; index >= 0; index--) {
      const waiter = this.finishWaiters[index];
      if (!own || this.nextDelivery <= Math.min(waiter.count, this.config.messages)) continue;
      this.finishWaiters.splice(index, 1);
      waiter.resolve(true);
    }
  }
}

/** The body of a Byzantine process of Bracha's broadcast, until time `until`. */
export function brachaAdversaryBody(name: BrachaAdversary, config: BrachaConfig, until: number): ProcessMain {
  return async (fabric) => {
    const encoder = new TextEncoder();
    const effect = (reason: string) => fabric.note('adversary-effect', { adversary: name, reason });
    const send = (to: ProcessId, kind: Kind, sequence: number, value: Uint8Array) => fabric.send(to, encodeBracha(kind, sequence, value));
    const everyone = Array.from({ length: config.n }, (_, process) => process);
    if (name === 'equivocating-sender') {
      for (let sequence = 1; sequence <= config.messages; sequence++) {
        const first = encoder.encode(`eq-a:${sequence}`);
        const second = encoder.encode(`eq-b:${sequence}`);
        fabric.note('broadcast', { s: fabric.self, k: sequence, m: 'equivocation', hex: '' });
        for (const to of everyone) send(to, 'init', sequence, to % 2 === 0 ? first : second);
        for (const to of everyone) for (const kind of ['echo', 'ready'] as const) send(to, kind, sequence, to % 2 === 0 ? first : second);
      }
      effect('sent different INITs, ECHOs and READYs to different processes');
    } else if (name === 'flip-replicator') {
      fabric.onMessage((message) => {
        const decoded = decodeBracha(message.data);
        if (!decoded || decoded.kind !== 'init') return;
        const lie = encoder.encode(`flip:${decoded.sequence}`);
        for (const to of everyone) for (const kind of ['echo', 'ready'] as const) send(to, kind, decoded.sequence, lie);
        effect('echoed and readied a conflicting value');
      });
    } else {
      effect(name === 'silent-sender' ? 'withheld every broadcast' : 'withheld its echoes and readies');
    }
    // Its messages are out (or its handler answers INITs); it lives until the run's safety net.
    await fabric.sleep(Math.max(0, until - fabric.now()));
  };
}
