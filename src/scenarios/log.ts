import { eventsOf } from '../fabric/events.js';
import type { NoteEvent, ProcessId } from '../fabric/index.js';
import { DiskPaxosLog, diskPaxosLogRegions } from '../protocols/consensus/diskPaxosLog.js';
import type { ConsensusLog, LogOptions } from '../protocols/consensus/consensusLog.js';
import { MultiPaxosLog } from '../protocols/consensus/multiPaxos.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../protocols/consensus/protectedPaxosLog.js';
import { diskPaxosMutants, paxosMutants, protectedPaxosMutants, type DiskPaxosMutant, type PaxosMutant, type ProtectedPaxosMutant } from '../protocols/consensus/mutants.js';
import { fromNumber } from '../protocols/consensus/numberValue.js';
import { Prng } from '../sim/prng.js';
import { latencyModel } from '../sim/latency.js';
import { contention, memoriesOf, timing, typicalDelay } from './consensus.js';
import { checkLogRun } from './logProperties.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/**
 * Replicated-log scenarios: every process is a client that appends `ops`
 * values of its own (1000·(p+1) + k), keeping up to `window` appends in
 * flight (drawn per seed: 1, 2 or 4), and returns each append's index. Workloads
 * and faults as for single-decree consensus (consensus.ts): a stable leader,
 * contention (several processes wrongly believe they lead for a while),
 * storms; crashes, pauses and partitions from the fault profile. Properties:
 * logProperties.ts (agreement per instance and per log prefix, validity, no
 * value twice, placement of every completed append, linearizability of the
 * appends against the `log` model).
 */
type LogAlgorithmName = 'pmp-log' | 'disk-paxos-log' | 'disk-paxos-pipelined-log' | 'multi-paxos';

const capacity = 8;
const region = 'log';

/** The value of process `process`'s `k`-th append. */
function valueOf(process: ProcessId, k: number): number {
  return 1000 * (process + 1) + k;
}

/** Appends a process keeps in flight in this run (a pure function of the seed). */
export function windowOf(options: ResolvedOptions): number {
  // One in two runs appends one at a time, so that its whole history is checked for linearizability.
  return [1, 1, 2, 4][new Prng(options.seed, 'window').int(4)];
}

/** Instances of the run: every append, room for the no-ops and repeats that leader changes cost. */
export function entriesOf(options: ResolvedOptions): number {
  return options.n * options.ops * 3 + 64;
}

function logOptions(options: ResolvedOptions, process: ProcessId): LogOptions {
  const contender = contention(options).contenders.get(process);
  const times = timing(options);
  return {
    capacity,
    entries: entriesOf(options),
    window: windowOf(options),
    timing: { heartbeat: times.heartbeat, suspectAfter: times.suspectAfter, backoff: times.backoff, phase: times.phase },
    ...(contender ? { believeLeaderUntil: contender.until, startDelay: contender.start } : {}),
  };
}

function makeLog(kind: LogAlgorithmName, options: ResolvedOptions, process: ProcessId, fabric: Parameters<NonNullable<ReturnType<Scenario['body']>>>[0]): ConsensusLog {
  const base = logOptions(options, process);
  const memories = memoriesOf(options);
  switch (kind) {
    case 'pmp-log':
      return new ProtectedPaxosLog(fabric, { ...base, region, memories, ...(options.mutant ? { mutant: options.mutant as ProtectedPaxosMutant } : {}) });
    case 'disk-paxos-log':
    case 'disk-paxos-pipelined-log':
      return new DiskPaxosLog(fabric, { ...base, region, memories, pipelined: kind === 'disk-paxos-pipelined-log', ...(options.mutant ? { mutant: options.mutant as DiskPaxosMutant } : {}) });
    case 'multi-paxos':
      return new MultiPaxosLog(fabric, { ...base, ...(options.mutant ? { mutant: options.mutant as PaxosMutant } : {}) });
  }
}

function logScenario(kind: LogAlgorithmName, summary: string, mutants: Readonly<Record<string, string>>, defaults: { n: number; memories: number }): Scenario {
  const messagePassing = kind === 'multi-paxos';
  return {
    name: kind,
    summary,
    mutants,
    // The memory logs keep two copies per slot (logSlot.ts): a write cut short by a mid-write crash never tears an accepted record.
    cutShortWrites: true,
    defaults: { ...defaults, ops: 4 },
    workloads: ['mixed', 'stable', 'contention', 'storm'],
    sizeFor(f) {
      if (messagePassing) return { n: 2 * f + 1, memories: 0 };
      return { n: f + 1, memories: 2 * f + 1 };
    },
    mixSizes(random) {
      const n = messagePassing ? 2 + random.int(4) : [2, 3, 3, 3, 4][random.int(5)];
      const memories = messagePassing ? 0 : [1, 2, 3, 3, 3, 4, 5][random.int(7)];
      return { n, memories };
    },
    mixWorkload(random) {
      return ['stable', 'mixed', 'contention', 'contention', 'storm', 'storm'][random.int(6)];
    },
    validate(options) {
      if (options.adversary !== undefined) throw new Error(`--adversary: ${kind} tolerates crashes only (no Byzantine adversaries)`);
      if (options.ops < 1) throw new Error(`--ops ${options.ops}: each process appends at least one value (accepted: 1 or more)`);
      if (options.n < 2) throw new Error(`--n ${options.n}: a replicated log needs at least 2 processes`);
      if (messagePassing && options.memories !== 0) throw new Error(`--memories ${options.memories}: Multi-Paxos uses no memories (accepted: 0)`);
      if (!messagePassing && options.memories < 1) throw new Error(`--memories ${options.memories}: ${kind} needs at least one memory`);
    },
    tolerance(options) {
      if (messagePassing) return { processes: Math.floor((options.n - 1) / 2), memories: 0 };
      return { processes: options.n - 1, memories: Math.floor((options.memories - 1) / 2) };
    },
    faultWindow(options) {
      return (12 + 4 * options.ops) * typicalDelay(options);
    },
    outageMax(options) {
      return 2.5 * 20 * typicalDelay(options);
    },
    regions(options) {
      if (messagePassing) return [];
      const layout = { region, memories: memoriesOf(options), capacity, entries: entriesOf(options) };
      if (kind === 'pmp-log') return protectedPaxosLogRegions({ ...layout, ...(options.mutant ? { mutant: options.mutant as ProtectedPaxosMutant } : {}) }, options.n);
      return diskPaxosLogRegions(layout, options.n);
    },
    body(options, process) {
      const window = windowOf(options);
      const linger = 40 * typicalDelay(options);
      return async (fabric) => {
        const log = makeLog(kind, options, process, fabric);
        let next = 0;
        // The history holds one operation at a time per process: lane 0's appends are recorded
        // (and checked for linearizability); the other lanes keep the window full alongside.
        const lane = async (recorded: boolean) => {
          while (next < options.ops) {
            const value = valueOf(process, next++);
            const op = recorded ? fabric.history.invoke('append', value) : undefined;
            const index = await log.append(fromNumber(value));
            if (op !== undefined) fabric.history.ok(op, index);
          }
        };
        await Promise.all(Array.from({ length: window }, (_, index) => lane(index === 0)));
        // A process stays up a while after its appends, serving as it would in a service: the others'
        // forwarded appends, its steps still in flight, and the catch-up of those behind.
        await fabric.sleep(linger);
      };
    },
    check(history, options, notes) {
      const appendable = Array.from({ length: options.n * options.ops }, (_, index) => valueOf(Math.floor(index / options.ops), index % options.ops));
      return checkLogRun(history, notes, appendable, windowOf(options) === 1);
    },
    details(_history, options, notes) {
      return logDetails(notes, options);
    },
  };
}

/** Decisions, leader attempts and the steady-state latency of the run (what `mnm run` reports). */
export function logDetails(notes: readonly NoteEvent[], options: ResolvedOptions): Record<string, unknown> {
  const decides = eventsOf(notes, 'decide');
  const latencies = decides.map((event) => event.time - (event.started ?? event.time)).sort((a, b) => a - b);
  const delay = latencyModel(options.latency).minimum;
  const median = latencies.length > 0 ? latencies[Math.floor(latencies.length / 2)] : null;
  const lengths = new Map<number, number>();
  for (const event of eventsOf(notes, 'commit')) lengths.set(event.process, (lengths.get(event.process) ?? 0) + 1);
  return {
    window: windowOf(options),
    entries: entriesOf(options),
    instancesDecided: new Set(decides.map((event) => event.index)).size,
    attempts: eventsOf(notes, 'attempt').length,
    logLengths: Object.fromEntries([...lengths].sort(([a], [b]) => a - b).map(([process, length]) => [`p${process}`, length])),
    medianDecision: median,
    medianDelays: median !== null && options.latency === 'unit' && options.backend === undefined ? median / delay : null,
    contenders: [...contention(options).contenders.keys()],
  };
}

export const pmpLogScenario = logScenario('pmp-log', 'Protected Memory Paxos as a replicated log: a stable leader keeps its permissions, one write round trip per entry (2 delays)', protectedPaxosMutants, { n: 3, memories: 3 });
export const diskPaxosLogScenario = logScenario('disk-paxos-log', 'Disk Paxos as a replicated log: write then read per entry (4 delays)', diskPaxosMutants, { n: 3, memories: 3 });
export const diskPaxosPipelinedLogScenario = logScenario('disk-paxos-pipelined-log', "Disk Paxos as a log with each memory's read right behind its write (2 delays)", diskPaxosMutants, { n: 3, memories: 3 });
export const multiPaxosScenario = logScenario('multi-paxos', 'message-passing Multi-Paxos, n = 2f+1: one accept round trip per entry (2 delays)', paxosMutants, { n: 3, memories: 0 });

export const logScenarios: readonly Scenario[] = [pmpLogScenario, diskPaxosLogScenario, diskPaxosPipelinedLogScenario, multiPaxosScenario];
