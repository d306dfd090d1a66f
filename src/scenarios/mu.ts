import type { Fabric, HistoryEvent, NoteEvent, ProcessId } from '../fabric/index.js';
import type { Fault } from '../sim/index.js';
import { AppendOutcomeUnknown, MuLog, muLayoutOf } from '../protocols/consensus/mu/muLog.js';
import { muTimingFor } from '../protocols/consensus/mu/muTiming.js';
import { muLogRegion, muRegions } from '../protocols/consensus/mu/muLayout.js';
import { grantsOutOfOrder } from '../protocols/consensus/mu/grantOrder.js';
import { muLogPolicy, muMutants, type MuMutant } from '../protocols/consensus/mu/mutants.js';
import { fromNumber } from '../protocols/consensus/numberValue.js';
import { contention, typicalDelay } from './consensus.js';
import { entriesOf, logDetails, windowOf } from './log.js';
import { checkLogRun } from './logProperties.js';
import { isKvWorkload, kvCallDetails, kvCapacity, kvStore, kvWorkloadOf, runKvClient } from './kvClients.js';
import { checkKvRun } from './kvProperties.js';
import { linearizableVerdict } from './linearizable.js';
import { muRunMetrics, type StoppingFault } from './muMetrics.js';
import type { ResolvedOptions, Scenario, Violation } from './scenario.js';

/**
 * Mu as a replicated log (specs/mu.md): n replicas, replica i = process pi
 * with its log on memory mi (co-located: pi's verbs on mi are local, no
 * network delay on the simulator). Two kinds of workload:
 *
 * - key-value (`ycsb-a` — the default —, `ycsb-b`, `ycsb-a/contention`,
 *   `ycsb-a/storm`): the replicated store (protocols/kv/) on MuLog, `--clients
 *   C` clients (default n, at most n: client c on replica c) each making `ops`
 *   calls (kvClients.ts, shared with `kv-log`). Properties: kvProperties.ts
 *   (linearizability of the KV history, prefix agreement of the applied logs,
 *   replica states) and durability: every replica that learns an index
 *   learns the value its leader decided there.
 * - log (`mixed`, `stable`, `contention`, `storm`): every process is a client
 *   appending `ops` values of its own (1000·(p+1) + k) with a window drawn per
 *   seed, like the other log scenarios (log.ts); an append aborted by a
 *   deposed leader is an `info` (outcome unknown). Properties:
 *   logProperties.ts (applied logs are prefixes of one another, agreement per
 *   index, no value lost from a completed append's position, linearizability
 *   against the `log` model when every append is recorded).
 *
 * `contention`/`storm`: replicas that wrongly believe they lead for a while.
 * Faults: up to f < n/2 host crashes (process pI and its memory mI together,
 * `--crash h1@20`, `--crash-leader-at T`), pauses (`--pause-leader-at T --for
 * D`), partitions from the profile; an explicit process crash whose memory
 * lives on is within tolerance too. `--window W` sets the leader's window.
 * Metrics (muMetrics.ts): commit latency, throughput, fail-over.
 */
const capacity = 8;

/** The KV workloads' clients (default one per replica). */
function clientsOf(options: ResolvedOptions): number {
  return options.clients ?? options.n;
}

/** Log slots of a KV run: `--slots`, else every call, its retries, and room for the no-ops and repeats leader changes cost. */
function kvSlotsOf(options: ResolvedOptions): number {
  return options.slots ?? clientsOf(options) * options.ops * 8 + 128;
}

function layoutOf(options: ResolvedOptions) {
  return isKvWorkload(options.workload) ? muLayoutOf({ capacity: kvCapacity, slots: kvSlotsOf(options) }) : muLayoutOf({ capacity, slots: slotsOf(options) });
}

function valueOf(process: ProcessId, k: number): number {
  return 1000 * (process + 1) + k;
}

/** The log's slots: `--slots`, else room for every entry of the run (no wrap-around). */
function slotsOf(options: ResolvedOptions): number {
  return options.slots ?? entriesOf(options);
}

function configOf(options: ResolvedOptions, process: ProcessId) {
  if (isKvWorkload(options.workload)) {
    const contender = contention({ ...options, workload: kvWorkloadOf(options.workload).leaders }).contenders.get(process);
    return {
      capacity: kvCapacity,
      slots: kvSlotsOf(options),
      window: options.window ?? 4,
      timing: muTimingFor(typicalDelay(options)),
      ...(options.mutant ? { mutant: options.mutant as MuMutant } : {}),
      ...(contender ? { believeLeaderUntil: contender.until } : {}),
    };
  }
  const contender = contention(options).contenders.get(process);
  return {
    capacity,
    slots: slotsOf(options),
    // The leader carries every client's window.
    window: options.window ?? windowOf(options) * options.n,
    timing: muTimingFor(typicalDelay(options)),
    ...(options.mutant ? { mutant: options.mutant as MuMutant } : {}),
    ...(contender ? { believeLeaderUntil: contender.until } : {}),
  };
}

export const muScenario: Scenario = {
  name: 'mu',
  summary: 'Mu: a stable leader commits with one write per replica log and a majority wait (2 delays); ordered permissions fence deposed leaders',
  mutants: muMutants,
  defaults: { n: 3, memories: 3, ops: 4 },
  // Mu keeps two copies per slot so that a write cut short by a crash never tears the accepted entry.
  cutShortWrites: true,
  workloads: ['ycsb-a', 'ycsb-b', 'ycsb-a/contention', 'ycsb-a/storm', 'mixed', 'stable', 'contention', 'storm'],
  accepts: ['clients', 'window'],
  // One log per replica: `--n 5` alone means five hosts.
  defaultMemories: (n) => n,
  colocated: () => true,
  leader: {
    at: leaderAt,
    // Mu's leader is the lowest-id replica considered alive: the lowest one not crashed, once the detector caught up.
    predicted: (crashed, options) => Array.from({ length: options.n }, (_, process) => process).find((process) => !crashed.includes(process)),
  },
  sizeFor(f) {
    return { n: 2 * f + 1, memories: 2 * f + 1 };
  },
  mixSizes(random) {
    const n = [3, 3, 3, 4, 5][random.int(5)];
    return { n, memories: n };
  },
  mixSlots(random) {
    // Small logs wrap around several times in a run: recycling, and snapshots for replicas left behind.
    return [2, 3, 4, 8, undefined][random.int(5)];
  },
  mixWorkload(random) {
    // Both kinds: the log workloads (whose appends the log properties judge directly) and the store on top.
    return ['stable', 'mixed', 'contention', 'contention', 'storm', 'storm', 'ycsb-a', 'ycsb-a/contention', 'ycsb-a/storm'][random.int(9)];
  },
  validate(options) {
    if (options.adversary !== undefined) throw new Error('--adversary: mu tolerates crashes only (no Byzantine adversaries)');
    if (options.ops < 1) throw new Error(`--ops ${options.ops}: each process appends at least one value (accepted: 1 or more)`);
    if (options.n < 2) throw new Error(`--n ${options.n}: Mu needs at least 2 replicas`);
    if (options.memories !== options.n) throw new Error(`--memories ${options.memories}: Mu puts each replica's log in its own memory (accepted: --memories ${options.n}, one per replica)`);
    if (options.clients !== undefined && !isKvWorkload(options.workload)) {
      throw new Error(`--clients ${options.clients}: the log workloads run one client per replica (accepted with the KV workloads: --workload ycsb-a, ycsb-b, ycsb-a/contention, ycsb-a/storm)`);
    }
    if (options.clients !== undefined && options.clients > options.n) {
      throw new Error(`--clients ${options.clients}: at most one client per replica (accepted: 1..${options.n}, the replicas; the fabric records one operation at a time per process)`);
    }
  },
  tolerance(options) {
    // A replica is a host: its process and its log's memory crash together (fault profiles draw host crashes), a minority of them.
    const minority = Math.floor((options.n - 1) / 2);
    return { processes: minority, memories: minority, colocated: true };
  },
  faultWindow(options) {
    return (12 + (isKvWorkload(options.workload) ? 6 : 4) * options.ops) * typicalDelay(options);
  },
  outageMax(options) {
    return 2.5 * 20 * typicalDelay(options);
  },
  regions(options) {
    return muRegions(layoutOf(options), options.n, muLogPolicy(options.mutant as MuMutant | undefined));
  },
  body(options, process) {
    if (isKvWorkload(options.workload)) return kvBody(options, process);
    const window = windowOf(options);
    const linger = 40 * typicalDelay(options);
    return async (fabric) => {
      const log = new MuLog(fabric, configOf(options, process));
      let next = 0;
      // A process whose append ended in an `info` has that call outstanding forever: the lane records no more.
      const lane = async (recording: boolean) => {
        let recorded = recording;
        while (next < options.ops) {
          const value = valueOf(process, next++);
          const op = recorded ? fabric.history.invoke('append', value) : undefined;
          try {
            const index = await log.append(fromNumber(value));
            if (op !== undefined) fabric.history.ok(op, index);
          } catch (error) {
            if (!(error instanceof AppendOutcomeUnknown)) throw error;
            if (op !== undefined) fabric.history.info(op, null);
            recorded = false;
          }
        }
      };
      await Promise.all(Array.from({ length: window }, (_, index) => lane(index === 0)));
      await fabric.sleep(linger);
    };
  },
  check(history, options, notes, memories) {
    const violations = isKvWorkload(options.workload) ? [...checkKvRun(history, notes, 'op'), ...checkDurability(notes)] : checkLogWorkload(history, options, notes);
    // Each replica grants its log to one leader at a time, never to a stale one (where the backend reports what the memories did).
    for (const { grant, after } of grantsOutOfOrder(memories?.orderedGrants ?? [], muLogRegion)) {
      violations.push({
        property: 'grant-order',
        detail: `m${grant.memory} granted its log to p${grant.process} with proposal ${grant.proposal} at ${grant.t}, after granting p${after.process} proposal ${after.proposal} at ${after.t}`,
        involved: { processes: [grant.process, after.process] },
      });
    }
    return violations;
  },
  linearizable(history, options) {
    if (isKvWorkload(options.workload)) return linearizableVerdict(history, 'kv', 'op');
    // The log model counts positions among the appends it sees: it judges only a history that records every append.
    return everyAppendRecorded(history, options) ? linearizableVerdict(history, 'log') : null;
  },
  metrics(_history, _options, notes, faults, scale) {
    return muRunMetrics(notes, stoppingFaults(faults), scale);
  },
  details(history, options, notes) {
    if (isKvWorkload(options.workload)) return { workload: options.workload, clients: clientsOf(options), ...kvCallDetails(history, notes) };
    return {
      ...logDetails(notes, options),
      // Why `linearizable` may be null here: the log model judges only a history that records every append.
      linearizability: everyAppendRecorded(history, options) ? 'checked against the log model' : 'not judged: the history records only some appends (several in flight per process, or an unknown outcome), which the log model cannot judge',
    };
  },
};

function everyAppendRecorded(history: readonly HistoryEvent[], options: ResolvedOptions): boolean {
  return windowOf(options) === 1 && !history.some((event) => event.type === 'info');
}

function checkLogWorkload(history: readonly HistoryEvent[], options: ResolvedOptions, notes: readonly NoteEvent[]): Violation[] {
  {
    const appendable = Array.from({ length: options.n * options.ops }, (_, index) => valueOf(Math.floor(index / options.ops), index % options.ops));
    // The log model counts positions among the appends it sees: it judges only a history that records every append.
    return checkLogRun(history, notes, appendable, everyAppendRecorded(history, options));
  }
}

/**
 * A KV workload's processes: replica p runs the log and, for p < C, client
 * p: a store on the log (client id p, stream `kv-client:p`). A replica stays
 * up a while after its client, then reports its state and returns without
 * closing its log (it keeps serving). (The loop below would host several
 * clients per replica; the fabric records one operation at a time per
 * process, so `validate` keeps C ≤ n.)
 */
function kvBody(options: ResolvedOptions, process: ProcessId) {
  const delay = typicalDelay(options);
  const clients = Array.from({ length: clientsOf(options) }, (_, client) => client).filter((client) => client % options.n === process);
  const serving = async (fabric: Fabric) => {
    new MuLog(fabric, configOf(options, process));
    await fabric.sleep(40 * delay);
  };
  if (clients.length === 0) return serving;
  return async (fabric: Fabric) => {
    const log = new MuLog(fabric, configOf(options, process));
    const stores = clients.map((client) => kvStore(fabric, log, { delay, client }));
    await Promise.all(stores.map((store, k) => runKvClient(store, { seed: options.seed, workload: options.workload, ops: options.ops, client: clients[k], stream: clients[k] })));
    await fabric.sleep(40 * delay);
    stores[0]?.noteState();
  };
}

/**
 * Durability: no committed entry is lost — every `learn` or `decide` of an
 * index (by any replica, any leader) carries the value first decided there.
 */
function checkDurability(notes: readonly NoteEvent[]): Violation[] {
  const violations: Violation[] = [];
  const first = new Map<number, { value: string; process: ProcessId; time: number }>();
  for (const note of notes) {
    if (note.kind !== 'decide' && note.kind !== 'learn') continue;
    const index = note.detail?.index;
    if (typeof index !== 'number') continue;
    const value = JSON.stringify(note.detail?.value ?? null);
    const seen = first.get(index);
    if (seen === undefined) first.set(index, { value, process: note.process, time: note.time });
    else if (seen.value !== value) {
      violations.push({
        property: 'durability',
        detail: `index ${index}: p${seen.process} had ${seen.value} at ${seen.time}, p${note.process} ${note.kind === 'decide' ? 'decided' : 'learned'} ${value} at ${note.time}`,
        involved: { processes: [seen.process, note.process] },
      });
    }
  }
  return violations;
}

/**
 * Who leads, from the notes so far: each live process's latest `leading`
 * term, unless it was `deposed` from it or started another `attempt` since
 * (a leader that steps down on its own notes nothing, but notes its next
 * attempt); of those, the highest proposal. Undefined when nobody leads.
 */
export function leaderAt(notes: readonly NoteEvent[], crashed: readonly ProcessId[]): ProcessId | undefined {
  const leading = new Map<ProcessId, number>();
  for (const note of notes) {
    const ballot = note.detail?.ballot;
    if (typeof ballot !== 'number') continue;
    if (note.kind === 'leading') leading.set(note.process, ballot);
    else if (note.kind === 'attempt' || (note.kind === 'deposed' && leading.get(note.process) === ballot)) leading.delete(note.process);
  }
  let best: { process: ProcessId; ballot: number } | undefined;
  for (const [process, ballot] of leading) if (!crashed.includes(process) && (best === undefined || ballot > best.ballot)) best = { process, ballot };
  return best?.process;
}

/** The faults that stop a process (crash, host crash, pause): the fail-over metrics' failure points. */
function stoppingFaults(faults: readonly Fault[]): StoppingFault[] {
  return faults.flatMap((fault): StoppingFault[] => {
    if (fault.kind === 'crash-process') return [{ at: fault.at, process: fault.process, kind: 'crash' }];
    if (fault.kind === 'crash-host') return [{ at: fault.at, process: fault.host, kind: 'crash' }];
    if (fault.kind === 'pause') return [{ at: fault.at, process: fault.process, kind: 'pause' }];
    return [];
  });
}
