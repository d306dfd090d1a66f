import { ConsistentBroadcast, ReliableBroadcast, broadcastMutants, hex, text, type BroadcastConfig, type BroadcastMode, type BroadcastMutant, type Delivery } from '../../protocols/byzantine/broadcast.js';
import { adversaryBody, isAdversary, replicatorAdversaries, senderAdversaries, type AdversaryConfig } from '../../protocols/byzantine/adversaries.js';
import { broadcastRegions, type BroadcastLayout } from '../../protocols/byzantine/layout.js';
import type { ResolvedOptions, Scenario } from '../scenario.js';
import { Prng } from '../../sim/prng.js';
import { checkBroadcast } from '../../check/broadcast.js';
import { broadcastDetails } from './details.js';
import { adversaryNames, delay, faultsOf, maxMessages, messageCapacity, placements, runKeys, shortestDelay, signatureCosts, type Catalogue, type Placement } from './setup.js';

/**
 * The scenario of consistent (cb) or reliable (rb) broadcast: n = 2f+1
 * processes, all replicators and receivers; p0 broadcasts `ops` messages one
 * after the other; up to f processes are Byzantine (--adversary) or crash
 * (--faults crash), and a minority of memories may crash.
 */
export const broadcastCatalogue: Catalogue = { sender: Object.keys(senderAdversaries), replicator: Object.keys(replicatorAdversaries) };

const encoder = new TextEncoder();

export interface BroadcastTiming {
  readonly signTimeout: number;
  readonly readyTimeout: number;
  readonly giveUpAt: number;
  readonly idleAfter: number;
  readonly idlePoll: number;
}

export interface BroadcastSetup {
  readonly f: number;
  readonly layout: BroadcastLayout;
  readonly byzantine: readonly Placement[];
  readonly timing: BroadcastTiming;
  /** Faults of a profile start within [0, faultWindow). */
  readonly faultWindow: number;
  /** The longest pause or partition a profile draws: longer than every timeout above. */
  readonly outageMax: number;
  /**
   * A lower bound on the horizon: room for the faults and for every
   * broadcast's slow path (timeouts, a few dozen rounds, its signatures)
   * after them. A shorter one would judge liveness before the protocol
   * could finish, so it is refused.
   */
  readonly horizonNeeded: number;
}

function mode(options: ResolvedOptions): BroadcastMode {
  return options.protocol === 'rb' ? 'rb' : 'cb';
}

export function broadcastSetup(options: ResolvedOptions): BroadcastSetup {
  const f = faultsOf(options, 2);
  const n = options.n;
  const layout: BroadcastLayout = {
    processCount: n,
    memories: Array.from({ length: options.memories }, (_, memory) => memory),
    senders: [0],
    messages: options.ops,
    shape: { messageCapacity, readyCapacity: f + 1 },
  };
  const d = delay(options);
  const costs = signatureCosts(options);
  const signTimeout = 30 * d;
  const readyTimeout = 30 * d;
  const idleAfter = 20 * d;
  const idlePoll = 8 * d;
  // A pause must be able to outlast every timeout and the idle polling, or
  // the sweeps never see a process wake up after everybody else moved on.
  const outageMax = 1.5 * Math.max(signTimeout, readyTimeout, idleAfter + idlePoll);
  // Faults may strike while the first few broadcasts are in flight, not only the first.
  const faultWindow = 40 * d * Math.min(options.ops, 3);
  // Room for every broadcast to take its slow path, with every signature and verification charged, after the last fault.
  const perBroadcast = signTimeout + readyTimeout + 200 * d + 4 * (n + 2) * (costs.sign + costs.verify);
  const giveUpAt = Math.min(options.horizon * 0.9, faultWindow + outageMax + options.ops * perBroadcast + 200 * d);
  // A slow path takes the timeouts and about 20 (CB) or 40 (RB) delays more (the table's unit-latency figures), and,
  // where signatures cost time, a signature and its verifications: CB the sender's and up to f forgeries; RB n Readys,
  // and forgeries that each Byzantine owner makes every reader verify once (rdma sweeps, 3 broadcasts: rb f = 1 clean
  // at the default 1600 µs over 300 seeds; f = 2 violated validity in 5 of 60 at 2000 µs, none at 3000).
  const slowPath = mode(options) === 'cb' ? signTimeout + 30 * d + costs.sign + (1 + f) * costs.verify : signTimeout + readyTimeout + 40 * d + costs.sign + n * f * costs.verify;
  const horizonNeeded = Math.ceil((faultWindow + outageMax + options.ops * slowPath) / 0.9);
  return {
    f,
    layout,
    byzantine: placements(adversaryNames(options, broadcastCatalogue, f), broadcastCatalogue, n),
    timing: { signTimeout, readyTimeout, giveUpAt, idleAfter, idlePoll },
    faultWindow,
    outageMax,
    horizonNeeded,
  };
}

/**
 * `--adversary all` also draws the schedule: the asynchronous model lets the
 * adversary time every process, and correct processes that run in lockstep
 * (unit latency) all read the same state at the same instant, so no sender
 * can rewrite its slot "between readers". Under `all`, each correct process
 * starts after its own delay (0 to `startStagger` typical delays, drawn by seed;
 * none for some seeds), which puts the readers out of phase. Explicit
 * adversaries (the tables' runs) keep the lockstep start.
 */
export const startStagger = 20;

export function startOffset(options: ResolvedOptions, process: number): number {
  if (options.adversary !== 'all') return 0;
  const random = new Prng(options.seed, `start:p${process}`);
  return random.chance(0.25) ? 0 : Math.round(random.float() * startStagger * delay(options) * 100) / 100;
}

export function broadcastMessage(sender: number, sequence: number): Uint8Array {
  return encoder.encode(`p${sender}:m${sequence}`);
}

export function broadcastScenario(mode: BroadcastMode): Scenario {
  const name = mode;
  const what = mode === 'cb' ? 'consistent broadcast' : 'reliable broadcast';
  return {
    name,
    summary:
      mode === 'cb'
        ? 'consistent broadcast with n = 2f+1 over SWMR registers: unanimous unsigned copies (fast path) or one sender signature and f+1 checked copies'
        : 'reliable broadcast with n = 2f+1 (Init-Echo-Ready over CB): unanimous Readys (fast path) or a transferable ReadySet of f+1 signed Readys',
    // The CB-level mutants (no-check, changing-replicator) are masked by RB's Ready layer in almost every
    // schedule (no catch in 300 seeds of --adversary all): RB lists only the mutant its sweeps catch.
    mutants: mode === 'cb' ? broadcastMutants : { 'skip-signature-check': broadcastMutants['skip-signature-check'] },
    defaults: { n: 3, memories: 3, ops: 3 },
    cutShortWrites: true,
    sizeFor: (f) => ({ n: 2 * f + 1 }),
    adversaries: true,
    mixSizes(random) {
      // f of 1 or 2 (n = 2f+1) on 1, 3 or 5 memories (a minority may crash).
      return { f: 1 + random.int(2), memories: [1, 3, 3, 5][random.int(4)] };
    },
    minimumHorizon: (options) => broadcastSetup(options).horizonNeeded,
    faultWindow: (options) => broadcastSetup(options).faultWindow,
    outageMax: (options) => broadcastSetup(options).outageMax,
    validate(options) {
      if (options.f === undefined && (options.n < 3 || options.n % 2 === 0)) throw new Error(`--n ${options.n}: ${what} runs n = 2f+1 replicators (odd, at least 3); or give --f`);
      if (options.f !== undefined && options.f < 1) throw new Error(`--f ${options.f}: ${what} needs f >= 1`);
      if (options.memories < 1) throw new Error(`--memories ${options.memories}: at least one memory is needed`);
      if (options.ops > maxMessages) throw new Error(`--ops ${options.ops}: the sender broadcasts at most ${maxMessages} messages`);
      const { horizonNeeded } = broadcastSetup(options);
      if (options.horizon < horizonNeeded) {
        throw new Error(`--horizon ${options.horizon} is too short for ${what} under --latency ${options.latency} (typical one-way delay ${delay(options)}): the faults and ${options.ops} slow-path broadcasts need ${horizonNeeded}; pass --horizon ${horizonNeeded} or more`);
      }
    },
    tolerance(options) {
      const setup = broadcastSetup(options);
      const byzantine = new Set(setup.byzantine.map((placement) => placement.process));
      return {
        processes: setup.f - byzantine.size,
        memories: Math.floor((options.memories - 1) / 2),
        crashable: Array.from({ length: options.n }, (_, process) => process).filter((process) => !byzantine.has(process)),
      };
    },
    mustFinish(options) {
      const byzantine = new Set(broadcastSetup(options).byzantine.map((placement) => placement.process));
      return Array.from({ length: options.n }, (_, process) => process).filter((process) => !byzantine.has(process));
    },
    regions(options) {
      return broadcastRegions(broadcastSetup(options).layout);
    },
    body(options, process) {
      const setup = broadcastSetup(options);
      const costs = signatureCosts(options);
      const keys = runKeys(options.seed);
      const placement = setup.byzantine.find((candidate) => candidate.process === process);
      if (placement) {
        if (!isAdversary(placement.adversary)) throw new Error(`unknown adversary '${placement.adversary}'`);
        const config: AdversaryConfig = {
          mode,
          layout: setup.layout,
          f: setup.f,
          byzantine: setup.byzantine.map((candidate) => candidate.process),
          costs,
          keys,
          pace: shortestDelay(options),
        };
        return adversaryBody(placement.adversary, config, setup.timing.giveUpAt);
      }
      const { giveUpAt, ...timing } = setup.timing;
      const config: BroadcastConfig = {
        layout: setup.layout,
        f: setup.f,
        ...timing,
        costs,
        keys,
        ...(options.mutant ? { mutant: options.mutant as BroadcastMutant } : {}),
      };
      const start = startOffset(options, process);
      return async (fabric) => {
        if (start > 0) await fabric.sleep(start);
        // Deliveries are recorded as `deliver` notes, what the property checker and the tables read.
        const onDeliver = (delivery: Delivery) => fabric.note('deliver', { s: delivery.sender, k: delivery.sequence, m: text(delivery.message), hex: hex(delivery.message), path: delivery.path });
        const endpoint = mode === 'cb' ? new ConsistentBroadcast(fabric, { ...config, onDeliver }) : new ReliableBroadcast(fabric, { ...config, onDeliver });
        // The sender queues its `ops` messages at once; with the default window they go one after the other.
        const sent = setup.layout.senders.includes(fabric.self) ? Array.from({ length: options.ops }, (_, index) => endpoint.broadcast(broadcastMessage(fabric.self, index + 1)).catch(() => undefined)) : [];
        // The work is done when every broadcast is delivered here and this process's duties for them are over; a
        // Byzantine sender may see to it that it never is, so the run's safety net stops it by `giveUpAt` at the latest.
        endpoint.stopBy(giveUpAt);
        await endpoint.stopWhenFinished(options.ops);
        await Promise.all(sent);
      };
    },
    check(_history, options, notes) {
      const setup = broadcastSetup(options);
      return checkBroadcast(notes, { byzantine: setup.byzantine.map((placement) => placement.process), processCount: options.n, totality: mode === 'rb' });
    },
    details(_history, options, notes) {
      const setup = broadcastSetup(options);
      return { ...broadcastDetails(notes, { f: setup.f, processes: options.n, byzantine: setup.byzantine }), timeouts: { sign: setup.timing.signTimeout, ready: mode === 'rb' ? setup.timing.readyTimeout : null, giveUpAt: setup.timing.giveUpAt } };
    },
  };
}
