import { batchHash } from '../../protocols/byzantine/bft/codec.js';
import { planNewView } from '../../protocols/byzantine/bft/newView.js';
import { VcCertificateCollector, vcStateStatement } from '../../protocols/byzantine/bft/viewChange.js';
import type { ScriptTools } from './viewChangeHarness.js';

/**
 * b = p1 taking over view 1 as a Byzantine leader may (old-treq's censoring
 * leader, stale-obligations' stale one): it SEALs 0 at once, builds a valid
 * NEW_VIEW(1) from the VC-SHAREs the correct replicas send it (adding its
 * own signature to each state, as any replica may), writes it and
 * re-proposes the fixed batches, if any, as §2.6 asks. What it does next is
 * the caller's: `written` gets the first instance past the fixed ones.
 */
export function leadViewOne(tools: ScriptTools, written: (next: number) => void = () => undefined): void {
  const quorum = { f: tools.setup.f, n: tools.n, window: tools.setup.window };
  const self = tools.fabric.self;
  const collector = new VcCertificateCollector(self, quorum, (signer, statement, signature) => tools.signer.verify(signer, statement, signature));
  const empty = { hash: batchHash([]), batch: [] };
  let done = false;
  void tools.broadcast?.({ type: 'seal', view: 0 });
  tools.onPoint((from, message) => {
    if (done || message.type !== 'vc-share') return;
    collector.add(from, message);
    collector.add(self, { ...message, signature: tools.signer.sign(vcStateStatement(message.process, message.sealedBefore, message.sealed, message.state)) });
    const plan = planNewView({ self, view: 1, latestSeal: 0, certified: collector.forView(1), checkpoints: [], batchFor: () => undefined, emptyBatch: empty }, quorum);
    if (plan.status !== 'ready') return;
    done = true;
    void tools.broadcast?.(plan.message);
    plan.batches.forEach((batch, offset) => void tools.broadcast?.({ type: 'prepare', view: 1, instance: plan.fixed.start + offset, batch }));
    written(plan.fixed.start + plan.batches.length);
  });
}
