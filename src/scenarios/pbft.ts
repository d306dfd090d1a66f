import { eventsOf } from '../fabric/events.js';
import { BftKvClient } from '../protocols/byzantine/bft/client.js';
import { runBftClientCalls } from './bftClientCalls.js';
import { KvService } from '../protocols/byzantine/bft/kvService.js';
import { PbftReplica, pbftAdversaries, type PbftByzantine, type PbftTiming } from '../protocols/byzantine/pbft/replica.js';
import { pbftMutants, type PbftMutant } from '../protocols/byzantine/pbft/quorums.js';
import { delay, runKeys, signatureCosts } from './byzantine/setup.js';
import { checkBft } from './bftProperties.js';
import { clientCountOf, defaultClients, maxBatch } from './bftSetup.js';
import { keyCount } from './kvClients.js';
import { linearizableVerdict } from './linearizable.js';
import { decisionDelays, viewChangeDelays } from './pbftMetrics.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/**
 * `pbft`: the message-passing baseline with n = 3f+1 (PBFT-style normal
 * case and view change; protocols/byzantine/pbft/) serving the same KV
 * store to the same clients as `bft`: replicas p0..p(3f) (p0 leads view 0),
 * then `--clients C` client processes each making `--ops` YCSB-A calls.
 * Any f replicas may crash, the primary included (a view change follows).
 * Its notes are bft's (`bft-decide` with path `pbft`, `bft-execute`), so
 * the same properties run on it.
 */

export interface PbftSetup {
  readonly f: number;
  readonly replicas: number;
  readonly clients: readonly number[];
  readonly window: number;
  readonly batchLimit: number;
  readonly requests: number;
  readonly timing: PbftTiming;
  readonly client: { readonly resendAfter: number; readonly giveUpAfter: number };
  readonly giveUpAt: number;
  readonly linger: number;
  readonly horizonNeeded: number;
}

/** f from --f, else from the processes: n = 3f+1 replicas + the clients. */
export function pbftFaults(options: ResolvedOptions): number {
  return options.f ?? Math.floor((options.n - clientCountOf(options) - 1) / 3);
}

export function pbftSetup(options: ResolvedOptions): PbftSetup {
  const f = pbftFaults(options);
  const replicas = 3 * f + 1;
  const clientCount = clientCountOf(options);
  const clients = Array.from({ length: clientCount }, (_, index) => replicas + index);
  const requests = clientCount * options.ops;
  const d = delay(options);
  const costs = signatureCosts(options);
  // A normal-case request takes 5 delays and a few verifications; the timer leaves room for queueing behind a window.
  const request = 40 * d + 20 * (costs.sign + costs.verify);
  const timing: PbftTiming = { request, viewChange: request };
  const perRequest = 12 * d + 6 * (costs.sign + costs.verify);
  // f view changes in a row, each timer up to doubled f times.
  const viewChanges = (f + 1) * 2 ** (f + 1) * 2 * request;
  const giveUpAt = Math.min(options.horizon * 0.9, requests * perRequest + viewChanges + 400 * d);
  const horizonNeeded = Math.ceil((requests * perRequest + viewChanges + 600 * d) / 0.9);
  return {
    f,
    replicas,
    clients,
    window: options.window ?? 8,
    batchLimit: Math.min(maxBatch, clientCount),
    requests,
    timing,
    client: { resendAfter: 2 * request, giveUpAfter: viewChanges + 4 * request },
    giveUpAt,
    linger: 100 * d,
    horizonNeeded,
  };
}

/** Where each adversary sits: the primary of the view it attacks. */
const adversaryPlacement: Readonly<Record<PbftByzantine, number>> = { 'equivocating-primary': 0, 'dropping-new-primary': 1 };

/** --adversary: a comma-separated list of pbft's strategies (or none), each placed at its replica. */
export function pbftAdversariesOf(options: ResolvedOptions): Map<number, PbftByzantine> {
  const placed = new Map<number, PbftByzantine>();
  if (options.adversary === undefined || options.adversary === 'none') return placed;
  for (const name of options.adversary.split(',').map((part) => part.trim())) {
    if (!(name in pbftAdversaries)) throw new Error(`--adversary ${name}: not a pbft strategy (accepted: none, ${Object.keys(pbftAdversaries).join(', ')})`);
    placed.set(adversaryPlacement[name as PbftByzantine], name as PbftByzantine);
  }
  return placed;
}

/**
 * Replicas that `--crash` names (p<i>@<t> or h<i>@<t>). Read from the text,
 * not with the simulator's parser: what a worker loads stays clear of sim/
 * (the runner has already checked the option's syntax).
 */
function crashedReplicas(options: ResolvedOptions, replicas: number): number {
  const processes = new Set<number>();
  for (const match of (options.crash ?? '').matchAll(/(?:^|,)\s*[ph](\d+)@/g)) if (Number(match[1]) < replicas) processes.add(Number(match[1]));
  return processes.size;
}

export const pbftScenario: Scenario = {
  name: 'pbft',
  summary: 'the n = 3f+1 message-passing baseline (PBFT-style: PRE-PREPARE, PREPARE, COMMIT; signed VIEW-CHANGE, NEW-VIEW) serving the same KV store as bft',
  mutants: pbftMutants,
  defaults: { n: 4 + defaultClients, memories: 1, ops: 4 },
  accepts: ['clients', 'window'],
  sizeFor: (f, options) => ({ n: 3 * f + 1 + clientCountOf(options ?? {}) }),
  defaultF: 1,
  mixSizes(random) {
    return { f: 1 + random.int(2) };
  },
  minimumHorizon: (options) => pbftSetup(options).horizonNeeded,
  validate(options) {
    const f = pbftFaults(options);
    if (f < 1) throw new Error(`--n ${options.n}: pbft runs n = 3f+1 replicas (f >= 1) plus ${clientCountOf(options)} client(s); give --f`);
    if (options.n !== 3 * f + 1 + clientCountOf(options)) throw new Error(`--n ${options.n}: pbft with f = ${f} and ${clientCountOf(options)} client(s) has ${3 * f + 1 + clientCountOf(options)} processes; give --f`);
    const byzantine = pbftAdversariesOf(options);
    if (byzantine.size + crashedReplicas(options, 3 * f + 1) > f) throw new Error(`--adversary ${options.adversary}: ${byzantine.size} Byzantine and ${crashedReplicas(options, 3 * f + 1)} crashed replica(s) exceed f = ${f}`);
    if (options.ops < 1) throw new Error(`--ops ${options.ops}: each client makes at least one call`);
    const setup = pbftSetup(options);
    if (setup.window < 1) throw new Error(`--window ${setup.window}: at least one instance in flight`);
    if (options.horizon < setup.horizonNeeded) throw new Error(`--horizon ${options.horizon} is too short for pbft: ${setup.requests} requests and up to f view changes need ${setup.horizonNeeded}; pass --horizon ${setup.horizonNeeded} or more`);
  },
  tolerance(options) {
    const setup = pbftSetup(options);
    // Any f replicas, the primary included: a view change replaces it.
    return { processes: setup.f, memories: 0, crashable: Array.from({ length: setup.replicas }, (_, index) => index) };
  },
  mustFinish(options) {
    return pbftSetup(options).clients;
  },
  regions() {
    // Message passing only: no shared memory.
    return [];
  },
  body(options, process) {
    const setup = pbftSetup(options);
    const costs = signatureCosts(options);
    const keys = runKeys(options.seed);
    if (process < setup.replicas) {
      return async (fabric) => {
        const service = new KvService();
        const replica = new PbftReplica(fabric, {
          f: setup.f,
          window: setup.window,
          batchLimit: setup.batchLimit,
          clients: setup.clients,
          keys,
          costs,
          timing: setup.timing,
          service,
          ...(options.mutant ? { mutant: options.mutant as PbftMutant } : {}),
          ...(pbftAdversariesOf(options).has(process) ? { byzantine: pbftAdversariesOf(options).get(process) } : {}),
        });
        const cancel = fabric.setTimer(setup.giveUpAt, () => replica.stop());
        await replica.whenExecutedRequests(setup.requests);
        cancel();
        // Keep serving a while: a laggard may still need this replica's PREPAREs, COMMITs and VIEW-CHANGEs.
        await fabric.sleep(setup.linger);
        fabric.note('pbft-counters', { ...replica.counters });
        fabric.note('kv-state', { applied: replica.executed, digest: service.digest(), final: true });
        replica.stop();
      };
    }
    const clientIndex = process - setup.replicas;
    if (clientIndex >= setup.clients.length) return undefined;
    return async (fabric) => {
      const client = new BftKvClient(fabric, { f: setup.f, replicas: setup.replicas, keys, costs, ...setup.client });
      await runBftClientCalls(client, { seed: options.seed, ops: options.ops, keyCount, clientIndex, process });
    };
  },
  check(history, options, notes) {
    const setup = pbftSetup(options);
    const liveness = options.faults === 'none' && !options.pause && crashedReplicas(options, setup.replicas) + pbftAdversariesOf(options).size <= setup.f && !/(^|,)\s*[mh]/.test(options.crash ?? '');
    // A Byzantine replica's own decisions and executions prove nothing: the properties are the correct replicas'.
    const byzantine = pbftAdversariesOf(options);
    const correctNotes = notes.filter((note) => !byzantine.has(note.process));
    return checkBft(history, correctNotes, { replicas: setup.replicas, clients: setup.clients, liveness });
  },
  linearizable(history) {
    return linearizableVerdict(history, 'kv');
  },
  details(history, options, notes) {
    const setup = pbftSetup(options);
    const counters = eventsOf(notes, 'pbft-counters');
    const sum = (field: 'messages' | 'replies' | 'made' | 'verified' | 'viewMessages') => counters.reduce((total, event) => total + event[field], 0);
    const decided = new Set(eventsOf(notes, 'bft-decide').map((event) => event.i));
    return {
      f: setup.f,
      replicas: setup.replicas,
      clients: setup.clients.length,
      window: setup.window,
      decisions: decided.size,
      adversaryEffects: eventsOf(notes, 'adversary-effect').length,
      badNewViews: eventsOf(notes, 'pbft-bad-new-view').length,
      views: Math.max(0, ...eventsOf(notes, 'pbft-new-view').map((event) => event.v)),
      viewChangesSent: eventsOf(notes, 'pbft-view-change').length,
      executed: eventsOf(notes, 'bft-execute').length,
      calls: { ok: history.filter((event) => event.type === 'ok').length, info: history.filter((event) => event.type === 'info').length },
      replicaMessages: sum('messages'),
      viewChangeMessages: sum('viewMessages'),
      replies: sum('replies'),
      signaturesMade: sum('made'),
      signaturesVerified: sum('verified'),
      delays: decisionDelays(history, notes),
      viewChangeDelays: viewChangeDelays(notes),
      timers: setup.timing,
    };
  },
};
