import type { Fabric, NoteEvent, ProcessId } from '../fabric/index.js';
import { checkConsensus } from '../check/consensus.js';
import { decodeEvents, eventsOf } from '../fabric/events.js';
import type { ConsensusLog, LogOptions, LogTiming } from '../protocols/consensus/consensusLog.js';
import { DiskPaxosLog, diskPaxosLogRegions } from '../protocols/consensus/diskPaxosLog.js';
import { MultiPaxosLog } from '../protocols/consensus/multiPaxos.js';
import { fromNumber, toNumber } from '../protocols/consensus/numberValue.js';
import { diskPaxosMutants, paxosMutants, protectedPaxosMutants, type DiskPaxosMutant, type PaxosMutant, type ProtectedPaxosMutant } from '../protocols/consensus/mutants.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../protocols/consensus/protectedPaxosLog.js';
import { propose } from '../protocols/consensus/singleDecree.js';
import { Prng } from '../sim/prng.js';
import { latencyModel } from '../sim/latency.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/**
 * Single-decree consensus scenarios: every process proposes its own input
 * (100 + its id) and must return the decision. Workloads:
 * - `stable`: Ω trusts p0 from the start (the lecture's common case);
 * - `contention`: a seed-chosen set of processes wrongly believe they lead
 *   for a while and propose at once, at staggered times;
 * - `storm`: every process believes it leads for a long while (hundreds of
 *   delays), so attempts duel again and again before Ω settles;
 * - `mixed` (default): stable or contention, by seed.
 * Faults (crashes, pauses, partitions) come from the fault profile.
 *
 * Each algorithm runs as the one-entry case of its replicated log
 * (protocols/consensus/singleDecree.ts): `paxos` is Multi-Paxos, `sm-paxos`
 * and `disk-paxos(-pipelined)` the Disk Paxos log (one memory for sm-paxos),
 * `pmp` the Protected Memory Paxos log, each with `entries: 1`.
 */
type Algorithm = 'paxos' | 'sm-paxos' | 'disk-paxos' | 'disk-paxos-pipelined' | 'pmp';

const capacity = 8;
const region = 'consensus';
/** Single-decree: one consensus instance, the log's entry 0. */
const entries = 1;

/**
 * The protocols' timers start from the shortest one-way delay of the
 * latency model (a guess that is right only when delays do not vary) and
 * adapt from there (protocols/common/phaseTimer.ts); the `fixed-timers`
 * mutants keep them at that first guess. The cap only stops runaway growth.
 */
export function timing(options: ResolvedOptions): LogTiming & { delay: number } {
  const delay = latencyModel(options.latency).minimum;
  const adaptive = options.mutant !== 'fixed-timers';
  return {
    delay,
    heartbeat: 4 * delay,
    suspectAfter: { base: 20 * delay, cap: 20 * delay * 2 ** 12, adaptive },
    backoff: 4 * delay,
    phase: { base: 30 * delay, cap: 30 * delay * 2 ** 12, adaptive },
  };
}

/** The scenario's time scale: faults and the horizon follow the mean delay, not the protocols' guess. */
export function typicalDelay(options: ResolvedOptions): number {
  return latencyModel(options.latency).mean;
}

export function memoriesOf(options: ResolvedOptions): number[] {
  return Array.from({ length: options.memories }, (_, memory) => memory);
}

/** Process `process`'s one-entry log of algorithm `kind`, with its contention role in this run. */
function makeLog(kind: Algorithm, options: ResolvedOptions, process: ProcessId, fabric: Fabric): ConsensusLog {
  const contender = contention(options).contenders.get(process);
  const { heartbeat, suspectAfter, backoff, phase } = timing(options);
  const base: LogOptions = {
    capacity,
    entries,
    window: 1,
    timing: { heartbeat, suspectAfter, backoff, phase },
    ...(contender ? { believeLeaderUntil: contender.until, startDelay: contender.start } : {}),
  };
  const memories = memoriesOf(options);
  switch (kind) {
    case 'paxos':
      return new MultiPaxosLog(fabric, { ...base, ...(options.mutant ? { mutant: options.mutant as PaxosMutant } : {}) });
    case 'sm-paxos':
    case 'disk-paxos':
    case 'disk-paxos-pipelined':
      return new DiskPaxosLog(fabric, { ...base, region, memories, pipelined: kind === 'disk-paxos-pipelined', ...(options.mutant ? { mutant: options.mutant as DiskPaxosMutant } : {}) });
    case 'pmp':
      return new ProtectedPaxosLog(fabric, { ...base, region, memories, ...(options.mutant ? { mutant: options.mutant as ProtectedPaxosMutant } : {}) });
  }
}

/** Who contends, and when, in this run (a pure function of the seed). */
export function contention(options: ResolvedOptions): { contenders: Map<ProcessId, { start: number; until: number }> } {
  const random = new Prng(options.seed, 'workload');
  const workload = options.workload === 'mixed' ? (random.chance(0.5) ? 'stable' : 'contention') : options.workload;
  const contenders = new Map<ProcessId, { start: number; until: number }>();
  const delay = typicalDelay(options);
  const processes = Array.from({ length: options.n }, (_, process) => process);
  if (workload === 'contention') {
    for (const process of random.sample(processes, 2 + random.int(Math.max(1, options.n - 1)))) {
      contenders.set(process, { start: Math.round(random.float() * 3 * delay * 100) / 100, until: (10 + random.int(20)) * delay });
    }
  } else if (workload === 'storm') {
    // Everyone believes it leads for a long while: attempts duel again and again, and every
    // duel is another chance for a straggling step of a losing attempt to land late.
    for (const process of processes) contenders.set(process, { start: Math.round(random.float() * 8 * delay * 100) / 100, until: (100 + random.int(200)) * delay });
  }
  return { contenders };
}

function consensusScenario(kind: Algorithm, summary: string, mutants: Readonly<Record<string, string>>, defaults: { n: number; memories: number }): Scenario {
  return {
    name: kind,
    summary,
    mutants,
    // The memory logs keep two copies per slot (logSlot.ts): a write cut short by a mid-write crash never tears an accepted record.
    cutShortWrites: true,
    defaults: { ...defaults, ops: 1 },
    workloads: ['mixed', 'stable', 'contention', 'storm'],
    sizeFor(f) {
      if (kind === 'paxos') return { n: 2 * f + 1, memories: 0 };
      if (kind === 'sm-paxos') return { n: f + 1, memories: 1 };
      return { n: f + 1, memories: 2 * f + 1 };
    },
    mixSizes(random) {
      // Any n ≥ 2 (Paxos needs a majority of processes; the others only a live one), and for
      // the memory-based ones 1..5 memories (a minority of them may crash), three most often:
      // the smallest size where a memory can straggle behind a majority.
      const n = kind === 'paxos' ? 2 + random.int(6) : [2, 3, 3, 3, 4, 5][random.int(6)];
      const memories = kind === 'paxos' ? 0 : kind === 'sm-paxos' ? 1 : [1, 2, 3, 3, 3, 4, 5][random.int(7)];
      return { n, memories };
    },
    mixWorkload(random) {
      // Duelling proposers are where consensus bugs live: contention and storms weigh most.
      return ['stable', 'mixed', 'contention', 'contention', 'storm', 'storm', 'storm'][random.int(7)];
    },
    validate(options) {
      if (options.adversary !== undefined) throw new Error(`--adversary: ${kind} tolerates crashes only (no Byzantine adversaries)`);
      if (options.ops !== 1) throw new Error(`--ops ${options.ops}: ${kind} is single-decree (accepted: 1)`);
      if (options.n < 2) throw new Error(`--n ${options.n}: consensus needs at least 2 processes`);
      if (kind === 'paxos' && options.memories !== 0) throw new Error(`--memories ${options.memories}: message-passing Paxos uses no memories (accepted: 0)`);
      if (kind === 'sm-paxos' && options.memories !== 1) throw new Error(`--memories ${options.memories}: shared-memory Paxos uses one reliable memory (accepted: 1; use disk-paxos for more)`);
      if ((kind === 'disk-paxos' || kind === 'disk-paxos-pipelined' || kind === 'pmp') && options.memories < 1) throw new Error(`--memories ${options.memories}: ${kind} needs at least one memory`);
    },
    tolerance(options) {
      if (kind === 'paxos') return { processes: Math.floor((options.n - 1) / 2), memories: 0 };
      if (kind === 'sm-paxos') return { processes: options.n - 1, memories: 0 };
      return { processes: options.n - 1, memories: Math.floor((options.memories - 1) / 2) };
    },
    // Faults strike while the protocol runs (a stable leader decides within a few delays);
    // pauses and partitions outlast Ω's timeout, so they force leader changes.
    faultWindow(options) {
      return 12 * typicalDelay(options);
    },
    outageMax(options) {
      return 2.5 * 20 * typicalDelay(options);
    },
    regions(options) {
      if (kind === 'paxos') return [];
      const layout = { region, memories: memoriesOf(options), capacity, entries };
      if (kind === 'pmp') return protectedPaxosLogRegions({ ...layout, ...(options.mutant ? { mutant: options.mutant as ProtectedPaxosMutant } : {}) }, options.n);
      return diskPaxosLogRegions(layout, options.n);
    },
    body(options, process) {
      const input = 100 + process;
      const linger = 40 * typicalDelay(options);
      return async (fabric) => {
        const log = makeLog(kind, options, process, fabric);
        const op = fabric.history.invoke('propose', input);
        const decided = await propose(log, fromNumber(input));
        fabric.history.ok(op, toNumber(decided));
        // A process stays up a while after deciding, as it would in a service: steps of its own that
        // are still in flight land, and an overtaken attempt that still concludes is judged too.
        await fabric.sleep(linger);
      };
    },
    check(history, _options, notes) {
      return checkConsensus(history, notes);
    },
    details(_history, options, notes) {
      return consensusDetails(notes, options);
    },
  };
}

/**
 * Decisions of the run and the cost of the first deciding attempt (what the
 * table reports). A single-decree decision's latency runs from the start of
 * the attempt that decided — its `attempt` note, phase 1 included — to the
 * decision (the log's own `started` is when the entry's phase 2 began).
 */
export function consensusDetails(notes: readonly NoteEvent[], options: ResolvedOptions): Record<string, unknown> {
  const { events } = decodeEvents(notes.filter((note) => note.kind === 'decide' || note.kind === 'learn'));
  const decisions = events.flatMap((event) => (event.kind === 'decide' || event.kind === 'learn' ? [{ process: event.process, value: event.value, via: event.kind, time: event.time }] : []));
  const first = eventsOf(notes, 'decide')[0];
  const attempts = eventsOf(notes, 'attempt');
  const delay = latencyModel(options.latency).minimum;
  const attempt = first ? attempts.filter((event) => event.process === first.process && event.ballot === first.ballot && event.time <= first.time).at(-1) : undefined;
  const started = attempt?.time ?? first?.started ?? first?.time ?? 0;
  const decision = first
    ? {
        process: first.process,
        ballot: first.ballot,
        value: first.value,
        latency: round(first.time - started),
        // Delays can be counted only where time is virtual and every delay is 1.
        delays: options.latency === 'unit' && options.backend === undefined ? round((first.time - started) / delay) : null,
        verbs: first.verbs,
        messages: first.messages,
        bytes: first.bytes,
        permissionRequests: first.permissionRequests,
      }
    : null;
  return { decision, decisions, attempts: attempts.length, contenders: [...contention(options).contenders.keys()] };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export const paxosScenario = consensusScenario('paxos', 'message-passing Paxos, n = 2f+1: the baseline (2 delays with a stable leader)', paxosMutants, { n: 3, memories: 0 });
export const smPaxosScenario = consensusScenario('sm-paxos', "the lecture's Paxos in shared memory: one reliable memory, any f < n crashed processes", diskPaxosMutants, { n: 3, memories: 1 });
export const diskPaxosScenario = consensusScenario('disk-paxos', 'Disk Paxos: slots replicated on k memories, majority per step (4 delays in the common case)', diskPaxosMutants, { n: 3, memories: 3 });
export const diskPaxosPipelinedScenario = consensusScenario('disk-paxos-pipelined', "Disk Paxos with each memory's read issued right behind its write (queue-pair order): 2 delays, more verbs and bytes", diskPaxosMutants, { n: 3, memories: 3 });
export const pmpScenario = consensusScenario('pmp', 'Protected Memory Paxos: exclusive-writer permissions, no final read; 2 delays, f < n processes and a minority of memories may crash', protectedPaxosMutants, { n: 3, memories: 3 });

export const consensusScenarios: readonly Scenario[] = [paxosScenario, smPaxosScenario, diskPaxosScenario, diskPaxosPipelinedScenario, pmpScenario];
