import { TimedOut, forEachMemory, majority, QuorumFailed, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { isPrePrepared } from '../common/ballot.js';
import { PhaseTimer, timedPhase } from '../common/phaseTimer.js';
import type { AttemptOutcome, ConsensusAlgorithm } from './proposer.js';
import { adoptedValue, consensusSlotSize, encodeConsensusSlot, highestProposal, readAllSlots, type ConsensusSlot, type SlotLayout } from './slot.js';

/**
 * Shared-memory Paxos and Disk Paxos (Gafni & Lamport). Each process owns one
 * slot per memory; every step writes the own slot on every memory and reads
 * all slots, waiting for a majority of memories (one memory: shared-memory
 * Paxos). A phase is "write, then read": the final read is what detects a
 * concurrent proposer with a higher ballot. With one memory it tolerates any
 * f < n crashed processes; with k memories also a minority of crashed
 * memories.
 *
 * Common case (p0, pre-prepared ballot 1): phase 2 only — a write round trip
 * then a read round trip = 4 delays. `pipelined` issues each memory's read
 * right behind its write (queue-pair order guarantees the read sees the
 * write), which makes it 2 delays at the price of reading before knowing the
 * write landed on a majority.
 */
export const diskPaxosMutants = {
  'no-final-read': 'decides after the phase-2 write without reading the other slots again, missing a concurrent higher ballot',
  'fixed-timers': 'phase and leader timeouts stay at their first value and never adapt, so phases never fit when delays vary widely',
  'no-checksum': 'adopts slots without checking their checksum, so a read that overlaps a rewrite can adopt a value torn between two writes',
} as const;
export type DiskPaxosMutant = keyof typeof diskPaxosMutants;

export interface DiskPaxosConfig extends SlotLayout {
  readonly pipelined: boolean;
  readonly mutant?: DiskPaxosMutant;
}

export function diskPaxosRegion(config: Pick<DiskPaxosConfig, 'region' | 'memories' | 'capacity'>, processCount: number): RegionSpec {
  return { name: config.region, size: processCount * consensusSlotSize(config.capacity), policy: 'open', memories: [...config.memories] };
}

export class DiskPaxos implements ConsensusAlgorithm {
  private readonly slotSize: number;
  private readonly timer: PhaseTimer;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: DiskPaxosConfig,
  ) {
    this.slotSize = consensusSlotSize(config.capacity);
    this.timer = new PhaseTimer(config.phaseTimeout);
  }

  async attempt(ballot: bigint, input: Uint8Array): Promise<AttemptOutcome> {
    let value = input;
    if (!isPrePrepared(ballot)) {
      const proposal = new Uint8Array(8);
      new DataView(proposal.buffer).setBigUint64(0, ballot, true);
      const slots = await this.step((memory) => this.fabric.write(this.address(memory), proposal), true);
      if (slots === undefined || highestProposal(slots) > ballot) return { preempted: slots ? highestProposal(slots) : ballot };
      value = adoptedValue(slots) ?? input;
    }
    const mine = encodeConsensusSlot({ proposal: ballot, accepted: ballot, value }, this.config.capacity);
    const finalRead = this.config.mutant !== 'no-final-read';
    const slots = await this.step((memory) => this.fabric.write(this.address(memory), mine), finalRead);
    if (slots === undefined) return { preempted: ballot };
    if (finalRead && highestProposal(slots) > ballot) return { preempted: highestProposal(slots) };
    return { decided: value };
  }

  private address(memory: MemoryId) {
    return { memory, region: this.config.region, offset: this.fabric.self * this.slotSize };
  }

  /** Write on every memory, then (optionally) read all slots, each completed at a majority; returns every slot read. */
  private async step(write: (memory: MemoryId) => Promise<void>, read: boolean): Promise<ConsensusSlot[] | undefined> {
    const { memories } = this.config;
    const needed = majority(memories.length);
    const phase = <T>(task: (memory: MemoryId) => Promise<T>) => timedPhase(this.fabric, this.timer, (limit) => forEachMemory(memories, needed, task, limit));
    try {
      if (!read) {
        await phase(write);
        return [];
      }
      if (this.config.pipelined) {
        const results = await phase((memory) => {
          const written = write(memory);
          const slots = this.readSlots(memory);
          return written.then(() => slots);
        });
        return results.flatMap((result) => result.value);
      }
      await phase(write);
      const results = await phase((memory) => this.readSlots(memory));
      return results.flatMap((result) => result.value);
    } catch (error) {
      if (error instanceof QuorumFailed || error instanceof TimedOut) return undefined;
      throw error;
    }
  }

  /** Reads every slot of one memory, re-reading while a slot is torn. */
  private readSlots(memory: MemoryId): Promise<ConsensusSlot[]> {
    return readAllSlots(this.fabric, memory, this.config, this.config.mutant !== 'no-checksum');
  }
}
