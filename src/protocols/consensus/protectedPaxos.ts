import { TimedOut, forEachMemory, majority, PermissionDenied, QuorumFailed, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { isPrePrepared } from '../common/ballot.js';
import { PhaseTimer, timedPhase } from '../common/phaseTimer.js';
import type { AttemptOutcome, ConsensusAlgorithm } from './proposer.js';
import { phaseOneReady } from './readiness.js';
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
 * The straggler rule (specs/consensus.md §3). "For every memory in parallel,
 * until a majority" leaves the slowest memories' steps running. A permission
 * request of mine that lands after my phase 1 ended can take a memory back
 * from a higher ballot that already decided there, and a write of mine right
 * behind it then succeeds although I never read that memory after the grant.
 * So:
 * - per memory, this process runs one chain of steps at a time (`lanes`):
 *   a new attempt's steps on m start only once every earlier step of mine on
 *   m — an abandoned attempt's permission request included — has completed,
 *   and an abandoned attempt issues nothing more. So no request of mine is in
 *   flight to m while an attempt works there, and none lands between the
 *   grant its phase 1 used and its phase-2 write;
 * - a phase-2 write to m counts only if this ballot's own phase 1 completed
 *   on m (grant, proposal written, slots read after both, nothing higher
 *   seen) — also when that phase 1 completes late, after the majority.
 *
 * Why it is safe: let p decide v with ballot b on majority M1 and let a higher
 * ballot b' of q complete phase 1 on M2; they share a memory j. Let G be the
 * grant p's phase 1 used on j (or p0's initial permission, for ballot 1) and
 * W p's phase-2 write there, which succeeded. No grant to p lands on j in
 * (G, W) (the lanes), and a grant to q in (G, W) would have revoked p and
 * refused W. If q's grant came before G, q's proposal b' was written on j
 * before G (after G, q's write is refused unless q is granted again, and then
 * take that grant), so p's read after G shows b' > b and p's phase 1 on j is
 * not ready: W would not count — a contradiction. So q's grant comes after W,
 * and q's read on j (issued after its grant) shows (b, v); the usual Paxos
 * induction makes q adopt v. Only memories need majorities, so any f < n
 * processes may crash.
 */
export const protectedPaxosMutants = {
  'no-permissions': 'plain writes on open regions: no permission request, so a write no longer proves that the proposer ran alone',
  'phase2-any-memory': "counts a phase-2 write on any memory, even one where this ballot's phase 1 never completed (a straggling permission request lets it through)",
  'fixed-timers': 'phase and leader timeouts stay at their first value and never adapt, so a new leader never finishes when delays vary widely',
  'no-checksum': "adopts slots without checking their checksum, so a read that overlaps a rewrite can adopt a value torn between two writes",
} as const;
export type ProtectedPaxosMutant = keyof typeof protectedPaxosMutants;

export interface ProtectedPaxosConfig extends SlotLayout {
  readonly mutant?: ProtectedPaxosMutant;
}

export function protectedPaxosRegion(config: Pick<ProtectedPaxosConfig, 'region' | 'memories' | 'capacity' | 'mutant'>, processCount: number): RegionSpec {
  const size = processCount * consensusSlotSize(config.capacity);
  if (config.mutant === 'no-permissions') return { name: config.region, size, policy: 'open', memories: [...config.memories] };
  return { name: config.region, size, policy: 'exclusive-writer', owner: 0, memories: [...config.memories] };
}

/** An attempt that a later one replaced: its steps stop before issuing anything more. */
class Abandoned extends Error {
  constructor(ballot: bigint) {
    super(`attempt with ballot ${ballot} abandoned`);
    this.name = 'Abandoned';
  }
}

/** A memory on which this ballot's phase 1 did not complete cleanly: its phase-2 write cannot count. */
class NotReady extends Error {
  constructor(memory: MemoryId, ballot: bigint) {
    super(`phase 1 of ballot ${ballot} did not complete on m${memory}`);
    this.name = 'NotReady';
  }
}

export class ProtectedPaxos implements ConsensusAlgorithm {
  private readonly slotSize: number;
  /** Memories on which this process believes it holds write permission; a refused write corrects it. */
  private readonly holds = new Set<MemoryId>();
  /** Per memory, the last step of mine there: the next one starts after it (the straggler rule). */
  private readonly lanes = new Map<MemoryId, Promise<unknown>>();
  /** The ballot of the attempt in progress; steps of any other stop. */
  private current = 0n;
  private attempts = 0;
  private readonly timer: PhaseTimer;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: ProtectedPaxosConfig,
  ) {
    this.slotSize = consensusSlotSize(config.capacity);
    this.timer = new PhaseTimer(config.phaseTimeout);
    if (fabric.self === 0 || config.mutant === 'no-permissions') for (const memory of config.memories) this.holds.add(memory);
  }

  async attempt(ballot: bigint, input: Uint8Array): Promise<AttemptOutcome> {
    const { memories } = this.config;
    const needed = majority(memories.length);
    this.current = ballot;
    this.attempts++;
    // Phase 1 is skipped only by p0's pre-prepared ballot on its very first attempt: p0 holds
    // permission from the start and has issued no request, so the initial permission is its grant.
    const skipPhaseOne = isPrePrepared(ballot) && this.fabric.self === 0 && this.attempts === 1;
    const phaseOne = new Map<MemoryId, Promise<ConsensusSlot[]>>();
    let value = input;
    if (!skipPhaseOne) {
      for (const memory of memories) phaseOne.set(memory, this.onLane(memory, () => this.prepare(memory, ballot)));
      let slots: ConsensusSlot[];
      try {
        const results = await timedPhase(this.fabric, this.timer, (limit) => forEachMemory(memories, needed, (memory) => phaseOne.get(memory) as Promise<ConsensusSlot[]>, limit));
        slots = results.flatMap((result) => result.value);
      } catch (error) {
        if (isGiveUp(error)) return { preempted: ballot };
        throw error;
      }
      if (highestProposal(slots) > ballot) return { preempted: highestProposal(slots) };
      value = adoptedValue(slots) ?? input;
    }
    const mine = encodeConsensusSlot({ proposal: ballot, accepted: ballot, value }, this.config.capacity);
    try {
      await timedPhase(this.fabric, this.timer, (limit) =>
        forEachMemory(memories, needed, async (memory) => {
          // The mutant writes at once, behind whatever of this process is still in flight there
          // (a straggling permission request included), and counts any success.
          if (this.config.mutant === 'phase2-any-memory') return this.writeSlot(memory, ballot, mine);
          if (!skipPhaseOne) {
            // Safety rests on this line: the write counts only where this ballot's own phase 1
            // completed, however late, and showed nothing higher (the straggler rule).
            const slots = await (phaseOne.get(memory) as Promise<ConsensusSlot[]>);
            if (!phaseOneReady(slots, ballot)) throw new NotReady(memory, ballot);
          }
          return this.onLane(memory, () => this.writeSlot(memory, ballot, mine));
        }, limit),
      );
    } catch (error) {
      if (isGiveUp(error)) return { preempted: ballot };
      throw error;
    }
    // No final read: each successful write proves no one took the memory since our phase 1.
    return { decided: value };
  }

  /** Runs `step` on memory `memory` after every earlier step of this process there has settled. */
  private onLane<T>(memory: MemoryId, step: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(memory) ?? Promise.resolve();
    const next = previous.then(step, step);
    this.lanes.set(memory, next.catch(() => undefined));
    return next;
  }

  /** Phase 1 on one memory: permission (unless held), proposal, then a read issued after both. */
  private async prepare(memory: MemoryId, ballot: bigint): Promise<ConsensusSlot[]> {
    const proposal = new Uint8Array(8);
    new DataView(proposal.buffer).setBigUint64(0, ballot, true);
    this.ensureCurrent(ballot);
    if (!this.holds.has(memory)) await this.acquire(memory, ballot);
    try {
      await this.writeSlot(memory, ballot, proposal);
    } catch (error) {
      if (!(error instanceof PermissionDenied)) throw error;
      // The permission was taken since we last held it: ask again, then write behind the new grant.
      await this.acquire(memory, ballot);
      await this.writeSlot(memory, ballot, proposal);
    }
    this.ensureCurrent(ballot);
    // Read only after holding permission and writing: anyone who wins this memory later sees our proposal.
    return readAllSlots(this.fabric, memory, this.config, this.config.mutant !== 'no-checksum');
  }

  private async acquire(memory: MemoryId, ballot: bigint): Promise<void> {
    this.ensureCurrent(ballot);
    await this.fabric.requestPermission({ memory, region: this.config.region }, 'read-write');
    this.holds.add(memory);
  }

  private async writeSlot(memory: MemoryId, ballot: bigint, data: Uint8Array): Promise<void> {
    this.ensureCurrent(ballot);
    try {
      await this.fabric.write({ memory, region: this.config.region, offset: this.fabric.self * this.slotSize }, data);
    } catch (error) {
      if (error instanceof PermissionDenied) this.holds.delete(memory);
      throw error;
    }
  }

  private ensureCurrent(ballot: bigint): void {
    if (this.current !== ballot) throw new Abandoned(ballot);
  }
}

function isGiveUp(error: unknown): boolean {
  return error instanceof QuorumFailed || error instanceof TimedOut;
}
