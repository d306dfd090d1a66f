import type { Fabric, ProcessId } from '../../fabric/index.js';
import { Signer, freeCosts, type KeySource } from '../../crypto/index.js';
import { BftReplica } from '../../protocols/byzantine/bft/replica.js';
import { KvService } from '../../protocols/byzantine/bft/kvService.js';
import { encodeMessage } from '../../protocols/byzantine/bft/codec.js';
import { snapshotDigest } from '../../protocols/byzantine/bft/stateCodec.js';
import type { CheckpointCertificate, PointMessage, Snapshot } from '../../protocols/byzantine/bft/messages.js';
import type { BroadcastLayout } from '../../protocols/byzantine/layout.js';
import type { BftMutant } from '../../protocols/byzantine/bft/mutants.js';
import { bftScheduleScenarioName, type BftSchedule } from './schedule.js';
import { transferF, transferScenario, transferWindow } from './transferScript.js';

/**
 * §6 `install-back` (§2.7.2): state transfer at one correct replica, p1,
 * whose peers p0 and p2 are scripts. They send exactly the CKPT-SHAREs and
 * STATEs the schedule needs, at fixed times, so each refusal and each
 * install is one step of a readable timeline (unit latency: a message takes
 * 1; nothing else moves, so the times are the schedule whatever the seed).
 * p0 and p2 sign with their own keys, so the CPs they make are valid CPs
 * (f+1 = 2 signers at n = 3).
 *
 * The timeline (W = 8, checkpoints every 4): p0 and p2 CKPT-SHARE 12, so p1
 * holds CP(12) while it executed nothing, and FETCHes it from p0 (the first
 * signer). A STATE from p2 (not asked), one with a forged CP, one whose
 * snapshot does not hash to d, then the right one from p0. Then CP(16): p1
 * FETCHes again from p0, and p0 answers late with STATE(CP(8)) — valid,
 * matching, from the target, but behind executed+1 = 12 — before the
 * STATE(CP(16)). Correct code refuses the late one; the mutant installs it
 * after reaching 11, and its state moves back (integrity).
 */

/** p3: a configured client with no body (its key makes the snapshots' client table). */
export const installBackClient = 3;

const layout: BroadcastLayout = { processCount: 3, memories: [0, 1, 2], senders: [0, 1, 2], messages: 64, shape: { messageCapacity: 2176, readyCapacity: 2 } };

/** The state after executing instances 0..next−1 (one put each): the snapshot a CP at `next` certifies. */
export function snapshotAt(next: number, value = String(next)): Snapshot {
  return { pairs: [['x', value]], clients: [{ client: installBackClient, last: next, result: new Uint8Array() }] };
}

/** The scripted peers' signatures (p0 and p2 sign as themselves; `forgedOn` relabels one). */
export class PeerSigners {
  private readonly signers: Signer[];

  constructor(keys: KeySource) {
    this.signers = [0, 1, 2].map((id) => new Signer(id, keys, 4));
  }

  shareOf(signer: number, next: number, snapshot = snapshotAt(next)): PointMessage {
    const digest = snapshotDigest(snapshot);
    return { type: 'ckpt-share', next, digest, signature: this.signers[signer].sign({ purpose: 'checkpoint', next, digest }) };
  }

  cpAt(next: number, by = [0, 2], snapshot = snapshotAt(next)): CheckpointCertificate {
    const digest = snapshotDigest(snapshot);
    return { next, digest, shares: by.map((signer) => ({ signer, signature: this.signers[signer].sign({ purpose: 'checkpoint', next, digest }) })) };
  }

  /** A "CP" on `snapshot` signed by p0 alone, its second share p0's signature relabelled as p2's. */
  forgedOn(snapshot: Snapshot): CheckpointCertificate {
    const digest = snapshotDigest(snapshot);
    const signature = this.signers[0].sign({ purpose: 'checkpoint', next: snapshot.clients[0].last, digest });
    return { next: snapshot.clients[0].last, digest, shares: [{ signer: 0, signature }, { signer: 2, signature }] };
  }
}

/** One scripted step: at `at`, `from` sends `message` to p1. */
export interface PeerStep {
  readonly at: number;
  readonly from: 0 | 2;
  readonly message: PointMessage;
}

/** The install-back timeline (see the module's comment). */
export function installBackSteps(signers: PeerSigners): PeerStep[] {
  const cp12 = signers.cpAt(12);
  const forged = signers.forgedOn(snapshotAt(12));
  return [
    { at: 10, from: 0, message: signers.shareOf(0, 12) },
    { at: 10, from: 2, message: signers.shareOf(2, 12) },
    { at: 20, from: 2, message: { type: 'state', checkpoint: cp12, snapshot: snapshotAt(12) } },
    { at: 30, from: 0, message: { type: 'state', checkpoint: forged, snapshot: snapshotAt(12) } },
    { at: 40, from: 0, message: { type: 'state', checkpoint: cp12, snapshot: snapshotAt(12, 'swapped') } },
    { at: 50, from: 0, message: { type: 'state', checkpoint: cp12, snapshot: snapshotAt(12) } },
    { at: 60, from: 0, message: signers.shareOf(0, 16) },
    { at: 60, from: 2, message: signers.shareOf(2, 16) },
    { at: 70, from: 0, message: { type: 'state', checkpoint: signers.cpAt(8), snapshot: snapshotAt(8) } },
    { at: 80, from: 0, message: { type: 'state', checkpoint: signers.cpAt(16), snapshot: snapshotAt(16) } },
  ];
}

/** p1 runs alone among its scripted peers: the last step is at 80; it reports where it ended at 400 and stops. */
const reportAt = 400;

/**
 * A scenario of one correct replica p1 and scripted peers p0, p2 sending
 * `steps` (built from the run's keys).
 */
function peerScriptScenario(name: string, summary: string, steps: (signers: PeerSigners) => readonly PeerStep[]) {
  return transferScenario({
    name,
    summary,
    processes: 4,
    byzantine: [0, 2],
    honestClients: [],
    clients: [installBackClient],
    layout,
    horizon: 2_000,
    liveness: false,
    body(options, process: ProcessId, keys) {
      if (process === 1) {
        return async (fabric: Fabric) => {
          const service = new KvService();
          const replica = new BftReplica(fabric, {
            f: transferF,
            window: transferWindow,
            batchLimit: 1,
            clients: [installBackClient],
            keys,
            costs: freeCosts,
            service,
            broadcast: { layout, signTimeout: 30, readyTimeout: 30, idleAfter: 20, idlePoll: 8, window: 4 },
            // Tfetch = Tdecide/(f+1) = 1000: the FETCH stays with its first target for the whole schedule.
            timing: { slow: 300, forward: 600, decide: 2_000, request: 3_000 },
            ...(options.mutant ? { mutant: options.mutant as BftMutant } : {}),
          });
          replica.stopBy(1_500);
          await fabric.sleep(reportAt);
          fabric.note('bft-script-view', { v: replica.currentView, executed: replica.executed });
          fabric.note('kv-state', { applied: replica.executed, digest: service.digest(), final: true });
          await replica.stop();
        };
      }
      if (process !== 0 && process !== 2) return undefined;
      return async (fabric: Fabric) => {
        let now = 0;
        for (const step of steps(new PeerSigners(keys)).filter((candidate) => candidate.from === process)) {
          await fabric.sleep(step.at - now);
          now = step.at;
          fabric.send(1, encodeMessage(step.message));
        }
      };
    },
  });
}

export const installBackSchedule: BftSchedule = {
  mutant: 'install-back',
  step: '2.7.2',
  interleaving: 'p1 holds CP(12) (p0, p2 scripted), installs STATE(CP(12)) after refusing a non-target, a forged CP and a swapped snapshot; FETCHes CP(16); p0 answers late STATE(CP(8)) before STATE(CP(16))',
  caughtAs: ['integrity'],
  scenario: peerScriptScenario(bftScheduleScenarioName('install-back'), 'bft §6 schedule install-back: a late STATE for CP(8) after p1 reached 11', installBackSteps),
};
