import { highestProposal, type ConsensusSlot } from './slot.js';

/**
 * Whether a memory's phase 1 for `ballot` completed cleanly: the slots read
 * there (after the grant and after our proposal was written) show no
 * proposal or accepted ballot above ours. Only on such a memory may a
 * phase-2 write of this ballot count toward a decision (PMP's straggler
 * rule): a memory where a higher ballot is already visible may be one where
 * that ballot decided, and a late grant of ours took it back.
 */
export function phaseOneReady(slots: readonly ConsensusSlot[], ballot: bigint): boolean {
  return highestProposal(slots) <= ballot;
}
