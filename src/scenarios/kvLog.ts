import type { Fabric, ProcessId } from '../fabric/index.js';
import type { LogOptions } from '../protocols/consensus/consensusLog.js';
import { DiskPaxosLog, diskPaxosLogRegions } from '../protocols/consensus/diskPaxosLog.js';
import { MultiPaxosLog } from '../protocols/consensus/multiPaxos.js';
import { MuLog, muLayoutOf } from '../protocols/consensus/mu/muLog.js';
import { muTimingFor } from '../protocols/consensus/mu/muTiming.js';
import { muRegions } from '../protocols/consensus/mu/muLayout.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../protocols/consensus/protectedPaxosLog.js';
import type { ReplicatedLog } from '../protocols/common/replicatedLog.js';
import { kvMutants } from '../protocols/kv/kvMutants.js';
import { contention, memoriesOf, timing, typicalDelay } from './consensus.js';
import { kvCallDetails, kvCapacity, kvStore, kvWorkloadOf, runKvClient } from './kvClients.js';
import { checkKvRun } from './kvProperties.js';
import { kvMixes } from './kvWorkload.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/**
 * `kv-log`: the replicated key-value store (protocols/kv/replicatedKv.ts)
 * on a replicated log chosen with `--log` (multi-paxos, pmp-log,
 * disk-paxos-log, mu). Every process is a replica and one client (so the
 * clients are the `--n` processes); each client runs `--ops` calls one
 * after another, drawn from its workload (kvWorkload.ts: YCSB-A or -B mix,
 * Zipfian keys over `keyCount` keys, 64-byte values), and appends a command
 * again when it has not been applied within `retryAfterDelays` typical
 * delays — so leader changes make the log hold commands twice, and the
 * store must apply them once. Clients never give a call up (no
 * `giveUpAfter`): termination then means that every call completed, which
 * a log that stopped deciding could not fake with unknown outcomes.
 *
 * Workloads: `ycsb-a` and `ycsb-b` with a stable leader, and `/contention`
 * and `/storm` variants where processes wrongly believe they lead for a
 * while (consensus.ts). Faults within the log's tolerance from the profile.
 * Properties: kvProperties.ts (linearizability of the kv history per key,
 * log agreement, equal replica states); the runner adds termination.
 *
 * Multi-Paxos uses no memories: under `--log multi-paxos` the run's
 * memories hold no region and are idle. Mu puts replica i's log in memory
 * mi, so a mixed sweep draws one memory per process for every log (it
 * draws sizes before the log). Every log keeps two copies per slot, so
 * the simulator cuts a mid-write crash's writes short for good here too;
 * Mu runs with its memories co-located (pi's verbs on mi are local: docs/fabric.md).
 * The clients' code is shared with `mu`'s KV workloads (kvClients.ts).
 */
export const kvLogs = ['multi-paxos', 'pmp-log', 'disk-paxos-log', 'mu'] as const;
type KvLogName = (typeof kvLogs)[number];

const region = 'kv-log';
export { keyCount, retryAfterDelays } from './kvClients.js';
const capacity = kvCapacity;

/** Instances of the run: every call, its retries, and room for the no-ops and repeats leader changes cost. */
function entriesOf(options: ResolvedOptions): number {
  return options.n * options.ops * 8 + 128;
}

function logName(options: ResolvedOptions): KvLogName {
  return (options.log ?? kvLogs[0]) as KvLogName;
}

function workloadOf(options: ResolvedOptions): { mix: string; leaders: string } {
  return kvWorkloadOf(options.workload);
}

function makeLog(options: ResolvedOptions, process: ProcessId, fabric: Fabric): ReplicatedLog {
  const contender = contention({ ...options, workload: workloadOf(options).leaders }).contenders.get(process);
  const times = timing(options);
  const base: LogOptions = {
    capacity,
    entries: entriesOf(options),
    window: 4,
    timing: { heartbeat: times.heartbeat, suspectAfter: times.suspectAfter, backoff: times.backoff, phase: times.phase },
    ...(contender ? { believeLeaderUntil: contender.until, startDelay: contender.start } : {}),
  };
  const memories = memoriesOf(options);
  switch (logName(options)) {
    case 'multi-paxos':
      return new MultiPaxosLog(fabric, base);
    case 'pmp-log':
      return new ProtectedPaxosLog(fabric, { ...base, region, memories });
    case 'disk-paxos-log':
      return new DiskPaxosLog(fabric, { ...base, region, memories, pipelined: false });
    case 'mu':
      // Replica i's log lives in memory mi; the leader carries every client's calls.
      return new MuLog(fabric, { capacity, slots: options.slots ?? entriesOf(options), window: 4, timing: muTimingFor(typicalDelay(options)), ...(contender ? { believeLeaderUntil: contender.until } : {}) });
  }
}

export const kvLogScenario: Scenario = {
  name: 'kv-log',
  summary: 'replicated key-value store over a replicated log (--log multi-paxos | pmp-log | disk-paxos-log | mu): YCSB-style clients, reads through the log, exactly-once retries',
  mutants: kvMutants,
  defaults: { n: 3, memories: 3, ops: 8 },
  // Every log keeps two copies per slot: a write cut short by a mid-write crash never tears an accepted record.
  cutShortWrites: true,
  workloads: ['ycsb-a', 'ycsb-b', 'ycsb-a/contention', 'ycsb-b/contention', 'ycsb-a/storm'],
  logs: kvLogs,
  // Mu keeps replica i's log in memory mi: `--log mu --n 5` alone means five hosts.
  defaultMemories: (n, log) => (log === 'mu' ? n : kvLogScenario.defaults.memories),
  // Mu's replica i keeps its log in its own host's memory mi: pi's verbs on it are local.
  colocated: (options) => logName(options) === 'mu',
  mixSizes(random) {
    // One memory per process: what Mu needs (replica i's log in memory mi), and within what the others accept.
    const n = 2 + random.int(3);
    return { n, memories: n };
  },
  mixSlots(random, options) {
    // Mu's log small enough to wrap around several times in a run (recycling, snapshots); the other logs are not bounded.
    const slots = [undefined, 2, 4, 8, 16][random.int(5)];
    return options.log === 'mu' ? slots : undefined;
  },
  validate(options) {
    if (options.adversary !== undefined) throw new Error('--adversary: kv-log tolerates crashes only (no Byzantine adversaries)');
    if (options.ops < 1) throw new Error(`--ops ${options.ops}: each client makes at least one call (accepted: 1 or more)`);
    if (options.n < 2) throw new Error(`--n ${options.n}: a replicated store needs at least 2 processes`);
    if (logName(options) !== 'multi-paxos' && options.memories < 1) throw new Error(`--memories ${options.memories}: ${logName(options)} needs at least one memory`);
    if (logName(options) === 'mu' && options.memories !== options.n) throw new Error(`--memories ${options.memories}: Mu puts each replica's log in its own memory (accepted: --memories ${options.n}, one per replica)`);
    if (options.slots !== undefined && logName(options) !== 'mu') throw new Error(`--slots ${options.slots}: only Mu's log is bounded (accepted with --log mu)`);
    if (!(workloadOf(options).mix in kvMixes)) throw new Error(`--workload ${options.workload}: unknown mix (accepted: ${Object.keys(kvMixes).join(', ')})`);
  },
  tolerance(options) {
    if (logName(options) === 'multi-paxos') return { processes: Math.floor((options.n - 1) / 2), memories: 0 };
    // A Mu replica is a host: its process and its log's memory crash together, a minority of them.
    if (logName(options) === 'mu') return { processes: Math.floor((options.n - 1) / 2), memories: Math.floor((options.n - 1) / 2), colocated: true };
    return { processes: options.n - 1, memories: Math.floor((options.memories - 1) / 2) };
  },
  faultWindow(options) {
    return (12 + 6 * options.ops) * typicalDelay(options);
  },
  outageMax(options) {
    return 2.5 * 20 * typicalDelay(options);
  },
  regions(options) {
    const layout = { region, memories: memoriesOf(options), capacity, entries: entriesOf(options) };
    switch (logName(options)) {
      case 'multi-paxos':
        return [];
      case 'pmp-log':
        return protectedPaxosLogRegions(layout, options.n);
      case 'disk-paxos-log':
        return diskPaxosLogRegions(layout, options.n);
      case 'mu':
        return muRegions(muLayoutOf({ capacity, slots: options.slots ?? entriesOf(options) }), options.n);
    }
  },
  body(options, process) {
    const delay = typicalDelay(options);
    return async (fabric) => {
      const store = kvStore(fabric, makeLog(options, process, fabric), { delay, ...(options.mutant ? { mutant: options.mutant } : {}) });
      await runKvClient(store, { seed: options.seed, workload: options.workload, ops: options.ops, client: process, stream: process });
      // A replica stays up a while after its own calls, then reports its state and returns — without
      // closing its log: it keeps serving the others (Multi-Paxos needs a majority of processes).
      await fabric.sleep(40 * delay);
      store.noteState();
    };
  },
  check(history, _options, notes) {
    return checkKvRun(history, notes);
  },
  details(history, options, notes) {
    return { log: logName(options), workload: options.workload, ...kvCallDetails(history, notes) };
  },
};
