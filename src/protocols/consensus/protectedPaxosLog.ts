import { forEachMemory, majority, PermissionDenied, QuorumFailed, TimedOut, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { isPrePrepared } from '../common/ballot.js';
import { Lane } from '../common/lane.js';
import { PhaseTimer, timedPhase } from '../common/phaseTimer.js';
import { ConsensusLog, slotCapacityFor, validateLogOptions, type AcceptOutcome, type LogAlgorithm, type LogContext, type LogOptions, type PrepareOutcome } from './consensusLog.js';
import { adoptedByIndex, highestBallot, phaseOneReadyForLog } from './logChoice.js';
import { encodeLogSlot, encodeProposal, memoryLogRegion, proposalAddress, readMemoryView, SlotCopies, slotAddress, validateMemoryLog, type MemoryLogLayout, type MemoryView } from './logSlot.js';
import type { ProtectedPaxosMutant } from './mutants.js';

/**
 * Protected Memory Paxos (Aguilera et al., PODC 2019) as a log: one instance
 * per index under the Multi-Paxos shell of consensusLog.ts (the single-decree
 * `pmp` scenario is its one-entry case, singleDecree.ts). "Memory gives write
 * permission to the last process that requested it": regions are
 * `exclusive-writer`, so a write that succeeds proves nobody requested
 * permission since — the leader ran alone — and Disk Paxos' final read is
 * not needed.
 *
 * A leader's phase 1 for ballot b, per memory, on one lane step: permission
 * (unless held), its proposal word := b, then one read of every process's
 * proposal word and of every row from the first instance it does not know
 * decided. It keeps the permissions and the ballot afterwards: phase 2 at
 * index i is one write of its slot of row i, (b, entry), on every memory,
 * done at a majority — no read. p0 holds every permission at the start and
 * owns the pre-prepared ballot 1, so a stable p0 decides each index in one
 * write round trip from the first.
 *
 * The straggler rule carries over per ballot: a phase-2 write of b on memory
 * m counts only if b's own phase 1 on m completed (however late) and showed
 * nothing above b in the proposal row or in any row from the leader's first
 * undecided index on; and per memory, a phase 1 (the only step that requests
 * permission) starts only once every earlier step of this process there has
 * settled, while b's writes for different indices run side by side behind it
 * (common/lane.ts).
 *
 * Why it is safe, per index i: let p decide v at i with ballot b on majority
 * M1, and let q's higher ballot b' complete phase 1 on M2 with q's first
 * undecided index f ≤ i (if f > i, q learned i's decision from its
 * announcement and never proposes there). M1 and M2 share a memory j. Let G
 * be the grant b's phase 1 used on j (p0's initial permission for ballot 1)
 * and W p's write of row i there, which succeeded. No grant to p lands on j
 * in (G, W): the lane runs no permission request of p while b's writes run,
 * and a new ballot of p starts its phase 1 only after they settled. A grant
 * to q in (G, W) would have revoked p and refused W. If q's grant came before
 * G, q's proposal b' was on j before G (a write of q after G is refused
 * unless q is granted again — then take that grant), so p's read after G
 * shows b' > b, b's phase 1 on j is not ready, and W would not count — a
 * contradiction. So q's grant comes after W, q's read of j (issued after its
 * grant, covering rows from f ≤ i) shows (b, v) at row i, and the usual
 * Paxos induction on ballots makes q propose v at i. Only memories need
 * majorities: any f < n processes may crash.
 */
export interface ProtectedPaxosLogConfig extends LogOptions {
  readonly region: string;
  readonly memories: readonly MemoryId[];
  readonly mutant?: ProtectedPaxosMutant;
}

function layoutOf(config: Pick<ProtectedPaxosLogConfig, 'region' | 'memories' | 'capacity' | 'entries'>): MemoryLogLayout {
  return { region: config.region, memories: config.memories, slotCapacity: slotCapacityFor(config.capacity), entries: config.entries };
}

/** The regions a PMP log needs (one, `exclusive-writer` with p0 holding it; `open` for the no-permissions mutant). */
export function protectedPaxosLogRegions(config: Pick<ProtectedPaxosLogConfig, 'region' | 'memories' | 'capacity' | 'entries' | 'mutant'>, processCount: number): RegionSpec[] {
  return [memoryLogRegion(layoutOf(config), processCount, config.mutant === 'no-permissions' ? 'open' : 'exclusive-writer')];
}

/** An attempt that a later one replaced: its steps stop before issuing anything more. */
class Abandoned extends Error {
  constructor(ballot: bigint) {
    super(`ballot ${ballot} abandoned`);
    this.name = 'Abandoned';
  }
}

/** A memory on which this ballot's phase 1 did not complete cleanly: its phase-2 writes cannot count. */
class NotReady extends Error {
  constructor(memory: MemoryId, ballot: bigint) {
    super(`phase 1 of ballot ${ballot} did not complete on m${memory}`);
    this.name = 'NotReady';
  }
}

class ProtectedPaxosSteps implements LogAlgorithm {
  private readonly fabric: Fabric;
  private readonly holds = new Set<MemoryId>();
  private readonly lanes = new Map<MemoryId, Lane>();
  /** The ballot in use; steps of any other stop. */
  private current = 0n;
  private attempts = 0;
  /** Per memory, whether this ballot's phase 1 there completed cleanly; empty for the pre-prepared ballot. */
  private ready = new Map<MemoryId, Promise<boolean>>();
  private prePrepared = false;
  private readonly timer: PhaseTimer;
  private readonly needed: number;
  /** Which copy of each of this process's slots its next write goes to (logSlot.ts: a write cut short never tears the last whole one). */
  private readonly copies: SlotCopies;

  constructor(
    private readonly context: LogContext,
    private readonly config: ProtectedPaxosLogConfig,
    private readonly layout: MemoryLogLayout,
  ) {
    this.fabric = context.fabric;
    this.copies = new SlotCopies(layout.entries);
    this.timer = new PhaseTimer(config.timing.phase);
    this.needed = majority(config.memories.length);
    for (const memory of config.memories) this.lanes.set(memory, new Lane());
    if (this.fabric.self === 0 || config.mutant === 'no-permissions') for (const memory of config.memories) this.holds.add(memory);
  }

  async prepare(ballot: bigint, from: number): Promise<PrepareOutcome> {
    this.current = ballot;
    this.attempts++;
    this.ready = new Map();
    // Only p0's very first ballot skips phase 1: p0 holds permission from the start and has issued
    // no request, so the initial permission is its grant, and nothing below ballot 1 exists.
    this.prePrepared = isPrePrepared(ballot) && this.fabric.self === 0 && this.attempts === 1;
    if (this.prePrepared) return { adopted: new Map() };
    const views = new Map<MemoryId, Promise<MemoryView>>();
    for (const memory of this.config.memories) {
      const view = this.lane(memory).exclusive(() => this.prepareOn(memory, ballot, from));
      views.set(memory, view);
      this.ready.set(memory, view.then((seen) => phaseOneReadyForLog(seen, ballot), () => false));
    }
    let seen: MemoryView[];
    try {
      const results = await timedPhase(this.context.clock, this.timer, (limit) => forEachMemory(this.config.memories, this.needed, (memory) => views.get(memory) as Promise<MemoryView>, limit));
      seen = results.map((result) => result.value);
    } catch (error) {
      if (isGiveUp(error)) return { preempted: ballot };
      throw error;
    }
    let highest = 0n;
    for (const view of seen) {
      const top = highestBallot(view);
      if (top > highest) highest = top;
    }
    if (highest > ballot) return { preempted: highest };
    return { adopted: adoptedByIndex(seen) };
  }

  async accept(ballot: bigint, index: number, entry: Uint8Array): Promise<AcceptOutcome> {
    if (this.current !== ballot) return { preempted: ballot };
    const slot = encodeLogSlot({ accepted: ballot, value: entry }, this.layout.slotCapacity);
    try {
      await timedPhase(this.context.clock, this.timer, (limit) =>
        forEachMemory(
          this.config.memories,
          this.needed,
          async (memory) => {
            // The mutant writes at once, behind whatever of this process is still in flight there
            // (a straggling permission request included), and counts any success.
            if (this.config.mutant === 'phase2-any-memory') return this.writeSlot(memory, ballot, index, slot);
            if (!this.prePrepared) {
              // Safety rests on this line: the write counts only where this ballot's own phase 1
              // completed, however late, and showed nothing higher (the straggler rule, per ballot,
              // for every index the ballot decides).
              if (!(await this.ready.get(memory))) throw new NotReady(memory, ballot);
            }
            return this.lane(memory).shared(() => this.writeSlot(memory, ballot, index, slot));
          },
          limit,
        ),
      );
    } catch (error) {
      if (isGiveUp(error)) return { preempted: ballot };
      throw error;
    }
    // No final read: each successful write proves no one took the memory since our phase 1.
    return 'decided';
  }

  close(): void {
    this.current = 0n;
  }

  private lane(memory: MemoryId): Lane {
    return this.lanes.get(memory) as Lane;
  }

  /** Phase 1 on one memory: permission (unless held), proposal word, then a read issued after both. */
  private async prepareOn(memory: MemoryId, ballot: bigint, from: number): Promise<MemoryView> {
    const proposal = encodeProposal(ballot);
    this.ensureCurrent(ballot);
    if (!this.holds.has(memory)) await this.acquire(memory, ballot);
    try {
      await this.write(memory, ballot, proposalAddress(this.layout, memory, this.fabric.self), proposal);
    } catch (error) {
      if (!(error instanceof PermissionDenied)) throw error;
      // The permission was taken since we last held it: ask again, then write behind the new grant.
      await this.acquire(memory, ballot);
      await this.write(memory, ballot, proposalAddress(this.layout, memory, this.fabric.self), proposal);
    }
    this.ensureCurrent(ballot);
    // Read only after holding permission and writing: anyone who wins this memory later sees our proposal.
    return readMemoryView(this.fabric, memory, this.layout, from, this.layout.entries, this.config.mutant !== 'no-checksum');
  }

  private async acquire(memory: MemoryId, ballot: bigint): Promise<void> {
    this.ensureCurrent(ballot);
    await this.fabric.requestPermission({ memory, region: this.layout.region }, 'read-write');
    this.holds.add(memory);
  }

  private writeSlot(memory: MemoryId, ballot: bigint, index: number, slot: Uint8Array): Promise<void> {
    return this.write(memory, ballot, slotAddress(this.layout, memory, this.fabric.processCount, index, this.fabric.self, this.copies.next(memory, index)), slot);
  }

  private async write(memory: MemoryId, ballot: bigint, address: { memory: MemoryId; region: string; offset: number }, data: Uint8Array): Promise<void> {
    this.ensureCurrent(ballot);
    try {
      await this.fabric.write(address, data);
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

/** A replicated log decided by Protected Memory Paxos, one instance per index. */
export class ProtectedPaxosLog extends ConsensusLog {
  constructor(fabric: Fabric, config: ProtectedPaxosLogConfig) {
    validateLogOptions(config);
    const layout = layoutOf(config);
    validateMemoryLog(fabric, layout);
    super(fabric, (context) => new ProtectedPaxosSteps(context, config, layout), config);
  }
}
