import type { HistoryEvent, NoteEvent, ProcessId, ProcessMain, RegionSpec } from '../fabric/index.js';
import type { Fault, FaultProfile, MemoryWatcher, OrderedGrant, Preload, Prng, Tolerance } from '../sim/index.js';
import type { MixedSizes } from './mix.js';

/** What the memories themselves saw during a run (the simulator knows; the real backends do not report it). */
export interface MemoryEvidence {
  readonly orderedGrants: readonly OrderedGrant[];
}

/** Options of one run: everything `mnm run` accepts, and so everything a sweep may vary. */
export interface RunOptions {
  readonly protocol: string;
  readonly seed: number;
  /** Number of processes (scenario default when absent). */
  readonly n?: number;
  /** Number of memories (scenario default when absent). */
  readonly memories?: number;
  readonly latency: string;
  readonly faults: FaultProfile;
  /** Explicit crashes, `m1@5,p2,h1@7` (h1: p1 and m1 together). */
  readonly crash?: string;
  /** Explicit pauses, `p0@10+50`. */
  readonly pause?: string;
  /** Virtual-time horizon (scenario default when absent). */
  readonly horizon?: number;
  readonly mutant?: string;
  /** Application operations per client process (scenario default when absent). */
  readonly ops?: number;
  /** Faults tolerated, for protocols sized by f (e.g. n = 2f+1); scenarios that do not use it reject it. */
  readonly f?: number;
  /** Byzantine strategies from the protocol's adversary catalogue, comma-separated. */
  readonly adversary?: string;
  /** A scenario-specific workload name (e.g. consensus: stable | contention | mixed); scenario default when absent. */
  readonly workload?: string;
  /** The replicated log a scenario runs on, for scenarios generic over one (e.g. kv-log: multi-paxos | pmp-log | disk-paxos-log); scenario default when absent. */
  readonly log?: string;
  /** Slots of a bounded log (mu, kv-log --log mu): small values make the log wrap around often (recycling, snapshots); scenario default when absent. */
  readonly slots?: number;
  /**
   * The simulator's tear window: a multi-word write's words land within this
   * fraction (0..1] of its own completion delay; the simulator's default when absent.
   */
  readonly tear?: number;
  /** Largest clock offset, in time units of the run: each process's `Fabric.clock()` is offset by a draw uniform in ±skew (the `clocks` profile's bound when absent under it, else 0). */
  readonly skew?: number;
  /** Largest clock drift in parts per million: each process's clock runs at a rate drawn uniform in 1 ± drift/10^6. */
  readonly drift?: number;
  /** A scripted schedule (simulator only): events held until others happened, e.g. `p0 permission m2 until p2 note decide` (docs/schedules.md). */
  readonly hold?: string;
  /** Client processes of a scenario that spreads clients over its replicas (mu's KV workloads; default: one per process). */
  readonly clients?: number;
  /** The leader's window: log entries it keeps in flight (mu). */
  readonly window?: number;
  /** Bytes of each value a register scenario writes (the SWARM family, `raw`): a multiple of 8, at least 16; scenario default when absent. */
  readonly valueBytes?: number;
  /** Crash whoever leads at this time (its host: process and memory); a scenario with `leader` only. */
  readonly crashLeaderAt?: number;
  /** Pause whoever leads at this time, for `pauseFor` (simulator only). */
  readonly pauseLeaderAt?: number;
  readonly pauseFor?: number;
  /** Where the run happens: the simulator (default) or a real backend. */
  readonly backend?: 'sim' | 'shm' | 'tcp';
  /** A user scenario's module (file URL), set when `protocol` names a scenario loaded with `--scenario`; workers load it too. */
  readonly scenarioModule?: string;
}

/** Options with every default filled in: what the trace header records. */
export interface ResolvedOptions extends RunOptions {
  readonly n: number;
  readonly memories: number;
  readonly horizon: number;
  readonly ops: number;
}

/** A property that a run broke. */
export interface Violation {
  readonly property: string;
  readonly detail: string;
  /**
   * What the violation is about, when its checker knows: the processes and
   * application operations (`op` numbers of the trace) involved.
   * `mnm run --explain` shows the trace around them; without it, the
   * processes named in `detail` (as `pN`).
   */
  readonly involved?: { readonly processes?: readonly ProcessId[]; readonly operations?: readonly number[] };
}

/** One protocol's experiment: its layout, its processes' bodies, and the properties its runs must keep. */
export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /** Deliberately broken variants, by name, with what each breaks. */
  readonly mutants: Readonly<Record<string, string>>;
  readonly defaults: { readonly n: number; readonly memories: number; readonly ops: number };
  /** Throws a message (what is wrong, what is accepted) when sizes do not suit the protocol. */
  validate(options: ResolvedOptions): void;
  tolerance(options: ResolvedOptions): Tolerance;
  regions(options: ResolvedOptions): RegionSpec[];
  /**
   * The body of one process, or undefined for a process that only serves.
   * A pure function of the options and the process id, sharing no state
   * with other bodies, so that a real backend can build it inside its own
   * thread or OS process.
   */
  body(options: ResolvedOptions, process: ProcessId): ProcessMain | undefined;
  /**
   * Safety properties of a finished run's history (liveness is judged by the
   * runner). `memories` is what the memories themselves saw, where the
   * backend can tell (the simulator): the permission grants that carried a
   * proposal, in each memory's execution order.
   */
  check(history: readonly HistoryEvent[], options: ResolvedOptions, notes: readonly NoteEvent[], memories?: MemoryEvidence): Violation[];
  /** Scenario-specific figures for the run report (`details` in `mnm run --json`), e.g. decisions or signatures. */
  details?(history: readonly HistoryEvent[], options: ResolvedOptions, notes: readonly NoteEvent[]): Record<string, unknown>;
  /**
   * The simulator cuts a mid-write crash's landing writes short for good
   * (SimulationConfig.cutShortWrites): for protocols whose records survive a
   * permanently torn copy (Mu; the memory logs of PMP and Disk Paxos, with
   * two copies per slot). Default off.
   */
  readonly cutShortWrites?: boolean;
  /** The span of virtual time within which a fault profile draws its faults (default: a span covering the workload). */
  readonly faultWindow?: (options: ResolvedOptions) => number;
  /** The longest pause or partition a fault profile draws (default: a third of the fault window). */
  readonly outageMax?: (options: ResolvedOptions) => number;
  /** Sizes implied by `--f` (e.g. n = 2f+1); a scenario without it rejects `--f`. */
  readonly sizeFor?: (f: number, options?: { readonly clients?: number }) => { readonly n: number; readonly memories?: number };
  /** The f a run has when neither `--n` nor `--f` is given (sizes n through `sizeFor`, so `--clients C` alone adds C client processes); `defaults.n` when absent. */
  readonly defaultF?: number;
  /** Workloads the scenario accepts (first = default); none when absent. */
  readonly workloads?: readonly string[];
  /** Replicated logs the scenario runs on (`--log`; first = default, a mixed sweep draws one); none when absent. */
  readonly logs?: readonly string[];
  /** The log sizes (`--slots`) a mixed sweep draws (undefined: the scenario's default); a scenario without it rejects `--slots`. */
  readonly mixSlots?: (random: Prng, options: { readonly log?: string }) => number | undefined;
  /** The shortest horizon that can judge liveness (e.g. every broadcast's slow path after the faults); a default horizon is raised to it. */
  readonly minimumHorizon?: (options: ResolvedOptions) => number;
  /** Sizes a mixed sweep may draw (n, memories or f within what the scenario accepts); f = 1..2 through `sizeFor` when absent. */
  readonly mixSizes?: (random: Prng) => MixedSizes;
  /** The workload a mixed sweep draws (uniform over `workloads` when absent): scenarios weight their stressful ones. */
  readonly mixWorkload?: (random: Prng) => string;
  /** Whether the scenario has a Byzantine adversary catalogue (a mixed sweep then draws `--adversary all`). */
  readonly adversaries?: boolean;
  /** The memories of a run that does not give `--memories`, from its processes and log (default: `defaults.memories`): Mu needs one per replica. */
  readonly defaultMemories?: (n: number, log: string | undefined) => number;
  /** Run options beyond the common ones that the scenario takes (`clients`, `window`, `value-bytes`); others reject them. */
  readonly accepts?: readonly ('clients' | 'window' | 'value-bytes')[];
  /**
   * Every process is one client (the SWARM family): `--clients C` then sets
   * the processes, as `--n C` does (giving both, they must agree). Without
   * it `--clients` means clients spread over the processes (mu).
   */
  readonly clientsAreProcesses?: boolean;
  /**
   * Process pI and memory mI share host hI, so pI's verbs on mI are local
   * (SimulationConfig.colocated): no network delay on the simulator.
   */
  readonly colocated?: (options: ResolvedOptions) => boolean;
  /**
   * Who leads, for `--crash-leader-at` / `--pause-leader-at`: `at` from the
   * run's notes so far and the crashed processes (the simulator resolves it
   * when the fault strikes); `predicted` from the crash faults that struck
   * before (what a real backend's coordinator, which sees no notes while the
   * run goes, can tell). Undefined: nobody leads.
   */
  readonly leader?: {
    readonly at: (notes: readonly NoteEvent[], crashed: readonly ProcessId[]) => ProcessId | undefined;
    readonly predicted: (crashed: readonly ProcessId[], options: ResolvedOptions) => ProcessId | undefined;
  };
  /**
   * Figures merged into the report's `metrics`, from the run's notes and
   * the faults that struck; `scale` turns the notes' times into the
   * figures' unit (1 on the simulator; µs per time unit on a real backend).
   */
  readonly metrics?: (history: readonly HistoryEvent[], options: ResolvedOptions, notes: readonly NoteEvent[], faults: readonly Fault[], scale: number) => Record<string, unknown>;
  /** The run's linearizability verdict: true, false, or null when the check was undecided (`linearizable` in `mnm run --json`). */
  readonly linearizable?: (history: readonly HistoryEvent[], options: ResolvedOptions, notes: readonly NoteEvent[]) => boolean | null;
  /** Processes whose bodies must finish when faults stay within tolerance (all spawned ones by default). */
  readonly mustFinish?: (options: ResolvedOptions) => readonly ProcessId[];
  /**
   * Invariants of the memories' contents, checked by the simulator right
   * after every change lands (a write, a swapping CAS, an FAA, a mid-write
   * crash cutting a write short; sim/watch.ts): e.g. SWARM's "buffers only
   * grow" and Invariant D. Each finding is a violation of the run, named by
   * the watcher's property and the verb that broke it, judged with the
   * others. Simulator only (a real backend cannot watch its memories);
   * undefined: nothing watched, at no cost.
   */
  readonly memoryWatcher?: (options: ResolvedOptions) => MemoryWatcher | undefined;
  /**
   * What the memories hold before the run (a load phase: SWARM-KV's key
   * index and KEYs, swarm.md §6), rebuilt from the options on every run
   * and replay (SimulationConfig.preload). Simulator only for now: a real
   * backend refuses a scenario with a preload.
   */
  readonly preload?: (options: ResolvedOptions) => readonly Preload[];
}
