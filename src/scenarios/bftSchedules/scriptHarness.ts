import type { Address, Fabric, HistoryEvent, Message, NoteEvent, OperationValue, ProcessId, ProcessMain } from '../../fabric/index.js';
import type { Fault } from '../../fabric/faults.js';
import type { Hold } from '../../sim/holds.js';
import { Signer, freeCosts, runKeys, type KeySource } from '../../crypto/index.js';
import { ConsistentBroadcast, type Delivery } from '../../protocols/byzantine/broadcast.js';
import { blockSize, broadcastRegions, type BroadcastLayout } from '../../protocols/byzantine/layout.js';
import { slotSize } from '../../protocols/byzantine/slot.js';
import { BftKvClient, BftOutcomeUnknown } from '../../protocols/byzantine/bft/client.js';
import { validCheckpointCertificate, validPrepareCertificate } from '../../protocols/byzantine/bft/certificates.js';
import { batchHash, decodeMessage, encodeMessage, type CodecLimits } from '../../protocols/byzantine/bft/codec.js';
import { KvService } from '../../protocols/byzantine/bft/kvService.js';
import { bftMutants, type BftMutant } from '../../protocols/byzantine/bft/mutants.js';
import { fixedBatches, validateNewView } from '../../protocols/byzantine/bft/newView.js';
import { BftReplica, type BftTiming } from '../../protocols/byzantine/bft/replica.js';
import { StreamState, type StreamOutcome } from '../../protocols/byzantine/bft/streamState.js';
import { leaderOf, vcStateStatement } from '../../protocols/byzantine/bft/viewChange.js';
import type { Batch, BftMessage, CertifiedState, Hash, PointMessage, Request, Share, StreamMessage, VcShareMessage, VcState } from '../../protocols/byzantine/bft/messages.js';
import { encodeKvCommand } from '../../protocols/kv/kvCommand.js';
import { MalformedField } from '../../protocols/byzantine/bft/fieldCodec.js';
import { checkBft } from '../bftProperties.js';
import { slotBytesFor } from '../bftSetup.js';
import { linearizableVerdict } from '../linearizable.js';
import type { ResolvedOptions, Scenario, Violation } from '../scenario.js';

/**
 * Scripted schedules for Byzantine consensus on consistent broadcast
 * (specs/bft-consensus.md §6's interleavings): n = 2f+1 replicas on the
 * simulator with unit latency and free signatures, where
 *
 * - every point message passes a `route` the test writes (deliver, drop,
 *   or hold it back a while), decided from the decoded message and what the
 *   run noted so far (`ScriptWorld`: who decided, who sealed...), so "b
 *   promises to p0 only" or "p0 decides, pauses" is a line of the script;
 * - a replica may be a Byzantine script (`ScriptedReplica`) instead of a
 *   BftReplica: its own stream (a ConsistentBroadcast it writes whatever it
 *   likes into), its own signer, and Σp of every stream as a correct reader
 *   derives it, so the script can sign correct-looking shares when it wants;
 * - clients are BftKvClients running the calls the test gives.
 *
 * The correct replicas run the code under test (with `mutant` when given);
 * the run's notes and history go through the §3 checks (bftProperties.ts).
 * Same script, same seed: same run.
 *
 * A script runs two ways, on the same processes (`scriptProcess`): as a
 * scenario (`scriptedScenario`: a §6 schedule, bftSchedules/, which the
 * runner, the CLI and a sweep run by name, seed and mutant from the run's
 * options), or directly on a simulator of its own (`runBftScript`,
 * scheduleRuns.ts: a test's one-off script). This module runs no
 * simulator itself: the registry lists the schedules, and what a worker
 * loads stays free of the simulator.
 */

/** What the script's `route` sees of one point message. */
export interface RoutedMessage {
  readonly from: ProcessId;
  readonly to: ProcessId;
  /** Decoded (undefined when it does not decode as a BFT message). */
  readonly message: BftMessage | undefined;
  readonly time: number;
}

/** deliver; drop; or a number: hold it back that long, then send it. */
export type RouteVerdict = 'deliver' | 'drop' | number;

/** What the run noted so far, for routes and scripts to wait on. */
export class ScriptWorld {
  readonly notes: NoteEvent[] = [];
  private readonly listeners: (() => void)[] = [];

  /** Whether `process` noted a decision (at `instance` when given). */
  decided(process: ProcessId, instance?: number): boolean {
    return this.notes.some((note) => note.kind === 'bft-decide' && note.process === process && (instance === undefined || note.detail?.i === instance));
  }

  /** Whether `process` noted a note of this kind, whose detail matches `detail` (when given). */
  noted(process: ProcessId, kind: string, detail: Readonly<Record<string, OperationValue>> = {}): boolean {
    return this.notes.some((note) => note.kind === kind && note.process === process && Object.entries(detail).every(([key, value]) => note.detail?.[key] === value));
  }

  /** Resolves once `condition` holds (checked after each note). */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return false;
        resolve();
        return true;
      };
      this.listeners.push(() => void check());
      // Listeners stay registered; a resolved promise ignores later calls.
    });
  }

  private readonly claimed = new Set<string>();

  /** True the first time this run asks for `tag`, false after: a route's "only the first such message" (per run, not per script). */
  once(tag: string): boolean {
    if (this.claimed.has(tag)) return false;
    this.claimed.add(tag);
    return true;
  }

  /** @internal: the harness records every note here. */
  record(note: NoteEvent): void {
    this.notes.push(note);
    for (const listener of [...this.listeners]) listener();
  }
}

const generousLimits: CodecLimits = { window: 64, batchLimit: 64, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 };

function decodeOrUndefined(data: Uint8Array, limits: CodecLimits = generousLimits): BftMessage | undefined {
  try {
    return decodeMessage(data, limits);
  } catch (error) {
    if (error instanceof MalformedField) return undefined;
    throw error;
  }
}

/** The fabric a process of the script gets: sends pass the route; notes reach the world. */
class RoutedFabric implements Fabric {
  readonly self: ProcessId;
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: Fabric['regions'];
  readonly history: Fabric['history'];
  readonly read: Fabric['read'];
  readonly write: Fabric['write'];
  readonly cas: Fabric['cas'];
  readonly faa: Fabric['faa'];
  readonly requestPermission: Fabric['requestPermission'];
  readonly onMessage: Fabric['onMessage'];
  readonly receive: Fabric['receive'];
  readonly now: Fabric['now'];
  readonly clock: Fabric['clock'];
  readonly sleep: Fabric['sleep'];
  readonly setTimer: Fabric['setTimer'];
  readonly random: Fabric['random'];
  readonly compute: Fabric['compute'];

  constructor(
    private readonly inner: Fabric,
    private readonly route: (message: RoutedMessage) => RouteVerdict,
    private readonly world: ScriptWorld,
    unseen?: SlotFilter,
  ) {
    this.self = inner.self;
    this.processCount = inner.processCount;
    this.memoryCount = inner.memoryCount;
    this.regions = inner.regions;
    this.history = inner.history;
    this.read = unseen ? (address, length, options) => inner.read(address, length, options).then((bytes) => unseen(inner.self, address, bytes)) : inner.read.bind(inner);
    this.write = inner.write.bind(inner);
    this.cas = inner.cas.bind(inner);
    this.faa = inner.faa.bind(inner);
    this.requestPermission = inner.requestPermission.bind(inner);
    this.onMessage = inner.onMessage.bind(inner);
    this.receive = inner.receive.bind(inner);
    this.now = inner.now.bind(inner);
    this.clock = inner.clock.bind(inner);
    this.sleep = inner.sleep.bind(inner);
    this.setTimer = inner.setTimer.bind(inner);
    this.random = inner.random.bind(inner);
    this.compute = inner.compute.bind(inner);
  }

  send(to: ProcessId, data: Uint8Array): void {
    const verdict = this.route({ from: this.self, to, message: decodeOrUndefined(data), time: this.inner.now() });
    if (verdict === 'drop') return;
    if (verdict === 'deliver') this.inner.send(to, data);
    else {
      const copy = data.slice();
      this.inner.setTimer(verdict, () => this.inner.send(to, copy));
    }
  }

  note(kind: string, detail?: Readonly<Record<string, OperationValue>>): void {
    this.inner.note(kind, detail);
    this.world.record({ kind, process: this.self, time: this.inner.now(), ...(detail ? { detail } : {}) } as NoteEvent);
  }
}

/** One event a scripted replica saw: a stream message it processed (with Σp's outcome), or a point message. */
export type ScriptEvent =
  | { readonly kind: 'stream'; readonly sender: number; readonly message: StreamMessage; readonly outcome: StreamOutcome }
  | { readonly kind: 'point'; readonly from: number; readonly message: PointMessage };

/**
 * A Byzantine replica as a script: it writes what it likes into its own
 * stream, signs what it likes with its own key, sends what it likes to whom
 * it likes. It reads every stream as a correct replica would (Σp, with the
 * correct rules), so it can compute vcStates and batches to sign for.
 */
export class ScriptedReplica {
  readonly signer: Signer;
  readonly streams: StreamState[] = [];
  private readonly cb: ConsistentBroadcast;
  private readonly events: ScriptEvent[] = [];
  private readonly waiters: { readonly match: (event: ScriptEvent) => boolean; readonly resolve: (event: ScriptEvent) => void }[] = [];
  private readonly reactions: ((event: ScriptEvent) => void)[] = [];
  readonly n: number;

  constructor(
    readonly fabric: Fabric,
    readonly f: number,
    readonly keys: KeySource,
    readonly layout: BroadcastLayout,
    readonly world: ScriptWorld,
    readonly window: number,
    batchLimit: number,
  ) {
    this.n = 2 * f + 1;
    this.signer = new Signer(fabric.self, keys, fabric.processCount);
    const quorum = { f, n: this.n, window };
    const verify = this.signer.verify.bind(this.signer);
    for (let sender = 0; sender < this.n; sender++) {
      this.streams.push(
        new StreamState(sender, {
          n: this.n,
          f,
          window,
          batchLimit,
          validPrepareCertificate: (pc) => validPrepareCertificate(pc, quorum, verify),
          validCheckpoint: (cp) => validCheckpointCertificate(cp, quorum, verify),
          validRequest: () => true,
        }),
      );
    }
    this.cb = new ConsistentBroadcast(fabric, {
      layout,
      f,
      keys,
      costs: freeCosts,
      signTimeout: 30,
      readyTimeout: 30,
      idleAfter: 20,
      idlePoll: 8,
      window: 4,
      onDeliver: (delivery) => this.onDelivery(delivery, quorum, verify),
    });
    fabric.onMessage((message: Message) => {
      const decoded = decodeOrUndefined(message.data);
      if (!decoded) return;
      if (decoded.type === 'prepare' || decoded.type === 'commit' || decoded.type === 'seal' || decoded.type === 'new-view' || decoded.type === 'checkpoint') return;
      this.emit({ kind: 'point', from: message.from, message: decoded });
    });
  }

  get self(): number {
    return this.fabric.self;
  }

  private onDelivery(delivery: Delivery, quorum: { f: number; n: number; window: number }, verify: Signer['verify']): void {
    const message = decodeOrUndefined(delivery.message);
    if (!message || !(message.type === 'prepare' || message.type === 'commit' || message.type === 'seal' || message.type === 'new-view' || message.type === 'checkpoint')) return;
    const outcome = this.streams[delivery.sender].process(message, (newView) => {
      const verdict = validateNewView(delivery.sender, newView, quorum, verify);
      return verdict.valid ? fixedBatches(newView, batchHash([])) : undefined;
    });
    this.emit({ kind: 'stream', sender: delivery.sender, message, outcome });
  }

  private emit(event: ScriptEvent): void {
    this.events.push(event);
    for (const reaction of this.reactions) reaction(event);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(event)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  }

  /** Resolves with the first event (seen already or later) that matches. */
  next(match: (event: ScriptEvent) => boolean): Promise<ScriptEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Resolves with the first stream message of `sender` of this type (and matching `also`). */
  async streamMessage<T extends StreamMessage['type']>(sender: number, type: T, also: (message: Extract<StreamMessage, { type: T }>) => boolean = () => true): Promise<Extract<StreamMessage, { type: T }>> {
    const event = await this.next((event) => event.kind === 'stream' && event.sender === sender && event.message.type === type && also(event.message as Extract<StreamMessage, { type: T }>));
    return event.message as Extract<StreamMessage, { type: T }>;
  }

  /** Calls `reaction` with every later event (and the ones seen so far). */
  react(reaction: (event: ScriptEvent) => void): void {
    for (const event of this.events) reaction(event);
    this.reactions.push(reaction);
  }

  send(to: number | readonly number[], message: PointMessage): void {
    const bytes = encodeMessage(message);
    for (const target of typeof to === 'number' ? [to] : to) this.fabric.send(target, bytes);
  }

  /** The other replicas. */
  get others(): number[] {
    return Array.from({ length: this.n }, (_, process) => process).filter((process) => process !== this.self);
  }

  /** Writes a stream message into this replica's stream (resolves with its k once written). */
  broadcast(message: StreamMessage): Promise<number> {
    return this.cb.broadcast(encodeMessage(message));
  }

  /** This replica's share on (prepare, v, i, h). */
  prepareShare(view: number, instance: number, hash: Hash): Share {
    return { signer: this.self, signature: this.signer.sign({ purpose: 'prepare', view, instance, hash }) };
  }

  /** SHARE(v, i, h) signed by this replica. */
  shareMessage(view: number, instance: number, hash: Hash): PointMessage {
    return { type: 'share', view, instance, hash, signature: this.prepareShare(view, instance, hash).signature };
  }

  /** This replica's share on (vc-state, p, a, u, H(state)). */
  vcShare(process: number, sealedBefore: number, sealed: number, state: VcState): Share {
    return { signer: this.self, signature: this.signer.sign(vcStateStatement(process, sealedBefore, sealed, state)) };
  }

  /** VC-SHARE(p, a, u, state, CP) signed by this replica. */
  vcShareMessage(process: number, sealedBefore: number, sealed: number, state: VcState): VcShareMessage {
    return { type: 'vc-share', process, sealedBefore, sealed, state, checkpoint: null, signature: this.vcShare(process, sealedBefore, sealed, state).signature };
  }

  /**
   * From now on, answer every SHARE(v, i, h) from a replica with this
   * replica's own SHARE on the same (v, i, h), once per (v, i, h, sender):
   * the help a sealing correct replica needs for its PC.
   */
  answerShares(filter: (from: number, view: number, instance: number) => boolean = () => true): void {
    const answered = new Set<string>();
    this.react((event) => {
      if (event.kind !== 'point' || event.message.type !== 'share' || event.from >= this.n || !filter(event.from, event.message.view, event.message.instance)) return;
      const { view, instance, hash } = event.message;
      const key = `${event.from}/${view}/${instance}/${Buffer.from(hash).toString('hex')}`;
      if (answered.has(key)) return;
      answered.add(key);
      this.send(event.from, this.shareMessage(view, instance, hash));
    });
  }

  /**
   * From now on, VC-SHARE every SEAL processed as a correct replica does
   * (its vcState from Σp at that point, unless `stateFor` swaps in
   * another) to each leader(a+2+j), j < min(u−a, n).
   */
  certifySeals(stateFor: (process: number, sealedBefore: number, sealed: number, state: VcState) => VcState = (_process, _before, _sealed, state) => state): void {
    this.react((event) => {
      if (event.kind !== 'stream' || event.outcome.kind !== 'sealed' || event.message.type !== 'seal') return;
      const stream = this.streams[event.sender];
      const sealed = event.outcome.view;
      const before = this.sealedBefore.get(event.sender) ?? -1;
      this.sealedBefore.set(event.sender, sealed);
      const state = stateFor(event.sender, before, sealed, stream.vcState());
      for (let j = 0; j < Math.min(sealed - before, this.n); j++) {
        const leader = leaderOf(before + 2 + j, this.n);
        if (leader === this.self) continue;
        this.send(leader, this.vcShareMessage(event.sender, before, sealed, state));
      }
    });
  }

  private readonly sealedBefore = new Map<number, number>();

  async stop(): Promise<void> {
    await this.cb.stop();
  }
}

/** A certified state for a NEW_VIEW, signed by the given shares. */
export function certifiedState(process: number, sealedBefore: number, sealed: number, state: VcState, certificate: readonly Share[]): CertifiedState {
  return { process, sealedBefore, sealed, state, certificate };
}

/** vcState with no checkpoint and these commits. */
export function stateWith(commits: VcState['commits']): VcState {
  return { checkpointNext: 0, checkpointDigest: new Uint8Array(32), commits };
}

/** A signed request of client c (for scripts that propose on a client's behalf, or forge one). */
export function signedRequest(keys: KeySource, processCount: number, client: number, sequence: number, key: string, value: string, signer = client): Request {
  const op = encodeKvCommand({ operation: 'put', client, sequence, floor: 0, key, value });
  const signature = new Signer(signer, keys, processCount).sign({ purpose: 'request', client, sequence, op });
  return { client, sequence, op, signature };
}

export { batchHash, type Batch };

export interface BftScript {
  /** The seed of a run by `runBftScript` (a schedule's scenario takes the run's). */
  readonly seed?: number;
  readonly f?: number;
  /** The mutant the correct replicas run under `runBftScript` (absent: correct code; a schedule's scenario takes the run's). */
  readonly mutant?: BftMutant;
  /** Replicas run as scripts (the Byzantine ones), by index. */
  readonly byzantine?: Readonly<Record<number, (replica: ScriptedReplica) => Promise<void>>>;
  /** Each client's calls, in order (client i is process n+i). */
  readonly clients: readonly ((client: BftKvClient, fabric: Fabric) => Promise<unknown>)[];
  /** Every point message passes here (default: deliver). */
  readonly route?: (message: RoutedMessage, world: ScriptWorld) => RouteVerdict;
  /** How long the replicas run (virtual time; default 3000). */
  readonly duration?: number;
  readonly timing?: Partial<BftTiming>;
  readonly window?: number;
  readonly batchLimit?: number;
  /**
   * Whether `reader` does not see sender's stream slot S[sender][k] yet
   * (default: it sees every slot): its reads show that slot empty, as if
   * the sender's write had not reached the memories it reads. The slot
   * holds the message itself, so the reader's CB cannot deliver k (nor its
   * replicator echo it) while this holds: a per-reader delivery delay of
   * one k of one stream ("p1 delivers k+1 first").
   */
  readonly unseen?: (reader: ProcessId, sender: ProcessId, k: number, world: ScriptWorld, time: number) => boolean;
  /** Simulator faults of `runBftScript` (e.g. a replica paused while b writes its stream for the others); a schedule gives them as run options instead. */
  readonly faults?: readonly Fault[];
  /** Simulator holds of `runBftScript` (docs/schedules.md), e.g. a replica's verbs to one memory kept back for good: it reads the other majority; a schedule gives them as run options instead. */
  readonly holds?: readonly Hold[];
  /** Whether the schedule owes liveness: every client call completes (default: it owes safety only). */
  readonly liveness?: boolean;
}

export interface BftScriptResult {
  readonly notes: readonly NoteEvent[];
  readonly history: readonly HistoryEvent[];
  /** Safety properties of §3 (agreement, prefix agreement, integrity, validity, linearizability); liveness where the script owes it. */
  readonly violations: readonly Violation[];
  readonly errors: readonly { readonly process: ProcessId; readonly message: string }[];
  /** Per correct replica: its decisions as instance → batch hash (hex). */
  readonly decisions: ReadonlyMap<number, ReadonlyMap<number, string>>;
  /** Calls that completed (ok). */
  readonly completed: number;
}

/** The default timers of a scripted run (unit latency): Tslow 30, Tfwd 60, Tdecide 134, Treq 198, Tview 268. */
export const scriptTiming: BftTiming = { slow: 30, forward: 60, decide: 134, request: 198, view: 268 };

/** A script's sizes, the same on every run of it: who is who, the streams' layout, the timers, how long. */
export interface ScriptSizes {
  readonly f: number;
  readonly n: number;
  readonly window: number;
  readonly batchLimit: number;
  readonly duration: number;
  /** Replicas and clients. */
  readonly processCount: number;
  readonly clients: readonly ProcessId[];
  readonly layout: BroadcastLayout;
  readonly timing: BftTiming;
  /** Memories of the run (the streams live on three). */
  readonly memories: number;
}

export function scriptSizes(script: BftScript): ScriptSizes {
  const f = script.f ?? 1;
  const n = 2 * f + 1;
  const window = script.window ?? 8;
  const batchLimit = script.batchLimit ?? Math.max(1, script.clients.length);
  const layout: BroadcastLayout = { processCount: n, memories: [0, 1, 2], senders: Array.from({ length: n }, (_, index) => index), messages: 64, shape: { messageCapacity: slotBytesFor(f, batchLimit, window), readyCapacity: f + 1 } };
  return {
    f,
    n,
    window,
    batchLimit,
    duration: script.duration ?? 3000,
    processCount: n + script.clients.length,
    clients: Array.from({ length: script.clients.length }, (_, index) => n + index),
    layout,
    timing: { ...scriptTiming, ...script.timing },
    memories: 3,
  };
}

/** One run of a script: its sizes, the run's keys and mutant, and its own world (what this run noted, for routes and scripts). */
export interface ScriptRun extends ScriptSizes {
  readonly keys: KeySource;
  readonly mutant?: BftMutant;
  readonly world: ScriptWorld;
}

export function scriptRun(script: BftScript, seed: number, mutant?: BftMutant): ScriptRun {
  return { ...scriptSizes(script), keys: runKeys(seed), ...(mutant ? { mutant } : {}), world: new ScriptWorld() };
}

/**
 * The body of one process of a script's run (undefined past the clients):
 * a replica runs as a Byzantine script or as a correct BftReplica (the
 * run's mutant, if any), a client runs its calls; each on a RoutedFabric
 * (the script's route and unseen slots, notes into the run's world). Both
 * `runBftScript` and a schedule's scenario spawn exactly these.
 */
export function scriptProcess(script: BftScript, run: ScriptRun, process: ProcessId): ProcessMain | undefined {
  const { f, n, window, batchLimit, duration, clients, keys, layout, timing, world } = run;
  const route = script.route ?? (() => 'deliver');
  const unseen = script.unseen;
  const wrap = (fabric: Fabric) => new RoutedFabric(fabric, (message) => route(message, world), world, unseen ? blankSenderSlots(layout, (reader, sender, k) => unseen(reader, sender, k, world, fabric.now())) : undefined);
  if (process < n) {
    const byzantine = script.byzantine?.[process];
    if (byzantine) {
      return async (inner) => {
        const fabric = wrap(inner);
        const scripted = new ScriptedReplica(fabric, f, keys, layout, world, window, batchLimit);
        await Promise.race([byzantine(scripted), fabric.sleep(duration)]);
        await fabric.sleep(Math.max(0, duration - fabric.now()));
        await scripted.stop();
      };
    }
    return async (inner) => {
      const fabric = wrap(inner);
      const node = new BftReplica(fabric, {
        f,
        window,
        batchLimit,
        clients,
        keys,
        costs: freeCosts,
        service: new KvService(),
        broadcast: { layout, signTimeout: 30, readyTimeout: 30, idleAfter: 20, idlePoll: 8, window: 4 },
        timing,
        ...(run.mutant ? { mutant: run.mutant } : {}),
      });
      node.stopBy(duration);
      await fabric.sleep(duration);
      await node.stop();
    };
  }
  const calls = script.clients[process - n];
  if (!calls) return undefined;
  return async (inner) => {
    const fabric = wrap(inner);
    const client = new BftKvClient(fabric, { f, keys, costs: freeCosts, resendAfter: 2 * timing.decide, giveUpAfter: duration - 100 });
    await calls(client, fabric).catch((error) => {
      if (!(error instanceof BftOutcomeUnknown)) throw error;
    });
  };
}

/** The §3 checks of a script's run: safety always, liveness (every call completes) where the script owes it. */
export function scriptViolations(script: BftScript, history: readonly HistoryEvent[], notes: readonly NoteEvent[]): Violation[] {
  const { n, clients } = scriptSizes(script);
  return checkBft(history, notes, { replicas: n, clients, liveness: script.liveness ?? false });
}

/** Per replica that decided: its decisions as instance → batch hash (hex). */
export function scriptDecisions(notes: readonly NoteEvent[]): Map<number, Map<number, string>> {
  const decisions = new Map<number, Map<number, string>>();
  for (const note of notes) {
    if (note.kind !== 'bft-decide') continue;
    const mine = decisions.get(note.process) ?? new Map<number, string>();
    mine.set(Number(note.detail?.i), String(note.detail?.h));
    decisions.set(note.process, mine);
  }
  return decisions;
}

/**
 * The run each body of a schedule's scenario belongs to. The runner builds
 * every process's body from one resolved-options object per run (one call
 * per process), and the processes of a run share its world (routes and
 * scripts wait on what this run noted), so a run is kept per options
 * object; a second call for a process already handed a body is a new run
 * with the same options (a fresh world, never the last run's notes).
 */
class ScheduleRuns {
  private readonly runs = new WeakMap<ResolvedOptions, { readonly run: ScriptRun; readonly handedOut: Set<ProcessId> }>();

  constructor(private readonly script: BftScript) {}

  runOf(options: ResolvedOptions, process: ProcessId): ScriptRun {
    let entry = this.runs.get(options);
    if (!entry || entry.handedOut.has(process)) {
      entry = { run: scriptRun(this.script, options.seed, options.mutant as BftMutant | undefined), handedOut: new Set() };
      this.runs.set(options, entry);
    }
    entry.handedOut.add(process);
    return entry.run;
  }
}

/**
 * A script as a scenario (a §6 schedule's): the processes `runBftScript`
 * runs, with the run's seed and mutant (RunOptions). The script's faults
 * and holds are not the scenario's: the schedule gives them as run options
 * (BftSchedule.options, the text form of docs/schedules.md). Simulator only (the processes of a run share the
 * script's world), on unit latency (the script's times are in its units).
 */
export function scriptedScenario(name: string, summary: string, script: BftScript): Scenario {
  const sizes = scriptSizes(script);
  const runs = new ScheduleRuns(script);
  const replicas = Array.from({ length: sizes.n }, (_, process) => process);
  return {
    name,
    summary,
    mutants: bftMutants,
    defaults: { n: sizes.processCount, memories: sizes.memories, ops: 1 },
    validate(options) {
      if (options.n !== sizes.processCount) throw new Error(`--n ${options.n}: ${name} runs ${sizes.n} replicas and ${sizes.clients.length} clients (accepted: --n ${sizes.processCount})`);
      if (options.memories !== sizes.memories) throw new Error(`--memories ${options.memories}: ${name} keeps its streams on ${sizes.memories} memories (accepted: --memories ${sizes.memories})`);
      if (options.f !== undefined && options.f !== sizes.f) throw new Error(`--f ${options.f}: ${name} is scripted for f = ${sizes.f} (accepted: --f ${sizes.f})`);
      if (options.adversary !== undefined) throw new Error(`--adversary ${options.adversary}: ${name}'s Byzantine replica is its script (accepted: no --adversary)`);
      if (options.latency !== 'unit') throw new Error(`--latency ${options.latency}: ${name} is scripted in unit-latency time (accepted: --latency unit)`);
      if (options.backend !== undefined) throw new Error(`--backend ${options.backend}: ${name} is a scripted schedule, the simulator's (accepted: --backend sim)`);
    },
    tolerance: () => ({ processes: sizes.f, memories: 1, crashable: replicas }),
    regions: () => broadcastRegions(sizes.layout),
    minimumHorizon: () => sizes.duration + 500,
    // Clients give up by the end of the script: one still running is stuck only where calls are owed.
    mustFinish: () => (script.liveness ? sizes.clients : []),
    body: (options, process) => scriptProcess(script, runs.runOf(options, process), process),
    check: (history, _options, notes) => scriptViolations(script, history, notes),
    linearizable: (history) => linearizableVerdict(history, 'kv'),
    details(history, _options, notes) {
      const decisions = scriptDecisions(notes);
      const correct = notes.filter((note) => script.byzantine?.[note.process] === undefined);
      return {
        decisions: Object.fromEntries([...decisions].map(([replica, mine]) => [replica, Object.fromEntries(mine)])),
        // The instances each replica decided on the fast path (n COMMIT-FASTs), and the views entered with what NEW_VIEW fixed.
        fast: Object.fromEntries(replicas.map((replica) => [replica, correct.filter((note) => note.kind === 'bft-decide' && note.process === replica && note.detail?.path === 'fast').map((note) => Number(note.detail?.i))])),
        entered: correct.filter((note) => note.kind === 'bft-enter').map((note) => ({ process: note.process, ...(note.detail ?? {}) })),
        completed: history.filter((event) => event.type === 'ok').length,
        calls: { ok: history.filter((event) => event.type === 'ok').length, info: history.filter((event) => event.type === 'info').length },
        // What the Byzantine scripts noted of their own (`bft-script-*`, e.g. the batches b proposed), for a test to name them.
        scripted: notes.filter((note) => script.byzantine?.[note.process] !== undefined && note.kind.startsWith('bft-script-')).map((note) => ({ process: note.process, kind: note.kind, ...(note.detail ?? {}) })),
      };
    },
  };
}

/** Whether a decoded message is of this type (for routes). */
export function isType<T extends BftMessage['type']>(message: BftMessage | undefined, type: T): message is Extract<BftMessage, { type: T }> {
  return message?.type === type;
}

/** What a reader's read returns, given the address and the bytes read. */
type SlotFilter = (reader: ProcessId, address: Address, bytes: Uint8Array) => Uint8Array;

/** A read filter that blanks (zeroes) the sender slots S[sender][k] that `unseen` hides from the reader (BftScript.unseen). */
function blankSenderSlots(layout: BroadcastLayout, unseen: (reader: ProcessId, sender: ProcessId, k: number) => boolean): SlotFilter {
  const size = blockSize(layout);
  const senderBytes = slotSize('sender', layout.shape);
  return (reader, address, bytes) => {
    const owner = /^swmr:p(\d+)$/.exec(address.region);
    if (!owner) return bytes;
    const sender = Number(owner[1]);
    let copy: Uint8Array | undefined;
    for (let k = Math.floor(address.offset / size) + 1; (k - 1) * size < address.offset + bytes.length; k++) {
      if (!unseen(reader, sender, k)) continue;
      copy ??= Uint8Array.from(bytes);
      const from = Math.max(0, (k - 1) * size - address.offset);
      const to = Math.min(bytes.length, (k - 1) * size + senderBytes - address.offset);
      if (to > from) copy.fill(0, from, to);
    }
    return copy ?? bytes;
  };
}
