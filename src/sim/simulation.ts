import { validateRegionSpec, type Fabric, type HistoryEvent, type NoteEvent, type MemoryId, type ProcessId, type ProcessMain, type RegionSpec } from '../fabric/index.js';
import { traceVersion, type TraceSink } from '../trace/format.js';
import { noTrace } from '../trace/recorder.js';
import type { OrderedGrant, SimContext, SimCounters } from './context.js';
import { describeFault, type Fault } from './faults.js';
import type { HostId } from '../fabric/faults.js';
import { HoldBook } from './holdBook.js';
import { NotePauseBook, type NotePause } from './notePauses.js';
import { validateHolds, type Hold } from './holds.js';
import type { LatencyModel } from './latency.js';
import { SimMemory } from './memory.js';
import { Network } from './network.js';
import { Prng } from './prng.js';
import { SimProcess } from './process.js';
import { Scheduler, type RunEnd, type SimEvent } from './scheduler.js';
import { History, SimFabric } from './simFabric.js';
import { VerbTransport } from './verbs.js';
import { MemoryWatch, type MemoryViolation, type MemoryWatcher } from './watch.js';

export interface SimulationConfig {
  /** Name of the scenario (goes into the trace header). */
  readonly scenario: string;
  readonly seed: number;
  /** Everything needed to re-run this scenario; goes into the trace header verbatim. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: readonly RegionSpec[];
  readonly latency: LatencyModel;
  /** The run stops at this virtual time at the latest. */
  readonly horizon: number;
  readonly faults?: readonly Fault[];
  /** Where the trace goes; tracing is off when absent (sweeps and raw-speed benchmarks). */
  readonly trace?: TraceSink;
  /** Largest clock offset of a process's local clock (uniform in ±skew); 0 by default. */
  readonly clockSkew?: number;
  /** Largest relative drift of a process's local clock (uniform in ±drift); 0 by default. */
  readonly clockDrift?: number;
  /**
   * How long a multi-word write takes to land, as a fraction in (0, 1] of
   * that write's own completion delay: its words land at independent random
   * times within `tearFraction × (completion − arrival)` after it arrives.
   * Absent: within 0.9 × the latency model's minimum delay. Either way a
   * writer that sees its completion has the whole write in place.
   */
  readonly tearFraction?: number;
  /** A scripted schedule: events kept back until something else happened (docs/schedules.md). */
  readonly holds?: readonly Hold[];
  /**
   * A mid-write crash also cuts short the crashed writer's writes still
   * landing: their words not landed yet never land, so a multi-word record
   * may stay torn for good (a NIC stopping halfway through a long write).
   * Off by default: the contract's protocols retry torn reads, which only
   * ends if a tear is transient (DESIGN.md); a protocol built for permanent
   * tears (Mu's two copies per slot) turns it on.
   */
  readonly cutShortWrites?: boolean;
  /** Hears every application operation event (invoke and return) as it happens: to stream the history to a file, or to show progress. */
  readonly onHistoryEvent?: (event: HistoryEvent) => void;
  /**
   * Faults whose target is chosen when they strike, from the run's own state
   * (e.g. `--crash-leader-at T`: whoever leads at T, from the notes so far).
   * At `at` (before anything else due then, like any fault) `resolve` sees
   * the notes and the crashed processes and returns the fault to inject, or
   * undefined for none. Deterministic: the state at `at` is.
   */
  readonly dynamicFaults?: readonly DynamicFault[];
  /** Pauses that strike at a process's note (`p0@note:bft-decide+600`, notePauses.ts); each struck one is listed in `resolvedFaults` as a timed pause. */
  readonly notePauses?: readonly NotePause[];
  /**
   * Process pI and memory mI share host hI (Mu: a replica's log is in its
   * own host's memory): a verb of pI on mI is a local access and takes no
   * network delay (it arrives and completes at its issue time, still in its
   * queue pair's order). Off by default (docs/fabric.md, "Co-located memories").
   */
  readonly colocated?: boolean;
  /**
   * An invariant of the memories' contents, checked right after every change
   * lands (a write, a CAS that swapped, an FAA, a mid-write crash's cut):
   * its findings are the result's `memoryViolations`. It only reads, so the
   * run's schedule and trace are the same with or without it; absent, the
   * simulator copies nothing for it.
   */
  readonly memoryWatcher?: MemoryWatcher;
  /**
   * Contents of the memories before the run (a load phase, e.g. SWARM-KV's
   * key index and KEYs): each piece goes into its region at every memory
   * holding it, or at `memories` only. Not verbs: nothing is traced or
   * watched, and a replay rebuilds them from the same parameters.
   */
  readonly preload?: readonly Preload[];
}

/** Bytes a region holds at the start of the run (SimulationConfig.preload). */
export interface Preload {
  readonly region: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** The memories that get it (default: every memory holding the region). */
  readonly memories?: readonly MemoryId[];
}

/** A fault resolved when it strikes (SimulationConfig.dynamicFaults). */
export interface DynamicFault {
  readonly at: number;
  readonly resolve: (state: { readonly notes: readonly NoteEvent[]; readonly crashedProcesses: readonly ProcessId[] }) => Fault | undefined;
}

export interface SimulationResult {
  readonly end: RunEnd;
  /** Virtual time when the run ended. */
  readonly time: number;
  readonly history: readonly HistoryEvent[];
  /** Every `Fabric.note` of the run. */
  readonly notes: readonly NoteEvent[];
  readonly crashedProcesses: readonly ProcessId[];
  readonly crashedMemories: readonly MemoryId[];
  /** Live processes whose body had not returned when the run ended. */
  readonly unfinished: readonly ProcessId[];
  /** Process bodies that threw (a protocol bug, never a fault). */
  readonly errors: readonly { readonly process: ProcessId; readonly message: string }[];
  readonly counters: Readonly<SimCounters>;
  /** Granted permission requests that carried a proposal, in execution order (each memory's order is the truth about who held a region when). */
  readonly orderedGrants: readonly OrderedGrant[];
  readonly events: number;
  /** The faults `dynamicFaults` and `notePauses` resolved to, in the order they struck. */
  readonly resolvedFaults: readonly Fault[];
  /** What the memory watcher found, in the order the changes landed (empty without a watcher). */
  readonly memoryViolations: readonly MemoryViolation[];
}

/**
 * One simulated world: processes, memories, the network, faults and the
 * clock, built from a config and a seed. The parts live in their own modules
 * (scheduler, memory, verbs, network, process, faults); this wires them.
 * Same config and seed, same execution and same trace, byte for byte.
 */
export class Simulation {
  private readonly context: SimContext;
  private readonly verbs: VerbTransport;
  private readonly network: Network;
  private readonly history: History;
  private readonly fabrics: SimFabric[];
  private readonly spawned = new Set<ProcessId>();
  private readonly crashedProcesses: ProcessId[] = [];
  private readonly resolvedFaults: Fault[] = [];
  private readonly crashedMemories: MemoryId[] = [];
  private started = false;
  /** Its own stream, so that mid-write crashes reshuffle nothing else. */
  private readonly midWriteRandom: Prng;

  constructor(private readonly config: SimulationConfig) {
    const { seed, processCount, memoryCount, regions } = config;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed ${seed} must be a non-negative integer`);
    if (!Number.isInteger(processCount) || processCount < 1) throw new Error(`process count ${processCount} must be at least 1`);
    if (!Number.isInteger(memoryCount) || memoryCount < 0) throw new Error(`memory count ${memoryCount} must be at least 0`);
    const names = new Set<string>();
    for (const spec of regions) {
      validateRegionSpec(spec, processCount, memoryCount);
      if (names.has(spec.name)) throw new Error(`region '${spec.name}' is defined twice`);
      names.add(spec.name);
    }
    this.history = new History(config.onHistoryEvent);
    const { tearFraction, holds } = config;
    if (tearFraction !== undefined && !(typeof tearFraction === 'number' && tearFraction > 0 && tearFraction <= 1)) {
      throw new RangeError(`tear fraction ${tearFraction} is not accepted (accepted: a number in (0, 1], the share of a write's completion delay within which its words land; absent = within 0.9 × the minimum delay)`);
    }
    if (holds !== undefined) validateHolds(holds, { processCount, memoryCount });
    const holdBook = holds !== undefined && holds.length > 0 ? new HoldBook<SimEvent>(holds, config.trace) : undefined;
    const scheduler = new Scheduler(new Prng(seed, 'schedule'), holdBook);
    const clocks = new Prng(seed, 'clocks');
    const processes = Array.from({ length: processCount }, (_, id) => {
      const skew = (config.clockSkew ?? 0) * (2 * clocks.float() - 1);
      const drift = (config.clockDrift ?? 0) * (2 * clocks.float() - 1);
      return new SimProcess(id, scheduler, new Prng(seed, `process:${id}`), skew, drift);
    });
    // Multi-word writes land within less than the shortest one-way delay, so a
    // writer that sees its write complete has it fully in place before anyone
    // who starts reading afterwards can reach the memory. (`tearFraction`
    // replaces this per write, in verbs.ts.)
    const tearWindow = config.latency.minimum * 0.9;
    const memories = Array.from({ length: memoryCount }, (_, id) => new SimMemory(id, regions, processCount, tearWindow, new Prng(seed, `memory:${id}`)));
    for (const piece of config.preload ?? []) {
      const spec = regions.find((region) => region.name === piece.region);
      if (spec === undefined) throw new Error(`preload: no region '${piece.region}'`);
      for (const memory of piece.memories ?? spec.memories ?? memories.map((_, id) => id)) {
        if (!(memory >= 0 && memory < memoryCount) || (spec.memories && !spec.memories.includes(memory))) throw new Error(`preload: m${memory} holds no region '${piece.region}'`);
        memories[memory].load(piece.region, piece.offset, piece.bytes);
      }
    }
    this.context = {
      scheduler,
      latency: config.latency,
      network: new Prng(seed, 'network'),
      processes,
      memories,
      tracing: config.trace !== undefined,
      trace: config.trace ?? noTrace,
      counters: { verbs: 0, messages: 0, tornReads: 0, permissionChanges: 0 },
      orderedGrants: [],
      ...(holdBook ? { holds: holdBook } : {}),
      ...(config.notePauses !== undefined && config.notePauses.length > 0 ? { notePauses: new NotePauseBook(config.notePauses, (pause) => this.strikeNotePause(pause)) } : {}),
      ...(config.memoryWatcher ? { watch: new MemoryWatch(config.memoryWatcher) } : {}),
    };
    this.verbs = new VerbTransport(this.context, { ...(tearFraction === undefined ? {} : { tearFraction }), ...(config.colocated ? { colocated: true } : {}) });
    this.network = new Network(this.context, new Prng(seed, 'message-faults'));
    this.midWriteRandom = new Prng(seed, 'mid-write-crashes');
    this.fabrics = processes.map((process) => new SimFabric(this.context, process, regions, this.verbs, this.network, this.history));
  }

  /** The fabric handle of a process (e.g. for a scenario's passive processes). */
  fabric(process: ProcessId): Fabric {
    return this.fabrics[process];
  }

  /** A memory, for the scenario's administrative access and for tests. */
  memory(memory: MemoryId): SimMemory {
    return this.context.memories[memory];
  }

  /** Virtual time now. */
  now(): number {
    return this.context.scheduler.now();
  }

  /** Starts `main` on `process` when the run starts; the run is done when every spawned body returned or its process crashed. */
  spawn(process: ProcessId, main: ProcessMain): void {
    if (this.started) throw new Error('spawn before run()');
    if (this.spawned.has(process)) throw new Error(`p${process} already has a body`);
    this.spawned.add(process);
    const runtime = this.context.processes[process];
    const fabric = this.fabrics[process];
    this.context.scheduler.at(0, () =>
      // Through `deliver`, like every wake-up: a process paused from the start starts when its pause ends.
      runtime.deliver(() => {
        main(fabric).then(
          () => {
            runtime.finished = true;
          },
          (error: unknown) => {
            runtime.finished = true;
            runtime.error = error;
          },
        );
      }),
    );
  }

  /**
   * Crashes a process now: it stops, and nothing reaches it any more. Its
   * verbs already on their way still arrive — unless `midWrite`: then, on
   * each of its queue pairs, a random suffix of them never does (drawn from
   * the run's `mid-write-crashes` stream), and its writes still landing at
   * a live memory are cut short: the words not landed yet never land, so a
   * multi-word write may stay torn for good, and nothing it sent that memory
   * after a write cut short arrives (a batch takes effect as a prefix).
   */
  crashProcess(process: ProcessId, midWrite = false, host?: HostId): void {
    const runtime = this.context.processes[process];
    if (runtime.crashed) return;
    runtime.crash();
    this.crashedProcesses.push(process);
    const detail = [...(host === undefined ? [] : [`host h${host}`]), ...(midWrite ? ['mid-write'] : [])].join(', ');
    this.traceFault('crash', `p${process}`, detail === '' ? {} : { detail });
    if (midWrite) {
      this.verbs.loseInFlight(process, this.midWriteRandom);
      if (this.config.cutShortWrites) {
        for (const memory of this.context.memories) {
          // Nothing behind a write cut short arrives: the batch takes effect as a prefix.
          if (!memory.crashed && memory.cutShortWrites(process, this.now(), this.watchCut(memory, process)) > 0) this.verbs.loseAllInFlight(process, memory.id);
        }
      }
    }
  }

  /** With a memory watcher: what tells it of each word a cut-short write puts back. */
  private watchCut(memory: SimMemory, process: ProcessId): ((region: string, offset: number, before: Uint8Array) => void) | undefined {
    const watch = this.context.watch;
    if (watch === undefined) return undefined;
    return (region, offset, before) => {
      const live = memory.liveBytes(region);
      if (live === undefined) return;
      watch.changed({
        memory: memory.id,
        region,
        offset,
        length: before.length,
        before,
        after: live.subarray(offset, offset + before.length),
        regionBytes: (name) => memory.liveBytes(name),
        kind: 'cut',
        process,
        time: this.now(),
      });
    };
  }

  /** Crashes a memory now: every verb that reaches it afterwards never completes. */
  crashMemory(memory: MemoryId, host?: HostId): void {
    const target = this.context.memories[memory];
    if (target.crashed) return;
    target.crashed = true;
    this.crashedMemories.push(memory);
    this.traceFault('crash', `m${memory}`, host === undefined ? {} : { detail: `host h${host}` });
  }

  /**
   * Crashes host `host` now: its memory and its process at the same instant
   * (memory first, so that nothing the process still has in flight to its
   * own memory lands). Both are traced, each marked with the host.
   */
  crashHost(host: HostId, midWrite = false): void {
    this.crashMemory(host, host);
    this.crashProcess(host, midWrite, host);
  }

  private traceFault(fault: string, target: string, extra: { until?: number; detail?: string } = {}): void {
    if (this.context.tracing) this.context.trace.event({ t: this.now(), type: 'fault', fault, target, ...extra });
  }

  private scheduleFault(fault: Fault): void {
    // A fault strikes before anything else due at its instant: `--crash p0@0` means p0 never runs.
    this.context.scheduler.atFirst(fault.at, () => {
      this.inject(fault);
      return false;
    });
  }

  /** A note pause strikes now, inside the noting process's turn: its later wake-ups wait. */
  private strikeNotePause(pause: NotePause): void {
    const fault: Fault = { kind: 'pause', at: this.now(), process: pause.process, duration: pause.duration };
    this.resolvedFaults.push(fault);
    this.context.processes[pause.process].pause(this.now() + pause.duration);
    this.traceFault('pause', `p${pause.process}`, { until: this.now() + pause.duration, detail: `at its note ${pause.kind}${pause.occurrence === 1 ? '' : ` #${pause.occurrence}`}` });
  }

  private scheduleDynamicFault(fault: DynamicFault): void {
    this.context.scheduler.atFirst(fault.at, () => {
      const resolved = fault.resolve({ notes: this.history.notes, crashedProcesses: this.crashedProcesses });
      if (resolved !== undefined) {
        this.resolvedFaults.push(resolved);
        this.inject({ ...resolved, at: this.now() });
      }
      return false;
    });
  }

  private inject(fault: Fault): void {
    const { scheduler, processes } = this.context;
    const network = this.network;
    {
      switch (fault.kind) {
        case 'crash-process':
          this.crashProcess(fault.process, fault.midWrite === true);
          break;
        case 'crash-memory':
          this.crashMemory(fault.memory);
          break;
        case 'crash-host':
          this.crashHost(fault.host, fault.midWrite === true);
          break;
        case 'pause':
          processes[fault.process].pause(this.now() + fault.duration);
          this.traceFault('pause', `p${fault.process}`, { until: this.now() + fault.duration });
          break;
        case 'partition': {
          for (const process of fault.side) network.faults.sides.set(process, 1);
          this.traceFault('partition', fault.side.map((process) => `p${process}`).join(','), { until: this.now() + fault.duration });
          scheduler.after(fault.duration, () => {
            network.faults.sides.clear();
            this.traceFault('heal', 'network');
            return false;
          });
          break;
        }
        case 'slow-link':
          this.verbs.stall(fault.process, fault.memory, this.now() + fault.duration);
          this.traceFault('slow-link', `p${fault.process}->m${fault.memory}`, { until: this.now() + fault.duration });
          break;
        case 'lossy': {
          Object.assign(network.faults, { dropRate: fault.dropRate, delayRate: fault.delayRate, extraDelay: fault.extraDelay });
          this.traceFault('lossy', 'network', { until: this.now() + fault.duration, detail: describeFault(fault) });
          scheduler.after(fault.duration, () => {
            Object.assign(network.faults, { dropRate: 0, delayRate: 0, extraDelay: 0 });
            this.traceFault('reliable', 'network');
            return false;
          });
          break;
        }
      }
    }
  }

  /** Runs the world until every body is done, nothing is left to happen, or the horizon. */
  async run(): Promise<SimulationResult> {
    if (this.started) throw new Error('a simulation runs once');
    this.started = true;
    const { config, context } = this;
    if (context.tracing) {
      context.trace.header({
        type: 'header',
        version: traceVersion,
        scenario: config.scenario,
        seed: config.seed,
        backend: 'sim',
        params: config.params,
        processes: config.processCount,
        memories: config.memoryCount,
        latency: config.latency.name,
        regions: config.regions,
      });
    }
    for (const fault of config.faults ?? []) this.scheduleFault(fault);
    for (const fault of config.dynamicFaults ?? []) this.scheduleDynamicFault(fault);
    const processes = context.processes;
    const spawned = [...this.spawned];
    const isDone = () => spawned.every((process) => processes[process].finished || processes[process].crashed);
    const end = await context.scheduler.run(config.horizon, isDone);
    const events = context.scheduler.eventsFired;
    if (context.tracing) context.trace.event({ t: this.now(), type: 'end', reason: end, events });
    return {
      end,
      time: this.now(),
      history: this.history.events,
      notes: this.history.notes,
      crashedProcesses: [...this.crashedProcesses],
      crashedMemories: [...this.crashedMemories],
      unfinished: spawned.filter((process) => !processes[process].finished && !processes[process].crashed),
      errors: spawned.flatMap((process) =>
        processes[process].error === undefined ? [] : [{ process, message: errorMessage(processes[process].error) }],
      ),
      counters: { ...context.counters },
      orderedGrants: [...context.orderedGrants],
      events,
      resolvedFaults: [...this.resolvedFaults],
      memoryViolations: context.watch ? context.watch.report() : [],
    };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
