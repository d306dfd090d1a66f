import type { Fabric, OperationId, ProcessId } from '../../fabric/index.js';
import { Signer, type KeySource, type Purpose, type SignatureCosts, type BroadcastStatement } from '../../crypto/index.js';
import type { SignatureOracle } from './decide.js';
import { messageHash } from './digest.js';
import { BroadcastStopped } from './errors.js';
import { recordSlot, senderSlot, type BroadcastLayout, type SlotRef } from './layout.js';
import type { MergedSlot } from './merge.js';
import type { BroadcastMutant, StreamCheckMutant } from './mutants.js';
import { consistentDutiesDone, receiverNext, releaseInOrder, type Decision, type ReceiverState } from './receiver.js';
import { deliveredCopies, reliableDutiesDone, reliableNext, type ReliableState } from './reliable.js';
import { readSlot, SwmrRegisters, type RegionRead } from './registers.js';
import { freshReplicator, replicatorNext, type ReplicatorState } from './replicator.js';
import { senderNext } from './sender.js';
import { encodeReadySet, sameBytes, type FieldName } from './slot.js';
import { VerifiedSignatures } from './verified.js';
import { recordView, senderView, type RecordView, type SenderView } from './views.js';

/**
 * The async shell of consistent and reliable broadcast: one loop per process
 * that issues the verbs, charges the CPU, writes the trace notes and hands
 * deliveries over, while every decision is a pure function of what a round
 * read — sender.ts, replicator.ts, receiver.ts (CB) and reliable.ts (RB on
 * CB's outcome). Every process is a replicator and a receiver; senders are
 * those of the layout.
 *
 * A round: start the queued broadcasts the window allows (write m into the
 * sender's slot); read the slots of the broadcasts in progress from every
 * process's region (a majority of memories each); verify the signatures not
 * verified yet (each costs virtual CPU time); run the roles; publish the new
 * fields of its own records and wait for a majority of memories; only then
 * start the next round's read. That order — a write completes on a majority
 * before the next read starts — is the "write, then read" the replicator's
 * check needs (replicator.ts).
 *
 * Slots are flags plus write-once fields (slot.ts): a correct process writes
 * each field once and then its bit, and a reader counts a field only with
 * its bit set and its CRC valid. So every field a reader counts from a
 * correct owner is that owner's final value, and anything torn is merely
 * absent (L0, in slot.ts). No decision waits for a clean read or trusts an
 * older copy after some number of torn ones: nothing here depends on how
 * long a write takes to land.
 *
 * The loop runs until its owner stops it (`stop`); it never ends by itself.
 */

export type BroadcastMode = 'cb' | 'rb';

export interface Delivery {
  readonly sender: ProcessId;
  /** The sender's sequence number k (1, 2, ...). */
  readonly sequence: number;
  readonly message: Uint8Array;
  /** Fast path (unanimity, no signature) or slow path (signatures). */
  readonly path: 'fast' | 'slow';
}

export interface RoundsConfig {
  readonly mode: BroadcastMode;
  readonly layout: BroadcastLayout;
  readonly f: number;
  /** How long a sender waits for every acknowledgement before it signs (from its write). */
  readonly signTimeout: number;
  /** RB: how long a process waits, after writing Ready, for everybody to deliver before it signs its Ready. */
  readonly readyTimeout: number;
  /**
   * After this long without anything new in what it reads, a process polls
   * only every `idlePoll` (a waiting process need not spin; the fast path is
   * over long before).
   */
  readonly idleAfter: number;
  readonly idlePoll: number;
  /**
   * After a round that saw nothing new (before `idleAfter` passed), wait this
   * long before the next read (default 0: none). On the simulator a round's
   * reads take a round trip of virtual time, which paces the loop; on shm a
   * verb completes at issue, so an unpaced loop re-reads back to back, and
   * 2f+1 such loops on a few cores starve the very processes whose writes
   * they wait for (and the point-to-point messages of everybody). Real
   * backends set it to one round trip of the latency model (scenarios/bftReal.ts).
   */
  readonly quietPause?: number;
  /** Own broadcasts in flight at once; receivers also read this many sequence numbers past the lowest undecided one. */
  readonly window: number;
  /** CPU time charged per signature and per verification. */
  readonly costs: SignatureCosts;
  readonly keys: KeySource;
  /** A broken variant: the CB catalogue's, or one of the checks' variants only a bft stream runs (mutants.ts). */
  readonly mutant?: BroadcastMutant | StreamCheckMutant;
  /**
   * When a delivery is handed over (default 'sequence': in k order per
   * sender, the FIFO that CB promises its users). 'arrival' hands each k
   * over as soon as it is delivered, a later k possibly before an earlier
   * one: only for deliberately broken users (the bft mutants `no-fifo`,
   * `seal-without-prefix`) that must see their stream out of order.
   */
  readonly release?: 'sequence' | 'arrival';
}

interface Instance {
  readonly sender: ProcessId;
  readonly sequence: number;
  /** Its place in `instances` (sequence-major): a round steps instances in this order, which fixes the order of its verbs. */
  readonly index: number;
  replicator: ReplicatorState;
  receiver: ReceiverState;
  reliable: ReliableState;
  /** When its Ready was written (RB's timeout counts from it). */
  readyAt?: number;
  done: boolean;
}

interface RoundView {
  readonly records: readonly RecordView[];
  readonly sender: SenderView;
  readonly fingerprint: string;
  /** Only the `torn-blocks` mutant: some copy of a block this read covers holds a torn field, so the broadcast waits for a clean one. */
  readonly waiting?: boolean;
}

interface Sending {
  readonly sequence: number;
  readonly message: Uint8Array;
  readonly hash: Uint8Array;
  readonly startedAt: number;
  /** Its operation in the run's history (window 1 only: the history holds one open operation per process). */
  readonly operation?: OperationId;
  readonly settle: Settlement;
  done: boolean;
}

interface Settlement {
  readonly resolve: (sequence: number) => void;
  readonly reject: (error: Error) => void;
}

interface Queued {
  readonly sequence: number;
  readonly message: Uint8Array;
  readonly settle: Settlement;
}

/** What a round does for one broadcast besides the writes: notes and hand-overs after the write. */
interface Settled {
  readonly fields: Partial<Record<FieldName, Uint8Array>>;
  readonly check: boolean;
  readonly restart: boolean;
  readonly signReady: boolean;
  /** RB's delivery, handed over once the fields (its `delivered`) are written. */
  readonly deliver?: { readonly message: Uint8Array; readonly path: Decision['path'] };
  /** Whether its duties for this broadcast are over, judged after the write. */
  readonly done: () => boolean;
}

export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * Sequence numbers to read: from the lowest undone one up to `window` past
 * the lowest undecided one (a correct sender's broadcasts follow each other,
 * at most `window` in flight; an own broadcast in flight counts as
 * undecided). An own broadcast beyond the range waits until the range moves
 * on (or its timeout makes the sender sign). An instance
 * this process decided may stay undone for good — a Byzantine sender or
 * replicator can keep it from ever checking (a conflict) or from seeing
 * unanimity, a hash-swapper from ever finding m — and it must not hide later
 * broadcasts: the range follows what is still to decide, and keeps covering
 * the decided-but-undone instances (their duties: the check, the signed
 * Ready, finding m).
 */
/** Unites overlapping or adjacent ranges (sorted by first): each block is read once per round. */
export function mergeRanges(ranges: readonly { first: number; last: number }[]): { first: number; last: number }[] {
  const spans: { first: number; last: number }[] = [];
  for (const range of [...ranges].sort((a, b) => a.first - b.first)) {
    const previous = spans[spans.length - 1];
    if (previous && range.first <= previous.last + 1) previous.last = Math.max(previous.last, range.last);
    else spans.push({ ...range });
  }
  return spans;
}

export function readRange(active: readonly { sequence: number; decided: boolean }[], sending: readonly number[], window: number, capacity: number): { first: number; last: number } {
  const lowest = Math.min(...active.map((instance) => instance.sequence), ...sending);
  const first = Number.isFinite(lowest) ? lowest : 1;
  const undecided = Math.min(...active.filter((instance) => !instance.decided).map((instance) => instance.sequence), ...sending);
  // Decided instances were read within an earlier range, which never reached past the lowest undecided + window.
  const highest = Number.isFinite(undecided) ? undecided : Math.max(first, ...active.map((instance) => instance.sequence));
  return { first, last: Math.min(Math.max(first, highest) + window, capacity) };
}

export class BroadcastRounds {
  readonly signer: Signer;
  readonly registers: SwmrRegisters;
  /** Malformed fields or flags read (only Byzantine owners write them). */
  malformed = 0;
  private readonly verified = new VerifiedSignatures();
  private readonly instances: Instance[] = [];
  /** Per sender: its instances in k order, and the position of its lowest undone one (instances only ever get done). */
  private readonly streams = new Map<ProcessId, { readonly instances: Instance[]; undoneFrom: number }>();
  private readonly sendings: Sending[] = [];
  private readonly queue: Queued[] = [];
  private nextSequence = 1;
  private readonly equivocators = new Set<ProcessId>();
  /** Per sender: the lowest k not handed over yet, and what waits for it. */
  private readonly order = new Map<ProcessId, { next: number; waiting: Map<number, Delivery> }>();
  private readonly listeners = new Set<(delivery: Delivery) => void>();
  private readonly finishWaiters: { count: number; stop: boolean; resolve: (finished: boolean) => void }[] = [];
  private round = 0;
  private cpu: Promise<void> = Promise.resolve();
  private wrote = false;
  private stopping = false;
  private deadline = Infinity;
  private loopEnded = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: RoundsConfig,
  ) {
    this.signer = new Signer(fabric.self, config.keys, config.layout.processCount);
    this.registers = new SwmrRegisters(fabric, config.layout);
    for (const sender of config.layout.senders) this.streams.set(sender, { instances: [], undoneFrom: 0 });
    for (let sequence = 1; sequence <= config.layout.messages; sequence++) {
      for (const sender of config.layout.senders) {
        const instance: Instance = { sender, sequence, index: this.instances.length, replicator: freshReplicator, receiver: {}, reliable: {}, done: false };
        this.instances.push(instance);
        this.streams.get(sender)?.instances.push(instance);
      }
    }
    for (const sender of config.layout.senders) this.order.set(sender, { next: 1, waiting: new Map() });
    // The loop starts in the next microtask, so that the owner can queue its first broadcasts in the turn that built
    // this object, or at once when the owner waits for its work (`finished`).
    void Promise.resolve().then(() => this.start());
  }

  /** Starts the loop (once). */
  start(): void {
    this.loop ??= this.run();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** The sequence number the next `enqueue` gets. */
  get upcoming(): number {
    return this.nextSequence;
  }

  /** Queues a broadcast (the caller validated it); settles with k when complete. */
  enqueue(message: Uint8Array, settle: Settlement): number {
    const sequence = this.nextSequence++;
    this.queue.push({ sequence, message, settle });
    this.wake?.();
    return sequence;
  }

  listen(listener: (delivery: Delivery) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with true once every sender's first `count` broadcasts are
   * delivered and done here and no own broadcast is pending; with false if
   * the loop stopped first.
   */
  finished(count: number, stop = false): Promise<boolean> {
    if (this.loopEnded) return Promise.resolve(false);
    if (stop) this.start();
    const finished = new Promise<boolean>((resolve) => {
      this.finishWaiters.push({ count, stop, resolve });
      this.settleWaiters();
    });
    this.start();
    return finished;
  }

  /**
   * Ends the loop at its first round boundary at or after `time` (unless
   * stopped before): a safety net for an owner that cannot wait forever for
   * work a Byzantine sender may never let finish. Sets no timer: the loop
   * looks at the clock between rounds.
   */
  stopBy(time: number): void {
    this.deadline = Math.min(this.deadline, time);
  }

  /** Ends the loop after its current round; resolves once it ended and noted its final counts. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    this.start();
    await this.loop;
  }

  private get n(): number {
    return this.config.layout.processCount;
  }

  private async run(): Promise<void> {
    const { fabric, config } = this;
    let lastSeen = '';
    let lastChange = fabric.now();
    while (!this.stopping && fabric.now() < this.deadline) {
      await this.startQueued();
      if (this.stopping) break;
      const open = this.sendings.filter((sending) => !sending.done);
      const { senders, ranges, stepped } = this.roundScope(open);
      if (senders.length === 0) {
        await this.pause(this.deadline - fabric.now());
        continue;
      }
      this.round++;
      this.wrote = false;
      // Overlapping ranges are read once (quiet senders share theirs).
      const spans = mergeRanges(ranges);
      const spanReads = await Promise.all(spans.map((span) => Promise.all(Array.from({ length: this.n }, (_, owner) => this.registers.readBlocks(owner, span.first, span.last)))));
      const readsBySender = new Map<ProcessId, RegionRead[]>(senders.map((sender, index) => [sender, spanReads[spans.findIndex((span) => span.first <= ranges[index].first && ranges[index].last <= span.last)]]));
      const reads = readsBySender.get(fabric.self) ?? [];
      const views = new Map(stepped.map((instance) => [instance, this.view(instance, readsBySender.get(instance.sender) ?? [])]));
      await this.checkSignatures(views);
      const writes: Promise<void>[] = [];
      const afterWrite: (() => void)[] = [];
      for (const [instance, view] of views) if (!view.waiting) writes.push(this.settle(instance, this.step(instance, view, afterWrite)));
      for (const sending of open) await this.tendSending(sending, reads, writes);
      await Promise.all(writes);
      for (const action of afterWrite) action();
      this.settleWaiters();
      if (this.stopping) break;
      const seen = this.fingerprint(views, this.wrote);
      if (seen !== lastSeen) {
        lastSeen = seen;
        lastChange = fabric.now();
      } else if (fabric.now() - lastChange > config.idleAfter) await this.pause(config.idlePoll);
      else if (config.quietPause) await this.pause(config.quietPause);
    }
    this.stopping = true;
    for (const instance of this.instances) {
      if (!instance.done && this.touched(instance)) fabric.note('give-up', { s: instance.sender, k: instance.sequence });
    }
    const stopped = () => new BroadcastStopped(fabric.self);
    for (const sending of this.sendings) {
      if (sending.done) continue;
      if (sending.operation !== undefined) fabric.history.info(sending.operation, text(sending.message));
      sending.settle.reject(stopped());
    }
    for (const queued of this.queue.splice(0)) queued.settle.reject(stopped());
    const { made, verified, rejected } = this.signer.counters;
    fabric.note('signatures', { made, verified, rejected, malformed: this.malformed });
    this.loopEnded = true;
    for (const waiter of this.finishWaiters.splice(0)) waiter.resolve(false);
  }

  /** Waits `duration` (forever: Infinity), or until a broadcast is queued or the owner stops the loop; leaves no timer behind. */
  private pause(duration: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = Number.isFinite(duration) ? this.fabric.setTimer(duration, () => done()) : () => {};
      const done = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  /** Resolves the `finished` waiters whose work is done (stopping the loop at this round boundary if one asked). */
  private settleWaiters(): void {
    const own = this.queue.length === 0 && this.sendings.every((sending) => sending.done);
    for (let index = this.finishWaiters.length - 1; index >= 0; index--) {
      const waiter = this.finishWaiters[index];
      const upTo = Math.min(waiter.count, this.config.layout.messages);
      const all = [...this.streams.values()].every((stream) => this.lowestUndone(stream) > upTo);
      if (!own || !all) continue;
      this.finishWaiters.splice(index, 1);
      if (waiter.stop) {
        this.stopping = true;
        this.wake?.();
      }
      waiter.resolve(true);
    }
  }

  /**
   * What a round reads and steps. One range per sender with undone
   * broadcasts (or, for this process, its own in flight): its lowest undone
   * k .. its lowest undecided k + window (readRange) — with several senders,
   * a quiet one (whose k = 1 stays undecided) must not pin the range that
   * another's later broadcasts need. Only the undone instances inside their
   * sender's range are stepped: one beyond it was never read, so its state
   * is fresh (every instance with state is undecided, hence in range, or was
   * decided inside a range, which never shrinks below it) and a round with
   * nothing read changes nothing of it. Stepping all K instances of every
   * sender each round instead cost a real process milliseconds per round
   * (K is sized for the whole run), which on shm and tcp left replicas
   * polling a few times per protocol timeout; the simulator charges no CPU
   * for it, so its runs are unchanged (same verbs, same order).
   */
  private roundScope(open: readonly Sending[]): { senders: ProcessId[]; ranges: { first: number; last: number }[]; stepped: Instance[] } {
    const { fabric, config } = this;
    const senders: ProcessId[] = [];
    const ranges: { first: number; last: number }[] = [];
    const stepped: Instance[] = [];
    for (const sender of config.layout.senders) {
      const stream = this.streams.get(sender);
      if (!stream) continue;
      const list = stream.instances;
      this.lowestUndone(stream);
      // readRange needs the lowest undone and the lowest undecided k (or, all decided, the highest undone): this prefix has them.
      const head: { sequence: number; decided: boolean }[] = [];
      for (let at = stream.undoneFrom; at < list.length; at++) {
        if (list[at].done) continue;
        const decided = this.decided(list[at]);
        head.push({ sequence: list[at].sequence, decided });
        if (!decided) break;
      }
      const own = sender === fabric.self ? open.map((sending) => sending.sequence) : [];
      if (head.length === 0 && own.length === 0) continue;
      const range = readRange(head, own, config.window, config.layout.messages);
      senders.push(sender);
      ranges.push(range);
      for (let at = stream.undoneFrom; at < list.length && list[at].sequence <= range.last; at++) if (!list[at].done) stepped.push(list[at]);
    }
    stepped.sort((a, b) => a.index - b.index);
    return { senders, ranges, stepped };
  }

  /** A sender's lowest undone k (K + 1 when all are done). */
  private lowestUndone(stream: { readonly instances: Instance[]; undoneFrom: number }): number {
    const list = stream.instances;
    while (stream.undoneFrom < list.length && list[stream.undoneFrom].done) stream.undoneFrom++;
    return list[stream.undoneFrom]?.sequence ?? this.config.layout.messages + 1;
  }

  /** Whether this process saw anything of the broadcast (an undone one is then a give-up at stop). */
  private touched(instance: Instance): boolean {
    return instance.replicator.adopted !== undefined || instance.receiver.decision !== undefined || instance.reliable.decision !== undefined;
  }

  /** What changed between rounds: the fields read and this process's own progress. */
  private fingerprint(views: ReadonlyMap<Instance, RoundView>, acted: boolean): string {
    if (acted) return `acted:${this.round}`;
    const parts: string[] = [];
    for (const [instance, view] of views) parts.push(`${instance.sequence}:${view.fingerprint}`);
    return parts.join('|') + `|${this.sendings.length}`;
  }

  /** Whether this process decided the instance's hash (CB or RB, by mode). */
  private decided(instance: Instance): boolean {
    return (this.config.mode === 'cb' ? instance.receiver.decision : instance.reliable.decision) !== undefined;
  }

  /** The sender's role, start: writes m into S[self][k] for as many queued broadcasts as the window allows. */
  private async startQueued(): Promise<void> {
    const { fabric, config } = this;
    const starts: Promise<void>[] = [];
    while (this.queue.length > 0 && this.sendings.filter((sending) => !sending.done).length < config.window) {
      const { sequence, message, settle } = this.queue.shift() as Queued;
      const operation = config.window === 1 ? fabric.history.invoke('broadcast', text(message), `p${fabric.self}/${sequence}`) : undefined;
      fabric.note('broadcast', { s: fabric.self, k: sequence, m: text(message), hex: hex(message) });
      this.sendings.push({ sequence, message, hash: messageHash(message), startedAt: fabric.now(), ...(operation !== undefined ? { operation } : {}), settle, done: false });
      starts.push(this.registers.publish(senderSlot(fabric.self, sequence), { value: message }));
    }
    // One start is awaited as is (no extra promise turn): the run's verbs keep the order of the one-at-a-time sender.
    if (starts.length === 1) await starts[0];
    else await Promise.all(starts);
  }

  /** The sender's role, each round: complete on every acknowledgement; sign once the timeout passed without them (sender.ts). */
  private async tendSending(sending: Sending, reads: readonly RegionRead[], writes: Promise<void>[]): Promise<void> {
    const { fabric, config } = this;
    const records = reads.map((read) => recordView(this.merged(read, recordSlot(fabric.self, sending.sequence))));
    const action = senderNext(sending, records, fabric.now(), config.signTimeout);
    if (action === 'wait') return;
    sending.done = true;
    const complete = () => {
      if (sending.operation !== undefined) fabric.history.ok(sending.operation, text(sending.message));
      sending.settle.resolve(sending.sequence);
    };
    if (action === 'complete') return complete();
    const signature = await this.sign('broadcast', fabric.self, sending.sequence, sending.hash);
    this.wrote = true;
    writes.push(this.registers.publish(senderSlot(fabric.self, sending.sequence), { sig: signature }).then(complete));
  }

  /** One slot merged from a read, counting what only a Byzantine owner writes and noting proof of equivocation. */
  private merged(read: RegionRead, slot: SlotRef): MergedSlot | null {
    const merged = readSlot(read, slot, this.config.layout);
    if (!merged) return null;
    this.malformed += merged.malformed.length;
    if (merged.equivocation.length > 0 && !this.equivocators.has(read.owner)) {
      this.equivocators.add(read.owner);
      this.fabric.note('equivocation-proof', { owner: read.owner, fields: merged.equivocation.join(',') });
    }
    return merged;
  }

  /** What this round read of one broadcast: every process's record and the sender's slot. */
  private view(instance: Instance, reads: readonly RegionRead[]): RoundView {
    const fingerprints: string[] = [];
    const records = reads.map((read) => {
      const merged = this.merged(read, recordSlot(instance.sender, instance.sequence));
      fingerprints.push(merged?.fingerprint ?? '-');
      return recordView(merged);
    });
    const slot = this.merged(reads[instance.sender], senderSlot(instance.sender, instance.sequence));
    fingerprints.push(slot?.fingerprint ?? '-');
    return { records, sender: senderView(slot), fingerprint: fingerprints.join(';'), ...(this.config.mutant === 'torn-blocks' && this.tornBlock(instance.sequence, reads) ? { waiting: true } : {}) };
  }

  /** The `torn-blocks` mutant: whether any copy of any owner's block k (its sender slot and every record) holds a torn field. */
  private tornBlock(sequence: number, reads: readonly RegionRead[]): boolean {
    const { layout } = this.config;
    return reads.some((read) => {
      // One verdict per block and read: the instances of every sender at k share the blocks.
      const verdicts = this.tornVerdicts.get(read) ?? new Map<number, boolean>();
      this.tornVerdicts.set(read, verdicts);
      let torn = verdicts.get(sequence);
      if (torn === undefined) {
        const slots = [...(layout.senders.includes(read.owner) ? [senderSlot(read.owner, sequence)] : []), ...layout.senders.map((sender) => recordSlot(sender, sequence))];
        torn = slots.some((slot) => readSlot(read, slot, layout)?.torn === true);
        verdicts.set(sequence, torn);
      }
      return torn;
    });
  }

  /** The `torn-blocks` mutant's verdicts, per read (a round's reads are new objects). */
  private readonly tornVerdicts = new WeakMap<RegionRead, Map<number, boolean>>();

  /** One broadcast's roles for one round — replicator, CB receiver, then CB's hand-over or RB's layer — as state changes and fields to write. */
  private step(instance: Instance, view: RoundView, afterWrite: (() => void)[]): Settled {
    const { fabric, config } = this;
    const { sender, sequence } = instance;
    const { records, sender: slot } = view;
    const valid = this.oracle(sender, sequence);
    const replicator = replicatorNext(instance.replicator, { slot, records, self: fabric.self, sender, round: this.round, valid, ...(config.mutant ? { mutant: config.mutant } : {}) });
    instance.replicator = replicator.state;
    if (replicator.conflict) fabric.note('conflict', { s: sender, k: sequence });
    const fields: Partial<Record<FieldName, Uint8Array>> = { ...(replicator.restart ? this.standing(instance) : {}), ...replicator.fields };

    const own = [instance.replicator.adopted, ...slot.values];
    const receiver = receiverNext(instance.receiver, {
      records,
      sender,
      f: config.f,
      valid,
      candidates: config.mode === 'rb' ? [...own, ...deliveredCopies(records)] : own,
      requireChecked: config.mutant !== 'no-check',
      ...(config.mutant === 'unchecked-value' ? { checkValue: false } : {}),
    });
    instance.receiver = receiver.state;
    if (receiver.decided) {
      fields.ready = receiver.decided.hash;
      afterWrite.push(() => {
        instance.readyAt ??= fabric.now();
      });
    }
    const consistentDone = (records: readonly RecordView[]) => consistentDutiesDone(instance.replicator.checked, instance.receiver, records);
    const base = { check: replicator.check, restart: replicator.restart };
    if (config.mode === 'cb') {
      // CB hands its delivery over at once: nothing of it needs to be written first (its Ready is an acknowledgement).
      if (receiver.delivered) this.handOver({ sender, sequence, message: receiver.delivered, path: instance.receiver.decision?.path ?? 'fast' });
      return { ...base, fields, signReady: false, done: () => instance.receiver.delivered !== undefined && consistentDone(records) };
    }
    // RB on CB's outcome: CB's delivery is internal (noted `cb-deliver`); RB's is handed over after its `delivered` is written (totality).
    if (receiver.delivered) fabric.note('cb-deliver', { s: sender, k: sequence, m: text(receiver.delivered), hex: hex(receiver.delivered), path: instance.receiver.decision?.path ?? 'fast' });
    const reliable = reliableNext(instance.reliable, {
      records,
      f: config.f,
      valid,
      consistent: instance.receiver,
      ...(instance.readyAt !== undefined ? { readyAt: instance.readyAt } : {}),
      now: fabric.now(),
      readyTimeout: config.readyTimeout,
      candidates: own,
    });
    instance.reliable = reliable.state;
    return {
      ...base,
      fields: { ...fields, ...reliable.fields },
      signReady: reliable.signReady,
      ...(reliable.deliver ? { deliver: reliable.deliver } : {}),
      done: () => reliableDutiesDone(instance.reliable, records, consistentDone(records)),
    }
  }

  /** Issues one broadcast's writes for the round (signing its Ready first if due), then hands its delivery over. */
  private async settle(instance: Instance, settled: Settled): Promise<void> {
    const { sender, sequence } = instance;
    const fields = { ...settled.fields };
    const decision = instance.receiver.decision;
    if (settled.signReady && decision) {
      const readySignature = await this.sign('ready', sender, sequence, decision.hash);
      instance.reliable = { ...instance.reliable, readySignature };
      fields.readySig = readySignature;
    }
    const slot = recordSlot(sender, sequence);
    if (settled.restart) await this.registers.restart(slot);
    if (Object.keys(fields).length > 0 || settled.check) {
      this.wrote = true;
      await this.registers.publish(slot, fields, { checked: settled.check, rewrite: this.config.mutant === 'rewritten-record' });
    }
    if (settled.deliver) this.handOver({ sender, sequence, message: settled.deliver.message, path: settled.deliver.path });
    instance.done = settled.done();
  }

  /** The fields of this process's record it still stands by (the changing-replicator mutant republishes them after a restart). */
  private standing(instance: Instance): Partial<Record<FieldName, Uint8Array>> {
    return {
      ...(instance.receiver.decision ? { ready: instance.receiver.decision.hash } : {}),
      ...(instance.reliable.readySignature ? { readySig: instance.reliable.readySignature } : {}),
      ...(instance.reliable.readySet ? { readySet: encodeReadySet(instance.reliable.readySet) } : {}),
      ...(instance.reliable.delivered && this.config.mode === 'rb' ? { delivered: instance.reliable.delivered } : {}),
    };
  }

  /** A broadcast delivered: handed to the application in k order per sender (receiver.ts; at once with `release: 'arrival'`); its owner records it (the scenarios note `deliver`). */
  private handOver(delivery: Delivery): void {
    if (this.config.release === 'arrival') {
      for (const listener of this.listeners) listener(delivery);
      return;
    }
    const order = this.order.get(delivery.sender);
    if (!order) return;
    order.waiting.set(delivery.sequence, delivery);
    const { released, next } = releaseInOrder(order.next, order.waiting);
    for (const sequence of Array.from({ length: next - order.next }, (_, index) => order.next + index)) order.waiting.delete(sequence);
    order.next = next;
    for (const item of released) for (const listener of this.listeners) listener(item);
  }

  private async sign(purpose: Purpose, sender: ProcessId, sequence: number, hash: Uint8Array): Promise<Uint8Array> {
    await this.compute(this.config.costs.sign);
    const statement: BroadcastStatement = { purpose, sender, sequence, message: hash };
    const signature = this.signer.sign(statement);
    this.verified.record(this.fabric.self, statement, signature, true);
    this.fabric.note('sign', { purpose, s: sender, k: sequence });
    return signature;
  }

  /** Charges CPU time; one computation at a time (a process has one core for its crypto). */
  private compute(duration: number): Promise<void> {
    const done = this.cpu.then(() => this.fabric.compute(duration));
    this.cpu = done;
    return done;
  }

  /** Answers from the verdicts (filled by checkSignatures); never verified = not valid. */
  private oracle(sender: ProcessId, sequence: number): SignatureOracle {
    return (signer, purpose, hash, signature) => this.verified.verdict(signer, { purpose, sender, sequence, message: hash }, signature) === true;
  }

  /**
   * Verifies, once each, every signature this round's decisions may need.
   * Each costs CPU time, and a Byzantine owner can write fresh forgeries, so
   * it skips what cannot matter: once this process CB-decided h, Readys for
   * any other hash (by RB consistency no valid ReadySet for it exists, and
   * totality needs only Readys for h); and the rest of a ReadySet after its
   * first bad entry (a set holds at most f+1 entries, so it can no longer
   * reach f+1 valid ones).
   */
  private async checkSignatures(views: ReadonlyMap<Instance, RoundView>): Promise<void> {
    const { config } = this;
    const wanted: { owner: ProcessId; signer: number; statement: BroadcastStatement; signature: Uint8Array; set?: string }[] = [];
    for (const [instance, view] of views) {
      const { sender, sequence } = instance;
      const { replicator, receiver } = instance;
      const echo = (owner: ProcessId, hash: Uint8Array, signature: Uint8Array) => wanted.push({ owner, signer: sender, statement: { purpose: 'broadcast', sender, sequence, message: hash }, signature });
      const ready = (owner: ProcessId, signer: number, hash: Uint8Array, signature: Uint8Array, set?: string) => wanted.push({ owner, signer, statement: { purpose: 'ready', sender, sequence, message: hash }, signature, ...(set ? { set } : {}) });
      const useful = (hash: Uint8Array) => !receiver.decision || sameBytes(hash, receiver.decision.hash);
      const needEchoes = !receiver.decision || (replicator.adoptedHash !== undefined && !replicator.checked && !replicator.conflict);
      if (replicator.adoptedHash && !replicator.signature && view.sender.sig) echo(sender, replicator.adoptedHash, view.sender.sig);
      for (const [owner, record] of view.records.entries()) {
        if (needEchoes && record.echo && record.signed) echo(owner, record.echo, record.signed);
        if (config.mode !== 'rb' || instance.reliable.decision) continue;
        if (record.ready && record.readySig && useful(record.ready)) ready(owner, owner, record.ready, record.readySig);
        const set = record.readySet;
        if (!set || !useful(set.hash)) continue;
        for (const entry of set.entries) {
          const known = this.verified.verdict(entry.signer, { purpose: 'ready', sender, sequence, message: set.hash }, entry.signature);
          if (known === false) break;
          ready(owner, entry.signer, set.hash, entry.signature, `${sequence}/${owner}`);
        }
      }
    }
    const deadSets = new Set<string>();
    for (const item of wanted) {
      // A round of many verifications must not carry the process far past its owner's stop.
      if (this.stopping || this.fabric.now() >= this.deadline) return;
      if (this.verified.verdict(item.signer, item.statement, item.signature) !== undefined || (item.set && deadSets.has(item.set))) continue;
      if (config.mutant === 'skip-signature-check') {
        this.verified.record(item.signer, item.statement, item.signature, true);
        continue;
      }
      await this.compute(config.costs.verify);
      const ok = this.signer.verify(item.signer, item.statement, item.signature);
      // Marks these bytes only: the owner's and the signer's other fields are judged on their own (verified.ts).
      this.verified.record(item.signer, item.statement, item.signature, ok);
      if (ok) continue;
      if (item.set) deadSets.add(item.set);
      this.fabric.note('rejected', { owner: item.owner, signer: item.signer, purpose: item.statement.purpose, s: item.statement.sender, k: item.statement.sequence });
    }
  }
}
