import { eventsOf } from '../../fabric/events.js';
import type { Fabric, Message, ProcessId } from '../../fabric/index.js';
import { Signer, type KeySource, type SignatureCosts, type Statement } from '../../crypto/index.js';
import { ConsistentBroadcast, BroadcastStopped, type Delivery } from '../../protocols/byzantine/broadcast.js';
import { BftKvClient, BftOutcomeUnknown } from '../../protocols/byzantine/bft/client.js';
import { batchHash, decodeMessage, encodeMessage, type CodecLimits } from '../../protocols/byzantine/bft/codec.js';
import { validCheckpointCertificate, validPrepareCertificate } from '../../protocols/byzantine/bft/certificates.js';
import { fixedBatches, validateNewView } from '../../protocols/byzantine/bft/newView.js';
import { StreamState, type StreamOutcome } from '../../protocols/byzantine/bft/streamState.js';
import { streamMessageTypes } from '../../protocols/byzantine/bft/messages.js';
import { MalformedField } from '../../protocols/byzantine/bft/fieldCodec.js';
import { KvService } from '../../protocols/byzantine/bft/kvService.js';
import type { BftMessage, PointMessage, Request, StreamMessage } from '../../protocols/byzantine/bft/messages.js';
import { bftMutants } from '../../protocols/byzantine/bft/mutants.js';
import { BftReplica, type BftTiming } from '../../protocols/byzantine/bft/replica.js';
import { broadcastRegions } from '../../protocols/byzantine/layout.js';
import { checkBft } from '../bftProperties.js';
import { bftReplicaConfig, bftSetup, streamSlots, streamWindow, type BftSetup } from '../bftSetup.js';
import { runKeys, signatureCosts } from '../byzantine/setup.js';
import { linearizableVerdict } from '../linearizable.js';
import type { ResolvedOptions, Scenario } from '../scenario.js';

/**
 * Scripted schedules for the §6 mutants of specs/bft-consensus.md that live
 * in the request table, the request timers and the view timers (the
 * schedules: bftSchedules/viewChange.ts and timers.ts, built-in scenarios;
 * tests: bftMutantsViewChange.test.ts, bftMutantsTimers.test.ts). A script
 * is a small `bft` run: correct BftReplicas (running the mutant under test,
 * if any), honest BftKvClients with a fixed list of calls, and scripted
 * Byzantine processes — a replica b that owns its stream (its own
 * ConsistentBroadcast, so it still serves the others' streams as a
 * replicator) and writes or sends exactly what the script says, or a client
 * that signs what it likes. The same script runs on correct code and on the
 * mutant; the scenario's checks (bftProperties) and the kv linearizability
 * checker judge both. Simulator only: the scripted processes of a run share
 * the adversary's state (ScriptTools.shared) in one thread.
 */

/** What a scripted Byzantine process may use: the run's sizes, keys and codec, its stream if a replica. */
export interface ScriptTools {
  readonly fabric: Fabric;
  readonly setup: BftSetup;
  readonly keys: KeySource;
  readonly costs: SignatureCosts;
  readonly signer: Signer;
  /** A replica's own stream (undefined for a client): CB-broadcasts the message as its next k. */
  readonly broadcast?: (message: StreamMessage) => Promise<void>;
  /** Point messages to this process, decoded (malformed ones dropped). */
  onPoint(handler: (from: ProcessId, message: BftMessage) => void): void;
  /** Stream deliveries of every sender at this replica, decoded, with what Σp (a correct reader's stream state) made of each. */
  onStream(handler: (sender: ProcessId, k: number, message: BftMessage, outcome: StreamOutcome | undefined) => void): void;
  /** Σp of each replica's stream as this process read it (a correct reader's view: vcState, sealed, accepted). */
  readonly streams: readonly StreamState[];
  send(to: ProcessId, message: PointMessage): void;
  /** The replicas' count n = 2f+1. */
  readonly n: number;
  /**
   * What the scripted Byzantine processes of this run share: they are one
   * adversary, which coordinates them at no cost (e.g. b tells a flooding
   * client which view the correct replicas are in). One map per run, so
   * that runs of the same scenario (a test's correct and mutant runs, a
   * sweep's seeds) start from nothing.
   */
  readonly shared: Map<string, unknown>;
  /** Keeps the process (and its stream's replicator work) running until the run's safety net. */
  untilEnd(): Promise<void>;
}

export interface BftScript {
  /** The scenario's name (a schedule's: bftScheduleScenarioName(mutant)). */
  readonly name: string;
  readonly f: number;
  /** One honest client program per entry; clients are processes n.. in order, then the Byzantine clients. */
  readonly clients: readonly ((client: BftKvClient) => Promise<void>)[];
  /** Scripted Byzantine processes by process id (replicas below n; clients after the honest ones). */
  readonly byzantine?: Readonly<Record<number, (tools: ScriptTools) => Promise<void>>>;
  /** Byzantine clients (processes after the honest ones). */
  readonly byzantineClients?: number;
  /** Client requests the correct replicas wait to execute before they linger and stop. */
  readonly requests: number;
  /** The timers of the correct replicas, from the sized ones. */
  readonly timing?: (sized: BftTiming) => BftTiming;
  /** V: views the streams are sized for (default: the scenario's). */
  readonly views?: number;
  /** W (default: the scenario's 8). */
  readonly window?: number;
  /** Point messages a correct replica sends pass here: false drops one (an asynchronous network may delay it past the run). */
  readonly route?: (from: ProcessId, to: ProcessId, message: BftMessage | undefined) => boolean;
  /** Whether the run owes liveness (every honest call completes). */
  readonly liveness: boolean;
}

/** An honest client's last message to each replica: its calls are over. */
const doneMarker = 0xfe;

const limitsFor = (setup: BftSetup): CodecLimits => ({ window: setup.window, batchLimit: setup.batchLimit, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 });

function sized(script: BftScript, options: ResolvedOptions): BftSetup {
  const clients = script.clients.length + (script.byzantineClients ?? 0);
  const base = bftSetup({ ...options, f: script.f, clients, ops: Math.max(1, Math.ceil(script.requests / Math.max(1, clients))), ...(script.window ? { window: script.window } : {}) });
  const views = script.views ?? base.views;
  const layout = { ...base.layout, messages: streamSlots(script.requests, base.window, views) };
  const timing = script.timing ? script.timing(base.timing) : base.timing;
  return { ...base, views, layout, timing, client: { ...base.client, resendAfter: 2 * timing.decide } };
}

function decoded(bytes: Uint8Array, limits: CodecLimits): BftMessage | undefined {
  try {
    return decodeMessage(bytes, limits);
  } catch (error) {
    if (error instanceof MalformedField) return undefined;
    throw error;
  }
}

/**
 * The scenario of one script. It is not registered here: a §6 schedule's
 * scenario is a built-in (bftSchedules/, listed by the registry, which
 * imports this module, so this module may not import the registry); a test
 * that runs another script adds it itself (addScenario from ./index.js).
 */
export function scriptScenario(script: BftScript): Scenario {
  const replicas = 2 * script.f + 1;
  const processes = replicas + script.clients.length + (script.byzantineClients ?? 0);
  const honestClients = Array.from({ length: script.clients.length }, (_, index) => replicas + index);
  const byzantine = new Set(Object.keys(script.byzantine ?? {}).map(Number));
  // The adversary's shared state, one per run: every body of a run gets the same resolved options (runner.ts), a new run new ones.
  const sharedByRun = new WeakMap<ResolvedOptions, Map<string, unknown>>();
  const sharedOf = (options: ResolvedOptions) => {
    let shared = sharedByRun.get(options);
    if (!shared) sharedByRun.set(options, (shared = new Map()));
    return shared;
  };
  const scenario: Scenario = {
    name: script.name,
    summary: `bft scripted schedule ${script.name}`,
    mutants: bftMutants,
    defaults: { n: processes, memories: 3, ops: 1 },
    validate() {},
    tolerance: () => ({ processes: script.f, memories: 1, crashable: Array.from({ length: replicas }, (_, index) => index) }),
    mustFinish: () => honestClients,
    minimumHorizon: (options) => sized(script, options).horizonNeeded,
    regions: (options) => broadcastRegions(sized(script, options).layout),
    body(options, process) {
      const setup = sized(script, options);
      const costs = signatureCosts(options);
      const keys = runKeys(options.seed);
      const scripted = script.byzantine?.[process];
      if (scripted) {
        const shared = sharedOf(options);
        return (fabric) => scripted(toolsFor(fabric, setup, keys, costs, process < replicas, honestClients, shared));
      }
      if (process < replicas) {
        return async (outer) => {
          // The honest clients say when they are done (a one-byte message no replica decodes): the replicas serve until then.
          let handler: ((message: Message) => void) | undefined;
          const done = new Set<number>();
          let allDone: () => void = () => undefined;
          const clientsDone = new Promise<void>((resolve) => (allDone = resolve));
          outer.onMessage((message) => {
            if (message.data.length === 1 && message.data[0] === doneMarker && honestClients.includes(message.from)) {
              done.add(message.from);
              if (done.size === honestClients.length) allDone();
            } else handler?.(message);
          });
          const route = script.route;
          const fabric = new Proxy(outer, {
            get(target, property) {
              if (property === 'onMessage') return (next: (message: Message) => void) => void (handler = next);
              if (property === 'send' && route) {
                return (to: ProcessId, data: Uint8Array) => {
                  if (route(process, to, decoded(data, limitsFor(setup)))) target.send(to, data);
                };
              }
              const value = Reflect.get(target, property, target) as unknown;
              return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
            },
          });
          const replica = new BftReplica(fabric, bftReplicaConfig(setup, { keys, costs, service: new KvService(), ...(options.mutant ? { mutant: options.mutant } : {}) }));
          replica.stopBy(setup.giveUpAt);
          let cancel: () => void = () => undefined;
          await Promise.race([clientsDone, new Promise<void>((resolve) => (cancel = outer.setTimer(setup.giveUpAt, resolve)))]);
          cancel();
          if (!replica.sizing) await outer.sleep(setup.linger);
          outer.note('bft-script-view', { v: replica.currentView, executed: replica.executed });
          await replica.stop();
        };
      }
      const program = script.clients[process - replicas];
      if (!program) return undefined;
      return async (fabric) => {
        const client = new BftKvClient(fabric, { f: setup.f, keys, costs, ...setup.client });
        try {
          await program(client);
        } catch (error) {
          // A call given up is in the history (info); the liveness check speaks for it.
          if (!(error instanceof BftOutcomeUnknown)) throw error;
        }
        for (let replica = 0; replica < replicas; replica++) fabric.send(replica, Uint8Array.of(doneMarker));
      };
    },
    check(history, options, notes) {
      const clients = Array.from({ length: processes - replicas }, (_, index) => replicas + index);
      const byzantineClient = (detail: string) => clients.some((c) => !honestClients.includes(c) && detail.includes(`(${c}/`));
      // A Byzantine client's requests are its own to invoke (it keeps no history): validity speaks for the honest ones.
      return checkBft(history, notes.filter((note) => !byzantine.has(note.process)), { replicas, clients, liveness: script.liveness }).filter(
        (violation) => !(violation.property === 'validity' && byzantineClient(violation.detail)),
      );
    },
    linearizable: (history) => linearizableVerdict(history, 'kv'),
    details(history, options, notes) {
      const views = eventsOf(notes, 'bft-enter').reduce((highest, note) => Math.max(highest, Number(note.v)), 0);
      return {
        views,
        suspicions: eventsOf(notes, 'bft-suspect').length,
        // Which timer ended which view at which replica (§2.5.1), for schedules about timers.
        suspected: eventsOf(notes, 'bft-suspect').map((note) => ({ process: note.process, view: note.v, reason: note.reason })),
        executed: eventsOf(notes, 'bft-execute').length,
        sizing: eventsOf(notes, 'bft-sizing')[0]?.verdict ?? null,
        calls: { ok: history.filter((event) => event.type === 'ok').length, info: history.filter((event) => event.type === 'info').length },
        gets: history.filter((event) => event.type === 'ok' && event.f === 'get').map((event) => event.value),
        decisions: eventsOf(notes, 'bft-decide').map((note) => ({ process: note.process, v: note.v, i: note.i, h: note.h.slice(0, 8), path: note.path, time: note.time })),
      };
    },
  };
  return scenario;
}

function toolsFor(fabric: Fabric, setup: BftSetup, keys: KeySource, costs: SignatureCosts, replica: boolean, honestClients: readonly number[], shared: Map<string, unknown>): ScriptTools {
  const limits = limitsFor(setup);
  const pointHandlers: ((from: ProcessId, message: BftMessage) => void)[] = [];
  const streamHandlers: ((sender: ProcessId, k: number, message: BftMessage, outcome: StreamOutcome | undefined) => void)[] = [];
  const quorum = { f: setup.f, n: setup.replicas, window: setup.window };
  const signer = new Signer(fabric.self, keys, fabric.processCount);
  const verify = (who: number, statement: Statement, signature: Uint8Array) => signer.verify(who, statement, signature);
  const validRequest = (request: Request) => setup.clients.includes(request.client) && signer.verify(request.client, { purpose: 'request', client: request.client, sequence: request.sequence, op: request.op }, request.signature);
  const streams = Array.from(
    { length: setup.replicas },
    (_, sender) =>
      new StreamState(sender, {
        n: setup.replicas,
        f: setup.f,
        window: setup.window,
        batchLimit: setup.batchLimit,
        validPrepareCertificate: (pc) => validPrepareCertificate(pc, quorum, verify),
        validCheckpoint: (cp) => validCheckpointCertificate(cp, quorum, verify),
        validRequest,
      }),
  );
  const emptyHash = batchHash([]);
  const done = new Set<number>();
  let allDone: () => void = () => undefined;
  const clientsDone = new Promise<void>((resolve) => (allDone = resolve));
  fabric.onMessage((message) => {
    if (message.data.length === 1 && message.data[0] === doneMarker && honestClients.includes(message.from)) {
      done.add(message.from);
      if (done.size === honestClients.length) allDone();
      return;
    }
    const point = decoded(message.data, limits);
    if (point) for (const handler of pointHandlers) handler(message.from, point);
  });
  let cb: ConsistentBroadcast | undefined;
  if (replica) {
    // b's own stream; it also serves the correct replicas' streams as a replicator, as a Byzantine replica may.
    cb = new ConsistentBroadcast(fabric, {
      layout: setup.layout,
      ...setup.stream,
      window: streamWindow,
      f: setup.f,
      keys,
      costs,
      onDeliver: (delivery: Delivery) => {
        const message = decoded(delivery.message, limits);
        if (!message) return;
        const outcome = streamMessageTypes.has(message.type)
          ? streams[delivery.sender].process(message as StreamMessage, (newView) => (validateNewView(delivery.sender, newView, quorum, verify).valid ? fixedBatches(newView, emptyHash) : undefined))
          : undefined;
        for (const handler of streamHandlers) handler(delivery.sender, delivery.sequence, message, outcome);
      },
    });
    cb.stopBy(setup.giveUpAt);
  }
  return {
    fabric,
    setup,
    keys,
    costs,
    signer,
    n: setup.replicas,
    shared,
    streams,
    ...(cb
      ? {
          broadcast: async (message: StreamMessage) => {
            try {
              await (cb as ConsistentBroadcast).broadcast(encodeMessage(message));
            } catch (error) {
              if (!(error instanceof BroadcastStopped)) throw error;
            }
          },
        }
      : {}),
    onPoint: (handler) => void pointHandlers.push(handler),
    onStream: (handler) => void streamHandlers.push(handler),
    send: (to, message) => fabric.send(to, encodeMessage(message)),
    untilEnd: async () => {
      let cancel: () => void = () => undefined;
      await Promise.race([clientsDone, new Promise<void>((resolve) => (cancel = fabric.setTimer(Math.max(0, setup.giveUpAt - fabric.now()), resolve)))]);
      cancel();
      await fabric.sleep(setup.linger);
      await cb?.stop();
    },
  };
}

/** Resolves with the first REQ this scripted process receives from `client`. */
export function firstRequest(tools: ScriptTools, client: ProcessId): Promise<Request> {
  return new Promise((resolve) => {
    let done = false;
    tools.onPoint((from, message) => {
      if (done || from !== client || message.type !== 'req') return;
      done = true;
      resolve(message.request);
    });
  });
}
