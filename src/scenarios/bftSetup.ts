import type { BroadcastLayout } from '../protocols/byzantine/layout.js';
import type { BftReplicaConfig, BftTiming } from '../protocols/byzantine/bft/replica.js';
import type { KeySource, SignatureCosts } from '../crypto/index.js';
import type { ReplicatedService } from '../protocols/byzantine/bft/kvService.js';
import type { BftMutant } from '../protocols/byzantine/bft/mutants.js';
import type { ResolvedOptions } from './scenario.js';
import { delay, signatureCosts } from './byzantine/setup.js';
import { onRealBackend } from './bftReal.js';

/**
 * Sizes and timers of the `bft` scenario (specs/bft-consensus.md §2, §5):
 * n = 2f+1 replicas p0..p(2f), then C client processes; CB streams sized
 * per run (K from I requests and V views, one slot of C = 4096 bytes per
 * message); timers in typical delays d of the latency model, measured from
 * the CB's fast and slow delivery (D ≈ 10d, D′ ≈ 50d: `mnm table broadcast`).
 */

/** Default client processes. */
export const defaultClients = 2;
/** W (tests: 8). */
export const defaultWindow = 8;
/** t: CBs in flight per sender (tests: 4). */
export const streamWindow = 4;
/** β: requests per batch (tests: 16). */
export const maxBatch = 16;

/**
 * C: one slot per message (§2.1): C ≥ |COMMIT| ≤ 25 + 212β + 66(f+1) and
 * C ≥ |NEW_VIEW| ≤ 57 + 66(f+1)(f+2) + (f+1)(72 + 96W), rounded up to 64
 * bytes (the spec's tests take 4096 for f ≤ 2); every block carries n+1
 * slots of C bytes and every CB round reads a few blocks, so the run pays
 * for C in simulated bytes.
 */
export function slotBytesFor(f: number, batch: number, window: number): number {
  const commit = 25 + 212 * batch + 66 * (f + 1);
  const newView = 57 + 66 * (f + 1) * (f + 2) + (f + 1) * (72 + 96 * window);
  return Math.ceil(Math.max(commit, newView) / 64) * 64;
}
/** C of the spec's tests (§2.1: 4096 for f ≤ 2), taken with fixed-size streams (`--slots K`). */
export const testSlotBytes = 4096;

/**
 * `--slots K`: fixed-size streams as the spec's tests size them (§2.1, §5:
 * K = 1024, C = 4096 at n = 3) instead of K from the run's I requests: K
 * blocks per stream, each slot C = max(4096, the §2.1 minimum) bytes. A
 * stream that runs out ends the run with `stream-full` (sizing, exit 3).
 */
export const testStreamSlots = 1024;
/** The largest K (§2.1: k ≤ K < 2^32). */
export const maxStreamSlots = 2 ** 32 - 1;

/** K for a stream sized for `instances` instances at window W (the long sweeps' small sizing: e.g. 16). */
export function streamSlotsForInstances(instances: number, f: number, window: number = defaultWindow): number {
  return streamSlots(instances, window, sizedViewsFor(f));
}

/** V: views the streams are sized for (sealing a view ≥ V ends the run with `stream-full`); f+1 leader crashes need f+1 views past 0. */
export function sizedViewsFor(f: number): number {
  return 2 * f + 4;
}

export interface BftSetup {
  readonly f: number;
  readonly replicas: number;
  readonly clients: readonly number[];
  readonly window: number;
  /** β: at most one request per client in a batch (a replica keeps one pending REQ per client), at most 16. */
  readonly batchLimit: number;
  /** I: requests of the run (clients × ops). */
  readonly requests: number;
  readonly layout: BroadcastLayout;
  /** V: views the streams hold (§2.1). */
  readonly views: number;
  readonly stream: { readonly signTimeout: number; readonly readyTimeout: number; readonly idleAfter: number; readonly idlePoll: number };
  readonly timing: BftTiming;
  readonly client: { readonly resendAfter: number; readonly giveUpAfter: number };
  /** Replicas stop at this time at the latest (the run's safety net). */
  readonly giveUpAt: number;
  /** How long a replica keeps serving after it executed every request (laggards' CBs and decisions). */
  readonly linger: number;
  readonly horizonNeeded: number;
}

export function clientCountOf(options: { readonly clients?: number }): number {
  return options.clients ?? defaultClients;
}

/** f from --f, else from the processes: n = 2f+1 replicas + the clients. */
export function bftFaults(options: ResolvedOptions): number {
  return options.f ?? Math.floor((options.n - clientCountOf(options) - 1) / 2);
}

/** K ≥ 2I(1 + 1/W) + V(7W + 4) (§2.1). */
export function streamSlots(requests: number, window: number, views: number): number {
  return Math.ceil(2 * requests * (1 + 1 / window)) + views * (7 * window + 4);
}

export function bftSetup(options: ResolvedOptions): BftSetup {
  // On shm and tcp the safety nets follow the wall-clock deadline (bftReal.ts).
  return onRealBackend(sizedSetup(options), options);
}

function sizedSetup(options: ResolvedOptions): BftSetup {
  const f = bftFaults(options);
  const replicas = 2 * f + 1;
  const clientCount = clientCountOf(options);
  const clients = Array.from({ length: clientCount }, (_, index) => replicas + index);
  const window = options.window ?? defaultWindow;
  const requests = clientCount * options.ops;
  const batch = Math.min(maxBatch, clientCount);
  const d = delay(options);
  const layout: BroadcastLayout = {
    processCount: replicas,
    memories: Array.from({ length: options.memories }, (_, memory) => memory),
    senders: Array.from({ length: replicas }, (_, replica) => replica),
    messages: options.slots ?? streamSlots(requests, window, sizedViewsFor(f)),
    shape: { messageCapacity: options.slots !== undefined ? Math.max(testSlotBytes, slotBytesFor(f, batch, window)) : slotBytesFor(f, batch, window), readyCapacity: f + 1 },
  };
  const stream = { signTimeout: 30 * d, readyTimeout: 30 * d, idleAfter: 20 * d, idlePoll: 8 * d };
  // Where signatures cost time (rdma, lan) the timers and the horizon count them: a request's signature and its
  // verification at each replica (the replicas' work runs one event at a time), a share or a CB's sender signature.
  const costs = signatureCosts(options);
  const signing = costs.sign + costs.verify;
  const fastDelivery = 10 * d;
  const slowDelivery = 50 * d + costs.sign + (f + 1) * costs.verify;
  // Tslow past a fast decision (D + 2, the request verified); Tdecide ≥ Tslow + D′ + 4; Treq ≥ Tfwd + Tdecide + 4 (§2.5.4).
  const slow = 3 * fastDelivery + (clientCount + 1) * signing;
  const decide = slow + 2 * slowDelivery + 4 * d + (f + 1) * signing;
  const forward = 2 * slow;
  const request = forward + decide + 4 * d;
  // Tview ≥ 2D′ + 4 (§2.5.4); a NEW_VIEW rides the slow CB path after VC-SHAREs and the leader's SEAL.
  const view = 2 * slowDelivery + 4 * d + (f + 1) * signing;
  const perRequest = slow + 3 * slowDelivery + 20 * d + (replicas + 2) * signing;
  // Up to f+1 view changes (each leader crashed in turn), each Treq + Tview + a NEW_VIEW, with timers doubling per view.
  const viewChanges = (f + 1) * 2 ** (f + 1) * (request + view + 3 * slowDelivery);
  const giveUpAt = Math.min(options.horizon * 0.9, requests * perRequest + viewChanges + 400 * d);
  const horizonNeeded = Math.ceil((requests * perRequest + viewChanges + 600 * d) / 0.9);
  return {
    f,
    replicas,
    clients,
    window,
    batchLimit: batch,
    requests,
    layout,
    views: sizedViewsFor(f),
    stream,
    timing: { slow, decide, forward, request, view },
    client: { resendAfter: 2 * decide, giveUpAfter: 10 * decide + viewChanges },
    giveUpAt,
    linger: 100 * d,
    horizonNeeded,
  };
}

/**
 * A correct replica's config for a run of `setup` (the scenario's replicas
 * and the scripted schedules' alike): the run's sizes, stream, keys, costs
 * and timers, the service it runs and the run's mutant, if any.
 */
export function bftReplicaConfig(setup: BftSetup, run: { readonly keys: KeySource; readonly costs: SignatureCosts; readonly service: ReplicatedService; readonly mutant?: string }): BftReplicaConfig {
  return {
    f: setup.f,
    window: setup.window,
    batchLimit: setup.batchLimit,
    clients: setup.clients,
    broadcast: { layout: setup.layout, ...setup.stream, window: streamWindow },
    keys: run.keys,
    costs: run.costs,
    timing: setup.timing,
    service: run.service,
    views: setup.views,
    ...(run.mutant ? { mutant: run.mutant as BftMutant } : {}),
  };
}
