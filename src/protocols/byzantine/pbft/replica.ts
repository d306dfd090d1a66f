import type { Fabric, Message, ProcessId } from '../../../fabric/index.js';
import { Signer, statementBytes, type KeySource, type SignatureCosts, type Statement } from '../../../crypto/index.js';
import { ClientTable, freshBatch } from '../bft/clientTable.js';
import { batchHash, decodeMessage, encodeMessage, type CodecLimits } from '../bft/codec.js';
import { MalformedField } from '../bft/fieldCodec.js';
import type { ReplicatedService } from '../bft/kvService.js';
import type { Batch, Hash, Request } from '../bft/messages.js';
import { hashKey, slotKey } from '../bft/quorums.js';
import { decodePbft, encodePbft, isPbftMessage, viewChangeBodyHash, type PbftCodecLimits } from './codec.js';
import type { Choice, NewViewMessage, PbftMessage, PreparedEntry, PrePrepareMessage, PrePreparedEntry, ViewChangeBody, ViewChangeMessage, VoteMessage } from './messages.js';
import { committed, prepared, type PbftMutant } from './quorums.js';
import { chooseBatches, nullHash, validateNewView, wellFormedViewChange } from './viewChange.js';

/**
 * A replica of the n = 3f+1 message-passing baseline (PBFT-style: Castro &
 * Liskov, OSDI 1999 / TOCS 2002), serving the same replicated service and
 * the same clients as the 2f+1 protocol (bft/). Normal case: the primary
 * p(v mod n) PRE-PREPAREs batches of pending requests, backups PREPARE,
 * prepared on the PRE-PREPARE + 2f PREPAREs, then COMMIT, committed-local
 * on 2f+1 COMMITs, executed in order with the service's dedupe (last[c])
 * and a REPLY. No replica signs anything in the normal case: the fabric
 * authenticates point-to-point messages. View change: on a request timeout
 * a replica leaves view v and sends a signed VIEW-CHANGE(v+1, P, Q); the
 * new primary collects 2f+1, chooses batches (viewChange.ts) and sends
 * NEW-VIEW with them, which every backup re-checks. Timers double once per
 * view in which one expired. No checkpoints: P and Q reach back to
 * instance 0 (runs are short); execution's dedupe makes re-proposed
 * instances harmless.
 *
 * All events run one at a time through one queue, so each step sees the
 * state the previous one left.
 */

export interface PbftTiming {
  /** From a pending request's arrival (or the last execution) to suspecting the primary. */
  readonly request: number;
  /** From sending VIEW-CHANGE(w) to giving up on w and moving to w+1. */
  readonly viewChange: number;
}

export interface PbftReplicaConfig {
  readonly f: number;
  /** Instances the primary proposes past the executed prefix. */
  readonly window: number;
  /** β: requests per batch. */
  readonly batchLimit: number;
  readonly clients: readonly ProcessId[];
  readonly keys: KeySource;
  readonly costs: SignatureCosts;
  readonly timing: PbftTiming;
  readonly service: ReplicatedService;
  readonly mutant?: PbftMutant;
  /** A Byzantine replica's strategy (tests and the scenario's --adversary); a correct replica has none. */
  readonly byzantine?: PbftByzantine;
  /** Largest op in bytes (128). */
  readonly opLimitBytes?: number;
}

/**
 * Byzantine strategies, each a small deviation of this shell:
 * - `equivocating-primary`: as primary, after instance 0, sends 2f backups
 *   the batch in reverse order (another hash) — or nothing, for a
 *   one-request batch;
 * - `dropping-new-primary`: as new primary, sends a NEW-VIEW choosing the
 *   null batch everywhere, trying to drop what was decided.
 */
export type PbftByzantine = 'equivocating-primary' | 'dropping-new-primary';

export const pbftAdversaries: Readonly<Record<PbftByzantine, string>> = {
  'equivocating-primary': 'p0, primary of view 0, after one honest instance PRE-PREPAREs conflicting batches (reversed order) to 2f of the backups, or withholds one-request batches from them',
  'dropping-new-primary': 'p1, primary of view 1, sends a NEW-VIEW choosing the null batch at every instance (backups re-run the choice and refuse it)',
};

export interface PbftReplicaCounters {
  /** Replica-to-replica messages sent (REPLYs to clients counted apart). */
  readonly messages: number;
  readonly replies: number;
  readonly made: number;
  readonly verified: number;
  /** View changes this replica entered (NEW-VIEWs accepted or sent). */
  readonly views: number;
  /** Of `messages`, the VIEW-CHANGEs and NEW-VIEWs. */
  readonly viewMessages: number;
}

/** Per (v, i). */
interface Slot {
  readonly view: number;
  readonly instance: number;
  prePrepare?: { readonly hash: Hash; readonly batch: Batch };
  readonly prepares: Map<number, Hash>;
  readonly commits: Map<number, Hash>;
  isPrepared: boolean;
}

export function primaryOf(view: number, n: number): number {
  return view % n;
}

/** The statement a VIEW-CHANGE's signature covers: the vc-state purpose, (r, w−1, w, H(body)) — r's state on leaving w−1 for w. */
export function viewChangeStatement(body: ViewChangeBody): Statement {
  return { purpose: 'vc-state', process: body.replica, sealedBefore: body.view - 1, sealed: body.view, stateHash: viewChangeBodyHash(body) };
}

export class PbftReplica {
  readonly n: number;
  private readonly signer: Signer;
  private readonly clientSet: ReadonlySet<number>;
  private readonly table = new ClientTable();
  private readonly bftLimits: CodecLimits;
  private readonly limits: PbftCodecLimits;
  private readonly slots = new Map<string, Slot>();
  /** PRE-PREPAREs of views this replica has not entered yet (played on entering). */
  private readonly early = new Map<string, PrePrepareMessage>();
  /** P: per instance, the highest-view prepared batch. Q: per instance, per batch, the latest view it was pre-prepared in. */
  private readonly preparedLog = new Map<number, PreparedEntry>();
  private readonly prePreparedLog = new Map<number, Map<string, PrePreparedEntry>>();
  private readonly decisions = new Map<number, { readonly view: number; readonly hash: Hash; readonly batch: Batch }>();
  private readonly viewChanges = new Map<number, Map<number, ViewChangeMessage>>();
  private readonly verdicts = new Map<string, boolean>();
  private unchargedVerifications = 0;
  private view = 0;
  private changing = false;
  /** Views in which a timer expired: timeouts are base × 2^expirations. */
  private expirations = 0;
  private executedUpTo = -1;
  private nextInstance = 0;
  private readonly proposed = new Map<number, number>();
  private requestTimer: (() => void) | undefined;
  private viewChangeTimer: (() => void) | undefined;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;
  private executedRequests = 0;
  private readonly executedWaiters: { count: number; resolve: () => void }[] = [];
  private sent = { messages: 0, replies: 0, views: 0, viewMessages: 0 };
  /** dropping-new-primary: the view whose NEW-VIEW it sent (once). */
  private droppedView = -1;
  /** The highest instance the last NEW-VIEW chose (−1: none). */
  private highestChosen = -1;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: PbftReplicaConfig,
  ) {
    this.n = 3 * config.f + 1;
    this.clientSet = new Set(config.clients);
    this.signer = new Signer(fabric.self, config.keys, fabric.processCount);
    const opLimitBytes = config.opLimitBytes ?? 128;
    this.bftLimits = { window: 2, batchLimit: config.batchLimit, opLimitBytes, snapshotLimitBytes: 0, resultLimitBytes: 4096 };
    this.limits = { batchLimit: config.batchLimit, opLimitBytes, entryLimit: 1 << 16, replicas: this.n };
    fabric.onMessage((message) => this.enqueue(() => this.onMessage(message)));
  }

  get self(): ProcessId {
    return this.fabric.self;
  }

  get currentView(): number {
    return this.view;
  }

  get executed(): number {
    return this.executedUpTo + 1;
  }

  get counters(): PbftReplicaCounters {
    return { messages: this.sent.messages, replies: this.sent.replies, views: this.sent.views, viewMessages: this.sent.viewMessages, made: this.signer.counters.made, verified: this.signer.counters.verified };
  }

  whenExecutedRequests(count: number): Promise<void> {
    if (this.executedRequests >= count || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.executedWaiters.push({ count, resolve }));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.requestTimer?.();
    this.viewChangeTimer?.();
    for (const waiter of this.executedWaiters.splice(0)) waiter.resolve();
  }

  private enqueue(task: () => void | Promise<void>): void {
    this.work = this.work.then(async () => {
      if (!this.stopped) await task();
    });
  }

  private timeout(base: number): number {
    return base * 2 ** Math.min(this.expirations, 20);
  }

  // ——— signatures: each verified once, never by its signer ———

  private verifyOnce(signer: number, statement: Statement, signature: Uint8Array): boolean {
    const key = `${signer}/${hashKey(statementBytes(statement))}/${hashKey(signature)}`;
    let valid = this.verdicts.get(key);
    if (valid === undefined) {
      valid = this.signer.verify(signer, statement, signature);
      this.verdicts.set(key, valid);
      this.unchargedVerifications++;
    }
    return valid;
  }

  /** Charges the CPU time of the verifications made since the last charge (a cached verdict costs nothing). */
  private async chargeVerifications(): Promise<void> {
    const count = this.unchargedVerifications;
    this.unchargedVerifications = 0;
    if (count > 0) await this.fabric.compute(this.config.costs.verify * count);
  }

  private validRequest(request: Request): boolean {
    if (!this.clientSet.has(request.client)) return false;
    if (request.op.length > this.limits.opLimitBytes || !this.config.service.validOp(request.op, request.client, request.sequence)) return false;
    return this.verifyOnce(request.client, { purpose: 'request', client: request.client, sequence: request.sequence, op: request.op }, request.signature);
  }

  private validBatch(batch: Batch): boolean {
    const seen = new Set<number>();
    for (const request of batch) {
      if (seen.has(request.client) || !this.validRequest(request)) return false;
      seen.add(request.client);
    }
    return true;
  }

  // ——— messages in ———

  private async onMessage(message: Message): Promise<void> {
    if (isPbftMessage(message.data)) {
      if (message.from >= this.n) return;
      let decoded: PbftMessage;
      try {
        decoded = decodePbft(message.data, this.limits);
      } catch (error) {
        if (error instanceof MalformedField) return;
        throw error;
      }
      await this.onReplicaMessage(message.from, decoded);
      return;
    }
    let decoded;
    try {
      decoded = decodeMessage(message.data, this.bftLimits);
    } catch (error) {
      if (error instanceof MalformedField) return;
      throw error;
    }
    if (decoded.type === 'req') await this.onRequest(decoded.request);
  }

  private async onReplicaMessage(from: number, message: PbftMessage): Promise<void> {
    switch (message.type) {
      case 'pre-prepare':
        await this.onPrePrepare(from, message);
        break;
      case 'prepare':
        this.onPrepare(from, message);
        break;
      case 'commit':
        this.onCommit(from, message);
        break;
      case 'view-change':
        await this.onViewChange(from, message);
        break;
      case 'new-view':
        await this.onNewView(from, message);
        break;
    }
  }

  // ——— requests ———

  private async onRequest(request: Request): Promise<void> {
    const valid = this.validRequest(request);
    await this.chargeVerifications();
    if (!valid) return;
    const verdict = this.table.offer(request);
    if (verdict.kind === 'reply-again') {
      this.reply(request.client, request.sequence, verdict.result);
      return;
    }
    if (verdict.kind === 'stale') return;
    this.armRequestTimer();
    this.propose();
  }

  /** Runs while some request waits to execute in a normal view; an expiry suspects the primary. */
  private armRequestTimer(): void {
    if (this.requestTimer || this.changing || this.table.pending().length === 0) return;
    const view = this.view;
    this.requestTimer = this.fabric.setTimer(this.timeout(this.config.timing.request), () =>
      this.enqueue(() => {
        this.requestTimer = undefined;
        if (this.view !== view || this.changing) return;
        this.expirations++;
        return this.startViewChange(view + 1);
      }),
    );
  }

  private disarmRequestTimer(): void {
    this.requestTimer?.();
    this.requestTimer = undefined;
  }

  // ——— normal case ———

  private propose(): void {
    if (this.changing || primaryOf(this.view, this.n) !== this.self) return;
    while (this.nextInstance < this.executedUpTo + 1 + this.config.window) {
      const batch = freshBatch(this.table.pending(), (client) => this.table.last(client), this.proposed, this.config.batchLimit);
      if (batch.length === 0) break;
      for (const request of batch) this.proposed.set(request.client, request.sequence);
      const message: PrePrepareMessage = { type: 'pre-prepare', view: this.view, instance: this.nextInstance++, batch };
      this.fabric.note('pbft-propose', { v: message.view, i: message.instance });
      if (this.config.byzantine === 'equivocating-primary') this.equivocate(message);
      else this.sendToOthers(message);
      this.acceptPrePrepare(message.view, message.instance, batchHash(batch), batch);
    }
  }

  /**
   * After one honest instance (so that something is decided in view 0),
   * backups p1..pf get B and p(f+1)..p(3f) get B reversed: 2f backups can
   * prepare B′ but only 2f < 2f+1 commit it, and B never prepares, so view 0
   * stalls and a view change must settle the instance.
   */
  private equivocate(message: PrePrepareMessage): void {
    if (message.instance === 0) {
      this.sendToOthers(message);
      return;
    }
    const conflicting: PrePrepareMessage | undefined = message.batch.length >= 2 ? { ...message, batch: [...message.batch].reverse() } : undefined;
    for (let to = 0; to < this.n; to++) {
      if (to === this.self) continue;
      const second = to > this.config.f;
      if (second && !conflicting) continue;
      this.sent.messages++;
      this.fabric.send(to, encodePbft(second ? (conflicting as PrePrepareMessage) : message));
    }
    this.fabric.note('adversary-effect', { adversary: 'equivocating-primary', reason: conflicting ? `instance ${message.instance}: two batches` : `instance ${message.instance}: withheld from 2f backups` });
  }

  private slot(view: number, instance: number): Slot {
    const key = slotKey(view, instance);
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { view, instance, prepares: new Map(), commits: new Map(), isPrepared: false };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private async onPrePrepare(from: number, message: PrePrepareMessage): Promise<void> {
    if (from !== primaryOf(message.view, this.n) || message.view < this.view || message.batch.length === 0) return;
    if (!this.withinReach(message.view, message.instance)) return;
    const valid = this.validBatch(message.batch);
    await this.chargeVerifications();
    if (!valid) return;
    if (message.view > this.view || this.changing) {
      const key = slotKey(message.view, message.instance);
      if (!this.early.has(key)) this.early.set(key, message);
      return;
    }
    this.acceptPrePrepare(message.view, message.instance, batchHash(message.batch), message.batch);
  }

  /** Accepts the first PRE-PREPARE of (v, i) in view v: records Q, PREPAREs (a backup), and checks the quorums. */
  private acceptPrePrepare(view: number, instance: number, hash: Hash, batch: Batch): void {
    const slot = this.slot(view, instance);
    if (slot.prePrepare) return;
    slot.prePrepare = { hash, batch };
    const byHash = this.prePreparedLog.get(instance) ?? new Map<string, PrePreparedEntry>();
    byHash.set(hashKey(hash), { instance, view, hash });
    this.prePreparedLog.set(instance, byHash);
    for (const request of batch) if (request.sequence > (this.proposed.get(request.client) ?? 0)) this.proposed.set(request.client, request.sequence);
    if (primaryOf(view, this.n) !== this.self) {
      slot.prepares.set(this.self, hash);
      this.sendToOthers({ type: 'prepare', view, instance, hash });
    }
    this.tryPrepared(slot);
  }

  /**
   * Messages are kept for views up to n ahead and instances up to 4W past
   * the executed prefix (or the last NEW-VIEW's choices, which a laggard
   * must prepare): a laggard still hears what it needs, and a
   * Byzantine replica cannot make a correct one store without bound.
   */
  private withinReach(view: number, instance: number): boolean {
    return view <= this.view + this.n && instance <= Math.max(this.executedUpTo, this.highestChosen) + 4 * this.config.window;
  }

  private onPrepare(from: number, message: VoteMessage): void {
    if (message.view < this.view || !this.withinReach(message.view, message.instance)) return;
    const slot = this.slot(message.view, message.instance);
    if (!slot.prepares.has(from)) slot.prepares.set(from, message.hash);
    this.tryPrepared(slot);
  }

  private onCommit(from: number, message: VoteMessage): void {
    if (message.view < this.view || !this.withinReach(message.view, message.instance)) return;
    const slot = this.slot(message.view, message.instance);
    if (!slot.commits.has(from)) slot.commits.set(from, message.hash);
    this.tryCommitted(slot);
  }

  private tryPrepared(slot: Slot): void {
    if (slot.isPrepared || slot.view !== this.view || this.changing || !slot.prePrepare) return;
    if (!prepared(slot.prePrepare.hash, slot.prepares, primaryOf(slot.view, this.n), this.config.f)) return;
    slot.isPrepared = true;
    const known = this.preparedLog.get(slot.instance);
    if (!known || known.view < slot.view) this.preparedLog.set(slot.instance, { instance: slot.instance, view: slot.view, hash: slot.prePrepare.hash, batch: slot.prePrepare.batch });
    slot.commits.set(this.self, slot.prePrepare.hash);
    this.sendToOthers({ type: 'commit', view: slot.view, instance: slot.instance, hash: slot.prePrepare.hash });
    this.tryCommitted(slot);
  }

  private tryCommitted(slot: Slot): void {
    if (!slot.prePrepare || slot.view !== this.view || this.changing) return;
    if (!committed(slot.isPrepared, slot.prePrepare.hash, slot.commits, this.config.f, this.config.mutant)) return;
    this.decide(slot.view, slot.instance, slot.prePrepare.hash, slot.prePrepare.batch);
  }

  // ——— decide and execute ———

  private decide(view: number, instance: number, hash: Hash, batch: Batch): void {
    if (this.decisions.has(instance) || instance <= this.executedUpTo) return;
    this.decisions.set(instance, { view, hash, batch });
    this.fabric.note('bft-decide', { v: view, i: instance, h: hashKey(hash), path: 'pbft' });
    this.executeDecided();
  }

  private executeDecided(): void {
    let progressed = false;
    for (;;) {
      const decision = this.decisions.get(this.executedUpTo + 1);
      if (!decision) break;
      const instance = ++this.executedUpTo;
      this.decisions.delete(instance);
      progressed = true;
      for (const request of decision.batch) {
        // (c, s) with s ≤ last[c] ran already (decided twice across views, or resent): skip.
        if (request.sequence <= this.table.last(request.client)) continue;
        const result = this.config.service.apply(request.op);
        this.table.record(request.client, request.sequence, result);
        this.executedRequests++;
        this.fabric.note('bft-execute', { i: instance, c: request.client, s: request.sequence });
        this.reply(request.client, request.sequence, result);
      }
    }
    if (!progressed) return;
    // Progress: the timer restarts for whatever still waits.
    this.disarmRequestTimer();
    this.armRequestTimer();
    for (const waiter of [...this.executedWaiters]) {
      if (this.executedRequests >= waiter.count) {
        this.executedWaiters.splice(this.executedWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    this.propose();
  }

  private reply(client: number, sequence: number, result: Uint8Array): void {
    this.sent.replies++;
    this.fabric.send(client, encodeMessage({ type: 'reply', client, sequence, result }));
  }

  // ——— view change ———

  /** Leaves the current view for w: VIEW-CHANGE(w, P, Q)σ to all; gives w up after the (doubled) view-change timeout. */
  private async startViewChange(target: number): Promise<void> {
    if (target < this.view || (target === this.view && this.changing)) return;
    this.view = target;
    this.changing = true;
    this.disarmRequestTimer();
    this.viewChangeTimer?.();
    const prepared = [...this.preparedLog.values()].sort((a, b) => a.instance - b.instance);
    const prePrepared = [...this.prePreparedLog.values()].flatMap((byHash) => [...byHash.values()]).sort((a, b) => a.instance - b.instance || hashKey(a.hash).localeCompare(hashKey(b.hash)));
    const body: ViewChangeBody = { view: target, replica: this.self, prepared, prePrepared };
    const signature = this.signer.sign(viewChangeStatement(body));
    this.verdicts.set(`${this.self}/${hashKey(statementBytes(viewChangeStatement(body)))}/${hashKey(signature)}`, true);
    await this.fabric.compute(this.config.costs.sign);
    const message: ViewChangeMessage = { type: 'view-change', ...body, signature };
    this.fabric.note('pbft-view-change', { v: target, prepared: prepared.length });
    this.sendToOthers(message);
    this.keepViewChange(message);
    this.viewChangeTimer = this.fabric.setTimer(this.timeout(this.config.timing.viewChange), () =>
      this.enqueue(() => {
        this.viewChangeTimer = undefined;
        if (this.view !== target || !this.changing) return;
        this.expirations++;
        return this.startViewChange(target + 1);
      }),
    );
    this.tryNewView(target);
  }

  private keepViewChange(message: ViewChangeMessage): void {
    const byReplica = this.viewChanges.get(message.view) ?? new Map<number, ViewChangeMessage>();
    if (!byReplica.has(message.replica)) byReplica.set(message.replica, message);
    this.viewChanges.set(message.view, byReplica);
  }

  private async onViewChange(from: number, message: ViewChangeMessage): Promise<void> {
    if (message.replica !== from || message.view < this.view || (message.view === this.view && !this.changing)) return;
    if (this.viewChanges.get(message.view)?.has(from)) return;
    const valid = wellFormedViewChange(message, message.view, this.n, (batch) => this.validBatch(batch)) && this.verifyOnce(from, viewChangeStatement(message), message.signature);
    await this.chargeVerifications();
    if (!valid) return;
    this.keepViewChange(message);
    // f+1 replicas (one correct) want views above ours: join the smallest of them (TOCS §4.5.2).
    const above = new Map<number, number>();
    for (const [view, byReplica] of this.viewChanges) {
      if (view <= this.view) continue;
      for (const replica of byReplica.keys()) if (replica !== this.self) above.set(replica, Math.min(above.get(replica) ?? view, view));
    }
    if (above.size >= this.config.f + 1) await this.startViewChange(Math.min(...above.values()));
    this.tryNewView(message.view);
  }

  /** As primary of w, with ≥ 2f+1 VIEW-CHANGEs for w whose choice is determined: NEW-VIEW to all, then enter w. */
  private tryNewView(target: number): void {
    if (target !== this.view || !this.changing || primaryOf(target, this.n) !== this.self) return;
    const set = [...(this.viewChanges.get(target)?.values() ?? [])].sort((a, b) => a.replica - b.replica);
    if (set.length < 2 * this.config.f + 1) return;
    const outcome = chooseBatches(set, this.config.f, this.config.mutant);
    if (outcome.kind !== 'chosen') return;
    if (this.config.byzantine === 'dropping-new-primary') {
      if (this.droppedView === target) return;
      this.droppedView = target;
      const dropped = outcome.chosen.map((choice) => ({ instance: choice.instance, hash: nullHash }));
      this.sendToOthers({ type: 'new-view', view: target, viewChanges: set, chosen: dropped });
      this.fabric.note('adversary-effect', { adversary: 'dropping-new-primary', reason: `NEW-VIEW(${target}) choosing null at ${dropped.length} instance(s)` });
      return;
    }
    this.sendToOthers({ type: 'new-view', view: target, viewChanges: set, chosen: outcome.chosen });
    this.enterView(target, outcome.chosen, outcome.batches);
  }

  private async onNewView(from: number, message: NewViewMessage): Promise<void> {
    if (from !== primaryOf(message.view, this.n) || message.view < this.view || (message.view === this.view && !this.changing)) return;
    const verdict = validateNewView(
      message,
      { f: this.config.f, n: this.n, mutant: this.config.mutant },
      // Its own VIEW-CHANGE's verdict is cached from signing: a forged one in its name is checked like any other.
      (viewChange) => this.verifyOnce(viewChange.replica, viewChangeStatement(viewChange), viewChange.signature),
      (batch) => this.validBatch(batch),
    );
    await this.chargeVerifications();
    if (!verdict) {
      this.fabric.note('pbft-bad-new-view', { v: message.view, from });
      return;
    }
    this.enterView(message.view, verdict.chosen, verdict.batches);
  }

  /** Enters view w with O: each chosen batch is pre-prepared in w (and PREPAREd by a backup), then W's early messages play. */
  private enterView(target: number, chosen: readonly Choice[], batches: ReadonlyMap<string, Batch>): void {
    this.view = target;
    this.changing = false;
    this.sent.views++;
    this.viewChangeTimer?.();
    this.viewChangeTimer = undefined;
    this.fabric.note('pbft-new-view', { v: target, chosen: chosen.length });
    for (const key of [...this.viewChanges.keys()]) if (key <= target) this.viewChanges.delete(key);
    this.nextInstance = Math.max(this.executedUpTo + 1, chosen.length);
    this.highestChosen = chosen.length - 1;
    // A new epoch of proposals: requests in dropped (null) instances are proposed again.
    this.proposed.clear();
    for (const choice of chosen) this.acceptPrePrepare(target, choice.instance, choice.hash, batches.get(hashKey(choice.hash)) ?? []);
    for (const [key, message] of [...this.early]) {
      if (message.view < target) this.early.delete(key);
      else if (message.view === target) {
        this.early.delete(key);
        this.acceptPrePrepare(target, message.instance, batchHash(message.batch), message.batch);
      }
    }
    for (const slot of this.slots.values()) {
      if (slot.view !== target) continue;
      this.tryPrepared(slot);
      this.tryCommitted(slot);
    }
    this.armRequestTimer();
    this.propose();
  }

  // ——— messages out ———

  private sendToOthers(message: PbftMessage): void {
    const bytes = encodePbft(message);
    for (let to = 0; to < this.n; to++) {
      if (to === this.self) continue;
      this.sent.messages++;
      if (message.type === 'view-change' || message.type === 'new-view') this.sent.viewMessages++;
      this.fabric.send(to, bytes);
    }
  }
}
