import type { MemoryView } from './logSlot.js';

/**
 * The memory logs' decisions, as small pure functions over what phase 1 and
 * phase 2 read (the async shells in protectedPaxosLog.ts and diskPaxosLog.ts
 * only issue verbs).
 */

/** The highest ballot a memory shows: any proposal word, any accepted ballot in the rows read. */
export function highestBallot(view: MemoryView): bigint {
  let highest = 0n;
  for (const proposal of view.proposals) if (proposal > highest) highest = proposal;
  for (const row of view.rows) for (const slot of row) if (slot.accepted > highest) highest = slot.accepted;
  return highest;
}

/**
 * The log's straggler rule (PMP): phase 2 of `ballot` may count a write on a
 * memory only if this ballot's own phase 1 there — grant, proposal written,
 * proposal row and every row from the first undecided index read after both
 * — showed nothing above `ballot`. It covers every index at once: the leader
 * keeps its permission and this readiness for all the indices it decides
 * with the ballot.
 */
export function phaseOneReadyForLog(view: MemoryView, ballot: bigint): boolean {
  return highestBallot(view) <= ballot;
}

/**
 * Paxos' adoption rule per index: for each index from `from` on, the value
 * accepted with the highest ballot in any view read (a leader must propose it
 * there again); indices where nothing was accepted are absent.
 */
export function adoptedByIndex(views: readonly MemoryView[]): Map<number, Uint8Array> {
  const best = new Map<number, { ballot: bigint; value: Uint8Array }>();
  for (const view of views) {
    view.rows.forEach((row, offset) => {
      const index = view.from + offset;
      for (const slot of row) {
        if (slot.accepted === 0n) continue;
        const current = best.get(index);
        if (current === undefined || slot.accepted > current.ballot) best.set(index, { ballot: slot.accepted, value: slot.value });
      }
    });
  }
  return new Map([...best].map(([index, { value }]) => [index, value]));
}

/** Disk Paxos' final read at `index`: the decision stands if nothing above `ballot` shows (proposal words, or that row). */
export function finalReadClear(view: MemoryView, ballot: bigint): boolean {
  return highestBallot(view) <= ballot;
}
