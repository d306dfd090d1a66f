import type { Fabric, Message, ProcessId } from '../../../fabric/index.js';
import { Signer, statementBytes, type KeySource, type SignatureCosts, type Statement } from '../../../crypto/index.js';
import { BroadcastStopped, ConsistentBroadcast, SlotsExhausted, type BroadcastConfig, type Delivery } from '../broadcast.js';
import { assemble, validCheckpointCertificate, validPrepareCertificate } from './certificates.js';
import { ClientTable, freshBatch, opKey, type ClientTableMutant } from './clientTable.js';
import { batchHash, decodeMessage, encodeMessage, type CodecLimits } from './codec.js';
import { EarlyMessageBuffer, type EarlyMessage } from './earlyMessages.js';
import { fixedBatches, planNewView, validateNewView, type NewViewMutant } from './newView.js';
import { SealingState, isWastedFreshBatch, type SealTrigger, type Suspicion } from './sealing.js';
import { VcCertificateCollector, leaderOf, vcShareTargets, vcStateStatement } from './viewChange.js';
import { ViewTimeouts, fetchTimeoutUs, requestTimerKey, restartsTreqOnEntering, treqStillDue, viewTimerTarget, type RequestTimerMutant } from './viewTimers.js';
import { MalformedField } from './fieldCodec.js';
import type { BftMutant } from './mutants.js';
import type { BftReplicaBehaviour } from './adversaries/behaviour.js';
import type { Batch, BftMessage, CheckpointCertificate, CheckpointShareMessage, CommitFastMessage, Hash, NewViewMessage, PointMessage, PromiseMessage, Request, ShareMessage, Snapshot, StateMessage, StreamMessage, VcShareMessage } from './messages.js';
import { snapshotDigest } from './stateCodec.js';
import { isCheckpointPoint, snapshotVerdict, type CheckpointMutant } from './checkpoints.js';
import { StateTransfer } from './stateTransfer.js';
import type { FetchSent } from './checkpoints.js';
import { streamMessageTypes } from './messages.js';
import { fastDecided, hashKey, promisedByAll, sameHash, slotKey, slowDecided } from './quorums.js';
import type { ReplicatedService } from './kvService.js';
import { StreamState, type FixedBatches, type StreamOutcome } from './streamState.js';
import { StreamOrder } from './streamOrder.js';

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
 * BATCH-REQ/BATCH, checkpoints (CKPT-SHARE, CP, CHECKPOINT); sealing
 * (§2.5: SealingState decides liveness, F and when to SEAL), the view change
 * (§2.6: VC-SHAREs on each SEAL processed, VcCertificateCollector,
 * planNewView at the next leader, validateNewView + fixedBatches through
 * Σp's judgeNewView seam, entering w, re-proposing fixed batches), timers
 * doubling per view (§2.5.4, ViewTimeouts) and early buffering (§2.8,
 * EarlyMessageBuffer); checkpoints and state transfer (§2.7: StateTransfer
 * keeps the snapshots from N on, runs the FETCH rotation while r is behind
 * a CP it holds, answers FETCH with STATE or HAVE-CP, and judges a STATE;
 * the shell installs it forward, notes `bft-skip`, and drops instances and
 * batches below min(N, executed+1)). A snapshot past the cap ends the run
 * with `snapshot-full`.
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
  /** Tview(u+1): from holding f+1 SEALs ≥ u to sealing u+1, unless r entered a view > u (≥ 2D′ + 4; default 2·Tdecide). */
  readonly view?: number;
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
  /** V: views the stream is sized for; sealing a view ≥ V ends the run with `stream-full` (§2.1). Default: unbounded. */
  readonly views?: number;
  /** A deliberately broken variant (mutants.ts); absent in correct runs. */
  readonly mutant?: BftMutant;
  /** A Byzantine strategy (adversaries/); absent in correct runs, whose code paths it never touches. */
  readonly byzantine?: BftReplicaBehaviour;
  /** With `byzantine`: every Byzantine replica of the run (they collude). */
  readonly colluders?: readonly number[];
  /** The snapshot cap (§2.7.2: one STATE carries it; tests 64 KiB): a correct replica whose snapshot passes it ends the run with `snapshot-full`. */
  readonly snapshotLimitBytes?: number;
  /** Builds this replica's stream (default: a correct ConsistentBroadcast); a Byzantine replica's stream writer (byzantineStream.ts) in adversary runs. */
  readonly stream?: (fabric: Fabric, config: BroadcastConfig) => Pick<ConsistentBroadcast, 'broadcast' | 'stop' | 'stopBy' | 'counters'>;
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
  /** Of those: VC-SHAREs and BATCH-REQ/BATCH sent for view changes, and the VC-SHARE signatures made and NEW_VIEW shares verified. */
  readonly viewChangeMessages: number;
  readonly viewChangeMade: number;
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
  /** Replicas this replica sent its share to once more (2.4.6: senders of a SHARE received after its own, which 2.8 may have dropped). */
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
  private readonly cb: Pick<ConsistentBroadcast, 'broadcast' | 'stop' | 'stopBy' | 'counters'>;
  private readonly streams: StreamState[] = [];
  private readonly limits: CodecLimits;
  private readonly table: ClientTable;
  private readonly instances = new Map<string, InstanceState>();
  private readonly decisions = new Map<number, Decision>();
  /** Batches of accepted PREPAREs and valid COMMITs by hash (§2.4.9: kept for BATCH and execution). */
  private readonly batches = new Map<string, Batch>();
  /** The highest instance each kept batch was seen at (§2.7.1: batches below N are dropped). */
  private readonly batchInstances = new Map<string, number>();
  /** Verdicts of signatures checked (and own ones made), so none is verified twice nor by its signer (§5). */
  private readonly verdicts = new Map<string, boolean>();
  /** Tfwd and Treq per pending REQ, by requestTimerKey (the client; (c, s) under `fifo-treq`). */
  private readonly requestTimers = new Map<string, { readonly client: number; readonly sequence: number; forward?: () => void; request?: () => void }>();
  /** The mutants (§6) of the pure modules this replica runs, each absent in correct runs. */
  private readonly mutants: { readonly table?: ClientTableMutant; readonly requests?: RequestTimerMutant; readonly newView?: NewViewMutant };
  private readonly clientSet: ReadonlySet<number>;
  /** r's view: the view it last entered (§2.6.5); whether it is still *in* it is the sealing state's. */
  private view = 0;
  private readonly quorum: { readonly f: number; readonly n: number; readonly window: number };
  private readonly sealing: SealingState;
  private readonly timeouts: ViewTimeouts;
  private readonly collector: VcCertificateCollector;
  private readonly early: EarlyMessageBuffer;
  /** x of §2.5.4 last reported to the collector and the buffer (it never decreases). */
  private position = { view: 0, next: 0 };
  /** Tview(u+1) running: the view it would seal. */
  private viewTimer: { readonly view: number; readonly cancel: () => void } | undefined;
  /** Valid NEW_VIEW(w)s processed and not entered yet, by w. */
  private readonly newViews = new Map<number, FixedBatches>();
  /** As leader of a view w > 0: the NEW_VIEW(w) written, its fixed batches to re-propose, its CP. */
  private leading: { readonly view: number; readonly start: number; readonly end: number; readonly batches: readonly Batch[]; readonly checkpoint: CheckpointCertificate | null } | undefined;
  /** Fixed batches BATCH-REQuested (by hash), so each is asked for once. */
  private readonly batchRequested = new Set<string>();
  private readonly emptyBatch = { hash: batchHash([]), batch: [] as Batch };
  private viewChangeSent = { messages: 0, made: 0 };
  private executedUpTo = -1;
  /** As leader of `view`: the next instance to propose and the highest s of each client proposed in this epoch. */
  private nextProposal = 0;
  private readonly proposed = new Map<number, number>();
  /** Only the `op-executed` mutant: this epoch's proposed requests by (c, s, op). */
  private readonly proposedOps = new Set<string>();
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
  /** §2.7: snapshots kept, the FETCH rotation, STATE verdicts. */
  private readonly transfer: StateTransfer;
  /** Tfetch armed (one timer; each expiry FETCHes the next signer while the rotation runs). */
  private fetchTimer: (() => void) | undefined;
  /** HAVE-CP(CP) sent, per (CP.next, sender): once each (§2.4.9). */
  private readonly haveCheckpointSent = new Set<string>();

  constructor(
    private readonly fabric: Fabric,
    private readonly config: BftReplicaConfig,
  ) {
    this.n = 2 * config.f + 1;
    if (config.window < 2 || config.window % 2 !== 0) throw new RangeError(`window ${config.window}: W must be even and at least 2`);
    if (config.broadcast.layout.senders.length !== this.n) throw new RangeError(`the stream layout has ${config.broadcast.layout.senders.length} senders; n = 2f+1 = ${this.n} replicas broadcast`);
    this.clientSet = new Set(config.clients);
    const mutant = config.mutant;
    this.mutants = {
      ...(mutant === 'no-dedupe' || mutant === 'op-executed' ? { table: mutant } : {}),
      ...(mutant === 'old-treq' || mutant === 'fifo-treq' ? { requests: mutant } : {}),
      ...(mutant === 'lowest-view' || mutant === 'duplicate-signers' ? { newView: mutant } : {}),
    };
    this.table = new ClientTable(this.mutants.table);
    this.signer = new Signer(fabric.self, config.keys, fabric.processCount);
    this.limits = { window: config.window, batchLimit: config.batchLimit, opLimitBytes: config.opLimitBytes ?? 128, snapshotLimitBytes: config.snapshotLimitBytes ?? 65536, resultLimitBytes: 4096, ...(config.mutant === 'duplicate-signers' ? { repeatedSigners: true } : {}) };
    const quorum = { f: config.f, n: this.n, window: config.window };
    this.quorum = quorum;
    const verify = (signer: number, statement: Statement, signature: Uint8Array) => this.verifyOnce(signer, statement, signature);
    this.sealing = new SealingState({ f: config.f, ...(config.mutant === 'certify-if-decided' || config.mutant === 'seal-late' ? { mutant: config.mutant } : {}) });
    const { slow, forward, decide, request } = config.timing;
    this.timeouts = new ViewTimeouts({ viewUs: config.timing.view ?? 2 * decide, requestUs: request, decideUs: decide, slowUs: slow, forwardUs: forward, fetchUs: fetchTimeoutUs(decide, config.f) }, config.f, mutant === 'fixed-timers' ? mutant : undefined);
    this.collector = new VcCertificateCollector(fabric.self, quorum, verify);
    this.early = new EarlyMessageBuffer({ self: fabric.self, n: this.n, window: config.window });
    const checkpointMutant = config.mutant === 'install-back' || config.mutant === 'hold-only-snapshot' ? (config.mutant as CheckpointMutant) : undefined;
    this.transfer = new StateTransfer(fabric.self, quorum, verify, checkpointMutant);
    for (let sender = 0; sender < this.n; sender++) {
      this.streams.push(
        new StreamState(sender, {
          n: this.n,
          f: config.f,
          window: config.window,
          batchLimit: config.batchLimit,
          validPrepareCertificate: (pc) => validPrepareCertificate(pc, quorum, verify, config.mutant),
          validCheckpoint: (cp) => validCheckpointCertificate(cp, quorum, verify, config.mutant),
          validRequest: (request) => this.validRequest(request, config.mutant !== 'unchecked-requests'),
          ...(config.mutant ? { mutant: config.mutant } : {}),
        }),
      );
    }
    this.cb = (config.stream ?? ((on, stream) => new ConsistentBroadcast(on, stream)))(fabric, {
      ...config.broadcast,
      // §2.1's stream mutants that the CB layer carries (its own catalogue, src/protocols/byzantine/mutants.ts).
      ...(mutant === 'rewritten-record' || mutant === 'torn-blocks' || mutant === 'unchecked-value' ? { mutant } : {}),
      // The mutants that process streams out of k order get each k as delivered (streamOrder.ts).
      ...(mutant === 'no-fifo' || mutant === 'seal-without-prefix' ? { release: 'arrival' as const } : {}),
      f: config.f,
      keys: config.keys,
      costs: config.costs,
      onDeliver: mutant === 'no-fifo' || mutant === 'seal-without-prefix' ? this.outOfOrder(mutant) : (delivery) => this.enqueue(() => this.onStream(delivery)),
    });
    fabric.onMessage((message) => {
      // A copy now: a real backend may reuse the message's buffer once the handler returns, and the work queue runs later.
      const copy: Message = { from: message.from, data: Uint8Array.from(message.data) };
      this.enqueue(() => this.onPoint(copy));
    });
    config.byzantine?.attach({
      self: fabric.self,
      n: this.n,
      f: config.f,
      colluders: new Set(config.colluders ?? [fabric.self]),
      sendRaw: (to, message) => this.sendRaw(to, message),
      broadcastRaw: (message) => void this.broadcastRaw(message),
      sign: (statement) => this.signOwn(statement),
      schedule: (delayUs, task) => void fabric.setTimer(delayUs, () => this.enqueue(task)),
      random: () => fabric.random(),
      view: () => this.view,
      note: (reason) => fabric.note('adversary-effect', { adversary: config.byzantine?.name ?? '', reason }),
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
    return { ...this.sent, made: this.signer.counters.made, verified: this.signer.counters.verified, viewChangeMessages: this.viewChangeSent.messages, viewChangeMade: this.viewChangeSent.made };
  }

  /** The view r last entered. */
  get currentView(): number {
    return this.view;
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
    for (const timers of this.requestTimers.values()) {
      timers.forward?.();
      timers.request?.();
    }
    this.requestTimers.clear();
    this.viewTimer?.cancel();
    this.viewTimer = undefined;
    this.fetchTimer?.();
    this.fetchTimer = undefined;
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

  private validRequest(request: Request, checkSignature = true): boolean {
    if (!this.clientSet.has(request.client)) return false;
    if (request.op.length > this.limits.opLimitBytes || !this.config.service.validOp(request.op, request.client, request.sequence)) return false;
    // Verified once: a request seen in a REQ, a PREPARE and a COMMIT costs one verification.
    if (!checkSignature) return true;
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
    this.startRequestTimers(request);
    await this.propose();
  }

  /**
   * Tfwd and Treq run for the pending (highest-s) REQ only, from receipt,
   * restarting on entering a view (`entering`). The `old-treq` mutant keeps
   * a running (or run-out) Treq on entering; `fifo-treq` keeps timers per
   * (c, s), so a newer REQ does not stop the superseded one's.
   */
  private startRequestTimers(request: Request, entering = false): void {
    const key = requestTimerKey(request, this.mutants.requests);
    const running = this.requestTimers.get(key);
    const keepTreq = entering && running?.request !== undefined && !restartsTreqOnEntering(this.mutants.requests);
    running?.forward?.();
    if (!keepTreq) running?.request?.();
    this.requestTimers.delete(key);
    const timers: { readonly client: number; readonly sequence: number; forward?: () => void; request?: () => void } = { client: request.client, sequence: request.sequence };
    const timeouts = this.timeouts.current;
    if (leaderOf(this.view, this.n) !== this.self) {
      timers.forward = this.fabric.setTimer(timeouts.forwardUs, () => this.enqueue(() => this.forward(request)));
    }
    timers.request = keepTreq ? running?.request : this.fabric.setTimer(timeouts.requestUs, () => this.enqueue(() => this.requestExpired(request)));
    this.requestTimers.set(key, timers);
  }

  private forward(request: Request): void {
    if (this.table.pendingOf(request.client) !== request) return;
    this.send(leaderOf(this.view, this.n), { type: 'req', request });
  }

  private requestExpired(request: Request): void {
    if (!treqStillDue(request, this.table.pendingOf(request.client) === request, this.table.executed(request.client, request.sequence), this.mutants.requests)) return;
    this.timeouts.expired('request', this.sealing.timerView());
    this.suspect('treq', `Treq: (${request.client}, ${request.sequence}) still pending`);
  }

  /** Stops c's request timers: its pending REQ's (under `fifo-treq`, those of every (c, s′) with s′ ≤ `upTo`, all executed now). */
  private clearRequestTimers(client: number, upTo = Number.MAX_SAFE_INTEGER): void {
    for (const [key, timers] of this.requestTimers) {
      if (timers.client !== client || timers.sequence > upTo) continue;
      timers.forward?.();
      timers.request?.();
      this.requestTimers.delete(key);
    }
  }

  // ——— §2.5: sealing ———

  /** A suspicion of §2.5.1: seals r's view if r is still in it. */
  private suspect(reason: Suspicion, detail: string): void {
    if (!this.sealing.status.inView) return;
    this.fabric.note('bft-suspect', { v: this.view, reason: detail });
    this.trigger({ kind: 'suspicion', view: this.view, reason });
  }

  /**
   * A trigger (§2.5.1). Sealing u starts: nothing of a view ≤ u is live any
   * more (SealingState.isLive), F is taken; each i in F is SHAREd and
   * COMMITted once a PC is at hand, then SEAL (advanceSeal).
   */
  private trigger(trigger: SealTrigger): void {
    const sealing = this.sealing.trigger(trigger);
    if (sealing === null) return;
    this.fabric.note('bft-seal-start', { u: sealing, trigger: trigger.kind });
    this.moved();
    // §2.1: the stream holds V views; sealing one ≥ V ends the run (sizing, apart from safety and liveness).
    if (this.config.views !== undefined && sealing >= this.config.views) {
      this.endForSizing('stream-full');
      return;
    }
    for (const instance of this.sealing.pendingObligations()) {
      const state = this.state(this.view, instance);
      void this.share(state).then(() => this.tryCommit(state));
    }
    this.advanceSeal();
  }

  /** §2.5.3: with F empty, CHECKPOINT r's newest CP if newer than ckpt(r), then SEAL(u). */
  private advanceSeal(): void {
    if (this.stopped || this.sizingVerdict) return;
    for (;;) {
      const step = this.sealing.readyToSeal();
      if (step.action === 'checkpoint') {
        this.writeCheckpoint();
        continue;
      }
      if (step.action !== 'seal') return;
      this.sealing.sealWritten(step.view);
      this.fabric.note('bft-seal', { u: step.view });
      void this.broadcast({ type: 'seal', view: step.view });
      this.moved();
      this.startViewTimer();
      this.tryNewView();
      this.tryEnter();
      return;
    }
  }

  /** x (§2.5.4) or N moved: the collector and the early buffer follow (neither goes back). */
  private moved(): void {
    const position = { view: Math.max(this.position.view, this.sealing.timerView()), next: Math.max(this.position.next, this.newestCheckpoint?.next ?? 0) };
    if (position.view === this.position.view && position.next === this.position.next) return;
    this.position = position;
    this.collector.advance(position.view);
    this.early.advance(position);
  }

  /** Latest SEAL of each replica: Σp's sealed(p) as processed, r's own as written. */
  private latestSeals(): number[] {
    return this.streams.map((stream, process) => (process === this.self ? Math.max(stream.sealed, this.sealing.status.sealed) : stream.sealed));
  }

  /** §2.5.4: Tview(u+1) runs from holding SEALs ≥ u of f+1 replicas (r's too) until r enters a view > u. */
  private startViewTimer(): void {
    const target = viewTimerTarget(this.latestSeals(), this.self, this.config.f);
    if (target === null || this.view >= target || (this.viewTimer && this.viewTimer.view >= target)) return;
    this.viewTimer?.cancel();
    const cancel = this.fabric.setTimer(this.timeouts.current.viewUs, () =>
      this.enqueue(() => {
        if (this.viewTimer?.view !== target) return;
        this.viewTimer = undefined;
        if (this.view >= target) return;
        this.timeouts.expired('view', this.sealing.timerView());
        this.fabric.note('bft-suspect', { v: this.view, reason: `Tview(${target})` });
        this.trigger({ kind: 'tview', view: target });
      }),
    );
    this.viewTimer = { view: target, cancel };
  }

  // ——— §2.6: view change ———

  /** §2.6.1: processing p's SEAL(u) (its own too), a = sealed(p) before it: VC-SHARE(p, a, u, vcState(p), ckpt(p)'s CP) to leader(a+2+j). */
  private async onSeal(process: number, sealedBefore: number, sealed: number): Promise<void> {
    const stream = this.streams[process];
    const state = stream.vcState();
    const signature = this.signOwn(vcStateStatement(process, sealedBefore, sealed, state));
    this.viewChangeSent.made++;
    await this.fabric.compute(this.config.costs.sign);
    const message: VcShareMessage = { type: 'vc-share', process, sealedBefore, sealed, state, checkpoint: stream.checkpoint, signature };
    const leaders = new Set(vcShareTargets(sealedBefore, sealed, this.n).map((target) => target.leader));
    for (const leader of leaders) {
      if (leader === this.self) this.onVcShare(this.self, message);
      else {
        this.viewChangeSent.messages++;
        this.send(leader, message);
      }
    }
    // f+1 latest SEALs ≥ u > sealed(r) seal the largest such u.
    this.trigger({ kind: 'seals', latestSeals: this.latestSeals() });
    this.startViewTimer();
  }

  private onVcShare(from: number, message: VcShareMessage): void {
    const verdict = this.collector.add(from, message);
    if (verdict === 'certified') this.tryNewView();
  }

  /**
   * §2.6.2: leader(w), latest SEAL w−1 (and no later trigger), takes f+1
   * VC certificates, the newest CP it holds, each fixed batch (BATCH-REQ
   * to all for the missing ones), and CB-broadcasts NEW_VIEW(w).
   */
  private tryNewView(): void {
    const status = this.sealing.status;
    const view = status.sealed + 1;
    if (status.sealing !== null || leaderOf(view, this.n) !== this.self || this.view >= view || this.leading?.view === view) return;
    if (!this.sealing.mayWriteInView(view)) return;
    const plan = planNewView(
      {
        self: this.self,
        view,
        latestSeal: status.sealed,
        certified: this.collector.forView(view),
        checkpoints: [this.newestCheckpoint],
        batchFor: (hash) => this.batches.get(hashKey(hash)),
        emptyBatch: this.emptyBatch,
      },
      this.quorum,
      this.mutants.newView,
    );
    if (plan.status === 'waiting-for-batches') {
      for (const missing of plan.missing) {
        const key = hashKey(missing.hash);
        if (this.batchRequested.has(key)) continue;
        this.batchRequested.add(key);
        this.viewChangeSent.messages += this.n - 1;
        this.sendToOthers({ type: 'batch-req', view: missing.view, instance: missing.instance, hash: missing.hash });
      }
      return;
    }
    if (plan.status !== 'ready') return;
    this.leading = { view, start: plan.fixed.start, end: plan.fixed.end, batches: plan.batches, checkpoint: plan.message.checkpoint };
    this.fabric.note('bft-new-view', { w: view, start: plan.fixed.start, end: plan.fixed.end });
    void this.broadcast(plan.message);
  }

  /** Σp's judgeNewView seam: §2.6.3's validity, then §2.6.4's fixed batches. */
  private judgeNewView(sender: number, message: NewViewMessage): FixedBatches | undefined {
    const verdict = validateNewView(sender, message, this.quorum, (signer, statement, signature) => this.verifyOnce(signer, statement, signature), this.mutants.newView);
    if (!verdict.valid) return undefined;
    return fixedBatches(message, this.emptyBatch.hash, this.mutants.newView);
  }

  /** A valid NEW_VIEW(w) in leader(w)'s stream: a trigger if w−1 > sealed(r); entered once r's latest SEAL is w−1. */
  private onNewView(view: number, fixed: FixedBatches): void {
    if (view <= this.view) return;
    this.newViews.set(view, fixed);
    if (view - 1 > this.sealing.status.sealed) this.trigger({ kind: 'new-view', view });
    this.tryEnter();
  }

  /** §2.6.5: enter w when r's latest SEAL is w−1 and NEW_VIEW(w) is valid. */
  private tryEnter(): void {
    const view = this.sealing.status.sealed + 1;
    const fixed = this.newViews.get(view);
    if (!fixed || view <= this.view) return;
    for (const known of [...this.newViews.keys()]) if (known <= view) this.newViews.delete(known);
    const inView = this.sealing.enter(view);
    this.view = view;
    this.fabric.note('bft-enter', { v: view, start: fixed.start, end: fixed.end });
    if (this.viewTimer && this.viewTimer.view <= view) {
      this.viewTimer.cancel();
      this.viewTimer = undefined;
    }
    this.moved();
    if (!inView) {
      // A trigger already aims past w−1: nothing of w is live; seal on.
      this.advanceSeal();
      return;
    }
    for (const request of this.table.pending()) this.startRequestTimers(request, true);
    if (leaderOf(view, this.n) === this.self) this.startLeading(view);
    // PREPAREs of w accepted before r entered turn live now.
    const epoch = this.streams[leaderOf(view, this.n)].epoch(view);
    for (const [instance, accepted] of [...(epoch?.accepted ?? new Map<number, { hash: Hash }>())].sort((a, b) => a[0] - b[0])) this.onAccepted(view, instance, accepted.hash);
  }

  /** As leader(w), entered: re-propose fixed[start..end] (§2.4.1), then fresh batches. */
  private startLeading(view: number): void {
    const leading = this.leading;
    if (!leading || leading.view !== view) return;
    this.proposed.clear();
    this.proposedOps.clear();
    for (const batch of leading.batches) for (const request of batch) this.proposed.set(request.client, Math.max(this.proposed.get(request.client) ?? 0, request.sequence));
    if (this.mutants.table === 'op-executed') for (const batch of leading.batches) for (const request of batch) this.proposedOps.add(opKey(request));
    // The NEW_VIEW's CP is CHECKPOINTed if newer than r's (fresh batches wait for it).
    if (leading.checkpoint && leading.checkpoint.next > (this.newestCheckpoint?.next ?? 0)) this.holdCheckpoint(leading.checkpoint);
    this.writeCheckpoint();
    leading.batches.forEach((batch, offset) => void this.broadcast({ type: 'prepare', view, instance: leading.start + offset, batch }));
    this.nextProposal = leading.end + 1;
    void this.propose();
  }

  // ——— §2.4.1: propose ———

  private async propose(): Promise<void> {
    if (leaderOf(this.view, this.n) !== this.self || this.proposing || this.sizingVerdict) return;
    // Nothing of a view is proposed once r left it (§2.5.2); PREPAREs of v only while r's stream as written has sealed(r) = v−1.
    if (!this.sealing.status.inView || !this.sealing.mayWriteInView(this.view)) return;
    if (this.view > 0) {
      // Fresh batches of a later view: after executing start−1 and CHECKPOINTing the NEW_VIEW's CP (§2.4.1).
      const leading = this.leading;
      if (!leading || leading.view !== this.view || this.executedUpTo < leading.start - 1) return;
      if (leading.checkpoint && this.checkpointWritten < leading.checkpoint.next) return;
    }
    this.proposing = true;
    try {
      const own = this.streams[this.self];
      while (!this.stopped && this.nextProposal < own.checkpointNext + this.config.window) {
        const byOp = this.mutants.table === 'op-executed' ? { ran: (request: Request) => this.table.skips(request), proposedOps: this.proposedOps } : undefined;
        const pending = this.config.byzantine?.pending ? this.config.byzantine.pending(this.table.pending()) : this.table.pending();
        const batch = freshBatch(pending, (client) => this.table.last(client), this.proposed, this.config.batchLimit, byOp);
        if (batch.length === 0) break;
        for (const request of batch) this.proposed.set(request.client, request.sequence);
        if (byOp) for (const request of batch) this.proposedOps.add(opKey(request));
        const instance = this.nextProposal++;
        // Written in order: the CB queues it behind the stream's earlier broadcasts (t in flight).
        void this.broadcast({ type: 'prepare', view: this.view, instance, batch });
      }
    } finally {
      this.proposing = false;
    }
  }

  private broadcast(message: StreamMessage): Promise<void> {
    const byzantine = this.config.byzantine?.stream;
    if (byzantine) return Promise.all(byzantine.call(this.config.byzantine, message).map((instead) => this.broadcastRaw(instead))).then(() => undefined);
    return this.broadcastRaw(message);
  }

  private async broadcastRaw(message: StreamMessage): Promise<void> {
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
  private endForSizing(verdict: SizingVerdict, detail: Record<string, number> = {}): void {
    if (this.sizingVerdict) return;
    this.sizingVerdict = verdict;
    this.fabric.note('bft-sizing', { verdict, ...detail });
    void this.stop();
  }

  // ——— streams: §2.2 and §2.4.2 ———

  /** Only `no-fifo` and `seal-without-prefix`: deliveries (handed over as delivered) processed when the mutant says, not in k order. */
  private outOfOrder(mutant: 'no-fifo' | 'seal-without-prefix'): (delivery: Delivery) => void {
    const orders = new Map<number, StreamOrder<Delivery>>();
    return (delivery) => {
      let order = orders.get(delivery.sender);
      if (!order) orders.set(delivery.sender, (order = new StreamOrder()));
      const jump = mutant === 'no-fifo' || this.isSeal(delivery.message);
      for (const item of order.arrive(delivery.sequence, delivery, jump)) this.enqueue(() => this.onStream(item));
    };
  }

  private isSeal(bytes: Uint8Array): boolean {
    try {
      return decodeMessage(bytes, this.limits).type === 'seal';
    } catch (error) {
      if (error instanceof MalformedField) return false;
      throw error;
    }
  }

  private async onStream(delivery: Delivery): Promise<void> {
    let message: BftMessage;
    try {
      message = decodeMessage(delivery.message, this.limits);
    } catch (error) {
      if (error instanceof MalformedField) return;
      throw error;
    }
    if (!streamMessageTypes.has(message.type)) return;
    const stream = this.streams[delivery.sender];
    const sealedBefore = stream.sealed;
    const verifiedBefore = this.signer.counters.verified;
    const outcome = stream.process(message as StreamMessage, (newView) => this.judgeNewView(delivery.sender, newView));
    // Signatures checked while processing (PCs, CPs, VC certificates, client requests) cost their time.
    const verified = this.signer.counters.verified - verifiedBefore;
    if (verified > 0) await this.fabric.compute(verified * this.config.costs.verify);
    this.config.byzantine?.observeStream?.(delivery.sender, message as StreamMessage, outcome);
    if (outcome.kind === 'sealed') await this.onSeal(delivery.sender, sealedBefore, outcome.view);
    else this.onOutcome(delivery.sender, outcome);
  }

  private onOutcome(sender: number, outcome: StreamOutcome): void {
    switch (outcome.kind) {
      case 'accepted':
        this.keepBatch(outcome.hash, outcome.batch, outcome.instance);
        this.onAccepted(outcome.view, outcome.instance, outcome.hash);
        break;
      case 'closed':
        if (outcome.view === this.view) this.suspect(outcome.reason.includes('NEW_VIEW') ? 'invalid-new-view' : 'invalid-prepare', `p${sender}: ${outcome.reason}`);
        break;
      case 'new-view':
        this.onNewView(outcome.view, outcome.fixed);
        break;
      case 'commit':
        this.keepBatch(outcome.hash, outcome.batch, outcome.instance);
        this.onValidCommit(sender, outcome.view, outcome.instance, outcome.hash, outcome.batch);
        break;
      case 'checkpoint':
        // ckpt(p)'s CP (valid, Σp checked it) is a CP r holds from now on: r may be behind it (§2.7.2).
        this.holdCheckpoint(this.streams[sender].checkpoint as CheckpointCertificate);
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

  /** Settled (§2.4): decided, executed, or covered by a CP r holds. */
  private settled(instance: number): boolean {
    return this.decisions.has(instance) || instance <= this.executedUpTo || instance < (this.newestCheckpoint?.next ?? 0);
  }

  /** Live: r is in v (from entering it until a trigger, §2.5.2) and acc[v][i] is set. */
  private live(view: number, instance: number): boolean {
    return this.sealing.isLive(view) && this.accepted(view, instance) !== undefined;
  }

  // ——— §2.4.3: promise ———

  private onAccepted(view: number, instance: number, hash: Hash): void {
    if (!this.live(view, instance)) {
      // The `stale-obligations` mutant: Tslow and Tdecide for an instance of a view r is not in.
      if (this.config.mutant === 'stale-obligations' && !this.settled(instance)) this.startInstanceTimers(this.state(view, instance));
      if (leaderOf(view, this.n) === this.self) this.standByOwnPrepare(view, instance);
      return;
    }
    const state = this.state(view, instance);
    if (state.promised) return;
    state.promised = true;
    const leader = leaderOf(view, this.n);
    if (leader !== this.self) {
      state.promises.set(this.self, hash);
      this.sendToOthers({ type: 'promise', view, instance, hash });
    }
    if (!this.settled(instance)) this.startInstanceTimers(state);
    // §2.8: what came early for (v, i) counts now.
    for (const early of this.early.releaseInstance(view, instance)) this.enqueue(() => this.onEarly(early.sender, early.message));
    this.tryFastCommit(state);
    this.tryFastDecide(state);
    void this.tryCommit(state);
  }

  /**
   * A leader's PREPARE(v, i) is its promise: followers count it among the n
   * (promisedByAll) and may fast-commit on it, which puts (v, i) in their F
   * (§2.5.2), to be discharged by a COMMIT with f+1 shares before their SEAL.
   * A correct leader writes PREPAREs only while it is in v, but its trigger
   * may come before its own PREPARE is delivered back to it; then it is no
   * longer live here, and without this it would never SHARE on (v, i): a
   * follower whose other helper is Byzantine could never discharge (v, i)
   * and would stay sealing forever (found by `leader-favouring`: n = 3, the
   * leader sealed between writing and delivering PREPARE(0, 6)). So the
   * leader stands by it: promised, so a SHARE from another makes it share
   * (§2.4.6), as a follower that promised while live does after its trigger.
   * It does not fast-commit or time the instance (neither is allowed past the
   * trigger), and its own COMMIT still obeys the epoch rule (tryCommit).
   */
  private standByOwnPrepare(view: number, instance: number): void {
    const state = this.state(view, instance);
    if (state.promised) return;
    state.promised = true;
    for (const early of this.early.releaseInstance(view, instance)) this.enqueue(() => this.onEarly(early.sender, early.message));
  }

  /** Tslow and Tdecide of a promised (v, i) (§2.4.3). */
  private startInstanceTimers(state: InstanceState): void {
    const { view, instance } = state;
    const timeouts = this.timeouts.current;
    state.cancels.push(this.fabric.setTimer(timeouts.slowUs, () => this.enqueue(() => this.slowTimeout(view, instance))));
    state.cancels.push(this.fabric.setTimer(timeouts.decideUs, () => this.enqueue(() => this.decideTimeout(view, instance))));
  }

  private async onEarly(from: number, message: EarlyMessage): Promise<void> {
    if (message.type === 'promise') this.onPromise(from, message);
    else if (message.type === 'commit-fast') this.onCommitFast(from, message);
    else if (message.type === 'share') await this.onShare(from, message);
  }

  /** §2.8: a PROMISE, COMMIT-FAST or SHARE for an instance r has not promised waits in the buffer (in its window) until it does. */
  private heldEarly(from: number, message: PromiseMessage | CommitFastMessage | ShareMessage): boolean {
    if (this.instances.get(slotKey(message.view, message.instance))?.promised) return false;
    this.early.offer(from, message);
    return true;
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
    // fc[v] += i, only while live (§2.5.2: at the trigger F is taken from fc[v]).
    if (!this.sealing.fastCommit(state.view, state.instance)) return;
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
    if (!vote || !fastDecided(state.commitFasts, vote, this.n, this.config.mutant)) return;
    const batch = this.batches.get(hashKey(vote));
    if (batch) this.decide(state.view, state.instance, vote, batch, 'fast');
  }

  // ——— §2.4.6–7: slow path ———

  private slowTimeout(view: number, instance: number): void {
    if (this.settled(instance)) return;
    void this.share(this.state(view, instance));
  }

  private decideTimeout(view: number, instance: number): void {
    if (this.settled(instance) || (!this.sealing.isLive(view) && this.config.mutant !== 'stale-obligations')) return;
    this.timeouts.expired('decide', this.sealing.timerView());
    this.suspect('tdecide', `Tdecide: (${view}, ${instance}) promised and unsettled`);
  }

  /** SHARE(v, i, acc[v][i]) to all, once. */
  private async share(state: InstanceState): Promise<void> {
    if (!state.promised || state.myShare) return;
    const hash = this.accepted(state.view, state.instance);
    if (!hash) return;
    state.myShare = this.signOwn({ purpose: 'prepare', view: state.view, instance: state.instance, hash });
    await this.fabric.compute(this.config.costs.sign);
    state.shares.set(this.self, { hash, signature: state.myShare });
    // Not marked in sharedWith: that set is the once-more re-sends of 2.4.6, to senders of a SHARE received after this one.
    for (let to = 0; to < this.n; to++) {
      if (to === this.self) continue;
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
    else if (!state.sharedWith.has(from) && this.config.mutant !== 'share-once') {
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
    // The epoch rule on r's stream as written: no COMMIT of a view ≤ sealed(r).
    if (!this.sealing.mayWriteInView(state.view) || state.instance < Math.max(own.checkpointNext, this.checkpointWritten)) return;
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
    // Written now (the CB keeps the stream's order): i leaves F.
    const written = this.broadcast({ type: 'commit', view: state.view, instance: state.instance, batch, certificate: { view: state.view, instance: state.instance, hash, shares } });
    this.sealing.committed(state.view, state.instance);
    this.advanceSeal();
    await written;
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
    this.sealing.decided(view, instance);
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
        if (this.table.skips(request)) continue;
        const result = this.config.service.apply(request.op);
        const settled = this.table.record(request.client, request.sequence, result, request.op);
        if (settled) this.clearRequestTimers(request.client, request.sequence);
        this.executedRequests++;
        ran++;
        this.fabric.note('bft-execute', { i: instance, c: request.client, s: request.sequence });
        this.reply(request.client, request.sequence, result);
      }
      this.decisions.delete(instance);
      // §2.5.1: a fresh batch (i > end) of r's view executing with every (c, s) skipped, even empty, is a trigger (a stream burner).
      const end = this.streams[leaderOf(decision.view, this.n)].epoch(decision.view)?.newView?.end ?? -1;
      if (decision.view === this.view && isWastedFreshBatch(instance, end, ran)) this.suspect('wasted-fresh-batch', `batch at ${instance} of view ${decision.view} ran no request`);
      if (isCheckpointPoint(instance + 1, this.config.window) && !this.atCheckpointPoint(instance + 1)) return;
    }
    this.fetchIfBehind();
    for (const waiter of [...this.executedWaiters]) {
      if (this.executedRequests >= waiter.count) {
        this.executedWaiters.splice(this.executedWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    void this.propose();
  }

  // ——— §2.7.1: checkpoints (the decisions are checkpoints.ts's, one replica's side of them stateTransfer.ts's) ———

  /**
   * After executing next−1, next ≡ 0 mod W/2: keep the snapshot (§2.7.1)
   * and CKPT-SHARE it. A snapshot past the cap cannot travel in one STATE:
   * the run ends with `snapshot-full` (false: stop executing).
   */
  private atCheckpointPoint(next: number): boolean {
    const snapshot: Snapshot = { pairs: this.config.service.pairs(), clients: this.table.records() };
    const size = snapshotVerdict(snapshot, this.limits.snapshotLimitBytes);
    if (size.verdict === 'snapshot-full') {
      this.endForSizing('snapshot-full', { next, sizeBytes: size.sizeBytes });
      return false;
    }
    if (next >= (this.newestCheckpoint?.next ?? 0)) this.transfer.keep(next, snapshot);
    this.shareCheckpoint(next, snapshot);
    return true;
  }

  /** CKPT-SHARE(next, d) to all, d = H(snapshot). */
  private shareCheckpoint(next: number, snapshot: Snapshot): void {
    const digest = snapshotDigest(snapshot);
    const signature = this.signOwn({ purpose: 'checkpoint', next, digest });
    this.sendToOthers({ type: 'ckpt-share', next, digest, signature });
    this.onCheckpointShare(this.self, { type: 'ckpt-share', next, digest, signature });
  }

  private onCheckpointShare(from: number, message: CheckpointShareMessage): void {
    const held = this.newestCheckpoint?.next ?? 0;
    // §2.8's window: N < next ≤ N+2W.
    if (message.next % (this.config.window / 2) !== 0 || message.next <= held || message.next > held + 2 * this.config.window) return;
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
    this.holdCheckpoint({ next: message.next, digest: message.digest, shares });
    this.writeCheckpoint();
  }

  /** r holds a newer CP (from any source): instances below it are covered (they leave F); state below goes; r may be behind it. */
  private holdCheckpoint(cp: CheckpointCertificate): void {
    if (cp.next <= (this.newestCheckpoint?.next ?? 0)) return;
    this.newestCheckpoint = cp;
    for (const next of [...this.checkpointShares.keys()]) if (next <= cp.next) this.checkpointShares.delete(next);
    this.transfer.held(cp.next);
    this.dropBelow();
    this.sealing.covered(cp.next);
    this.moved();
    this.advanceSeal();
    this.fetchIfBehind();
  }

  /**
   * §2.7.1: drop local state below N (instances with their shares and
   * timers, batches). Below N but not yet executed, r still needs them to
   * execute what it decided, so the floor is min(N, executed+1).
   */
  private dropBelow(): void {
    const floor = Math.min(this.newestCheckpoint?.next ?? 0, this.executedUpTo + 1);
    for (const [key, state] of this.instances) {
      if (state.instance >= floor) continue;
      for (const cancel of state.cancels.splice(0)) cancel();
      this.instances.delete(key);
    }
    for (const [key, instance] of this.batchInstances) {
      if (instance >= floor) continue;
      this.batchInstances.delete(key);
      this.batches.delete(key);
    }
  }

  /** Keeps a batch by hash, noting the instance it was seen at. */
  private keepBatch(hash: Hash, batch: Batch, instance: number): void {
    const key = hashKey(hash);
    this.batches.set(key, batch);
    this.batchInstances.set(key, Math.max(this.batchInstances.get(key) ?? -1, instance));
  }

  // ——— §2.7.2: state transfer ———

  /** Behind the newest CP held (executed+1 covered and undecided): FETCH at once, then every Tfetch the next signer. */
  private fetchIfBehind(): void {
    if (this.stopped || this.sizingVerdict) return;
    const sent = this.transfer.fetchFor(this.newestCheckpoint, this.executedUpTo);
    if (sent) this.sendFetch(sent);
    if (this.transfer.fetching && !this.fetchTimer) this.armFetchTimer();
  }

  private armFetchTimer(): void {
    this.fetchTimer = this.fabric.setTimer(this.timeouts.current.fetchUs, () =>
      this.enqueue(() => {
        this.fetchTimer = undefined;
        const sent = this.transfer.tick(this.executedUpTo);
        if (sent) this.sendFetch(sent);
        if (this.transfer.fetching) this.armFetchTimer();
      }),
    );
  }

  private sendFetch(sent: FetchSent): void {
    this.fabric.note('bft-fetch', { next: sent.checkpoint.next, to: sent.target });
    this.send(sent.target, { type: 'fetch', checkpoint: sent.checkpoint });
  }

  /** A valid CP from a FETCH or HAVE-CP (§2.7.2): r holds it (the FETCH's counts as held). */
  private validCheckpoint(cp: CheckpointCertificate): boolean {
    return validCheckpointCertificate(cp, this.quorum, (signer, statement, signature) => this.verifyOnce(signer, statement, signature));
  }

  /** FETCH(CP): STATE(CP′, snapshot) for the newest CP′ held if its snapshot is kept, else HAVE-CP(CP′). */
  private onFetch(from: number, cp: CheckpointCertificate): void {
    if (!this.validCheckpoint(cp)) return;
    this.holdCheckpoint(cp);
    const answer = this.transfer.answer(cp, this.newestCheckpoint);
    if (answer.type === 'state') this.send(from, { type: 'state', checkpoint: answer.checkpoint, snapshot: answer.snapshot });
    else this.send(from, { type: 'have-cp', checkpoint: answer.checkpoint });
  }

  /** HAVE-CP(CP): a newer valid CP is held (and fetched, if r is behind it). */
  private onHaveCheckpoint(cp: CheckpointCertificate): void {
    if (cp.next <= (this.newestCheckpoint?.next ?? 0) || !this.validCheckpoint(cp)) return;
    this.holdCheckpoint(cp);
  }

  /** §2.4.9: a PROMISE, SHARE or BATCH-REQ at i covered by a CP r holds gets HAVE-CP(CP), once per CP and sender. */
  private answerCovered(from: number, instance: number): void {
    const cp = this.newestCheckpoint;
    if (!cp || instance >= cp.next) return;
    const key = `${cp.next}/${from}`;
    if (this.haveCheckpointSent.has(key)) return;
    this.haveCheckpointSent.add(key);
    this.send(from, { type: 'have-cp', checkpoint: cp });
  }

  /**
   * STATE(CP′, snapshot): taken only from an outstanding FETCH's target and
   * installed iff CP′ is valid, H(snapshot) = CP′.d and CP′.next >
   * executed+1 now (checkpoints.ts's installDecision). Installing replaces
   * the KV pairs and the client table, sets executed := CP′.next−1 and drops
   * local state below; r's view, Σ and later timers stay.
   */
  private async onState(from: number, message: StateMessage): Promise<void> {
    const before = this.signer.counters.verified;
    const decision = this.transfer.judge(from, message.checkpoint, message.snapshot, this.executedUpTo);
    await this.fabric.compute((this.signer.counters.verified - before) * this.config.costs.verify);
    if (!decision.install) {
      this.fabric.note('bft-state-refused', { from, next: message.checkpoint.next, reason: decision.reason });
      return;
    }
    const { checkpoint, snapshot } = message;
    this.config.service.install(snapshot.pairs);
    for (const request of this.table.install(snapshot.clients)) this.clearRequestTimers(request.client);
    this.executedUpTo = decision.executed;
    this.fabric.note('bft-skip', decision.skip);
    for (const instance of [...this.decisions.keys()]) if (instance <= this.executedUpTo) this.decisions.delete(instance);
    // Requests the snapshot covers count as run here: every correct client's s = 1..last[c] ran once in the prefix.
    let covered = 0;
    for (const record of snapshot.clients) if (this.clientSet.has(record.client)) covered += record.last;
    this.executedRequests = Math.max(this.executedRequests, covered);
    this.transfer.installed(checkpoint.next, snapshot);
    this.holdCheckpoint(checkpoint);
    this.dropBelow();
    for (const state of this.instances.values()) if (this.settled(state.instance)) for (const cancel of state.cancels.splice(0)) cancel();
    this.executeDecided();
  }

  private writeCheckpoint(): void {
    const cp = this.newestCheckpoint;
    if (!cp || cp.next <= this.checkpointWritten) return;
    this.checkpointWritten = cp.next;
    this.sealing.checkpointed(cp.next);
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
    this.config.byzantine?.observePoint?.(message.from, point);
    switch (point.type) {
      case 'req':
        await this.onRequest(point.request);
        break;
      case 'promise':
        if (fromReplica) this.answerCovered(message.from, point.instance);
        if (fromReplica && !this.heldEarly(message.from, point)) this.onPromise(message.from, point);
        break;
      case 'commit-fast':
        if (fromReplica && !this.heldEarly(message.from, point)) this.onCommitFast(message.from, point);
        break;
      case 'share':
        if (fromReplica) this.answerCovered(message.from, point.instance);
        if (fromReplica && !this.heldEarly(message.from, point)) await this.onShare(message.from, point);
        break;
      case 'vc-share':
        if (fromReplica) {
          const before = this.signer.counters.verified;
          this.onVcShare(message.from, point);
          await this.fabric.compute((this.signer.counters.verified - before) * this.config.costs.verify);
        }
        break;
      case 'batch': {
        // A fixed batch the leader asked for (§2.6.2): kept by hash.
        const key = hashKey(batchHash(point.batch));
        if (fromReplica && this.batchRequested.has(key) && !this.batches.has(key)) {
          // Fixed batches sit at or above the NEW_VIEW's start, so at or above r's N.
          this.keepBatch(batchHash(point.batch), point.batch, this.newestCheckpoint?.next ?? 0);
          this.tryNewView();
        }
        break;
      }
      case 'ckpt-share':
        if (fromReplica) this.onCheckpointShare(message.from, point);
        break;
      case 'batch-req': {
        if (fromReplica) this.answerCovered(message.from, point.instance);
        const batch = this.batches.get(hashKey(point.hash));
        if (fromReplica && batch) {
          this.viewChangeSent.messages++;
          this.send(message.from, { type: 'batch', batch });
        }
        break;
      }
      case 'fetch':
        if (fromReplica) {
          const before = this.signer.counters.verified;
          this.onFetch(message.from, point.checkpoint);
          await this.fabric.compute((this.signer.counters.verified - before) * this.config.costs.verify);
        }
        break;
      case 'have-cp':
        if (fromReplica) {
          const before = this.signer.counters.verified;
          this.onHaveCheckpoint(point.checkpoint);
          await this.fabric.compute((this.signer.counters.verified - before) * this.config.costs.verify);
        }
        break;
      case 'state':
        if (fromReplica) await this.onState(message.from, point);
        break;
      default:
        break;
    }
  }

  private send(to: number, message: PointMessage): void {
    const byzantine = this.config.byzantine?.point;
    if (byzantine) for (const instead of byzantine.call(this.config.byzantine, to, message)) this.sendRaw(to, instead);
    else this.sendRaw(to, message);
  }

  private sendRaw(to: number, message: PointMessage): void {
    this.sent.messages++;
    this.fabric.send(to, encodeMessage(message));
  }

  private sendToOthers(message: PointMessage): void {
    if (this.config.byzantine?.point) {
      for (let to = 0; to < this.n; to++) if (to !== this.self) this.send(to, message);
      return;
    }
    const bytes = encodeMessage(message);
    for (let to = 0; to < this.n; to++) {
      if (to === this.self) continue;
      this.sent.messages++;
      this.fabric.send(to, bytes);
    }
  }
}
