import type { Fabric } from '../../../../fabric/index.js';
import { MalformedField } from '../fieldCodec.js';
import { decodeMessage, type CodecLimits } from '../codec.js';

export interface SilentReplicaOptions {
  readonly n: number;
  /** Every Byzantine replica of the run. */
  readonly colluders: readonly number[];
  readonly limits: CodecLimits;
  /** How long it stays (listening) at most. */
  readonly stayUs: number;
  /** It leaves once it heard nothing for this long (the correct replicas are done, or will never need it). */
  readonly idleUs: number;
}

/**
 * `silent` (specs/bft-consensus.md §6): a replica that never sends nor
 * writes anything, not even the CB's echoes of the other streams. It only
 * listens, to report its effect: a correct replica's SHARE shows that the
 * fast path (PROMISE and COMMIT-FAST from all n) was lost for good.
 */
export async function runSilentReplica(fabric: Fabric, options: SilentReplicaOptions): Promise<void> {
  let reported = false;
  let heardAt = fabric.now();
  fabric.onMessage((message) => {
    heardAt = fabric.now();
    if (reported || message.from >= options.n || options.colluders.includes(message.from)) return;
    try {
      const decoded = decodeMessage(message.data, options.limits);
      if (decoded.type !== 'share') return;
      reported = true;
      fabric.note('adversary-effect', { adversary: 'silent', reason: `p${message.from} took the slow path at (${decoded.view}, ${decoded.instance}) without us` });
    } catch (error) {
      if (!(error instanceof MalformedField)) throw error;
    }
  });
  const until = fabric.now() + options.stayUs;
  // Listening costs nothing; waking every idleUs bounds how long it outstays the run.
  while (fabric.now() < until && fabric.now() - heardAt < options.idleUs) await fabric.sleep(Math.min(options.idleUs, until - fabric.now()));
}
