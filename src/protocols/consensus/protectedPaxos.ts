import { TimedOut, forEachMemory, majority, PermissionDenied, QuorumFailed, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { isPrePrepared } from './ballot.js';
import type { AttemptOutcome, ConsensusAlgorithm } from './proposer.js';
import { adoptedValue, consensusSlotSize, encodeConsensusSlot, highestProposal, readAllSlots, type ConsensusSlot, type SlotLayout } from './slot.js';

/**
 * Protected Memory Paxos (Aguilera et al., PODC 2019). "Memory gives write
 * permission to the last process that requested it": regions are
 * `exclusive-writer`, so a write that succeeds proves nobody requested
 * permission since — the proposer ran alone — and Disk Paxos' final read is
 * not needed. p0 holds permission everywhere at the start and owns the
 * pre-prepared ballot 1: its first try is one write round trip to a
 * majority = 2 delays. A new leader pays permission, write and read per
 * memory (phase 1), then a write (phase 2).
 *
 * Why it is safe: if p decided v with ballot b on majority M1 and a later
 * leader q completed phase 1 on majority M2, they share a memory j. Had q
 * taken the permission on j before p's write, p's write would have been
 * refused; so q took it after, and q's read on j (issued after its grant)
 * sees (b, v). Paxos' induction then makes q adopt v. Only memories need
 * majorities, so any f < n processes may crash.
 */
export const protectedPaxosMutants = {
  'no-permissions': 'plain writes on open regions: no permission request, so a write no longer proves that the proposer ran alone',
} as const;
export type ProtectedPaxosMutant = keyof typeof protectedPaxosMutants;

export interface ProtectedPaxosConfig extends SlotLayout {
  readonly mutant?: ProtectedPaxosMutant;
}

export function protectedPaxosRegion(config: ProtectedPaxosConfig, processCount: number): RegionSpec {
  const size = processCount * consensusSlotSize(config.capacity);
  if (config.mutant === 'no-permissions') return { name: config.region, size, policy: 'open', memories: [...config.memories] };
  return { name: config.region, size, policy: 'exclusive-writer', owner: 0, memories: [...config.memories] };
}

export class ProtectedPaxos implements ConsensusAlgorithm {
  private readonly slotSize: number;
  /** Memories on which this process believes it holds write permission; a refused write corrects it. */
  private readonly holds = new Set<MemoryId>();

  constructor(
    private readonly fabric: Fabric,
    private readonly config: ProtectedPaxosConfig,
  ) {
    this.slotSize = consensusSlotSize(config.capacity);
    if (fabric.self === 0 || config.mutant === 'no-permissions') for (const memory of config.memories) this.holds.add(memory);
  }

  async attempt(ballot: bigint, input: Uint8Array): Promise<AttemptOutcome> {
    const { memories } = this.config;
    const needed = majority(memories.length);
    let value = input;
    // Phase 1 is skipped only by p0's pre-prepared ballot, while it holds permission from the start.
    if (!(isPrePrepared(ballot) && this.fabric.self === 0)) {
      const proposal = new Uint8Array(8);
      new DataView(proposal.buffer).setBigUint64(0, ballot, true);
      let slots: ConsensusSlot[];
      try {
        const results = await forEachMemory(memories, needed, async (memory) => {
          if (!this.holds.has(memory)) {
            await this.fabric.requestPermission({ memory, region: this.config.region }, 'read-write');
            this.holds.add(memory);
          }
          await this.guardedWrite(memory, proposal);
          // Read only after holding permission and writing: anyone who wins this memory later sees our proposal.
          return this.readSlots(memory);
        }, this.limit());
        slots = results.flatMap((result) => result.value);
      } catch (error) {
        if (error instanceof QuorumFailed || error instanceof TimedOut) return { preempted: ballot };
        throw error;
      }
      if (highestProposal(slots) > ballot) return { preempted: highestProposal(slots) };
      value = adoptedValue(slots) ?? input;
    }
    const mine = encodeConsensusSlot({ proposal: ballot, accepted: ballot, value }, this.config.capacity);
    try {
      await forEachMemory(memories, needed, (memory) => this.guardedWrite(memory, mine), this.limit());
    } catch (error) {
      if (error instanceof QuorumFailed || error instanceof TimedOut) return { preempted: ballot };
      throw error;
    }
    // No final read: each successful write proves no one took the memory since our phase 1.
    return { decided: value };
  }

  private limit() {
    return { timeout: this.config.phaseTimeout, timers: this.fabric };
  }

  private async guardedWrite(memory: MemoryId, data: Uint8Array): Promise<void> {
    try {
      await this.fabric.write({ memory, region: this.config.region, offset: this.fabric.self * this.slotSize }, data);
    } catch (error) {
      if (error instanceof PermissionDenied) this.holds.delete(memory);
      throw error;
    }
  }

  private readSlots(memory: MemoryId): Promise<ConsensusSlot[]> {
    return readAllSlots(this.fabric, memory, this.config);
  }
}
