import { unanimousReady } from './decide.js';
import type { RecordView } from './views.js';

/**
 * The sender's role of consistent broadcast, as a pure function of what it
 * read (spec step 1). It wrote m into its slot S[s][k] when the broadcast
 * started; from then on, each round:
 * - every process's record shows Ready(H(m)) — every process decided H(m),
 *   the fast path is through — so its broadcast is complete, unsigned;
 * - otherwise, once `signTimeout` passed since its write, it signs
 *   σ_s(s, k, H(m)) and writes it as `sig` (a silent or flipping replicator
 *   thus always triggers the signature, so validity never rests on unanimity);
 * - otherwise it waits.
 *
 * Waiting for acknowledgements (Ready) rather than for echoes, as the spec
 * words it, is stronger: a replicator that shows H(m) to the sender and then
 * flips cannot stop a receiver that had not decided yet. Only the number of
 * signatures in the Byzantine case changes; safety does not rest on the sender.
 */
export type SenderAction = 'complete' | 'sign' | 'wait';

export interface SendingView {
  /** H(m) of the message in the slot. */
  readonly hash: Uint8Array;
  /** When the sender started the broadcast (issued its write of m). */
  readonly startedAt: number;
}

export function senderNext(sending: SendingView, records: readonly RecordView[], now: number, signTimeout: number): SenderAction {
  if (unanimousReady(records, sending.hash)) return 'complete';
  return now - sending.startedAt >= signTimeout ? 'sign' : 'wait';
}
