import { forEachMemory, majority, QuorumFailed, TimedOut, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { isPrePrepared } from '../common/ballot.js';
import { PhaseTimer, timedPhase } from '../common/phaseTimer.js';
import { ConsensusLog, slotCapacityFor, validateLogOptions, type AcceptOutcome, type LogAlgorithm, type LogContext, type LogOptions, type PrepareOutcome } from './consensusLog.js';
import type { DiskPaxosMutant } from './mutants.js';
import { adoptedByIndex, finalReadClear, highestBallot } from './logChoice.js';
import { encodeLogSlot, encodeProposal, memoryLogRegion, proposalAddress, readMemoryView, SlotCopies, slotAddress, validateMemoryLog, type MemoryLogLayout, type MemoryView } from './logSlot.js';

/**
 * Disk Paxos (Gafni & Lamport) as a log: one instance per index, with the
 * Multi-Paxos shell of consensusLog.ts. Regions are `open`; every step
 * writes on every memory and then reads, each completed at a majority.
 *
 * Phase 1 of ballot b writes this process's proposal word (one word for all
 * instances) and reads the proposal row and every row from the first
 * instance the leader does not know decided. Phase 2 at index i writes the
 * slot of row i, then reads the proposal row and row i again: the decision
 * stands only if that final read shows nothing above b. Safety, per index,
 * is Disk Paxos' own argument: of two ballots b < b', either b's final read
 * at i (after its write) sees b''s proposal word on a common memory, or b''s
 * phase-1 read (after its proposal write) sees b's accepted slot at row i.
 * `pipelined` issues each read right behind its write (queue-pair order: the
 * read still sees the write).
 */
export interface DiskPaxosLogConfig extends LogOptions {
  readonly region: string;
  readonly memories: readonly MemoryId[];
  readonly pipelined: boolean;
  readonly mutant?: DiskPaxosMutant;
}

function layoutOf(config: Pick<DiskPaxosLogConfig, 'region' | 'memories' | 'capacity' | 'entries'>): MemoryLogLayout {
  return { region: config.region, memories: config.memories, slotCapacity: slotCapacityFor(config.capacity), entries: config.entries };
}

/** The regions a Disk Paxos log needs (one, `open`). */
export function diskPaxosLogRegions(config: Pick<DiskPaxosLogConfig, 'region' | 'memories' | 'capacity' | 'entries'>, processCount: number): RegionSpec[] {
  return [memoryLogRegion(layoutOf(config), processCount, 'open')];
}

class DiskPaxosSteps implements LogAlgorithm {
  private readonly fabric: Fabric;
  private readonly timer: PhaseTimer;
  private readonly needed: number;
  private readonly verify: boolean;
  /** Which copy of each of this process's slots its next write goes to (logSlot.ts: a write cut short never tears the last whole one). */
  private readonly copies: SlotCopies;

  constructor(
    private readonly context: LogContext,
    private readonly config: DiskPaxosLogConfig,
    private readonly layout: MemoryLogLayout,
  ) {
    this.fabric = context.fabric;
    this.copies = new SlotCopies(layout.entries);
    this.timer = new PhaseTimer(config.timing.phase);
    this.needed = majority(config.memories.length);
    this.verify = config.mutant !== 'no-checksum';
  }

  async prepare(ballot: bigint, from: number): Promise<PrepareOutcome> {
    // Ballot 1 is pre-prepared: nothing can have been accepted below it, at any index.
    if (isPrePrepared(ballot)) return { adopted: new Map() };
    const proposal = encodeProposal(ballot);
    const views = await this.step(
      (memory) => this.fabric.write(proposalAddress(this.layout, memory, this.fabric.self), proposal),
      (memory) => readMemoryView(this.fabric, memory, this.layout, from, this.layout.entries, this.verify),
    );
    if (views === undefined) return { preempted: ballot };
    const highest = views.reduce((top, view) => (highestBallot(view) > top ? highestBallot(view) : top), 0n);
    if (highest > ballot) return { preempted: highest };
    return { adopted: adoptedByIndex(views) };
  }

  async accept(ballot: bigint, index: number, entry: Uint8Array): Promise<AcceptOutcome> {
    const slot = encodeLogSlot({ accepted: ballot, value: entry }, this.layout.slotCapacity);
    const finalRead = this.config.mutant !== 'no-final-read';
    const views = await this.step(
      (memory) => this.fabric.write(slotAddress(this.layout, memory, this.fabric.processCount, index, this.fabric.self, this.copies.next(memory, index)), slot),
      finalRead ? (memory) => readMemoryView(this.fabric, memory, this.layout, index, index + 1, this.verify) : undefined,
    );
    if (views === undefined) return { preempted: ballot };
    for (const view of views) if (!finalReadClear(view, ballot)) return { preempted: highestBallot(view) };
    return 'decided';
  }

  /** Write on every memory, then (optionally) read, each completed at a majority; the views read, or undefined when the step gave up. */
  private async step(write: (memory: MemoryId) => Promise<void>, read: ((memory: MemoryId) => Promise<MemoryView>) | undefined): Promise<MemoryView[] | undefined> {
    const { memories } = this.config;
    const phase = <T>(task: (memory: MemoryId) => Promise<T>) => timedPhase(this.context.clock, this.timer, (limit) => forEachMemory(memories, this.needed, task, limit));
    try {
      if (!read) {
        await phase(write);
        return [];
      }
      if (this.config.pipelined) {
        const results = await phase((memory) => {
          const written = write(memory);
          const view = read(memory);
          return written.then(() => view);
        });
        return results.map((result) => result.value);
      }
      await phase(write);
      const results = await phase(read);
      return results.map((result) => result.value);
    } catch (error) {
      if (error instanceof QuorumFailed || error instanceof TimedOut) return undefined;
      throw error;
    }
  }
}

/** A replicated log decided by Disk Paxos, one instance per index. */
export class DiskPaxosLog extends ConsensusLog {
  constructor(fabric: Fabric, config: DiskPaxosLogConfig) {
    validateLogOptions(config);
    const layout = layoutOf(config);
    validateMemoryLog(fabric, layout);
    super(fabric, (context) => new DiskPaxosSteps(context, config, layout), config);
  }
}
