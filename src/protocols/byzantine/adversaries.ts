import { Signer, type KeySource, type Purpose, type SignatureCosts } from '../../crypto/index.js';
import type { Fabric, MemoryId, ProcessId, ProcessMain } from '../../fabric/index.js';
import { hex, text, type BroadcastMode } from './broadcast.js';
import { messageHash } from './digest.js';
import { recordSlot, senderSlot, slotIdentity, type BroadcastLayout, type SlotRef } from './layout.js';
import { readSlot, SwmrRegisters, type RegionRead } from './registers.js';
import { bit, encodeReadySet, encodeSlotImage, fieldOffset, sameBytes, signatureSize, type ReadySet, type SlotImage } from './slot.js';
import { emptyRecord, recordView, senderView, type RecordView, type SenderView } from './views.js';

/**
 * The adversary catalogue of consistent and reliable broadcast: named
 * strategies that a Byzantine process runs through the fabric. Like any
 * process it can write only its own single-writer region (the memory refuses
 * anything else) and sign only as itself; it can read everything, write any
 * bytes into its own slots (rewrite fields, set bits without fields, clear
 * bits, write different copies to different memories), and collude with the
 * other Byzantine processes.
 *
 * Each strategy reports, through a note `adversary-effect`, when it sees
 * that it had an effect (correct replicators adopted different values, a
 * correct sender was forced to sign, it replayed a signed message...). The
 * checkers never read these notes.
 */
export const senderAdversaries = {
  'split-copy': 'sender writing different values to different memory copies of its slot (and of its record)',
  'equivocating-sender': 'sender showing a first value (for even k on one memory copy only), rewriting its slot with a second value between readers, then signing both and flipping its slot and its record between them',
  'silent-sender': 'sender that never writes anything',
  'hash-swapper': 'sender that gets f+1 records checked for H(m) (correct checkers adopted m), then rewrites its slot to m′: a correct receiver holding only m′ decides H(m) and, in CB, may block',
  'forging-sender': "sender that first puts a forged signature of its own into its record, then signs its value for real in its slot: the forgery must not silence the valid signature",
} as const;

export const replicatorAdversaries = {
  'forged-copy': 'replicator copying a conflicting value with a forged (or no) sender signature, forged Readys and a forged ReadySet',
  'flip-replicator': "replicator flipping its record between the sender's value and another one over time",
  'claim-checked': "replicator claiming 'checked' for everything: for the value without a signature, then for a conflicting value under the sender's signature",
  'silent-replicator': 'replicator that never writes (up to f of them)',
  replay: 'replicator replaying an older signed message (and ReadySet) under a new sequence number',
  'malformed-slot': 'replicator writing malformed records: wrong-length fields, bits without fields, bad CRCs, unknown flag bits, a ReadySet naming a process twice, a field copied from another slot, lengths beyond capacity',
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
  readonly costs: SignatureCosts;
  readonly keys: KeySource;
  /** The shortest one-way delay: the adversary paces its rewrites by it. */
  readonly pace: number;
}

const encoder = new TextEncoder();
const bytesOf = (value: string) => encoder.encode(value);

class Context {
  readonly registers: SwmrRegisters;
  readonly signer: Signer;
  private readonly effects = new Set<string>();
  private readonly written = new Map<string, string>();
  private readonly forgeries = new Map<string, Uint8Array>();
  /** Set by the owner (`Adversary.stop`, `stopBy`): the strategy ends at its next look at `alive`. */
  stopping = false;
  deadline = Infinity;
  /** Ends the current wait early (a stop). */
  wake: (() => void) | undefined;

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

  get self(): ProcessId {
    return this.fabric.self;
  }

  get correct(): ProcessId[] {
    return Array.from({ length: this.layout.processCount }, (_, process) => process).filter((process) => !this.config.byzantine.includes(process));
  }

  /** Whether to go on: until its owner stops it, or until every correct process has decided (cb) or delivered (rb) everything. */
  alive(snapshot?: Snapshot): boolean {
    if (this.stopping || this.fabric.now() >= this.deadline) return false;
    if (!snapshot) return true;
    const finished = (record: RecordView) => (this.config.mode === 'cb' ? record.ready : record.delivered) !== undefined;
    return !broadcasts(this.layout).every(({ sender, sequence }) => this.correct.every((process) => finished(snapshot.record(process, sender, sequence))));
  }

  effect(reason: string): void {
    if (this.effects.has(reason)) return;
    this.effects.add(reason);
    this.fabric.note('adversary-effect', { adversary: this.name, reason });
  }

  async sign(purpose: Purpose, sender: ProcessId, sequence: number, hash: Uint8Array): Promise<Uint8Array> {
    await this.fabric.compute(this.config.costs.sign);
    this.fabric.note('sign', { purpose, s: sender, k: sequence });
    return this.signer.sign({ purpose, sender, sequence, message: hash });
  }

  /** 64 bytes that are no one's signature, the same for one label (a forger need not make readers verify afresh). */
  forged(label: string): Uint8Array {
    let forgery = this.forgeries.get(label);
    if (!forgery) {
      forgery = Uint8Array.from({ length: signatureSize }, () => Math.floor(this.fabric.random() * 256));
      this.forgeries.set(label, forgery);
    }
    return forgery;
  }

  /** Reads every block of every process's region. */
  async snapshot(): Promise<Snapshot> {
    const reads = await Promise.all(Array.from({ length: this.layout.processCount }, (_, owner) => this.registers.readBlocks(owner, 1, this.layout.messages)));
    return new Snapshot(reads, this.layout);
  }

  /** The bytes of a whole slot of this process holding `image` (every field with a valid CRC). */
  image(slot: SlotRef, image: SlotImage): Uint8Array {
    return encodeSlotImage(slot.kind, slotIdentity(this.self, slot), image, this.layout.shape);
  }

  /** Overwrites a whole slot of this process (per memory if asked), unless it already holds those bytes. */
  async writeSlot(slot: SlotRef, image: SlotImage | ((memory: MemoryId) => SlotImage)): Promise<void> {
    const bytes = new Map(this.layout.memories.map((memory) => [memory, this.image(slot, typeof image === 'function' ? image(memory) : image)]));
    await this.writeBytes(slot, (memory) => bytes.get(memory) ?? new Uint8Array(0));
  }

  /** Overwrites a whole slot of this process with raw bytes, unless it already holds them. */
  async writeBytes(slot: SlotRef, bytes: (memory: MemoryId) => Uint8Array): Promise<void> {
    const key = `${slot.kind}/${slot.sender}/${slot.sequence}`;
    const all = this.layout.memories.map((memory) => hex(bytes(memory))).join('|');
    if (this.written.get(key) === all) return;
    this.written.set(key, all);
    await this.registers.writeRaw(slot, 0, bytes);
  }

  pause(factor = 1): Promise<void> {
    return this.wait(this.config.pace * factor);
  }

  /** Waits `duration`, or less if its owner stops it meanwhile; leaves no timer behind. */
  wait(duration: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.fabric.setTimer(duration, () => done());
      const done = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }
}

class Snapshot {
  private readonly records = new Map<string, RecordView>();
  private readonly senders = new Map<string, SenderView>();

  constructor(
    private readonly reads: readonly RegionRead[],
    private readonly layout: BroadcastLayout,
  ) {}

  record(owner: ProcessId, sender: ProcessId, sequence: number): RecordView {
    const key = `${owner}/${sender}/${sequence}`;
    let view = this.records.get(key);
    if (!view) {
      const merged = readSlot(this.reads[owner], recordSlot(sender, sequence), this.layout);
      view = merged ? recordView(merged) : emptyRecord;
      this.records.set(key, view);
    }
    return view;
  }

  senderSlot(sender: ProcessId, sequence: number): SenderView {
    const key = `${sender}/${sequence}`;
    let view = this.senders.get(key);
    if (!view) {
      view = senderView(readSlot(this.reads[sender], senderSlot(sender, sequence), this.layout));
      this.senders.set(key, view);
    }
    return view;
  }

  /** A signed hash of an older broadcast of `sender`, from any record (and a ReadySet for it, if one is around). */
  olderSigned(sender: ProcessId, sequence: number): { sequence: number; hash: Uint8Array; signature: Uint8Array; readySet?: ReadySet } | null {
    for (let older = sequence - 1; older >= 1; older--) {
      const records = Array.from({ length: this.layout.processCount }, (_, owner) => this.record(owner, sender, older));
      const readySet = records.find((record) => record.readySet)?.readySet;
      const signed = records.find((record) => record.echo && record.signed);
      if (signed?.echo && signed.signed) return { sequence: older, hash: signed.echo, signature: signed.signed, ...(readySet ? { readySet } : {}) };
      const slot = this.senderSlot(sender, older);
      if (slot.value && slot.sig) return { sequence: older, hash: messageHash(slot.value), signature: slot.sig, ...(readySet ? { readySet } : {}) };
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
  return broadcasts(context.layout).some(({ sender, sequence }) => !context.config.byzantine.includes(sender) && snapshot.senderSlot(sender, sequence).sig !== undefined);
}

/** Distinct echoes among correct processes' records of one broadcast. */
function correctEchoes(context: Context, snapshot: Snapshot, sender: ProcessId, sequence: number): Uint8Array[] {
  const hashes: Uint8Array[] = [];
  for (const process of context.correct) {
    const echo = snapshot.record(process, sender, sequence).echo;
    if (echo && !hashes.some((hash) => sameBytes(hash, echo))) hashes.push(echo);
  }
  return hashes;
}

/** Runs a replicator strategy: every other pace, read everything and write a lie per broadcast. */
async function replicatorLoop(context: Context, lie: (snapshot: Snapshot, sender: ProcessId, sequence: number, tick: number) => Promise<SlotImage | Uint8Array | null>): Promise<void> {
  let tick = 0;
  while (context.alive()) {
    const snapshot = await context.snapshot();
    if (!context.alive(snapshot)) break;
    const writes: Promise<void>[] = [];
    for (const { sender, sequence } of broadcasts(context.layout)) {
      if (sender === context.self) continue;
      const told = await lie(snapshot, sender, sequence, tick);
      if (!told) continue;
      const slot = recordSlot(sender, sequence);
      writes.push(told instanceof Uint8Array ? context.writeBytes(slot, () => told) : context.writeSlot(slot, told));
    }
    await Promise.all(writes);
    if (forcedSignature(context, snapshot)) context.effect('forced a correct sender to sign (fast path defeated)');
    tick++;
    await context.pause(2);
  }
}

const strategies: Record<AdversaryName, (context: Context) => Promise<void>> = {
  async 'split-copy'(context) {
    const { layout, self } = context;
    const value = (side: string, sequence: number) => bytesOf(`split-${side}:${sequence}`);
    const side = (memory: MemoryId) => (memory === layout.memories[0] ? 'a' : 'b');
    for (let sequence = 1; sequence <= layout.messages; sequence++) {
      context.fabric.note('broadcast', { s: self, k: sequence, m: 'split', hex: '' });
      await context.writeSlot(senderSlot(self, sequence), (memory) => ({ fields: { value: value(side(memory), sequence) } }));
      await context.writeSlot(recordSlot(self, sequence), (memory) => {
        const hash = messageHash(value(side(memory), sequence));
        return { fields: { echo: hash, ready: hash } };
      });
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
    const { layout, fabric, self } = context;
    const first = (sequence: number) => bytesOf(`eq-a:${sequence}`);
    const second = (sequence: number) => bytesOf(`eq-b:${sequence}`);
    const signed = new Map<number, { a: Uint8Array; b: Uint8Array; readyA: Uint8Array; readyB: Uint8Array }>();
    const rewrite = async (sequence: number) => {
      const a = messageHash(first(sequence));
      const b = messageHash(second(sequence));
      // For even k the first value goes on one memory copy only: a reader whose majority misses it sees nothing yet and
      // adopts the second (readers split between the values). For odd k it goes on every copy: every reader may adopt it
      // first, and see the second only later.
      const narrow = sequence % 2 === 0;
      await context.writeSlot(senderSlot(self, sequence), (memory) => ({ fields: !narrow || memory === layout.memories[0] ? { value: first(sequence) } : {} }));
      await context.writeSlot(recordSlot(self, sequence), { fields: { echo: a, ready: a } });
      // Rewrite while some readers may already have acted on the first value and others not.
      await context.pause(2 + Math.floor(fabric.random() * 10));
      const signatures = {
        a: await context.sign('broadcast', self, sequence, a),
        b: await context.sign('broadcast', self, sequence, b),
        readyA: await context.sign('ready', self, sequence, a),
        readyB: await context.sign('ready', self, sequence, b),
      };
      signed.set(sequence, signatures);
      await context.writeSlot(senderSlot(self, sequence), { fields: { value: second(sequence), sig: signatures.b } });
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
        const a = messageHash(first(sequence));
        const echoes = correctEchoes(context, snapshot, self, sequence);
        if (echoes.length > 1) context.effect('correct replicators adopted different values');
        if (echoes.some((echo) => sameBytes(echo, a))) context.effect('a correct replicator adopted the first value before the rewrite');
        // Slot and record keep flipping between the two signed values: whoever looks now sees one, whoever looks next the other.
        const useFirst = (tick + sequence) % 2 === 0;
        const hash = useFirst ? a : messageHash(second(sequence));
        writes.push(
          context.writeSlot(senderSlot(self, sequence), { fields: { value: useFirst ? first(sequence) : second(sequence), sig: useFirst ? signatures.a : signatures.b } }),
          context.writeSlot(recordSlot(self, sequence), {
            fields: { echo: hash, signed: useFirst ? signatures.a : signatures.b, ready: hash, readySig: useFirst ? signatures.readyA : signatures.readyB },
            checked: true,
          }),
        );
      }
      await Promise.all(writes);
      tick++;
      await context.pause(1 + Math.floor(fabric.random() * 3));
    }
  },

  async 'silent-sender'(context) {
    const { self } = context;
    for (let sequence = 1; sequence <= context.layout.messages; sequence++) context.fabric.note('broadcast', { s: self, k: sequence, m: 'silence', hex: '' });
    while (context.alive()) {
      const snapshot = await context.snapshot();
      const waiting = context.correct.some((process) => snapshot.record(process, self, 1).echo === undefined);
      if (waiting) context.effect('correct processes waited for a broadcast that never came');
      // Nothing to do but be stopped (by its owner's deadline at the latest).
      await context.wait(Math.max(context.config.pace, Number.isFinite(context.deadline) ? context.deadline - context.fabric.now() : Infinity));
    }
  },

  async 'hash-swapper'(context) {
    const { layout, self, config } = context;
    const original = (sequence: number) => bytesOf(`swap-a:${sequence}`);
    const swapped = (sequence: number) => bytesOf(`swap-b:${sequence}`);
    const checkedFor = (snapshot: Snapshot, sequence: number, hash: Uint8Array) =>
      context.correct.filter((process) => {
        const record = snapshot.record(process, self, sequence);
        return record.checked && record.signed !== undefined && sameBytes(record.echo, hash);
      }).length;
    for (let sequence = 1; sequence <= layout.messages && context.alive(); sequence++) {
      context.fabric.note('broadcast', { s: self, k: sequence, m: 'swap', hex: '' });
      const hash = messageHash(original(sequence));
      const signature = await context.sign('broadcast', self, sequence, hash);
      const readySig = await context.sign('ready', self, sequence, hash);
      // m and σ_s(H(m)) in the slot; the record stays empty, so no unanimity lets anyone take the fast path.
      await context.writeSlot(senderSlot(self, sequence), { fields: { value: original(sequence), sig: signature } });
      for (;;) {
        const snapshot = await context.snapshot();
        const everyoneDecided = context.correct.every((process) => snapshot.record(process, self, sequence).ready !== undefined);
        if (checkedFor(snapshot, sequence, hash) >= config.f || everyoneDecided || !context.alive()) break;
        await context.pause(1);
      }
      // f correct records checked H(m): with this one, f+1. Now the slot shows m′ to whoever looks next.
      await context.writeSlot(recordSlot(self, sequence), { fields: { echo: hash, signed: signature, ready: hash, readySig }, checked: true });
      await context.writeSlot(senderSlot(self, sequence), { fields: { value: swapped(sequence), sig: signature } });
    }
    while (context.alive()) {
      const snapshot = await context.snapshot();
      for (let sequence = 1; sequence <= layout.messages; sequence++) {
        const hash = messageHash(original(sequence));
        const stranded = context.correct.some((process) => {
          const record = snapshot.record(process, self, sequence);
          return sameBytes(record.ready, hash) && !sameBytes(record.echo, hash);
        });
        if (stranded) context.effect("a correct receiver decided H(m) while holding only m′ (or nothing)");
      }
      if (!context.alive(snapshot)) break;
      await context.pause(4);
    }
  },

  async 'forging-sender'(context) {
    const { layout, self } = context;
    const value = (sequence: number) => bytesOf(`forge:${sequence}`);
    for (let sequence = 1; sequence <= layout.messages; sequence++) {
      context.fabric.note('broadcast', { s: self, k: sequence, m: 'forge', hex: '' });
      // Its record echoes another hash under a forged signature of its own: no unanimity, and a field that fails to verify.
      const other = messageHash(bytesOf(`forge-other:${sequence}`));
      await context.writeSlot(senderSlot(self, sequence), { fields: { value: value(sequence) } });
      await context.writeSlot(recordSlot(self, sequence), { fields: { echo: other, signed: context.forged(`signed:${sequence}`), ready: other }, checked: true });
    }
    await context.pause(10);
    for (let sequence = 1; sequence <= layout.messages; sequence++) {
      const signature = await context.sign('broadcast', self, sequence, messageHash(value(sequence)));
      await context.writeSlot(senderSlot(self, sequence), { fields: { value: value(sequence), sig: signature } });
    }
    while (context.alive()) {
      const snapshot = await context.snapshot();
      for (let sequence = 1; sequence <= layout.messages; sequence++) {
        const hash = messageHash(value(sequence));
        if (context.correct.some((process) => snapshot.record(process, self, sequence).signed !== undefined && sameBytes(snapshot.record(process, self, sequence).echo, hash))) {
          context.effect('correct replicators took up my valid signature after my forged one');
        }
      }
      if (!context.alive(snapshot)) break;
      await context.pause(4);
    }
  },

  async 'forged-copy'(context) {
    const { f } = context.config;
    const readySigs = new Map<number, Uint8Array>();
    await replicatorLoop(context, async (snapshot, sender, sequence) => {
      if (!snapshot.senderSlot(sender, sequence).value) return null;
      const hash = messageHash(bytesOf(`forged:${sequence}`));
      const unsigned = sequence % 2 === 0;
      const entries = Array.from({ length: f + 1 }, (_, signer) => ({ signer, signature: context.forged(`ready:${sequence}:${signer}`) }));
      let readySig = readySigs.get(sequence);
      if (!readySig) {
        readySig = await context.sign('ready', sender, sequence, hash);
        readySigs.set(sequence, readySig);
      }
      return {
        fields: { echo: hash, ...(unsigned ? {} : { signed: context.forged(`signed:${sequence}`) }), ready: hash, readySig, readySet: encodeReadySet({ hash, entries }) },
        checked: true,
      };
    });
  },

  async 'flip-replicator'(context) {
    await replicatorLoop(context, async (snapshot, sender, sequence, tick) => {
      const shown = snapshot.senderSlot(sender, sequence).value;
      if (!shown) return null;
      const hash = tick % 2 === 0 ? messageHash(shown) : messageHash(bytesOf(`flip:${sequence}`));
      return { fields: { echo: hash, ready: hash } };
    });
  },

  async 'claim-checked'(context) {
    await replicatorLoop(context, async (snapshot, sender, sequence) => {
      const slot = snapshot.senderSlot(sender, sequence);
      if (!slot.value) return null;
      if (!slot.sig) return { fields: { echo: messageHash(slot.value), ready: messageHash(slot.value) }, checked: true };
      const claim = messageHash(bytesOf(`claim:${sequence}`));
      return { fields: { echo: claim, signed: slot.sig, ready: claim }, checked: true };
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
      if (!snapshot.senderSlot(sender, sequence).value) return null;
      const older = snapshot.olderSigned(sender, sequence);
      if (!older) return { fields: { echo: messageHash(bytesOf(`bait:${sequence}`)) } };
      context.effect(`replayed the signed message of k=${older.sequence} under a later k`);
      return {
        fields: { echo: older.hash, signed: older.signature, ready: older.hash, ...(older.readySet ? { readySet: encodeReadySet(older.readySet) } : {}) },
        checked: true,
      };
    });
  },

  async 'malformed-slot'(context) {
    const { layout, self } = context;
    const at = (field: Parameters<typeof fieldOffset>[1]) => fieldOffset('record', field, layout.shape);
    const patched = (bytes: Uint8Array, offset: number, patch: (view: DataView) => void) => {
      patch(new DataView(bytes.buffer, bytes.byteOffset + offset));
      return bytes;
    };
    const forms: ((sender: ProcessId, sequence: number, hash: Uint8Array) => Uint8Array)[] = [
      // A 40-byte signature under a valid CRC: malformed.
      (sender, sequence, hash) => context.image(recordSlot(sender, sequence), { fields: { echo: hash, signed: context.forged('short').slice(0, 40) }, checked: true }),
      // Bits without fields: absent.
      (sender, sequence) => context.image(recordSlot(sender, sequence), { fields: {}, flags: bit('echo') | bit('signed') | bit('checked') | bit('ready') }),
      // A bad CRC: absent.
      (sender, sequence, hash) => patched(context.image(recordSlot(sender, sequence), { fields: { echo: hash, ready: hash } }), at('echo') + 4, (view) => view.setUint32(0, view.getUint32(0, true) ^ 0xff, true)),
      // Bits that name no field: malformed (the echo beside them still counts).
      (sender, sequence, hash) => context.image(recordSlot(sender, sequence), { fields: { echo: hash }, flags: bit('echo') | (1n << 40n) }),
      // A ReadySet naming a process twice: malformed.
      (sender, sequence, hash) => context.image(recordSlot(sender, sequence), { fields: { readySet: encodeReadySet({ hash, entries: [{ signer: 1, signature: context.forged('twice') }, { signer: 1, signature: context.forged('twice') }] }) } }),
      // A field copied from another owner's record (its CRC binds that owner): absent.
      (sender, sequence, hash) => encodeSlotImage('record', slotIdentity(context.correct[0], recordSlot(sender, sequence)), { fields: { echo: hash, ready: hash } }, layout.shape),
      // A field copied from another broadcast's record: absent.
      (sender, sequence, hash) => encodeSlotImage('record', slotIdentity(self, recordSlot(sender, sequence + 1)), { fields: { echo: hash, ready: hash } }, layout.shape),
      // A 31-byte hash: malformed.
      (sender, sequence, hash) => context.image(recordSlot(sender, sequence), { fields: { echo: hash.slice(1) } }),
      // A length beyond the field's capacity: absent.
      (sender, sequence, hash) => patched(context.image(recordSlot(sender, sequence), { fields: { echo: hash } }), at('echo'), (view) => view.setUint32(0, 4096, true)),
    ];
    let form = 0;
    await replicatorLoop(context, async (snapshot, sender, sequence) => {
      const value = snapshot.senderSlot(sender, sequence).value;
      if (!value) return null;
      return forms[form++ % forms.length](sender, sequence, messageHash(value));
    });
  },
};

/**
 * A Byzantine process running one strategy of the catalogue, with the same
 * life cycle as `ConsistentBroadcast`/`ReliableBroadcast`: it runs until its
 * owner stops it (`stop`, or `stopBy` a time: the run's safety net), or until
 * it sees every correct process finished; then it notes its signature counts.
 */
export class Adversary {
  private readonly context: Context;
  /** Resolves when the strategy ended and noted its counts. */
  readonly done: Promise<void>;

  /** `until`: the time it stops by at the latest, as `stopBy` (the strategy starts at once, so it is given here). */
  constructor(fabric: Fabric, name: AdversaryName, config: AdversaryConfig, until = Infinity) {
    const context = new Context(fabric, config, name);
    context.deadline = until;
    this.context = context;
    this.done = (async () => {
      await strategies[name](context);
      const { made, verified, rejected } = context.signer.counters;
      fabric.note('signatures', { made, verified, rejected, malformed: 0 });
    })();
  }

  /** Ends the strategy at its first look at the clock at or after `time`, waking it then if it waits. */
  stopBy(time: number): void {
    this.context.deadline = Math.min(this.context.deadline, time);
  }

  /** Ends the strategy at its next step; resolves once it ended. */
  async stop(): Promise<void> {
    this.context.stopping = true;
    this.context.wake?.();
    await this.done;
  }
}

/** The body of a Byzantine process running `name` until time `until` at the latest. */
export function adversaryBody(name: AdversaryName, config: AdversaryConfig, until: number): ProcessMain {
  return async (fabric) => {
    await new Adversary(fabric, name, config, until).done;
  };
}

export { hex, text };
