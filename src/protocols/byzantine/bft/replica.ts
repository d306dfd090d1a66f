import type { Fabric, Message, ProcessId } from '../../../fabric/index.js';
import { Signer, statementBytes, type KeySource, type SignatureCosts, type Statement } from '../../../crypto/index.js';
import { BroadcastStopped, ConsistentBroadcast, SlotsExhausted, type BroadcastConfig, type Delivery } from '../broadcast.js';
import { assemble, validCheckpointCertificate, validPrepareCertificate } from './certificates.js';
import { ClientTable, freshBatch } from './clientTable.js';
import { decodeMessage, encodeMessage, type CodecLimits } from './codec.js';
import { MalformedField } from './fieldCodec.js';
import type { Batch, BftMessage, CheckpointCertificate, CheckpointShareMessage, CommitFastMessage, Hash, PointMessage, PromiseMessage, Request, ShareMessage, StreamMessage } from './messages.js';
import { snapshotDigest } from './stateCodec.js';
import { streamMessageTypes } from './messages.js';
import { fastDecided, hashKey, promisedByAll, sameHash, slotKey, slowDecided } from './quorums.js';
import type { ReplicatedService } from './kvService.js';
import { StreamState, leaderOf, type FixedBatches, type StreamOutcome } from './streamState.js';

/**
 * A replica of Byzantine consensus with n = 2f+1 on consistent broadcast
 * (specs/bft-consensus.md §2.4, the normal case), running a replicated
 * service. The shell reads like the spec: each replica CB-broadcasts one
 * stream (its PREPAREs as leader, its COMMITs) and processes every
 * replica's stream in k order through Σp (streamState.ts); PROMISE,
 * COMMIT-FAST, SHARE, REQ, REPLY and BATCH travel point to point. All
 * events — deliveries, messages, timers — run one at a time through one
 * queue, so each step sees the state the previous one left.
 *
 * Built: propose (window W, batches of pending requests), accept, promise,
 * fast commit and fast decide, the slow path (Tslow → SHARE, f+1 shares =
 * PC → one COMMIT per (v, i); f+1 streams' valid COMMITs decide), execution
 * in order with dedupe, REPLY (again on a resent REQ), Tfwd forwarding,
 * BATCH-REQ/BATCH. Not yet: view change, sealing, checkpoints and state
 * transfer, early-message buffering (sealing/viewChange/newView/
 * checkpoints/earlyMessages/viewTimers.ts, written apart) — the seams are
 * `suspect()` (a trigger of §2.5.1; for now it notes the suspicion) and
 * the CHECKPOINT processing of Σp.
 */

export interface BftTiming {
  /** Tslow: from promising (v, i) to sending SHARE if i is still unsettled. */
  readonly slow: number;
  /** Tfwd: from a REQ's receipt to forwarding it to the leader. */
  readonly forward: number;
  /** Tdecide: from promising to suspecting, if i is still unsettled. */
  readonly decide: number;
  /** Treq: from a REQ's receipt to suspecting, if it is still pending. */
  readonly request: number;
}

export interface BftReplicaConfig {
  readonly f: number;
  /** W (even): instances proposed past the leader's checkpoint. */
  readonly window: number;
  /** β: requests per batch. */
  readonly batchLimit: number;
  /** The configured clients (their process ids: their keys are the run's). */
  readonly clients: readonly ProcessId[];
  /** The stream: CB over the replicas' registers (layout senders = the n replicas). */
  readonly broadcast: Omit<BroadcastConfig, 'onDeliver' | 'keys' | 'costs' | 'f'>;
  readonly keys: KeySource;
  readonly costs: SignatureCosts;
  readonly timing: BftTiming;
  readonly service: ReplicatedService;
  /** Largest op in bytes (128). */
  readonly opLimitBytes?: number;
}

/** Why a run ends for sizing, apart from safety and liveness (§2.1). */
export type SizingVerdict = 'stream-full' | 'snapshot-full';

export interface BftReplicaCounters {
  /** Replica-to-replica point messages sent (REPLYs to clients counted apart). */
  readonly messages: number;
  readonly replies: number;
  /** Stream messages this replica CB-broadcast. */
  readonly broadcasts: number;
  /** Signatures made and verified by the consensus layer (the CB's own are in its counters). */
  readonly made: number;
  readonly verified: number;
}

interface Decision {
  readonly view: number;
  readonly hash: Hash;
  readonly batch: Batch;
}

/** Per (v, i): what this replica heard and did. */
interface InstanceState {
  readonly view: number;
  readonly instance: number;
  promised: boolean;
  readonly promises: Map<number, Hash>;
  readonly commitFasts: Map<number, Hash>;
  sentCommitFast: boolean;
  /** Valid shares on (prepare, v, i, h), by signer, with h. */
  readonly shares: Map<number, { readonly hash: Hash; readonly signature: Uint8Array }>;
  /** Replicas this replica sent its share to (once each). */
  readonly sharedWith: Set<number>;
  myShare?: Uint8Array;
  committed: boolean;
  /** Valid COMMITs' streams, per batch hash. */
  readonly commitStreams: Map<string, Set<number>>;
  readonly cancels: (() => void)[];
}

export class BftReplica {
  readonly n: number;
  private readonly signer: Signer;
  private readonly cb: ConsistentBroadcast;
  private readonly streams: StreamState[] = [];
  private readonly limits: CodecLimits;
  private readonly table = new ClientTable();
  private readonly instances = new Map<string, InstanceState>();
  private readonly decisions = new Map<number, Decision>();
  /** Batches of accepted PREPAREs and valid COMMITs by hash (§2.4.9: kept for BATCH and execution). */
  private readonly batches = new Map<string, Batch>();
  /** Verdicts of signatures checked (and own ones made), so none is verified twice nor by its signer (§5). */
  private readonly verdicts = new Map<string, boolean>();
  private readonly requestTimers = new Map<number, (() => void)[]>();
  private readonly clientSet: ReadonlySet<number>;
  /** r's view (no view change yet: 0). */
  private view = 0;
  private executedUpTo = -1;
  /** As leader of `view`: the next instance to propose and the highest s of each client proposed in this epoch. */
  private nextProposal = 0;
  private readonly proposed = new Map<number, number>();
  private proposing = false;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;
  private sizingVerdict: SizingVerdict | undefined;
  private readonly executedWaiters: { count: number; resolve: () => void }[] = [];
  private executedRequests = 0;
  private sent = { messages: 0, replies: 0, broadcasts: 0 };
  /** CKPT-SHAREs by next, then by digest (hex), then by signer. */
  private readonly checkpointShares = new Map<number, Map<string, Map<number, Uint8Array>>>();
  /** The newest CP this replica holds (from any source), and the newest it CHECKPOINTed in its stream (as written). */
  private newestCheckpoint: CheckpointCertificate | null = null;
  private checkpointWritten = 0;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: BftReplicaConfig,
  ) {
    this.n = 2 * config.f + 1;
    if (config.window < 2 || config.window % 2 !== 0) throw new RangeError(`window ${config.window}: W must be even and at least 2`);
    if (config.broadcast.layout.senders.length !== this.n) throw new RangeError(`the stream layout has ${config.broadcast.layout.senders.length} senders; n = 2f+1 = ${this.n} replicas broadcast`);
    this.clientSet = new Set(config.clients);
    this.signer = new Signer(fabric.self, config.keys, fabric.processCount);
    this.limits = { window: config.window, batchLimit: config.batchLimit, opLimitBytes: config.opLimitBytes ?? 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 };
    const quorum = { f: config.f, n: this.n, window: config.window };
    const verify = (signer: number, statement: Statement, signature: Uint8Array) => this.verifyOnce(signer, statement, signature);
    for (let sender = 0; sender < this.n; sender++) {
      this.streams.push(
        new StreamState(sender, {
          n: this.n,
          f: config.f,
          window: config.window,
          batchLimit: config.batchLimit,
          validPrepareCertificate: (pc) => validPrepareCertificate(pc, quorum, verify),
          validCheckpoint: (cp) => validCheckpointCertificate(cp, quorum, verify),
          validRequest: (request) => this.validRequest(request),
        }),
      );
    }
    this.cb = new ConsistentBroadcast(fabric, {
      ...config.broadcast,
      f: config.f,
      keys: config.keys,
      costs: config.costs,
      onDeliver: (delivery) => this.enqueue(() => this.onStream(delivery)),
    });
    fabric.onMessage((message) => {
      // A copy now: a real backend may reuse the message's buffer once the handler returns, and the work queue runs later.
      const copy: Message = { from: message.from, data: Uint8Array.from(message.data) };
      this.enqueue(() => this.onPoint(copy));
    });
  }

  get self(): ProcessId {
    return this.fabric.self;
  }

  /** Instances executed (0..executed−1). */
  get executed(): number {
    return this.executedUpTo + 1;
  }

  /** The sizing verdict that ended this replica's run, if any. */
  get sizing(): SizingVerdict | undefined {
    return this.sizingVerdict;
  }

  get counters(): BftReplicaCounters {
    return { ...this.sent, made: this.signer.counters.made, verified: this.signer.counters.verified };
  }

  /** The CB stream's own signature counters. */
  get streamCounters(): { made: number; verified: number } {
    return this.cb.counters;
  }

  /** Resolves once `count` client requests ran here (the scenario's end of work), or at stop. */
  whenExecutedRequests(count: number): Promise<void> {
    if (this.executedRequests >= count || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.executedWaiters.push({ count, resolve }));
  }

  /** Stops the stream and every timer; later events do nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const state of this.instances.values()) for (const cancel of state.cancels.splice(0)) cancel();
    for (const cancels of this.requestTimers.values()) for (const cancel of cancels) cancel();
    this.requestTimers.clear();
    for (const waiter of this.executedWaiters.splice(0)) waiter.resolve();
    await this.cb.stop();
  }

  /** Stops the stream at `time` at the latest (the run's safety net). */
  stopBy(time: number): void {
    this.cb.stopBy(time);
  }

  private enqueue(task: () => void | Promise<void>): void {
    this.work = this.work.then(async () => {
      if (!this.stopped) await task();
    });
  }

  // ——— §2.4.8: requests ———

  private validRequest(request: Request): boolean {
    if (!this.clientSet.has(request.client)) return false;
    if (request.op.length > this.limits.opLimitBytes || !this.config.service.validOp(request.op, request.client, request.sequence)) return false;
    // Verified once: a request seen in a REQ, a PREPARE and a COMMIT costs one verification.
    return this.verifyOnce(request.client, { purpose: 'request', client: request.client, sequence: request.sequence, op: request.op }, request.signature);
  }

  private signatureKey(signer: number, statement: Statement, signature: Uint8Array): string {
    return `${signer}/${hashKey(statementBytes(statement))}/${hashKey(signature)}`;
  }

  private verifyOnce(signer: number, statement: Statement, signature: Uint8Array): boolean {
    const key = this.signatureKey(signer, statement, signature);
    let valid = this.verdicts.get(key);
    if (valid === undefined) {
      valid = this.signer.verify(signer, statement, signature);
      this.verdicts.set(key, valid);
    }
    return valid;
  }

  private signOwn(statement: Statement): Uint8Array {
    const signature = this.signer.sign(statement);
    this.verdicts.set(this.signatureKey(this.self, statement, signature), true);
    return signature;
  }

  private async onRequest(request: Request): Promise<void> {
    // Drop REQs of unconfigured keys, with big ops or bad σc.
    if (!this.validRequest(request)) return;
    await this.fabric.compute(this.config.costs.verify);
    const verdict = this.table.offer(request);
    if (verdict.kind === 'reply-again') {
      this.reply(request.client, request.sequence, verdict.result);
      return;
    }
    if (verdict.kind === 'stale') return;
    this.clearRequestTimers(request.client);
    // Tfwd and Treq run for the pending (highest-s) REQ only, from receipt.
    const cancels: (() => void)[] = [];
    if (leaderOf(this.view, this.n) !== this.self) {
      cancels.push(this.fabric.setTimer(this.config.timing.forward, () => this.enqueue(() => this.forward(request))));
    }
    cancels.push(this.fabric.setTimer(this.config.timing.request, () => this.enqueue(() => this.requestExpired(request))));
    this.requestTimers.set(request.client, cancels);
    await this.propose();
  }

  private forward(request: Request): void {
    if (this.table.pendingOf(request.client) !== request) return;
    this.send(leaderOf(this.view, this.n), { type: 'req', request });
  }

  private requestExpired(request: Request): void {
    if (this.table.pendingOf(request.client) !== request) return;
    this.suspect(`Treq: (${request.client}, ${request.sequence}) still pending`);
  }

  private clearRequestTimers(client: number): void {
    for (const cancel of this.requestTimers.get(client) ?? []) cancel();
    this.requestTimers.delete(client);
  }

  /**
   * §2.5.1's trigger. Sealing and view change are written apart
   * (sealing.ts, viewChange.ts): for now a suspicion is noted, and the view
   * stays.
   */
  private suspect(reason: string): void {
    this.fabric.note('bft-suspect', { v: this.view, reason });
  }

  // ——— §2.4.1: propose ———

  private async propose(): Promise<void> {
    if (leaderOf(this.view, this.n) !== this.self || this.proposing || this.sizingVerdict) return;
    this.proposing = true;
    try {
      const own = this.streams[this.self];
      while (!this.stopped && this.nextProposal < own.checkpointNext + this.config.window) {
        const batch = freshBatch(this.table.pending(), (client) => this.table.last(client), this.proposed, this.config.batchLimit);
        if (batch.length === 0) break;
        for (const request of batch) this.proposed.set(request.client, request.sequence);
        const instance = this.nextProposal++;
        // Written in order: the CB queues it behind the stream's earlier broadcasts (t in flight).
        void this.broadcast({ type: 'prepare', view: this.view, instance, batch });
      }
    } finally {
      this.proposing = false;
    }
  }

  private async broadcast(message: StreamMessage): Promise<void> {
    this.sent.broadcasts++;
    try {
      await this.cb.broadcast(encodeMessage(message));
    } catch (error) {
      if (error instanceof SlotsExhausted) this.endForSizing('stream-full');
      // A stream stopped from outside (stopBy, the run's end) drops what was still queued.
      else if (!(error instanceof BroadcastStopped) && !this.stopped) throw error;
    }
  }

  /** §2.1: a correct replica about to pass K ends the run (sizing, apart from safety and liveness). */
  private endForSizing(verdict: SizingVerdict): void {
    if (this.sizingVerdict) return;
    this.sizingVerdict = verdict;
    this.fabric.note('bft-sizing', { verdict });
    void this.stop();
  }

  // ——— streams: §2.2 and §2.4.2 ———

  private onStream(delivery: Delivery): void {
    let message: BftMessage;
    try {
      message = decodeMessage(delivery.message, this.limits);
    } catch (error) {
      if (error instanceof MalformedField) return;
      throw error;
    }
    if (!streamMessageTypes.has(message.type)) return;
    const outcome = this.streams[delivery.sender].process(message as StreamMessage, (newView) => this.judgeNewView(newView));
    this.onOutcome(delivery.sender, outcome);
  }

  /** NEW_VIEW validation and `fixed` (newView.ts) are not wired in yet: no NEW_VIEW counts. */
  private judgeNewView(_message: unknown): FixedBatches | undefined {
    return undefined;
  }

  private onOutcome(sender: number, outcome: StreamOutcome): void {
    switch (outcome.kind) {
      case 'accepted':
        this.batches.set(hashKey(outcome.hash), outcome.batch);
        this.onAccepted(outcome.view, outcome.instance, outcome.hash);
        break;
      case 'closed':
        if (outcome.view === this.view) this.suspect(`p${sender}: ${outcome.reason}`);
        break;
      case 'commit':
        this.batches.set(hashKey(outcome.hash), outcome.batch);
        this.onValidCommit(sender, outcome.view, outcome.instance, outcome.hash, outcome.batch);
        break;
      case 'checkpoint':
        // The leader's window slides with its own stream's checkpoint (§2.4.1: i < ckpt(leader).next + W, as written).
        if (sender === this.self) {
          void this.propose();
          for (const state of this.instances.values()) void this.tryCommit(state);
        }
        break;
      default:
        break;
    }
  }

  private state(view: number, instance: number): InstanceState {
    const key = slotKey(view, instance);
    let state = this.instances.get(key);
    if (!state) {
      state = { view, instance, promised: false, promises: new Map(), commitFasts: new Map(), sentCommitFast: false, shares: new Map(), sharedWith: new Set(), committed: false, commitStreams: new Map(), cancels: [] };
      this.instances.set(key, state);
    }
    return state;
  }

  private accepted(view: number, instance: number): Hash | undefined {
    return this.streams[leaderOf(view, this.n)].accepted(view, instance)?.hash;
  }

  private settled(instance: number): boolean {
    return this.decisions.has(instance) || instance <= this.executedUpTo;
  }

  /** Live: r is in v and acc[v][i] is set (no sealing yet: r is in its view throughout). */
  private live(view: number, instance: number): boolean {
    return view === this.view && this.accepted(view, instance) !== undefined;
  }

  // ——— §2.4.3: promise ———

  private onAccepted(view: number, instance: number, hash: Hash): void {
    if (!this.live(view, instance)) return;
    const state = this.state(view, instance);
    state.promised = true;
    const leader = leaderOf(view, this.n);
    if (leader !== this.self) {
      state.promises.set(this.self, hash);
      this.sendToOthers({ type: 'promise', view, instance, hash });
    }
    if (!this.settled(instance)) {
      state.cancels.push(this.fabric.setTimer(this.config.timing.slow, () => this.enqueue(() => this.slowTimeout(view, instance))));
      state.cancels.push(this.fabric.setTimer(this.config.timing.decide, () => this.enqueue(() => this.decideTimeout(view, instance))));
    }
    this.tryFastCommit(state);
    this.tryFastDecide(state);
    void this.tryCommit(state);
  }

  private onPromise(from: number, message: PromiseMessage): void {
    if (from === leaderOf(message.view, this.n)) return;
    const state = this.state(message.view, message.instance);
    if (!state.promises.has(from)) state.promises.set(from, message.hash);
    this.tryFastCommit(state);
  }

  // ——— §2.4.4–5: fast commit, fast decide ———

  private tryFastCommit(state: InstanceState): void {
    if (state.sentCommitFast || !this.live(state.view, state.instance)) return;
    const accepted = this.accepted(state.view, state.instance) as Hash;
    if (!promisedByAll(state.promises, accepted, leaderOf(state.view, this.n), this.n)) return;
    state.sentCommitFast = true;
    state.commitFasts.set(this.self, accepted);
    this.sendToOthers({ type: 'commit-fast', view: state.view, instance: state.instance, hash: accepted });
    this.tryFastDecide(state);
  }

  private onCommitFast(from: number, message: CommitFastMessage): void {
    const state = this.state(message.view, message.instance);
    if (!state.commitFasts.has(from)) state.commitFasts.set(from, message.hash);
    this.tryFastDecide(state);
  }

  private tryFastDecide(state: InstanceState): void {
    if (this.decisions.has(state.instance)) return;
    const vote = state.commitFasts.get(this.self);
    if (!vote || !fastDecided(state.commitFasts, vote, this.n)) return;
    const batch = this.batches.get(hashKey(vote));
    if (batch) this.decide(state.view, state.instance, vote, batch, 'fast');
  }

  // ——— §2.4.6–7: slow path ———

  private slowTimeout(view: number, instance: number): void {
    if (this.settled(instance)) return;
    void this.share(this.state(view, instance));
  }

  private decideTimeout(view: number, instance: number): void {
    if (this.settled(instance) || view !== this.view) return;
    this.suspect(`Tdecide: (${view}, ${instance}) promised and unsettled`);
  }

  /** SHARE(v, i, acc[v][i]) to all, once. */
  private async share(state: InstanceState): Promise<void> {
    if (!state.promised || state.myShare) return;
    const hash = this.accepted(state.view, state.instance);
    if (!hash) return;
    state.myShare = this.signOwn({ purpose: 'prepare', view: state.view, instance: state.instance, hash });
    await this.fabric.compute(this.config.costs.sign);
    state.shares.set(this.self, { hash, signature: state.myShare });
    for (let to = 0; to < this.n; to++) {
      if (to === this.self) continue;
      state.sharedWith.add(to);
      this.send(to, { type: 'share', view: state.view, instance: state.instance, hash, signature: state.myShare });
    }
    await this.tryCommit(state);
  }

  private async onShare(from: number, message: ShareMessage): Promise<void> {
    const state = this.state(message.view, message.instance);
    if (!state.shares.has(from)) {
      const valid = this.verifyOnce(from, { purpose: 'prepare', view: message.view, instance: message.instance, hash: message.hash }, message.signature);
      await this.fabric.compute(this.config.costs.verify);
      if (valid) state.shares.set(from, { hash: message.hash, signature: message.signature });
    }
    if (!state.promised) return;
    // Another's SHARE makes r share too; a sender of a SHARE after that gets r's once (it may have dropped r's).
    if (!state.myShare) await this.share(state);
    else if (!state.sharedWith.has(from)) {
      state.sharedWith.add(from);
      const hash = this.accepted(state.view, state.instance) as Hash;
      this.send(from, { type: 'share', view: state.view, instance: state.instance, hash, signature: state.myShare });
    }
    await this.tryCommit(state);
  }

  /** With a PC on acc[v][i]: COMMIT(v, i, B, PC) in r's stream, once per (v, i). */
  private async tryCommit(state: InstanceState): Promise<void> {
    if (state.committed || !state.myShare) return;
    const hash = this.accepted(state.view, state.instance);
    if (!hash) return;
    const own = this.streams[this.self];
    if (own.sealed !== state.view - 1 || state.instance < own.checkpointNext) return;
    if (state.instance >= own.checkpointNext + 2 * this.config.window) {
      // First CHECKPOINT r's newest CP; the COMMIT waits until r's stream holds it (its 'checkpoint' outcome retries).
      this.writeCheckpoint();
      return;
    }
    const matching = new Map<number, Uint8Array>();
    for (const [signer, share] of state.shares) if (sameHash(share.hash, hash)) matching.set(signer, share.signature);
    const shares = assemble(matching, this.config.f);
    if (!shares) return;
    const batch = this.batches.get(hashKey(hash));
    if (!batch) return;
    state.committed = true;
    await this.broadcast({ type: 'commit', view: state.view, instance: state.instance, batch, certificate: { view: state.view, instance: state.instance, hash, shares } });
  }

  private onValidCommit(sender: number, view: number, instance: number, hash: Hash, batch: Batch): void {
    const state = this.state(view, instance);
    const key = hashKey(hash);
    let streams = state.commitStreams.get(key);
    if (!streams) {
      streams = new Set();
      state.commitStreams.set(key, streams);
    }
    streams.add(sender);
    if (!this.decisions.has(instance) && slowDecided(streams, this.config.f)) this.decide(view, instance, hash, batch, 'slow');
  }

  // ——— decide and execute (§2.4.8) ———

  private decide(view: number, instance: number, hash: Hash, batch: Batch, path: 'fast' | 'slow'): void {
    if (this.decisions.has(instance) || instance <= this.executedUpTo) return;
    this.decisions.set(instance, { view, hash, batch });
    this.fabric.note('bft-decide', { v: view, i: instance, h: hashKey(hash), path });
    for (const state of this.instances.values()) if (state.instance === instance) for (const cancel of state.cancels.splice(0)) cancel();
    this.executeDecided();
  }

  private executeDecided(): void {
    for (;;) {
      const decision = this.decisions.get(this.executedUpTo + 1);
      if (!decision) break;
      const instance = ++this.executedUpTo;
      let ran = 0;
      for (const request of decision.batch) {
        // Skipping (c, s) with s ≤ last[c]: a request decided twice runs once.
        if (request.sequence <= this.table.last(request.client)) continue;
        const result = this.config.service.apply(request.op);
        const settled = this.table.record(request.client, request.sequence, result);
        if (settled) this.clearRequestTimers(request.client);
        this.executedRequests++;
        ran++;
        this.fabric.note('bft-execute', { i: instance, c: request.client, s: request.sequence });
        this.reply(request.client, request.sequence, result);
      }
      this.decisions.delete(instance);
      // §2.5.1: a fresh batch of r's view executing with every (c, s) skipped, even empty, is a trigger (a stream burner).
      // View 0 has only fresh batches; once NEW_VIEW is wired in, only i > end counts.
      if (ran === 0 && decision.view === this.view) this.suspect(`batch at ${instance} of view ${decision.view} ran no request`);
      if ((instance + 1) % (this.config.window / 2) === 0) this.shareCheckpoint(instance + 1);
    }
    for (const waiter of [...this.executedWaiters]) {
      if (this.executedRequests >= waiter.count) {
        this.executedWaiters.splice(this.executedWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    void this.propose();
  }

  // ——— §2.7.1: checkpoints (the shell's part; snapshots kept and state transfer are checkpoints.ts's, written apart) ———

  /** After executing next−1, next ≡ 0 mod W/2: CKPT-SHARE(next, d) to all, d = H(snapshot). */
  private shareCheckpoint(next: number): void {
    const digest = snapshotDigest({ pairs: this.config.service.pairs(), clients: this.table.records() });
    const signature = this.signOwn({ purpose: 'checkpoint', next, digest });
    this.sendToOthers({ type: 'ckpt-share', next, digest, signature });
    this.onCheckpointShare(this.self, { type: 'ckpt-share', next, digest, signature });
  }

  private onCheckpointShare(from: number, message: CheckpointShareMessage): void {
    if (message.next % (this.config.window / 2) !== 0 || message.next <= (this.newestCheckpoint?.next ?? 0)) return;
    if (!this.verifyOnce(from, { purpose: 'checkpoint', next: message.next, digest: message.digest }, message.signature)) return;
    const byDigest = this.checkpointShares.get(message.next) ?? new Map<string, Map<number, Uint8Array>>();
    this.checkpointShares.set(message.next, byDigest);
    const key = hashKey(message.digest);
    const signers = byDigest.get(key) ?? new Map<number, Uint8Array>();
    byDigest.set(key, signers);
    if (!signers.has(from)) signers.set(from, message.signature);
    const shares = assemble(signers, this.config.f);
    if (!shares) return;
    // f+1 matching = CP: hold it, drop older shares, CHECKPOINT it (each CP newer than ckpt(r)).
    this.newestCheckpoint = { next: message.next, digest: message.digest, shares };
    for (const next of [...this.checkpointShares.keys()]) if (next <= message.next) this.checkpointShares.delete(next);
    this.writeCheckpoint();
  }

  private writeCheckpoint(): void {
    const cp = this.newestCheckpoint;
    if (!cp || cp.next <= this.checkpointWritten) return;
    this.checkpointWritten = cp.next;
    void this.broadcast({ type: 'checkpoint', checkpoint: cp });
  }

  private reply(client: number, sequence: number, result: Uint8Array): void {
    this.sent.replies++;
    this.fabric.send(client, encodeMessage({ type: 'reply', client, sequence, result }));
  }

  // ——— point messages ———

  private async onPoint(message: Message): Promise<void> {
    let decoded: BftMessage;
    try {
      decoded = decodeMessage(message.data, this.limits);
    } catch (error) {
      if (error instanceof MalformedField) return;
      throw error;
    }
    if (streamMessageTypes.has(decoded.type)) return;
    const point = decoded as PointMessage;
    const fromReplica = message.from < this.n;
    switch (point.type) {
      case 'req':
        await this.onRequest(point.request);
        break;
      case 'promise':
        if (fromReplica) this.onPromise(message.from, point);
        break;
      case 'commit-fast':
        if (fromReplica) this.onCommitFast(message.from, point);
        break;
      case 'share':
        if (fromReplica) await this.onShare(message.from, point);
        break;
      case 'ckpt-share':
        if (fromReplica) this.onCheckpointShare(message.from, point);
        break;
      case 'batch-req': {
        const batch = this.batches.get(hashKey(point.hash));
        if (fromReplica && batch) this.send(message.from, { type: 'batch', batch });
        break;
      }
      default:
        // BATCH, VC-SHARE, HAVE-CP, FETCH, STATE: view change and state transfer (written apart).
        break;
    }
  }

  private send(to: number, message: PointMessage): void {
    this.sent.messages++;
    this.fabric.send(to, encodeMessage(message));
  }

  private sendToOthers(message: PointMessage): void {
    const bytes = encodeMessage(message);
    for (let to = 0; to < this.n; to++) {
      if (to === this.self) continue;
      this.sent.messages++;
      this.fabric.send(to, bytes);
    }
  }
}
