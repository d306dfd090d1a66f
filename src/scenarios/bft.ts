import { eventsOf } from '../fabric/events.js';
import type { NoteEvent } from '../fabric/index.js';
import { BftKvClient } from '../protocols/byzantine/bft/client.js';
import { runBftClientCalls } from './bftClientCalls.js';
import { KvService } from '../protocols/byzantine/bft/kvService.js';
import { BftReplica } from '../protocols/byzantine/bft/replica.js';
import { builtBftMutants } from '../protocols/byzantine/bft/mutants.js';
import { broadcastRegions } from '../protocols/byzantine/layout.js';
import { delay, runKeys, signatureCosts } from './byzantine/setup.js';
import { callDelays, checkBft, decisionCounts, transferCounts } from './bftProperties.js';
import type { BftSetup } from './bftSetup.js';
import { bftFaults, bftReplicaConfig, bftSetup, clientCountOf, defaultClients, maxStreamSlots, testStreamSlots } from './bftSetup.js';
import { keyCount } from './kvClients.js';
import { linearizableVerdict } from './linearizable.js';
import type { ResolvedOptions, Scenario } from './scenario.js';
import { cbStreamReplicaBody, streamReplicaOf } from './bftByzantineStreams.js';
import { adversaryEffects, byzantineClientBody, byzantineClientsOf, correctWorkDone, CorrectRequestsKvService, validateBftClientAdversaries } from './bftByzantineClients.js';
import { bftByzantineOf } from './bftAdversarySetup.js';
import { bftReplicaBehaviour } from '../protocols/byzantine/bft/adversaries/strategies.js';
import { runSilentReplica } from '../protocols/byzantine/bft/adversaries/silent.js';

/**
 * `bft`: Byzantine consensus with n = 2f+1 on consistent broadcast
 * (specs/bft-consensus.md), the normal case, serving a replicated key-value
 * store: replicas p0..p(2f) (p0 leads view 0), then `--clients C` client
 * processes each making `--ops` YCSB-A calls one after another. A crashed
 * follower (`--crash p2@0`) forces the slow path; a crashed leader
 * (`--crash p0@T`) is replaced by a view change (sealing, VC certificates,
 * NEW_VIEW). Up to f replicas may crash, the leader among them.
 */

/**
 * Whether the run owes liveness: no drawn faults, no pause, and `--crash`
 * names at most f replicas, at most a minority of memories and no host (the parser of `pN@T`
 * lives in the simulator, which a worker must not load: the tokens are read
 * here, the runner has validated them).
 */
export function livenessOwed(options: ResolvedOptions, replicas: number, f: number): boolean {
  if (options.faults !== 'none' || options.pause) return false;
  const crashed = new Set<number>();
  const memories = new Set<number>();
  for (const token of (options.crash ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([pmh])(\d+)/.exec(token);
    if (!match || match[1] === 'h') return false;
    // A minority of memories may crash: the streams' registers read and write a majority.
    if (match[1] === 'm') memories.add(Number(match[2]));
    else if (Number(match[2]) < replicas) crashed.add(Number(match[2]));
  }
  return crashed.size <= f && memories.size <= Math.floor((options.memories - 1) / 2);
}

/**
 * The first view change of a run (§5's row): the view entered last, and the
 * delays (in typical one-way delays d) from the first suspicion of view 0
 * (Treq's or Tdecide's expiry) to the first replica entering a later view,
 * i.e. accepting a NEW_VIEW. Null when no view changed.
 */
export function viewChangeCost(notes: readonly NoteEvent[], d: number): { views: number; delays: number | null; fixedInstances: number } {
  let views = 0;
  let fixedInstances = 0;
  let entered: number | undefined;
  let suspected: number | undefined;
  for (const note of notes) {
    if (note.kind === 'bft-enter') {
      const view = Number(note.detail?.v);
      views = Math.max(views, view);
      if (view > 0 && entered === undefined) entered = note.time;
      // Instances a NEW_VIEW fixed (re-proposed with the batch of their highest-view COMMIT, or empty).
      fixedInstances = Math.max(fixedInstances, Number(note.detail?.end) - Number(note.detail?.start) + 1);
    }
    if (note.kind === 'bft-suspect' && Number(note.detail?.v) === 0 && suspected === undefined) suspected = note.time;
  }
  const delays = entered !== undefined && suspected !== undefined ? Math.round(((entered - suspected) / d) * 10) / 10 : null;
  return { views, delays, fixedInstances };
}

/** Keys the `bulk` workload preloads (no client touches them: the clients' keys are k0, k1, …). */
export const bulkKeys = 1100;

/**
 * The `bulk` workload's preloaded store: 1100 keys of 64-byte values, about
 * 85 KB as a snapshot, past the 64 KiB a STATE may carry (§2.7.2), so the
 * first checkpoint ends each correct replica's run with `snapshot-full`.
 */
export function bulkPairs(): (readonly [string, string])[] {
  return Array.from({ length: bulkKeys }, (_, index) => [`bulk-${String(index).padStart(4, '0')}`, `v${index}`.padEnd(64, '-')] as const);
}

export const bftScenario: Scenario = {
  name: 'bft',
  summary: 'Byzantine consensus with n = 2f+1 on consistent broadcast: unsigned fast path (PROMISE/COMMIT-FAST from all n), slow path with f+1 signature shares; a replicated KV store with signed client requests',
  mutants: builtBftMutants,
  defaults: { n: 3 + defaultClients, memories: 3, ops: 4 },
  accepts: ['clients', 'window'],
  // `bulk`: the same calls over a store preloaded past the snapshot cap (a run that ends with `snapshot-full`, §2.7.2).
  workloads: ['ycsb-a', 'bulk'],
  mixWorkload: () => 'ycsb-a',
  sizeFor: (f, options) => ({ n: 2 * f + 1 + clientCountOf(options ?? {}) }),
  defaultF: 1,
  mixSizes(random) {
    return { f: 1 + random.int(2) };
  },
  minimumHorizon: (options) => bftSetup(options).horizonNeeded,
  // `--slots K`: fixed-size streams (bftSetup.ts); the sweep's own draw (bftMix.ts) keeps K from the run's requests.
  mixSlots: () => undefined,
  validate(options) {
    const f = bftFaults(options);
    if (f < 1) throw new Error(`--n ${options.n}: bft runs n = 2f+1 replicas (f >= 1) plus ${clientCountOf(options)} client(s); give --f`);
    if (options.n !== 2 * f + 1 + clientCountOf(options)) throw new Error(`--n ${options.n}: bft with f = ${f} and ${clientCountOf(options)} client(s) has ${2 * f + 1 + clientCountOf(options)} processes; give --f`);
    const byzantineProcesses = bftByzantineOf(options, f);
    validateBftClientAdversaries(byzantineProcesses.clients, clientCountOf(options));
    if (options.memories < 1) throw new Error(`--memories ${options.memories}: the streams need at least one memory`);
    if (options.ops < 1) throw new Error(`--ops ${options.ops}: each client makes at least one call`);
    if (options.slots !== undefined && options.slots > maxStreamSlots) throw new Error(`--slots ${options.slots}: a bft stream holds K < 2^32 blocks (the spec's tests: --slots ${testStreamSlots})`);
    const setup = bftSetup(options);
    if (setup.window % 2 !== 0 || setup.window < 2) throw new Error(`--window ${setup.window}: W must be even (tests: 8)`);
    if (options.horizon < setup.horizonNeeded) throw new Error(`--horizon ${options.horizon} is too short for bft: ${setup.requests} requests on the slow path need ${setup.horizonNeeded}; pass --horizon ${setup.horizonNeeded} or more`);
  },
  tolerance(options) {
    const setup = bftSetup(options);
    // Up to f replicas, leaders included (a view change replaces them), Byzantine ones counted; clients' crashes end their calls, so none is drawn.
    const placed = bftByzantineOf(options, setup.f);
    const byzantine = new Set([...placed.replicas.map((placement) => placement.process), ...placed.streams.keys()]);
    return {
      processes: setup.f - byzantine.size,
      memories: Math.floor((options.memories - 1) / 2),
      crashable: Array.from({ length: setup.replicas }, (_, index) => index).filter((index) => !byzantine.has(index)),
    };
  },
  mustFinish(options) {
    return bftSetup(options).clients;
  },
  regions(options) {
    return broadcastRegions(bftSetup(options).layout);
  },
  body(options, process) {
    const setup = bftSetup(options);
    const costs = signatureCosts(options);
    const keys = runKeys(options.seed);
    const byzantine = bftByzantineOf(options, setup.f);
    const byzantineClients = byzantineClientsOf(setup, byzantine.clients);
    const streamStrategy = byzantine.streams.get(process);
    if (streamStrategy?.startsWith('cb:')) return cbStreamReplicaBody(streamStrategy, process, setup, { options, keys, costs });
    if (process < setup.replicas) {
      const placements = byzantine.replicas;
      const colluders = [...placements.map((placement) => placement.process), ...byzantine.streams.keys()];
      const strategy = placements.find((placement) => placement.process === process)?.adversary;
      if (strategy === 'silent') {
        const limits = { window: setup.window, batchLimit: setup.batchLimit, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 };
        return (fabric) => runSilentReplica(fabric, { n: setup.replicas, colluders, limits, stayUs: setup.giveUpAt, idleUs: 2 * (setup.timing.request + (setup.timing.view ?? 2 * setup.timing.decide)) });
      }
      const behaviour = strategy ? bftReplicaBehaviour(strategy, { views: setup.views }) : undefined;
      return async (given) => {
        // A stream strategy: this replica's stream written by hand (bftByzantineStreams.ts), the rest of it correct.
        const streamByzantine = streamStrategy ? streamReplicaOf(streamStrategy, given, setup, { options, keys, costs }) : undefined;
        const fabric = streamByzantine?.fabric ?? given;
        const pairs = options.workload === 'bulk' ? bulkPairs() : [];
        const service = byzantineClients.size > 0 ? new CorrectRequestsKvService(byzantineClients, pairs) : new KvService(pairs);
        const replica = new BftReplica(fabric, {
          ...bftReplicaConfig(setup, { keys, costs, service, ...(options.mutant ? { mutant: options.mutant } : {}) }),
          ...streamByzantine?.config,
          ...(behaviour ? { byzantine: behaviour, colluders } : {}),
        });
        replica.stopBy(setup.giveUpAt);
        const cancel = fabric.setTimer(setup.giveUpAt, () => void replica.stop());
        // With Byzantine clients the end of work is the correct clients' requests (theirs may run or not); a stop ends it too.
        if (service instanceof CorrectRequestsKvService) await correctWorkDone(fabric, replica.whenExecutedRequests(Infinity), service, setup, { ops: options.ops, byzantine: byzantineClients });
        else await replica.whenExecutedRequests(setup.requests);
        cancel();
        // Keep serving a while: a laggard may still need this replica's PROMISEs, COMMIT-FASTs and stream records.
        if (!replica.sizing) await fabric.sleep(setup.linger);
        const counters = replica.counters;
        const stream = replica.streamCounters;
        fabric.note('bft-counters', { ...counters, streamMade: stream.made, streamVerified: stream.verified });
        fabric.note('kv-state', { applied: replica.executed, digest: service.digest(), final: true });
        await replica.stop();
      };
    }
    const clientIndex = process - setup.replicas;
    if (clientIndex >= setup.clients.length) return undefined;
    const strategy = byzantineClients.get(process);
    if (strategy) return byzantineClientBody(strategy, setup, { ops: options.ops, keys, costs, byzantine: byzantineClients });
    return async (fabric) => {
      const client = new BftKvClient(fabric, { f: setup.f, keys, costs, ...setup.client });
      await runBftClientCalls(client, { seed: options.seed, ops: options.ops, keyCount, clientIndex, process });
    };
  },
  check(history, options, notes) {
    const setup = bftSetup(options);
    // A run ended for sizing (§2.1) owes no liveness: the verdict is reported apart (`sizing`, exit 3).
    const byzantine = bftByzantineOf(options, setup.f);
    const faulty = new Set([...byzantine.replicas.map((placement) => placement.process), ...byzantine.streams.keys()]);
    // Byzantine replicas count among the f faults (validate keeps them with the crashes within f); their notes prove nothing.
    const correctNotes = faulty.size === 0 ? notes : notes.filter((note) => !faulty.has(note.process));
    const liveness = livenessOwed(options, setup.replicas, setup.f - faulty.size) && eventsOf(correctNotes, 'bft-sizing').length === 0;
    const byzantineClients = [...byzantineClientsOf(setup, byzantine.clients).keys()];
    return checkBft(history, correctNotes, { replicas: setup.replicas, clients: setup.clients, liveness, byzantineClients });
  },
  linearizable(history, options) {
    // A Byzantine client's calls are all outstanding (info) at once: pair returns by operation id (bftByzantineClients.ts).
    return linearizableVerdict(history, 'kv', bftByzantineOf(options, bftFaults(options)).clients.length > 0 ? 'op' : 'process');
  },
  details(history, options, notes) {
    const setup = bftSetup(options);
    const sizing = eventsOf(notes, 'bft-sizing')[0]?.verdict ?? null;
    const counters = eventsOf(notes, 'bft-counters');
    const sum = (field: 'messages' | 'replies' | 'broadcasts' | 'made' | 'verified' | 'streamMade' | 'streamVerified' | 'viewChangeMessages' | 'viewChangeMade') => counters.reduce((total, event) => total + event[field], 0);
    const decisions = decisionCounts(notes);
    const decided = decisions.fast + decisions.slow;
    const per = (total: number) => (decided > 0 ? Math.round((total / decided) * 1000) / 1000 : null);
    return {
      f: setup.f,
      replicas: setup.replicas,
      clients: setup.clients.length,
      window: setup.window,
      sizing,
      decisions,
      delays: callDelays(history, notes),
      executed: eventsOf(notes, 'bft-execute').length,
      calls: { ok: history.filter((event) => event.type === 'ok').length, info: history.filter((event) => event.type === 'info').length },
      replicaMessages: sum('messages'),
      replies: sum('replies'),
      broadcasts: sum('broadcasts'),
      signaturesMade: sum('made'),
      signaturesVerified: sum('verified'),
      streamSignaturesMade: sum('streamMade'),
      streamSignaturesVerified: sum('streamVerified'),
      viewChangeMessages: sum('viewChangeMessages'),
      viewChangeSignaturesMade: sum('viewChangeMade'),
      // Totals over decisions: checkpoints (every W/2) amortized in; the stream's (CB) signatures apart.
      perDecision: { replicaMessages: per(sum('messages')), broadcasts: per(sum('broadcasts')), signaturesMade: per(sum('made')), signaturesVerified: per(sum('verified')), streamSignaturesMade: per(sum('streamMade')) },
      viewChange: viewChangeCost(notes, delay(options)),
      // State transfer (§2.7.2): STATEs installed (instances skipped), FETCHes sent, STATEs refused.
      transfer: transferCounts(notes),
      ...adversaryDetails(options, setup, notes),
      timers: setup.timing,
    };
  },
};

/** The Byzantine processes of the run (replicas and clients), each with the effects it noted (`adversary-effect`), and the effects' count. */
function adversaryDetails(options: ResolvedOptions, setup: BftSetup, notes: readonly NoteEvent[]): { adversaries: { process: number; adversary: string; effect: boolean; reasons: string[] }[]; adversaryEffects: Record<string, string[]> } {
  const byzantine = bftByzantineOf(options, setup.f);
  const placed: { process: number; adversary: string }[] = [
    ...byzantine.replicas,
    ...[...byzantine.streams].map(([process, adversary]) => ({ process, adversary })),
    ...[...byzantineClientsOf(setup, byzantine.clients)].map(([process, adversary]) => ({ process, adversary })),
  ].sort((a, b) => a.process - b.process);
  const effects = eventsOf(notes, 'adversary-effect');
  const adversaries = placed.map((placement) => {
    const reasons = effects.filter((event) => event.process === placement.process).map((event) => event.reason);
    return { process: placement.process, adversary: placement.adversary, effect: reasons.length > 0, reasons };
  });
  return { adversaries, adversaryEffects: adversaryEffects(notes) };
}
