import { encodeSlot, concatFields, encodePayload, sameBytes, signatureSize, type ProofEntry, type SlotContent } from './slot.js';
import { recordSlot, senderSlot, type BroadcastLayout } from './layout.js';
import { mergeSlot, SwmrRegisters, type RegionRead } from './registers.js';
import { hex, text, type BroadcastMode } from './broadcast.js';
import { Signer, type KeySource, type Purpose, type SignatureCosts } from '../../crypto/index.js';
import type { Fabric, MemoryId, ProcessId, ProcessMain } from '../../fabric/index.js';

/**
 * The adversary catalogue of consistent and reliable broadcast: named
 * strategies that a Byzantine process runs through the fabric. Like any
 * process it can write only its own single-writer region (the memory refuses
 * anything else) and sign only as itself; it can read everything, lie in its
 * own registers, write different copies to different memories, and collude
 * with the other Byzantine processes.
 *
 * Each strategy reports, through a note `adversary-effect`, when it sees
 * that it had an effect (correct replicators adopted different values, a
 * correct sender was forced to sign, it replayed a signed message...). The
 * checkers never read these notes.
 */
export const senderAdversaries = {
  'split-copy': 'sender writing different values to different memory copies of its slot, at one version',
  'equivocating-sender': 'sender rewriting its slot with a second value between readers, signing both values, flipping its own record between them',
  'silent-sender': 'sender that never writes anything',
} as const;

export const replicatorAdversaries = {
  'forged-copy': 'replicator copying a conflicting value with a forged (or no) sender signature, forged Readys and a forged ReadySet',
  'flip-replicator': "replicator flipping its record between the sender's value and another one over time",
  'claim-checked': "replicator claiming 'checked' for everything: for the value without a signature, then for a conflicting value under the sender's signature",
  'silent-replicator': 'replicator that never writes (up to f of them)',
  replay: 'replicator replaying an older signed message (and Readys) under a new sequence number',
  'malformed-slot': 'replicator writing malformed records: wrong-length signature, truncated field, unknown tag, oversized message, bad checksum',
} as const;

export type SenderAdversary = keyof typeof senderAdversaries;
export type ReplicatorAdversary = keyof typeof replicatorAdversaries;
export type AdversaryName = SenderAdversary | ReplicatorAdversary;

export const adversaryCatalogue: Readonly<Record<AdversaryName, string>> = { ...senderAdversaries, ...replicatorAdversaries };

export function isSenderAdversary(name: string): name is SenderAdversary {
  return name in senderAdversaries;
}

export function isAdversary(name: string): name is AdversaryName {
  return name in adversaryCatalogue;
}

export interface AdversaryConfig {
  readonly mode: BroadcastMode;
  readonly layout: BroadcastLayout;
  readonly f: number;
  /** Every Byzantine process (they collude). */
  readonly byzantine: readonly ProcessId[];
  readonly giveUpAt: number;
  readonly costs: SignatureCosts;
  readonly keys: KeySource;
  /** The shortest one-way delay: the adversary paces its rewrites by it. */
  readonly pace: number;
}

const encoder = new TextEncoder();

class Context {
  readonly registers: SwmrRegisters;
  readonly signer: Signer;
  private readonly effects = new Set<string>();
  private readonly written = new Map<number, Uint8Array>();

  constructor(
    readonly fabric: Fabric,
    readonly config: AdversaryConfig,
    readonly name: AdversaryName,
  ) {
    this.registers = new SwmrRegisters(fabric, config.layout);
    this.signer = new Signer(fabric.self, config.keys, config.layout.processCount);
  }

  get layout(): BroadcastLayout {
    return this.config.layout;
  }

  get correct(): ProcessId[] {
    return Array.from({ length: this.layout.processCount }, (_, process) => process).filter((process) => !this.config.byzantine.includes(process));
  }

  /** Whether to go on: until the give-up time, or until every correct process has delivered everything (nothing left to spoil). */
  alive(snapshot?: Snapshot): boolean {
    if (this.fabric.now() >= this.config.giveUpAt) return false;
    if (!snapshot) return true;
    const field = this.config.mode === 'cb' ? 'ready' : 'delivered';
    return !broadcasts(this.layout).every(({ sender, sequence }) => this.correct.every((process) => snapshot.record(process, sender, sequence)?.[field] !== undefined));
  }

  effect(reason: string): void {
    if (this.effects.has(reason)) return;
    this.effects.add(reason);
    this.fabric.note('adversary-effect', { adversary: this.name, reason });
  }

  async sign(purpose: Purpose, sender: ProcessId, sequence: number, message: Uint8Array): Promise<Uint8Array> {
    await this.fabric.compute(this.config.costs.sign);
    this.fabric.note('sign', { purpose, s: sender, k: sequence });
    return this.signer.sign({ purpose, sender, sequence, message });
  }

  /** 64 bytes that are no one's signature. */
  forged(): Uint8Array {
    return Uint8Array.from({ length: signatureSize }, () => Math.floor(this.fabric.random() * 256));
  }

  /** Reads every block of every process's region. */
  async snapshot(): Promise<Snapshot> {
    const reads = await Promise.all(Array.from({ length: this.layout.processCount }, (_, owner) => this.registers.readBlocks(owner, 1, this.layout.messages)));
    return new Snapshot(reads, this.layout);
  }

  /** Writes a record if it differs from what this adversary last wrote there. */
  async writeRecord(index: number, payload: Uint8Array): Promise<void> {
    const last = this.written.get(index);
    if (last && sameBytes(last, payload)) return;
    this.written.set(index, payload);
    await this.registers.write(index, payload);
  }

  payload(content: SlotContent): Uint8Array {
    return encodePayload(content, this.layout.shape);
  }

  pause(factor = 1): Promise<void> {
    return this.fabric.sleep(this.config.pace * factor);
  }
}

class Snapshot {
  constructor(
    private readonly reads: readonly RegionRead[],
    private readonly layout: BroadcastLayout,
  ) {}

  record(owner: ProcessId, sender: ProcessId, sequence: number): SlotContent | null {
    return mergeSlot(this.reads[owner], recordSlot(this.layout, sender, sequence), this.layout).content;
  }

  senderSlot(sender: ProcessId, sequence: number): SlotContent | null {
    return mergeSlot(this.reads[sender], senderSlot(this.layout, sequence), this.layout).content;
  }

  /** A signed value of an older broadcast of `sender`, from its slot or any record. */
  olderSigned(sender: ProcessId, sequence: number): { sequence: number; value: Uint8Array; signature: Uint8Array; proof?: readonly ProofEntry[] } | null {
    for (let older = sequence - 1; older >= 1; older--) {
      const slot = this.senderSlot(sender, older);
      const proofRecord = Array.from({ length: this.layout.processCount }, (_, owner) => this.record(owner, sender, older)).find((record) => record?.proof);
      const proof = proofRecord?.proof ? { proof: proofRecord.proof } : {};
      if (slot?.value && slot.signature) return { sequence: older, value: slot.value, signature: slot.signature, ...proof };
      for (let owner = 0; owner < this.layout.processCount; owner++) {
        const record = this.record(owner, sender, older);
        if (record?.echo && record.echoSignature) return { sequence: older, value: record.echo, signature: record.echoSignature, ...proof };
      }
    }
    return null;
  }
}

/** The broadcasts (sender, k) a replicator adversary lies about. */
function broadcasts(layout: BroadcastLayout): { sender: ProcessId; sequence: number }[] {
  return layout.senders.flatMap((sender) => Array.from({ length: layout.messages }, (_, index) => ({ sender, sequence: index + 1 })));
}

/** Whether the correct processes' records show a correct sender was forced to sign (the fast path was defeated). */
function forcedSignature(context: Context, snapshot: Snapshot): boolean {
  return broadcasts(context.layout).some(({ sender, sequence }) => !context.config.byzantine.includes(sender) && snapshot.senderSlot(sender, sequence)?.signature !== undefined);
}

/** Distinct echoes among correct processes' records of one broadcast. */
function correctEchoes(context: Context, snapshot: Snapshot, sender: ProcessId, sequence: number): Uint8Array[] {
  const values: Uint8Array[] = [];
  for (const process of context.correct) {
    const echo = snapshot.record(process, sender, sequence)?.echo;
    if (echo && !values.some((value) => sameBytes(value, echo))) values.push(echo);
  }
  return values;
}

/** Runs a replicator strategy: every pace, read everything and write a lie per broadcast. */
async function replicatorLoop(context: Context, lie: (snapshot: Snapshot, sender: ProcessId, sequence: number, tick: number) => Promise<Uint8Array | null>): Promise<void> {
  let tick = 0;
  while (context.alive()) {
    const snapshot = await context.snapshot();
    if (!context.alive(snapshot)) break;
    const writes: Promise<void>[] = [];
    for (const { sender, sequence } of broadcasts(context.layout)) {
      if (sender === context.fabric.self) continue;
      const payload = await lie(snapshot, sender, sequence, tick);
      if (payload) writes.push(context.writeRecord(recordSlot(context.layout, sender, sequence), payload));
    }
    await Promise.all(writes);
    if (forcedSignature(context, snapshot)) context.effect('forced a correct sender to sign (fast path defeated)');
    tick++;
    await context.pause(2);
  }
}

const strategies: Record<AdversaryName, (context: Context) => Promise<void>> = {
  async 'split-copy'(context) {
    const { layout } = context;
    const self = context.fabric.self;
    const value = (side: string, sequence: number) => encoder.encode(`split-${side}:${sequence}`);
    const side = (memory: MemoryId) => (memory === layout.memories[0] ? 'a' : 'b');
    for (let sequence = 1; sequence <= layout.messages; sequence++) {
      context.fabric.note('broadcast', { s: self, k: sequence, m: 'split', hex: '' });
      await context.registers.write(senderSlot(layout, sequence), (memory) => context.payload({ value: value(side(memory), sequence) }));
      await context.registers.write(recordSlot(layout, self, sequence), (memory) => context.payload({ echo: value(side(memory), sequence), ready: value(side(memory), sequence) }));
    }
    while (context.alive()) {
      const snapshot = await context.snapshot();
      if (!context.alive(snapshot)) break;
      for (let sequence = 1; sequence <= layout.messages; sequence++) {
        if (correctEchoes(context, snapshot, self, sequence).length > 1) context.effect('correct replicators adopted different copies');
      }
      await context.pause(4);
    }
  },

  async 'equivocating-sender'(context) {
    const { layout, fabric } = context;
    const self = fabric.self;
    const first = (sequence: number) => encoder.encode(`eq-a:${sequence}`);
    const second = (sequence: number) => encoder.encode(`eq-b:${sequence}`);
    const signed = new Map<number, { a: Uint8Array; b: Uint8Array; readyA: Uint8Array; readyB: Uint8Array }>();
    const rewrite = async (sequence: number) => {
      await context.registers.write(senderSlot(layout, sequence), context.payload({ value: first(sequence) }));
      await context.registers.write(recordSlot(layout, self, sequence), context.payload({ echo: first(sequence), ready: first(sequence) }));
      // Rewrite while some readers may already have acted on the first value and others not.
      await context.pause(2 + Math.floor(fabric.random() * 10));
      const a = await context.sign('broadcast', self, sequence, first(sequence));
      const b = await context.sign('broadcast', self, sequence, second(sequence));
      const readyA = await context.sign('ready', self, sequence, first(sequence));
      const readyB = await context.sign('ready', self, sequence, second(sequence));
      signed.set(sequence, { a, b, readyA, readyB });
      await context.registers.write(senderSlot(layout, sequence), context.payload({ value: second(sequence), signature: b }));
    };
    await Promise.all(Array.from({ length: layout.messages }, (_, index) => rewrite(index + 1)));
    let tick = 0;
    while (context.alive()) {
      const snapshot = await context.snapshot();
      if (!context.alive(snapshot)) break;
      const writes: Promise<void>[] = [];
      for (let sequence = 1; sequence <= layout.messages; sequence++) {
        const signatures = signed.get(sequence);
        if (!signatures) continue;
        const echoes = correctEchoes(context, snapshot, self, sequence);
        if (echoes.length > 1) context.effect('correct replicators adopted different values');
        if (echoes.some((echo) => sameBytes(echo, first(sequence)))) context.effect('a correct replicator adopted the first value before the rewrite');
        const useFirst = (tick + sequence) % 2 === 0;
        const value = useFirst ? first(sequence) : second(sequence);
        writes.push(
          context.writeRecord(
            recordSlot(layout, self, sequence),
            context.payload({ echo: value, echoSignature: useFirst ? signatures.a : signatures.b, checked: true, ready: value, readySignature: useFirst ? signatures.readyA : signatures.readyB }),
          ),
        );
      }
      await Promise.all(writes);
      tick++;
      await context.pause(1 + Math.floor(fabric.random() * 3));
    }
  },

  async 'silent-sender'(context) {
    const self = context.fabric.self;
    for (let sequence = 1; sequence <= context.layout.messages; sequence++) context.fabric.note('broadcast', { s: self, k: sequence, m: 'silence', hex: '' });
    while (context.alive()) {
      const snapshot = await context.snapshot();
      const waiting = context.correct.some((process) => snapshot.record(process, self, 1) === null);
      if (waiting) context.effect('correct processes waited for a broadcast that never came');
      await context.fabric.sleep(Math.max(context.config.pace, context.config.giveUpAt - context.fabric.now()));
    }
  },

  async 'forged-copy'(context) {
    const { f } = context.config;
    await replicatorLoop(context, async (snapshot, sender, sequence) => {
      if (!snapshot.senderSlot(sender, sequence)?.value) return null;
      const value = encoder.encode(`forged:${sequence}`);
      const unsigned = sequence % 2 === 0;
      const proof = Array.from({ length: f + 1 }, (_, signer) => ({ signer, signature: context.forged() }));
      const readySignature = await context.sign('ready', sender, sequence, value);
      return context.payload({
        echo: value,
        ...(unsigned ? {} : { echoSignature: context.forged() }),
        checked: true,
        ready: value,
        readySignature,
        proofValue: value,
        proof,
      });
    });
  },

  async 'flip-replicator'(context) {
    await replicatorLoop(context, async (snapshot, sender, sequence, tick) => {
      const shown = snapshot.senderSlot(sender, sequence)?.value;
      if (!shown) return null;
      const value = tick % 2 === 0 ? shown : encoder.encode(`flip:${sequence}`);
      return context.payload({ echo: value, ready: value });
    });
  },

  async 'claim-checked'(context) {
    await replicatorLoop(context, async (snapshot, sender, sequence) => {
      const slot = snapshot.senderSlot(sender, sequence);
      if (!slot?.value) return null;
      if (!slot.signature) return context.payload({ echo: slot.value, checked: true, ready: slot.value });
      return context.payload({ echo: encoder.encode(`claim:${sequence}`), echoSignature: slot.signature, checked: true, ready: encoder.encode(`claim:${sequence}`) });
    });
  },

  async 'silent-replicator'(context) {
    while (context.alive()) {
      const snapshot = await context.snapshot();
      if (!context.alive(snapshot)) break;
      if (forcedSignature(context, snapshot)) context.effect('forced a correct sender to sign (fast path defeated)');
      await context.pause(8);
    }
  },

  async replay(context) {
    await replicatorLoop(context, async (snapshot, sender, sequence) => {
      if (!snapshot.senderSlot(sender, sequence)?.value) return null;
      const older = snapshot.olderSigned(sender, sequence);
      if (!older) return context.payload({ echo: encoder.encode(`bait:${sequence}`) });
      context.effect(`replayed the signed message of k=${older.sequence} under a later k`);
      return context.payload({
        echo: older.value,
        echoSignature: older.signature,
        checked: true,
        ready: older.value,
        ...(older.proof ? { proofValue: older.value, proof: older.proof } : {}),
      });
    });
  },

  async 'malformed-slot'(context) {
    const { layout } = context;
    const forms: ((sequence: number) => Uint8Array | 'bad-checksum')[] = [
      (sequence) => concatFields([{ tag: 3, bytes: encoder.encode(`bad:${sequence}`) }, { tag: 4, bytes: context.forged().slice(0, 40) }]),
      (sequence) => concatFields([{ tag: 3, bytes: encoder.encode(`bad:${sequence}`) }]).slice(0, 5),
      (sequence) => concatFields([{ tag: 99, bytes: encoder.encode(`bad:${sequence}`) }]),
      () => concatFields([{ tag: 3, bytes: new Uint8Array(layout.shape.messageCapacity + 1).fill(65) }]),
      (sequence) => concatFields([{ tag: 8, bytes: encoder.encode(`bad:${sequence}`) }, { tag: 9, bytes: new Uint8Array(66).fill(255) }]),
      () => 'bad-checksum',
    ];
    let form = 0;
    await replicatorLoop(context, async (snapshot, sender, sequence) => {
      if (!snapshot.senderSlot(sender, sequence)?.value) return null;
      const chosen = forms[form++ % forms.length](sequence);
      const index = recordSlot(layout, sender, sequence);
      if (chosen === 'bad-checksum') {
        const bytes = encodeSlot(context.registers.nextVersion(index), concatFields([{ tag: 3, bytes: encoder.encode(`bad:${sequence}`) }]), layout.shape);
        bytes[12] ^= 0xff;
        await context.registers.writeRaw(index, () => bytes);
        return null;
      }
      return chosen;
    });
  },
};

/** The body of a Byzantine process running `name`. */
export function adversaryBody(name: AdversaryName, config: AdversaryConfig): ProcessMain {
  return async (fabric) => {
    const context = new Context(fabric, config, name);
    await strategies[name](context);
    const { made, verified, rejected } = context.signer.counters;
    fabric.note('signatures', { made, verified, rejected, malformed: 0 });
  };
}

export { hex, text };
