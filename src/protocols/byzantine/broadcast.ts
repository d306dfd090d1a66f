import { type Fabric, type OperationId, type ProcessId } from '../../fabric/index.js';
import { Signer, type KeySource, type Purpose, type SignatureCosts, type Statement } from '../../crypto/index.js';
import { checkedQuorum, conflictingSignedEcho, everyoneDelivered, findReadySet, messageFor, senderSignatureFor, unanimousEcho, unanimousReady, type SignatureOracle } from './decide.js';
import { messageHash } from './digest.js';
import { recordSlot, senderSlot, type BroadcastLayout, type SlotRef } from './layout.js';
import type { MergedSlot } from './merge.js';
import { readSlot, SwmrRegisters, type RegionRead } from './registers.js';
import { encodeReadySet, sameBytes, type FieldName, type ReadySet } from './slot.js';
import { VerifiedSignatures } from './verified.js';
import { recordView, senderView, type RecordView, type SenderView } from './views.js';

/**
 * Consistent broadcast (CB) and reliable broadcast (RB) with n = 2f+1
 * replicators over SWMR registers, per ../shared/specs/byzantine-broadcast.md.
 * Every process here is a replicator and a receiver; some are also senders.
 *
 * A process runs one loop: read the slots of the broadcasts in progress
 * from every process's region (a majority of memories each), verify the
 * signatures it has not verified yet (each costs virtual CPU time), decide
 * (pure functions in decide.ts), publish new fields of its own record,
 * repeat. Writes complete on a majority before the next read starts, which
 * is the "write, then read" the safety argument needs.
 *
 * Slots are flags plus write-once fields (slot.ts): a correct process writes
 * each field once and then its bit, and a reader counts a field only with
 * its bit set and its CRC valid. So every field a reader counts from a
 * correct owner is that owner's final value, and anything torn is merely
 * absent (L0, in slot.ts). No decision waits for a clean read or trusts an
 * older copy after some number of torn ones: nothing here depends on how
 * long a write takes to land.
 *
 * CB, for sender s and sequence number k, with h = H(m) (records echo h;
 * m lives in the sender's slot):
 * - the sender writes `value` = m into S[s][k]; unless every process
 *   acknowledges h (its record shows Ready(h), i.e. it decided h) within
 *   `signTimeout`, it signs σ_s(s, k, h) and writes it as `sig`. (The spec
 *   says "unless every replicator's slot shows H(m)"; waiting for
 *   acknowledgements is stronger: a replicator that shows h to the sender
 *   and then flips cannot stop a receiver that had not decided yet. Only the
 *   number of signatures in the Byzantine case changes; safety does not rest
 *   on the sender.)
 * - replicator i adopts the first value m it sees in S[s][k], writes
 *   `echo` = h and never changes its mind; once a valid σ_s for h is at hand
 *   (from S or any record: it is transferable) it writes `signed`, then reads
 *   every other record and, if none holds a validly signed h' ≠ h, sets
 *   `checked`;
 * - a receiver decides h when all n records echo h (fast path, no
 *   signature), or when f+1 records hold (h, valid σ_s, checked) and none a
 *   validly signed h' ≠ h (slow path); it writes Ready(h) and delivers an m
 *   with H(m) = h from its adoption or any copy of the sender's slot — until
 *   it has one, it keeps reading (a Byzantine `hash-swapper` can make that
 *   forever; CB allows it).
 * RB on top: Ready(h) unsigned; if not everybody shows `delivered` within
 * `readyTimeout`, the process adds σ_p(Ready, s, k, h). It decides h when all
 * n records show Ready(h) (fast path) or when it holds a ReadySet — f+1 valid
 * signed Readys of distinct replicators, read from the records or copied
 * from one — which it writes into its own record. It delivers m (from its CB
 * delivery, its adoption, the sender's slot or any `delivered` field hashing
 * to h) after writing m into its own `delivered`, so that every correct
 * process finds m (totality).
 */
export type BroadcastMode = 'cb' | 'rb';

export const broadcastMutants = {
  'no-check': "receivers deliver on f+1 copies signed by the sender, ignoring the replicators' write-then-read check (the checked flags) and conflicting signed copies",
  'changing-replicator': 'a replicator adopts whatever value the sender slot shows now instead of the first one: it starts its record over for the new value (clears its flags, writes its fields anew) and checks again',
  'skip-signature-check': 'the verifier accepts every well-formed signature without checking it',
  'rewritten-record':
    "a replicator's echo and signed fields follow what the sender slot shows now, rewritten in place with their bits (and its checked bit) left set: readers trust a bit-set valid field as the owner's final value, so two readers see two final values",
} as const;
export type BroadcastMutant = keyof typeof broadcastMutants;

export interface BroadcastConfig {
  readonly mode: BroadcastMode;
  readonly layout: BroadcastLayout;
  readonly f: number;
  /** The message a (correct) sender broadcasts as its k-th. */
  readonly message: (sender: ProcessId, sequence: number) => Uint8Array;
  /** How long a sender waits for every acknowledgement before it signs (from its write). */
  readonly signTimeout: number;
  /** How long a process waits, after writing Ready, for everybody to deliver before it signs its Ready. */
  readonly readyTimeout: number;
  /** The process stops working on broadcasts still undelivered at this time (a run is finite). */
  readonly giveUpAt: number;
  /**
   * After this long without anything new in what it reads, a process polls
   * only every `idlePoll` (a waiting process need not spin; the fast path is
   * over long before).
   */
  readonly idleAfter: number;
  readonly idlePoll: number;
  /** CPU time charged per signature and per verification. */
  readonly costs: SignatureCosts;
  readonly keys: KeySource;
  readonly mutant?: BroadcastMutant;
}

interface Decision {
  readonly hash: Uint8Array;
  readonly path: 'fast' | 'slow';
}

interface Instance {
  readonly sender: ProcessId;
  readonly sequence: number;
  adopted?: Uint8Array;
  adoptedHash?: Uint8Array;
  /** The sender's valid signature over the adopted hash, once at hand (and written as `signed`). */
  signature?: Uint8Array;
  /** Round in which `signed` was written; the check reads in a later round. */
  signedRound?: number;
  checked: boolean;
  conflict: boolean;
  cbDecision?: Decision;
  cbDelivered?: Uint8Array;
  readyAt?: number;
  readySignature?: Uint8Array;
  readySet?: ReadySet;
  rbDecision?: Decision;
  rbDelivered?: Uint8Array;
  done: boolean;
}

interface RoundView {
  readonly records: readonly RecordView[];
  readonly sender: SenderView;
  readonly fingerprint: string;
}

interface Sending {
  readonly sequence: number;
  readonly message: Uint8Array;
  readonly hash: Uint8Array;
  readonly startedAt: number;
  readonly operation: OperationId;
  signed: boolean;
  done: boolean;
}

export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export class BroadcastProcess {
  readonly signer: Signer;
  readonly registers: SwmrRegisters;
  /** Malformed fields or flags read (only Byzantine owners write them). */
  malformed = 0;
  private readonly verified = new VerifiedSignatures();
  private readonly instances: Instance[] = [];
  private readonly sendings: Sending[] = [];
  private readonly equivocators = new Set<ProcessId>();
  private round = 0;
  private cpu: Promise<void> = Promise.resolve();
  /** Whether this round wrote anything (progress). */
  private wrote = false;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: BroadcastConfig,
  ) {
    this.signer = new Signer(fabric.self, config.keys, config.layout.processCount);
    this.registers = new SwmrRegisters(fabric, config.layout);
    for (let sequence = 1; sequence <= config.layout.messages; sequence++) {
      for (const sender of config.layout.senders) this.instances.push({ sender, sequence, checked: false, conflict: false, done: false });
    }
  }

  private get n(): number {
    return this.config.layout.processCount;
  }

  private get isSender(): boolean {
    return this.config.layout.senders.includes(this.fabric.self);
  }

  /** Runs every role of this process until all broadcasts are done or the give-up time. */
  async run(): Promise<void> {
    const { fabric, config } = this;
    let lastSeen = '';
    let lastChange = fabric.now();
    while (fabric.now() < config.giveUpAt) {
      await this.startNextBroadcast();
      const active = this.instances.filter((instance) => !instance.done);
      const sending = this.sendings.find((candidate) => !candidate.done);
      if (active.length === 0 && !sending && this.sendings.length === (this.isSender ? config.layout.messages : 0)) break;
      this.round++;
      this.wrote = false;
      const window = this.window(active, sending);
      const reads = await Promise.all(Array.from({ length: this.n }, (_, owner) => this.registers.readBlocks(owner, window.first, window.last)));
      const views = new Map(active.map((instance) => [instance, this.view(instance, reads)]));
      await this.checkSignatures(views);
      const afterWrite: (() => void)[] = [];
      const writes: Promise<void>[] = [];
      for (const [instance, view] of views) this.step(instance, view, writes, afterWrite);
      if (sending) await this.tendSending(sending, reads, writes);
      await Promise.all(writes);
      for (const action of afterWrite) action();
      const seen = this.fingerprint(views, this.wrote);
      if (seen !== lastSeen) {
        lastSeen = seen;
        lastChange = fabric.now();
      } else if (fabric.now() - lastChange > config.idleAfter) await fabric.sleep(config.idlePoll);
    }
    for (const instance of this.instances) {
      if (!instance.done) fabric.note('give-up', { s: instance.sender, k: instance.sequence });
    }
    for (const sending of this.sendings) if (!sending.done) fabric.history.info(sending.operation, text(sending.message));
    const { made, verified, rejected } = this.signer.counters;
    fabric.note('signatures', { made, verified, rejected, malformed: this.malformed });
  }

  /** What changed between rounds: the fields read and this process's own progress. */
  private fingerprint(views: ReadonlyMap<Instance, RoundView>, acted: boolean): string {
    if (acted) return `acted:${this.round}`;
    const parts: string[] = [];
    for (const [instance, view] of views) parts.push(`${instance.sequence}:${view.fingerprint}`);
    return parts.join('|') + `|${this.sendings.length}`;
  }

  /**
   * Sequence numbers to read: from the lowest undone one up to the one after
   * the lowest undecided one (a correct sender's broadcasts follow each
   * other). An instance this process decided may stay undone for good — a
   * Byzantine sender or replicator can keep it from ever checking (a
   * conflict) or from seeing unanimity, a hash-swapper from ever finding m
   * — and it must not hide later broadcasts: the window follows what is
   * still to decide, and keeps covering the decided-but-undone instances
   * (their duties: the check, the signed Ready, finding m).
   */
  private window(active: readonly Instance[], sending: Sending | undefined): { first: number; last: number } {
    const lowest = Math.min(...active.map((instance) => instance.sequence), sending?.sequence ?? Infinity);
    const first = Number.isFinite(lowest) ? lowest : 1;
    const undecided = Math.min(...active.filter((instance) => !this.decided(instance)).map((instance) => instance.sequence), sending?.sequence ?? Infinity);
    // Decided instances were read within an earlier window, which never reached past the lowest undecided + 1.
    const highest = Number.isFinite(undecided) ? undecided : Math.max(first, ...active.map((instance) => instance.sequence));
    return { first, last: Math.min(Math.max(first, highest) + 1, this.config.layout.messages) };
  }

  /** Whether this process decided the instance's hash (CB or RB, by mode). */
  private decided(instance: Instance): boolean {
    return (this.config.mode === 'cb' ? instance.cbDecision : instance.rbDecision) !== undefined;
  }

  private async startNextBroadcast(): Promise<void> {
    const { fabric, config } = this;
    if (!this.isSender || this.sendings.some((sending) => !sending.done)) return;
    const sequence = this.sendings.length + 1;
    if (sequence > config.layout.messages) return;
    const message = config.message(fabric.self, sequence);
    const operation = fabric.history.invoke('broadcast', text(message), `p${fabric.self}/${sequence}`);
    fabric.note('broadcast', { s: fabric.self, k: sequence, m: text(message), hex: hex(message) });
    const startedAt = fabric.now();
    this.sendings.push({ sequence, message, hash: messageHash(message), startedAt, operation, signed: false, done: false });
    await this.registers.publish(senderSlot(fabric.self, sequence), { value: message });
  }

  /** The sender's side: done when every process acknowledged; signs once the timeout passed without that. */
  private async tendSending(sending: Sending, reads: readonly RegionRead[], writes: Promise<void>[]): Promise<void> {
    const { fabric, config } = this;
    const records = this.records(reads, fabric.self, sending.sequence);
    if (unanimousReady(records, sending.hash)) {
      sending.done = true;
      fabric.history.ok(sending.operation, text(sending.message));
      return;
    }
    if (fabric.now() - sending.startedAt < config.signTimeout) return;
    const signature = await this.sign('broadcast', fabric.self, sending.sequence, sending.hash);
    sending.signed = true;
    sending.done = true;
    this.wrote = true;
    writes.push(
      this.registers.publish(senderSlot(fabric.self, sending.sequence), { sig: signature }).then(() => {
        fabric.history.ok(sending.operation, text(sending.message));
      }),
    );
  }

  private records(reads: readonly RegionRead[], sender: ProcessId, sequence: number): RecordView[] {
    return reads.map((read) => recordView(this.merged(read, recordSlot(sender, sequence))));
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
    return { records, sender: senderView(slot), fingerprint: fingerprints.join(';') };
  }

  private adopt(instance: Instance, value: Uint8Array): void {
    instance.adopted = value;
    instance.adoptedHash = messageHash(value);
  }

  /** One broadcast's roles for one round: replicator, CB receiver, RB. */
  private step(instance: Instance, view: RoundView, writes: Promise<void>[], afterWrite: (() => void)[]): void {
    const { fabric, config } = this;
    const { sender, sequence } = instance;
    const { records, sender: slot } = view;
    const valid = this.oracle(sender, sequence);
    const fields: Partial<Record<FieldName, Uint8Array>> = {};
    let setChecked = false;
    let restart = false;

    // Replicator: adopt the first value, never change it (the mutants do).
    const shown = slot.value;
    if (shown && !instance.adopted) {
      this.adopt(instance, shown);
      fields.echo = instance.adoptedHash;
    } else if (shown && instance.adopted && !sameBytes(shown, instance.adopted) && (config.mutant === 'changing-replicator' || config.mutant === 'rewritten-record')) {
      this.adopt(instance, shown);
      instance.signature = undefined;
      instance.signedRound = undefined;
      if (config.mutant === 'changing-replicator') {
        // Starts its record over: clears its flags, then republishes what it still stands by.
        restart = true;
        instance.checked = false;
        instance.conflict = false;
        Object.assign(fields, this.standing(instance));
      }
      fields.echo = instance.adoptedHash;
    }
    if (instance.adopted && instance.adoptedHash && !instance.signature) {
      const signature = senderSignatureFor(instance.adoptedHash, slot, records, sender, valid);
      if (signature) {
        instance.signature = signature;
        instance.signedRound = this.round;
        fields.signed = signature;
      }
    } else if (instance.adoptedHash && instance.signature && !instance.checked && !instance.conflict && (instance.signedRound ?? Infinity) < this.round) {
      // Write, then read: this round's read started after `signed` and its bit were on a majority.
      const others = records.filter((_, owner) => owner !== fabric.self);
      if (conflictingSignedEcho(others, sender, instance.adoptedHash, valid)) {
        instance.conflict = true;
        fabric.note('conflict', { s: sender, k: sequence });
      } else {
        instance.checked = true;
        setChecked = true;
      }
    }

    // CB receiver: decide a hash, then deliver a message with that hash once one is at hand.
    if (!instance.cbDecision) {
      let decision: Decision | undefined;
      const fast = unanimousEcho(records);
      if (fast) decision = { hash: fast, path: 'fast' };
      else {
        const slow = checkedQuorum(records, sender, config.f, valid, config.mutant !== 'no-check');
        if (slow) decision = { hash: slow, path: 'slow' };
      }
      if (decision) {
        instance.cbDecision = decision;
        fields.ready = decision.hash;
        afterWrite.push(() => {
          instance.readyAt ??= fabric.now();
        });
      }
    }
    const cbDecision = instance.cbDecision;
    if (cbDecision && !instance.cbDelivered) {
      const message = messageFor(cbDecision.hash, [instance.adopted, ...slot.values, ...(config.mode === 'rb' ? records.map((record) => record.delivered) : [])]);
      if (message) {
        instance.cbDelivered = message;
        if (config.mode === 'cb') this.deliver(instance, message, cbDecision.path);
        else fabric.note('cb-deliver', { s: sender, k: sequence, m: text(message), hex: hex(message), path: cbDecision.path });
      }
    }

    // RB: decide a hash (all n Readys, or a ReadySet), then deliver m after writing it into `delivered`.
    let deliverAfterWrite: { message: Uint8Array; path: string } | undefined;
    if (config.mode === 'rb' && !instance.rbDecision) {
      const fast = unanimousReady(records);
      if (fast) instance.rbDecision = { hash: fast, path: 'fast' };
      else {
        const found = findReadySet(records, config.f, valid);
        if (found) {
          instance.rbDecision = { hash: found.hash, path: 'slow' };
          instance.readySet = found;
          fields.readySet = encodeReadySet(found);
        }
      }
    }
    const rbDecision = instance.rbDecision;
    if (rbDecision && !instance.rbDelivered) {
      const message = messageFor(rbDecision.hash, [instance.cbDelivered, instance.adopted, ...slot.values, ...records.map((record) => record.delivered)]);
      if (message) {
        instance.rbDelivered = message;
        fields.delivered = message;
        deliverAfterWrite = { message, path: rbDecision.path };
      }
    }
    const signReady =
      config.mode === 'rb' &&
      cbDecision !== undefined &&
      instance.readySignature === undefined &&
      instance.readyAt !== undefined &&
      fabric.now() - instance.readyAt >= config.readyTimeout &&
      !everyoneDelivered(records, cbDecision.hash);

    const settle = async () => {
      if (signReady && cbDecision) {
        instance.readySignature = await this.sign('ready', sender, sequence, cbDecision.hash);
        fields.readySig = instance.readySignature;
      }
      const slotRef = recordSlot(sender, sequence);
      if (restart) await this.registers.restart(slotRef);
      if (Object.keys(fields).length > 0 || setChecked) {
        this.wrote = true;
        await this.registers.publish(slotRef, fields, { checked: setChecked, rewrite: config.mutant === 'rewritten-record' });
      }
      if (deliverAfterWrite) this.deliver(instance, deliverAfterWrite.message, deliverAfterWrite.path);
      instance.done = this.isDone(instance, records);
    };
    writes.push(settle());
  }

  /** The fields of this process's record it still stands by (the changing-replicator mutant republishes them after a restart). */
  private standing(instance: Instance): Partial<Record<FieldName, Uint8Array>> {
    return {
      ...(instance.cbDecision ? { ready: instance.cbDecision.hash } : {}),
      ...(instance.readySignature ? { readySig: instance.readySignature } : {}),
      ...(instance.readySet ? { readySet: encodeReadySet(instance.readySet) } : {}),
      ...(instance.rbDelivered && this.config.mode === 'rb' ? { delivered: instance.rbDelivered } : {}),
    };
  }

  private isDone(instance: Instance, records: readonly RecordView[]): boolean {
    const decision = instance.cbDecision;
    const cbDuty = instance.checked || (decision !== undefined && unanimousReady(records, decision.hash) !== null);
    if (this.config.mode === 'cb') return instance.cbDelivered !== undefined && cbDuty;
    if (!instance.rbDelivered || !instance.rbDecision) return false;
    if (everyoneDelivered(records, instance.rbDecision.hash)) return true;
    if (instance.readySet) return true;
    return instance.readySignature !== undefined && cbDuty;
  }

  private deliver(instance: Instance, message: Uint8Array, path: string): void {
    this.fabric.note('deliver', { s: instance.sender, k: instance.sequence, m: text(message), hex: hex(message), path });
  }

  private async sign(purpose: Purpose, sender: ProcessId, sequence: number, hash: Uint8Array): Promise<Uint8Array> {
    await this.compute(this.config.costs.sign);
    const statement: Statement = { purpose, sender, sequence, message: hash };
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
    const wanted: { owner: ProcessId; signer: number; statement: Statement; signature: Uint8Array; set?: string }[] = [];
    for (const [instance, view] of views) {
      const { sender, sequence } = instance;
      const echo = (owner: ProcessId, hash: Uint8Array, signature: Uint8Array) => wanted.push({ owner, signer: sender, statement: { purpose: 'broadcast', sender, sequence, message: hash }, signature });
      const ready = (owner: ProcessId, signer: number, hash: Uint8Array, signature: Uint8Array, set?: string) => wanted.push({ owner, signer, statement: { purpose: 'ready', sender, sequence, message: hash }, signature, ...(set ? { set } : {}) });
      const useful = (hash: Uint8Array) => !instance.cbDecision || sameBytes(hash, instance.cbDecision.hash);
      const needEchoes = !instance.cbDecision || (instance.adoptedHash !== undefined && !instance.checked && !instance.conflict);
      if (instance.adoptedHash && !instance.signature && view.sender.sig) echo(sender, instance.adoptedHash, view.sender.sig);
      for (const [owner, record] of view.records.entries()) {
        if (needEchoes && record.echo && record.signed) echo(owner, record.echo, record.signed);
        if (config.mode !== 'rb' || instance.rbDecision) continue;
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
      // A round of many verifications must not carry the process far past its give-up time.
      if (this.fabric.now() >= config.giveUpAt) return;
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
