import { type Fabric, type OperationId, type ProcessId } from '../../fabric/index.js';
import { Signer, type KeySource, type Purpose, type SignatureCosts } from '../../crypto/index.js';
import { checkedQuorum, conflictingSignedEcho, findProof, senderSignatureFor, unanimous, unanimousEcho, type SignatureOracle } from './decide.js';
import { recordSlot, senderSlot, type BroadcastLayout } from './layout.js';
import { mergeSlot, SwmrRegisters, type RegionRead, type SlotRead } from './registers.js';
import { encodePayload, sameBytes, type ProofEntry, type SlotContent } from './slot.js';

/**
 * Consistent broadcast (CB) and reliable broadcast (RB) with n = 2f+1
 * replicators over SWMR registers, per ../shared/specs/byzantine-broadcast.md.
 * Every process here is a replicator and a receiver; some are also senders.
 *
 * A process runs one loop: read the records of the broadcasts in progress
 * from every process's region (a majority of memories each), check the
 * signatures it has not checked yet (each costs virtual CPU time), decide
 * (pure functions in decide.ts), write its own record, repeat. Writes
 * complete before the next read starts, which is the "write, then read"
 * the safety argument needs.
 *
 * CB, for sender s and sequence number k:
 * - the sender writes S[s][k] := m; unless every process acknowledges m (its
 *   record shows Ready(m), i.e. it delivered m) within `signTimeout`, it
 *   signs and writes S[s][k] := (m, σ_s). (The spec says "unless every
 *   replicator's slot shows m"; waiting for acknowledgements is stronger: a
 *   replicator that shows m to the sender and then flips cannot stop a
 *   receiver that had not delivered yet. Only the number of signatures in
 *   the Byzantine case changes; safety does not rest on the sender.)
 * - replicator i adopts the first value it sees in S[s][k] and never changes
 *   its mind; once a valid σ_s for it is at hand it writes (m, σ_s), then
 *   reads every other record and, if none holds a validly signed m' ≠ m,
 *   writes (m, σ_s, checked);
 * - a receiver delivers m when all n records echo m (fast path, no
 *   signature), or when f+1 records hold (m, valid σ_s, checked) and none a
 *   validly signed m' ≠ m (slow path).
 * RB on top: on CB-delivering m a process writes Ready(m) (unsigned); if it
 * has not seen everybody deliver within `readyTimeout`, it signs
 * σ_p(Ready, s, k, m). It delivers when all n records show Ready(m) (fast
 * path) or when it holds a ReadySet — f+1 valid signed Readys of distinct
 * replicators, read from the records or copied from one — which it writes
 * into its own record before delivering.
 */
export type BroadcastMode = 'cb' | 'rb';

export const broadcastMutants = {
  'no-check': "receivers deliver on f+1 copies signed by the sender, ignoring the replicators' write-then-read check (the checked flags) and conflicting signed copies",
  'changing-replicator': 'a replicator adopts whatever value the sender slot shows now instead of the first one, so it changes its adopted value',
  'skip-signature-check': 'the verifier accepts every well-formed signature without checking it',
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

/**
 * Records of a torn copy may hide a newer version. A correct owner writes a
 * record at most a handful of times (echo, signature, checked, Ready, its
 * signature, ReadySet, delivered), so it cannot keep a reader's copy torn for
 * longer than that many reads; an owner that does is Byzantine, and the check
 * stops waiting for it.
 */
const uncertainReadsLimit = 8;

interface Instance {
  readonly sender: ProcessId;
  readonly sequence: number;
  adopted?: Uint8Array;
  echoSignature?: Uint8Array;
  /** Round in which the signed echo was written; the check reads in a later round. */
  signedEchoRound?: number;
  checked: boolean;
  conflict: boolean;
  readonly uncertainReads: number[];
  cbDelivered?: Uint8Array;
  readyAt?: number;
  readySignature?: Uint8Array;
  proofValue?: Uint8Array;
  proof?: ProofEntry[];
  rbDelivered?: Uint8Array;
  /** The payload last written to this process's record. */
  written?: Uint8Array;
  done: boolean;
}

interface RoundView {
  readonly slots: readonly SlotRead[];
  readonly records: readonly (SlotContent | null)[];
  readonly senderSlot: SlotContent | null;
  readonly versions: string;
}

interface Sending {
  readonly sequence: number;
  readonly message: Uint8Array;
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
  /** Malformed slots read (only Byzantine owners write them). */
  malformed = 0;
  private readonly valid = new Map<string, boolean>();
  private readonly instances: Instance[] = [];
  private readonly sendings: Sending[] = [];
  private readonly equivocators = new Set<ProcessId>();
  /** Owners caught writing a signature that does not verify (Byzantine for sure). */
  private readonly liars = new Set<ProcessId>();
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
      for (const sender of config.layout.senders) {
        this.instances.push({ sender, sequence, checked: false, conflict: false, uncertainReads: new Array<number>(config.layout.processCount).fill(0), done: false });
      }
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

  /** What changed between rounds: the versions read and this process's own progress. */
  private fingerprint(views: ReadonlyMap<Instance, RoundView>, acted: boolean): string {
    if (acted) return `acted:${this.round}`;
    const parts: string[] = [];
    for (const [instance, view] of views) parts.push(`${instance.sequence}:${view.versions}`);
    return parts.join('|') + `|${this.sendings.length}`;
  }

  /**
   * Sequence numbers to read: from the lowest undone one up to the one after
   * the lowest undelivered one (a correct sender's broadcasts follow each
   * other). An instance this process delivered may stay undone for good — a
   * Byzantine sender or replicator can keep it from ever checking (a
   * conflict) or from seeing unanimity — and it must not hide later
   * broadcasts: the window follows what is still to deliver, and keeps
   * covering the delivered-but-undone instances (their duties: the check,
   * the signed Ready).
   */
  private window(active: readonly Instance[], sending: Sending | undefined): { first: number; last: number } {
    const lowest = Math.min(...active.map((instance) => instance.sequence), sending?.sequence ?? Infinity);
    const first = Number.isFinite(lowest) ? lowest : 1;
    const undelivered = Math.min(...active.filter((instance) => !this.delivered(instance)).map((instance) => instance.sequence), sending?.sequence ?? Infinity);
    // Delivered instances were read within an earlier window, which never reached past the lowest undelivered + 1.
    const highest = Number.isFinite(undelivered) ? undelivered : Math.max(first, ...active.map((instance) => instance.sequence));
    return { first, last: Math.min(Math.max(first, highest) + 1, this.config.layout.messages) };
  }

  /** Whether this process delivered the instance (CB or RB, by mode). */
  private delivered(instance: Instance): boolean {
    return (this.config.mode === 'cb' ? instance.cbDelivered : instance.rbDelivered) !== undefined;
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
    this.sendings.push({ sequence, message, startedAt, operation, signed: false, done: false });
    await this.registers.write(senderSlot(config.layout, sequence), encodePayload({ value: message }, config.layout.shape));
  }

  /** The sender's side: done when every process acknowledged; signs once the timeout passed without that. */
  private async tendSending(sending: Sending, reads: readonly RegionRead[], writes: Promise<void>[]): Promise<void> {
    const { fabric, config } = this;
    const records = this.records(reads, fabric.self, sending.sequence).map((read) => read.content);
    if (unanimous(records, 'ready', sending.message)) {
      sending.done = true;
      fabric.history.ok(sending.operation, text(sending.message));
      return;
    }
    if (fabric.now() - sending.startedAt < config.signTimeout) return;
    const signature = await this.sign('broadcast', fabric.self, sending.sequence, sending.message);
    sending.signed = true;
    sending.done = true;
    this.wrote = true;
    writes.push(
      this.registers.write(senderSlot(config.layout, sending.sequence), encodePayload({ value: sending.message, signature }, config.layout.shape)).then(() => {
        fabric.history.ok(sending.operation, text(sending.message));
      }),
    );
  }

  private records(reads: readonly RegionRead[], sender: ProcessId, sequence: number): SlotRead[] {
    const index = recordSlot(this.config.layout, sender, sequence);
    return reads.map((read) => this.merged(read, index));
  }

  private merged(read: RegionRead, index: number): SlotRead {
    const slot = mergeSlot(read, index, this.config.layout);
    if (slot.malformed) this.malformed++;
    if (slot.equivocation && !this.equivocators.has(read.owner)) {
      this.equivocators.add(read.owner);
      this.fabric.note('equivocation-proof', { owner: read.owner });
    }
    return slot;
  }

  /** What this round read of one broadcast: every process's record and the sender's slot. */
  private view(instance: Instance, reads: readonly RegionRead[]): RoundView {
    const slots = this.records(reads, instance.sender, instance.sequence);
    const sender = this.merged(reads[instance.sender], senderSlot(this.config.layout, instance.sequence));
    return { slots, records: slots.map((slot) => slot.content), senderSlot: sender.content, versions: [...slots.map((slot) => slot.version), sender.version].join(',') };
  }

  /** One broadcast's roles for one round: replicator, CB receiver, RB. */
  private step(instance: Instance, view: RoundView, writes: Promise<void>[], afterWrite: (() => void)[]): void {
    const { fabric, config } = this;
    const { sender, sequence } = instance;
    const { slots, records, senderSlot: senderView } = view;
    const valid = this.oracle(sender, sequence);

    // Replicator: adopt the first value, never change it (the mutant does).
    const shown = senderView?.value;
    if (shown && (!instance.adopted || (config.mutant === 'changing-replicator' && !sameBytes(shown, instance.adopted)))) {
      instance.adopted = shown;
      instance.echoSignature = undefined;
      instance.signedEchoRound = undefined;
      instance.checked = false;
      instance.conflict = false;
    }
    if (instance.adopted && !instance.echoSignature) {
      const signature = senderSignatureFor(instance.adopted, senderView, records, sender, valid);
      if (signature) {
        instance.echoSignature = signature;
        instance.signedEchoRound = this.round;
      }
    } else if (instance.adopted && instance.echoSignature && !instance.checked && !instance.conflict && (instance.signedEchoRound ?? Infinity) < this.round) {
      // Write, then read: this round's read started after the signed echo was in place.
      const others = records.filter((_, owner) => owner !== fabric.self);
      if (conflictingSignedEcho(others, sender, instance.adopted, valid)) {
        instance.conflict = true;
        fabric.note('conflict', { s: sender, k: sequence });
      } else {
        let waiting = false;
        slots.forEach((slot, owner) => {
          if (owner === fabric.self) return;
          if (slot.uncertain && instance.uncertainReads[owner] < uncertainReadsLimit) {
            instance.uncertainReads[owner]++;
            waiting = true;
            this.wrote = true; // waiting for a clean read is not idleness
          }
        });
        if (!waiting) instance.checked = true;
      }
    }

    // CB receiver.
    if (!instance.cbDelivered) {
      let path: 'fast' | 'slow' | undefined;
      let value = unanimousEcho(records);
      if (value) path = 'fast';
      else {
        value = checkedQuorum(records, sender, config.f, valid, config.mutant !== 'no-check');
        if (value) path = 'slow';
      }
      if (value && path) {
        instance.cbDelivered = value;
        if (config.mode === 'cb') this.deliver(instance, value, path);
        const delivered = value;
        afterWrite.push(() => {
          instance.readyAt ??= fabric.now();
          if (config.mode === 'rb') fabric.note('cb-deliver', { s: sender, k: sequence, m: text(delivered), hex: hex(delivered), path: path ?? '' });
        });
      }
    }

    // RB.
    let deliverAfterWrite: { value: Uint8Array; path: string } | undefined;
    if (config.mode === 'rb' && !instance.rbDelivered) {
      const fast = unanimous(records, 'ready');
      if (fast) {
        instance.rbDelivered = fast;
        this.deliver(instance, fast, 'fast');
      } else {
        const found = findProof(records, config.f, valid);
        if (found) {
          instance.proofValue = found.value;
          instance.proof = found.proof;
          instance.rbDelivered = found.value;
          deliverAfterWrite = { value: found.value, path: 'slow' };
        }
      }
    }
    const signReady =
      config.mode === 'rb' &&
      instance.cbDelivered !== undefined &&
      instance.readySignature === undefined &&
      instance.readyAt !== undefined &&
      fabric.now() - instance.readyAt >= config.readyTimeout &&
      !unanimous(records, 'delivered', instance.cbDelivered);

    const settle = async () => {
      if (signReady && instance.cbDelivered) instance.readySignature = await this.sign('ready', sender, sequence, instance.cbDelivered);
      const payload = encodePayload(this.recordOf(instance), config.layout.shape);
      if (!instance.written || !sameBytes(payload, instance.written)) {
        instance.written = payload;
        this.wrote = true;
        await this.registers.write(recordSlot(config.layout, sender, sequence), payload);
      }
      if (deliverAfterWrite) this.deliver(instance, deliverAfterWrite.value, deliverAfterWrite.path);
      instance.done = this.isDone(instance, records);
    };
    writes.push(settle());
  }

  private isDone(instance: Instance, records: readonly (SlotContent | null)[]): boolean {
    const cbDuty = instance.checked || (instance.cbDelivered !== undefined && unanimous(records, 'ready', instance.cbDelivered) !== null);
    if (this.config.mode === 'cb') return instance.cbDelivered !== undefined && cbDuty;
    if (!instance.rbDelivered) return false;
    if (unanimous(records, 'delivered', instance.rbDelivered)) return true;
    if (instance.proof) return true;
    return instance.readySignature !== undefined && cbDuty;
  }

  private recordOf(instance: Instance): SlotContent {
    return {
      ...(instance.adopted ? { echo: instance.adopted } : {}),
      ...(instance.adopted && instance.echoSignature ? { echoSignature: instance.echoSignature } : {}),
      ...(instance.checked ? { checked: true } : {}),
      ...(instance.cbDelivered ? { ready: instance.cbDelivered } : {}),
      ...(instance.cbDelivered && instance.readySignature ? { readySignature: instance.readySignature } : {}),
      ...(instance.proofValue && instance.proof ? { proofValue: instance.proofValue, proof: instance.proof } : {}),
      ...(this.config.mode === 'rb' && instance.rbDelivered ? { delivered: instance.rbDelivered } : {}),
    };
  }

  private deliver(instance: Instance, value: Uint8Array, path: string): void {
    this.fabric.note('deliver', { s: instance.sender, k: instance.sequence, m: text(value), hex: hex(value), path });
  }

  private async sign(purpose: Purpose, sender: ProcessId, sequence: number, message: Uint8Array): Promise<Uint8Array> {
    await this.compute(this.config.costs.sign);
    const signature = this.signer.sign({ purpose, sender, sequence, message });
    this.valid.set(this.key(this.fabric.self, purpose, sender, sequence, message, signature), true);
    this.fabric.note('sign', { purpose, s: sender, k: sequence });
    return signature;
  }

  /** Charges CPU time; one computation at a time (a process has one core for its crypto). */
  private compute(duration: number): Promise<void> {
    const done = this.cpu.then(() => this.fabric.compute(duration));
    this.cpu = done;
    return done;
  }

  private key(signer: number, purpose: Purpose, sender: ProcessId, sequence: number, message: Uint8Array, signature: Uint8Array): string {
    return `${signer}|${purpose}|${sender}|${sequence}|${hex(message)}|${hex(signature)}`;
  }

  /** Answers from the verified cache (filled by checkSignatures); unknown = not valid. */
  private oracle(sender: ProcessId, sequence: number): SignatureOracle {
    return (signer, purpose, value, signature) => this.valid.get(this.key(signer, purpose, sender, sequence, value, signature)) === true;
  }

  /** Verifies, once each, every signature this round's decisions may need. */
  private async checkSignatures(views: ReadonlyMap<Instance, RoundView>): Promise<void> {
    const { config } = this;
    const wanted: { owner: ProcessId; signer: number; purpose: Purpose; sender: ProcessId; sequence: number; value: Uint8Array; signature: Uint8Array }[] = [];
    for (const [instance, view] of views) {
      const { sender, sequence } = instance;
      const records = view.records;
      const needEchoes = !instance.cbDelivered || (instance.adopted !== undefined && !instance.checked && !instance.conflict);
      if (instance.adopted && !instance.echoSignature) {
        const slot = view.senderSlot;
        if (slot?.signature && slot.value && sameBytes(slot.value, instance.adopted)) wanted.push({ owner: sender, signer: sender, purpose: 'broadcast', sender, sequence, value: slot.value, signature: slot.signature });
      }
      for (const [owner, record] of records.entries()) {
        if (!record) continue;
        if (needEchoes && record.echo && record.echoSignature) wanted.push({ owner, signer: sender, purpose: 'broadcast', sender, sequence, value: record.echo, signature: record.echoSignature });
        if (config.mode === 'rb' && !instance.rbDelivered) {
          if (record.ready && record.readySignature) wanted.push({ owner, signer: owner, purpose: 'ready', sender, sequence, value: record.ready, signature: record.readySignature });
          if (record.proofValue && record.proof) {
            for (const entry of record.proof) wanted.push({ owner, signer: entry.signer, purpose: 'ready', sender, sequence, value: record.proofValue, signature: entry.signature });
          }
        }
      }
    }
    for (const item of wanted) {
      const key = this.key(item.signer, item.purpose, item.sender, item.sequence, item.value, item.signature);
      if (this.valid.has(key) || this.liars.has(item.owner)) continue;
      if (config.mutant === 'skip-signature-check') {
        this.valid.set(key, true);
        continue;
      }
      await this.compute(config.costs.verify);
      const ok = this.signer.verify(item.signer, { purpose: item.purpose, sender: item.sender, sequence: item.sequence, message: item.value }, item.signature);
      this.valid.set(key, ok);
      if (!ok) {
        // A correct process writes only signatures that verify: whoever wrote this one is Byzantine,
        // and its signatures are not worth checking any more (else it could keep us verifying forgeries).
        this.liars.add(item.owner);
        this.fabric.note('rejected', { owner: item.owner, signer: item.signer, purpose: item.purpose, s: item.sender, k: item.sequence });
      }
    }
  }
}
