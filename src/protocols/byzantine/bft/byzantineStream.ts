import type { Fabric, MemoryId, ProcessId } from '../../../fabric/index.js';
import { Signer, type KeySource, type SignatureCosts } from '../../../crypto/index.js';
import { BroadcastStopped, ConsistentBroadcast, SlotsExhausted, type BroadcastConfig, type Delivery } from '../broadcast.js';
import { messageHash } from '../digest.js';
import { recordSlot, senderSlot, slotIdentity, type BroadcastLayout, type SlotRef } from '../layout.js';
import { readSlot, SwmrRegisters } from '../registers.js';
import { encodeSlotImage, sameBytes, type SlotImage } from '../slot.js';
import { recordView, type RecordView } from '../views.js';
import { decodeMessage, encodeMessage, type CodecLimits } from './codec.js';
import { MalformedField } from './fieldCodec.js';
import type { BftMessage } from './messages.js';

/**
 * The stream-level Byzantine replicas of specs/bft-consensus.md §6: a
 * replica whose consensus logic is correct but whose own CB stream is
 * written by hand, around the correct ConsistentBroadcast that still
 * replicates and receives every stream (its own included: its replicator
 * adopts whatever its sender slot shows). Like any process it writes only
 * its own region and signs only as itself. Plugged into BftReplica through
 * `BftReplicaConfig.stream` (byzantineStreamFor).
 *
 * - `stream-splitter`: each PREPARE on one memory copy, a PREPARE of another
 *   batch for the same (v, i) on the others, both signed;
 * - `torn-writer`: every message first torn (half its slot written) on every
 *   memory, then completed on all but memory 0; every fourth one stays torn
 *   on all but the last memory;
 * - `ahead-writer`: besides each message at its k, copies of some written
 *   ahead, at k + 4 (later broadcasts skip the k taken);
 * - `hash-swapper`: each PREPARE m signed, then, once f correct records
 *   checked H(m), the slot rewritten to m′ (another batch) under the same
 *   signature: records hold H(m) only, so a receiver that decided H(m)
 *   while holding m′ cannot deliver (its copy of the stream blocks there);
 * - `stream-burner`: as leader, every PREPARE's batch replaced by the empty
 *   batch, and no COMMIT-FAST sent (withoutCommitFast): each burned batch
 *   costs the followers a COMMIT on the slow path.
 *
 * Each notes `adversary-effect` when it sees, in the correct replicas'
 * records or in the deliveries, that it had an effect.
 */
export const streamAdversaries = ['stream-splitter', 'torn-writer', 'ahead-writer', 'hash-swapper', 'stream-burner'] as const;
export type StreamAdversary = (typeof streamAdversaries)[number];

export function isStreamAdversary(name: string): name is StreamAdversary {
  return (streamAdversaries as readonly string[]).includes(name);
}

/** What BftReplica needs of its stream: ConsistentBroadcast's calls. */
export interface BftStreamEndpoint {
  broadcast(message: Uint8Array): Promise<number>;
  stop(): Promise<void>;
  stopBy(time: number): void;
  readonly counters: { made: number; verified: number; rejected: number; malformed: number };
}

export interface ByzantineStreamConfig {
  readonly f: number;
  readonly keys: KeySource;
  readonly costs: SignatureCosts;
  /** The shortest one-way delay: the writer paces its rewrites and watches by it. */
  readonly pace: number;
  /** W and β, to read the stream's messages. */
  readonly window: number;
  readonly batchLimit: number;
}

/** Gap of the ahead-writer's copies (past the CB's read range of t = 4 in flight). */
export const aheadGap = 4;

class ByzantineStream implements BftStreamEndpoint {
  private readonly inner: ConsistentBroadcast;
  private readonly registers: SwmrRegisters;
  private readonly signer: Signer;
  private readonly layout: BroadcastLayout;
  private readonly limits: CodecLimits;
  private readonly effects = new Set<string>();
  private readonly taken = new Set<number>();
  private readonly burned = new Set<number>();
  private readonly watches: { readonly sequence: number; readonly since: number; readonly check: (records: RecordView[], age: number) => string | undefined }[] = [];
  private next = 1;
  private stopping = false;
  private deadline = Infinity;
  private watching: Promise<void> | undefined;

  constructor(
    private readonly fabric: Fabric,
    config: BroadcastConfig,
    private readonly name: StreamAdversary,
    private readonly byzantine: ByzantineStreamConfig,
  ) {
    this.layout = config.layout;
    this.limits = { window: byzantine.window, batchLimit: byzantine.batchLimit, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 };
    const deliver = config.onDeliver;
    this.inner = new ConsistentBroadcast(fabric, {
      ...config,
      onDeliver: (delivery) => {
        this.observe(delivery);
        deliver?.(delivery);
      },
    });
    this.registers = new SwmrRegisters(fabric, config.layout);
    this.signer = new Signer(fabric.self, byzantine.keys, config.layout.processCount);
  }

  get counters(): { made: number; verified: number; rejected: number; malformed: number } {
    const inner = this.inner.counters;
    return { ...inner, made: inner.made + this.signer.counters.made };
  }

  stopBy(time: number): void {
    this.deadline = Math.min(this.deadline, time);
    this.inner.stopBy(time);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.inner.stop();
    await this.watching;
  }

  async broadcast(message: Uint8Array): Promise<number> {
    if (this.stopping) throw new BroadcastStopped(this.fabric.self);
    while (this.taken.has(this.next)) this.next++;
    const sequence = this.next++;
    if (sequence > this.layout.messages) throw new SlotsExhausted(this.layout.messages);
    this.fabric.note('broadcast', { s: this.fabric.self, k: sequence, m: this.name, hex: '' });
    await this.write(sequence, message);
    return sequence;
  }

  private get correct(): ProcessId[] {
    return this.layout.senders.filter((process) => process !== this.fabric.self);
  }

  private effect(reason: string): void {
    if (this.effects.has(reason)) return;
    this.effects.add(reason);
    this.fabric.note('adversary-effect', { adversary: this.name, reason });
  }

  private alive(): boolean {
    return !this.stopping && this.fabric.now() < this.deadline;
  }

  private decoded(bytes: Uint8Array): BftMessage | undefined {
    try {
      return decodeMessage(bytes, this.limits);
    } catch (error) {
      if (error instanceof MalformedField) return undefined;
      throw error;
    }
  }

  /** A PREPARE of another batch for the same (v, i) (one request fewer, or one of the batch when it was empty: none, so the empty batch with a twin). */
  private variant(message: Uint8Array): Uint8Array | undefined {
    const decoded = this.decoded(message);
    if (decoded?.type !== 'prepare' || decoded.batch.length === 0) return undefined;
    return encodeMessage({ ...decoded, batch: decoded.batch.slice(0, -1) });
  }

  private async sign(sequence: number, message: Uint8Array): Promise<Uint8Array> {
    await this.fabric.compute(this.byzantine.costs.sign);
    return this.signer.sign({ purpose: 'broadcast', sender: this.fabric.self, sequence, message: messageHash(message) });
  }

  private image(slot: SlotRef, image: SlotImage): Uint8Array {
    return encodeSlotImage(slot.kind, slotIdentity(this.fabric.self, slot), image, this.layout.shape);
  }

  /** Writes the sender slot of k, per memory. */
  private async writeSlot(sequence: number, bytes: (memory: MemoryId) => Uint8Array): Promise<void> {
    await this.registers.writeRaw(senderSlot(this.fabric.self, sequence), 0, bytes);
  }

  private async signedImage(sequence: number, message: Uint8Array): Promise<Uint8Array> {
    return this.image(senderSlot(this.fabric.self, sequence), { fields: { value: message, sig: await this.sign(sequence, message) } });
  }

  private async write(sequence: number, message: Uint8Array): Promise<void> {
    const first = this.layout.memories[0];
    switch (this.name) {
      case 'stream-splitter': {
        const other = this.variant(message);
        const main = await this.signedImage(sequence, message);
        if (!other) return this.writeSlot(sequence, () => main);
        const split = await this.signedImage(sequence, other);
        await this.writeSlot(sequence, (memory) => (memory === first ? main : split));
        this.watch(sequence, (records) => (distinctEchoes(records).length > 1 ? 'correct replicators adopted different PREPAREs of mine for one k' : undefined));
        this.watch(sequence, (records) => (records.some((record) => record.echo && sameBytes(record.echo, messageHash(other))) ? 'a correct replicator adopted the PREPARE of my majority copies' : undefined));
        // Replicators that read both signed copies hold an equivocation proof and adopt neither: the stream stalls there.
        this.watch(sequence, (records, age) => (age >= 30 && records.every((record) => !record.echo) ? 'correct replicators adopted neither split copy (caught signing two values): my stream stalls at that k' : undefined));
        return;
      }
      case 'torn-writer': {
        const full = await this.signedImage(sequence, message);
        const torn = Uint8Array.from(full);
        torn.fill(0, Math.floor(full.length / 2));
        await this.writeSlot(sequence, () => torn);
        await this.pause(2);
        const last = this.layout.memories[this.layout.memories.length - 1];
        const stuck = sequence % 4 === 0;
        await this.writeSlot(sequence, (memory) => ((stuck ? memory !== last : memory === first) ? torn : full));
        const hash = messageHash(message);
        this.watch(sequence, (records) => (records.some((record) => record.echo && sameBytes(record.echo, hash)) ? (stuck ? 'a correct replicator adopted a message left torn on a majority of memories' : 'correct replicators adopted a message past its torn copies') : undefined));
        return;
      }
      case 'ahead-writer': {
        const image = await this.signedImage(sequence, message);
        await this.writeSlot(sequence, () => image);
        const ahead = sequence + aheadGap;
        if (sequence % 3 === 1 && ahead <= this.layout.messages && !this.taken.has(ahead)) {
          this.taken.add(ahead);
          const copy = await this.signedImage(ahead, message);
          await this.writeSlot(ahead, () => copy);
          const hash = messageHash(message);
          this.watch(ahead, (records) => (records.some((record) => record.echo && sameBytes(record.echo, hash)) ? 'correct replicators adopted a record written past my next k' : undefined));
        }
        return;
      }
      case 'hash-swapper': {
        const other = this.variant(message);
        const signature = await this.sign(sequence, message);
        const slot = senderSlot(this.fabric.self, sequence);
        const image = this.image(slot, { fields: { value: message, sig: signature } });
        if (!other) return this.writeSlot(sequence, () => image);
        // m on one memory copy first: readers whose majority misses it see nothing yet, and m′ after the rewrite.
        const first = this.layout.memories[0];
        await this.writeSlot(sequence, (memory) => (memory === first ? image : new Uint8Array(image.length)));
        // Rewrite once f correct records checked H(m) (in the background: later broadcasts go on meanwhile).
        void this.swapLater(sequence, message, other, signature);
        return;
      }
      case 'stream-burner': {
        const decoded = this.decoded(message);
        const burned = decoded?.type === 'prepare' && decoded.batch.length > 0 ? encodeMessage({ ...decoded, batch: [] }) : message;
        if (decoded?.type === 'prepare' && burned !== message) this.burned.add(decoded.instance);
        const image = await this.signedImage(sequence, burned);
        await this.writeSlot(sequence, () => image);
        return;
      }
    }
  }

  private async swapLater(sequence: number, message: Uint8Array, other: Uint8Array, signature: Uint8Array): Promise<void> {
    const hash = messageHash(message);
    const slot = senderSlot(this.fabric.self, sequence);
    // Right after f correct replicators echoed H(m): the others may still read the slot, now m′ (records hold H(m) only).
    for (let tries = 0; this.alive() && tries < 400; tries++) {
      const records = await this.records(sequence);
      if (records.filter((record) => record.echo && sameBytes(record.echo, hash)).length >= this.byzantine.f) break;
      await this.pause(1);
    }
    if (!this.alive()) return;
    await this.writeSlot(sequence, () => this.image(slot, { fields: { value: other, sig: signature } }));
    const swapped = messageHash(other);
    this.watch(sequence, (records) => (records.some((record) => record.ready && sameBytes(record.ready, hash) && !sameBytes(record.echo, hash)) ? 'a correct receiver decided H(m) while its replicator held m′ or nothing' : undefined));
    this.watch(sequence, (records) => (records.some((record) => record.echo && sameBytes(record.echo, swapped)) ? 'a correct replicator adopted m′ after the rewrite' : undefined));
  }

  /** Deliveries at this process: a correct replica's COMMIT of a burned (empty) batch is a slot it spent. */
  private observe(delivery: Delivery): void {
    if (this.name !== 'stream-burner' || delivery.sender === this.fabric.self) return;
    const decoded = this.decoded(delivery.message);
    if (decoded?.type === 'commit' && decoded.batch.length === 0 && this.burned.has(decoded.instance)) this.effect('a correct replica spent a stream slot on a COMMIT of a batch I burned');
  }

  /** The correct replicas' records of (self, k). */
  private async records(sequence: number): Promise<RecordView[]> {
    const reads = await Promise.all(this.correct.map((owner) => this.registers.readBlocks(owner, sequence, sequence)));
    return reads.map((read) => recordView(readSlot(read, recordSlot(this.fabric.self, sequence), this.layout)));
  }

  /** Looks at the correct replicas' records of k every few paces until the check names an effect (or the stream stops). */
  private watch(sequence: number, check: (records: RecordView[], age: number) => string | undefined): void {
    this.watches.push({ sequence, since: this.fabric.now(), check });
    this.watching ??= this.watchLoop();
  }

  private async watchLoop(): Promise<void> {
    while (this.alive() && this.watches.length > 0) {
      for (const watch of [...this.watches]) {
        const reason = watch.check(await this.records(watch.sequence), (this.fabric.now() - watch.since) / this.byzantine.pace);
        if (reason === undefined) continue;
        this.effect(reason);
        this.watches.splice(this.watches.indexOf(watch), 1);
      }
      await this.pause(4);
    }
    this.watching = undefined;
  }

  private pause(factor: number): Promise<void> {
    const duration = this.byzantine.pace * factor;
    return this.fabric.sleep(Number.isFinite(this.deadline) ? Math.max(0, Math.min(duration, this.deadline - this.fabric.now())) : duration);
  }
}

function distinctEchoes(records: readonly RecordView[]): Uint8Array[] {
  const hashes: Uint8Array[] = [];
  for (const { echo } of records) if (echo && !hashes.some((hash) => sameBytes(hash, echo))) hashes.push(echo);
  return hashes;
}

/** The `stream` option of BftReplicaConfig for a Byzantine replica running `name`. */
export function byzantineStreamFor(name: StreamAdversary, byzantine: ByzantineStreamConfig): (fabric: Fabric, config: BroadcastConfig) => BftStreamEndpoint {
  return (fabric, config) => new ByzantineStream(fabric, config, name, byzantine);
}

/** The fabric a stream burner's replica runs on: every COMMIT-FAST it would send is dropped. */
export function withoutCommitFast(fabric: Fabric): Fabric {
  const commitFast = encodeMessage({ type: 'commit-fast', view: 0, instance: 0, hash: new Uint8Array(32) })[0];
  return new Proxy(fabric, {
    get(target, property) {
      if (property === 'send') {
        return (to: ProcessId, data: Uint8Array) => {
          if (data[0] === commitFast) return;
          target.send(to, data);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
