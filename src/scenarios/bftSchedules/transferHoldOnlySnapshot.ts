import type { Fabric, ProcessId } from '../../fabric/index.js';
import { freeCosts, type KeySource } from '../../crypto/index.js';
import { BftReplica, type BftReplicaConfig } from '../../protocols/byzantine/bft/replica.js';
import { BftKvClient, BftOutcomeUnknown } from '../../protocols/byzantine/bft/client.js';
import { KvService } from '../../protocols/byzantine/bft/kvService.js';
import type { BftMutant } from '../../protocols/byzantine/bft/mutants.js';
import type { BftReplicaBehaviour, ByzantineContext } from '../../protocols/byzantine/bft/adversaries/behaviour.js';
import type { PointMessage, StreamMessage } from '../../protocols/byzantine/bft/messages.js';
import type { BroadcastLayout } from '../../protocols/byzantine/layout.js';
import { slotBytesFor } from '../bftSetup.js';
import type { ResolvedOptions } from '../scenario.js';
import { bftScheduleScenarioName, type BftSchedule } from './schedule.js';
import { awaitingClients, sayDone, seamedFabric, transferF, transferScenario, transferWindow, type FabricSeams } from './transferScript.js';

/**
 * §6 `hold-only-snapshot` (§2.7.1: keep the snapshot at each checkpoint
 * point ≥ N executed, not only the newest): "one snapshot; b hash-swaps p1,
 * CKPT-SHAREs 8 to p1 only; p0 holds CP(4), runs 8–11; p1 FETCHes 8, b
 * silent". n = 3, W = 8 (checkpoints every 4), b = p2 a Byzantine replica
 * (the correct code with a behaviour: what it sends and writes is filtered),
 * p0 and p1 correct, one honest client p3 putting 12 values: instances 0–11.
 *
 * - p0 leads view 0 and decides by the slow path with b: b SHAREs to p0 and
 *   COMMITs in its own stream, so COMMITs in f+1 = 2 streams decide.
 * - b hash-swaps p1: p1 never delivers b's stream (its copies of b's sender
 *   slots read empty), so b's COMMITs do not count at p1; and p0's SHAREs to
 *   p1 are delayed past the run (the network is asynchronous), so p1 makes
 *   no PC of its own. p1 promises, never decides: it can only catch up by
 *   state transfer.
 * - b CKPT-SHAREs 4 to both (CP(4) = {p0, b}: p0 CHECKPOINTs it, so it may
 *   propose up to 4 + W − 1 = 11; p1 FETCHes CP(4) and installs it), but
 *   CKPT-SHAREs 8 to p1 only, and only once p0 has run 8–11 (p0's
 *   CKPT-SHARE(12) tells b), and 12 to nobody; b keeps its own CHECKPOINTs
 *   of CP(8) and CP(12) out of its stream. So p0's newest CP stays CP(4)
 *   while p1 holds CP(8) = {p0, b}.
 * - p1 FETCHes CP(8): from p0, then b, rotating every Tfetch; b is silent
 *   to p1 throughout. Correct p0 kept the snapshots at 4, 8 and 12 (all
 *   ≥ N = 4, executed) and answers STATE(CP(8)); p1 installs it. The mutant
 *   kept only the newest, 12: p0 answers HAVE-CP(8), and p1 never catches
 *   up — the run owes it (§4: a laggard reaches a correct signer within
 *   Tdecide), so the check reports liveness.
 */

const replicas = 3;
const client: ProcessId = 3;
const b: ProcessId = 2;
const puts = 12;
/** The replicas serve until the client's calls are over, then linger 2·Tdecide (p1's FETCH rotates over p0 and b twice), report where they ended and stop. */
const linger = 268;
/** The replicas' safety net, should the calls not end (the run's horizon is a little later). */
const giveUpAt = 2_000;

const layout: BroadcastLayout = { processCount: replicas, memories: [0, 1, 2], senders: [0, 1, 2], messages: 64, shape: { messageCapacity: slotBytesFor(transferF, 1, transferWindow), readyCapacity: transferF + 1 } };

/**
 * Unit latency: the scripted runs' timers (Tfwd 60, Tdecide 134 so Tfetch
 * 67, Treq 198, Tview 268; §2.5.4's bounds), but Tslow 4: nothing here
 * decides fast (b promises to nobody but p0, p1 never gets b's PROMISE),
 * so each instance waits Tslow for its SHAREs, and a short one keeps the
 * run short.
 */
const timing = { slow: 4, forward: 60, decide: 134, request: 198, view: 268 };

/** What b = p2 sends and writes, beyond the correct code's choices (see the module's comment). */
class CheckpointHidingReplica implements BftReplicaBehaviour {
  readonly name = 'hold-only-snapshot-b';
  private context: ByzantineContext | undefined;
  /** b's CKPT-SHARE(8), kept for p1 until p0 has run 8–11. */
  private shareAtEight: PointMessage | undefined;
  private p0RanEleven = false;
  private released = false;

  attach(context: ByzantineContext): void {
    this.context = context;
  }

  point(to: number, message: PointMessage): readonly PointMessage[] {
    if (to === 1) {
      if (message.type === 'ckpt-share' && message.next === 4) return [message];
      if (message.type === 'ckpt-share' && message.next === 8) {
        this.shareAtEight = message;
        this.release();
      }
      // Silent to p1 otherwise: no PROMISE, SHARE, HAVE-CP, and no STATE for its FETCHes.
      return [];
    }
    if (to === 0 && message.type === 'ckpt-share' && message.next >= 8) return [];
    return [message];
  }

  stream(message: StreamMessage): readonly StreamMessage[] {
    return message.type === 'checkpoint' && message.checkpoint.next >= 8 ? [] : [message];
  }

  observePoint(from: number, message: PointMessage): void {
    if (from !== 0 || message.type !== 'ckpt-share' || message.next !== 12) return;
    this.p0RanEleven = true;
    this.release();
  }

  private release(): void {
    if (this.released || !this.shareAtEight || !this.p0RanEleven) return;
    this.released = true;
    this.context?.sendRaw(1, this.shareAtEight);
  }
}

function replicaConfig(keys: KeySource, service: KvService, extra: Partial<BftReplicaConfig>): BftReplicaConfig {
  return {
    f: transferF,
    window: transferWindow,
    batchLimit: 1,
    clients: [client],
    keys,
    costs: freeCosts,
    service,
    // p1 never echoes b's stream (hash-swapped), so b's CB signs on signTimeout: a short one keeps each instance short.
    broadcast: { layout, signTimeout: 5, readyTimeout: 30, idleAfter: 20, idlePoll: 8, window: 4 },
    timing,
    ...extra,
  };
}

/** A replica's body: serve until the client is done, linger, note where it ended, stop. */
function replicaBody(keys: KeySource, options: ResolvedOptions, process: ProcessId): (fabric: Fabric) => Promise<void> {
  return async (outer) => {
    const service = new KvService();
    const seams: FabricSeams = process === 0 ? { send: (to, message) => !(to === 1 && message?.type === 'share') } : process === 1 ? { undelivered: [b] } : {};
    const awaiting = awaitingClients(outer, [client]);
    const fabric = seamedFabric(awaiting.fabric, layout, seams);
    const extra: Partial<BftReplicaConfig> = process === b ? { byzantine: new CheckpointHidingReplica(), colluders: [b] } : options.mutant ? { mutant: options.mutant as BftMutant } : {};
    const replica = new BftReplica(fabric, replicaConfig(keys, service, extra));
    replica.stopBy(giveUpAt);
    let cancel: () => void = () => undefined;
    await Promise.race([awaiting.done, new Promise<void>((resolve) => (cancel = outer.setTimer(giveUpAt - linger, resolve)))]);
    cancel();
    await outer.sleep(linger);
    outer.note('bft-script-view', { v: replica.currentView, executed: replica.executed });
    outer.note('kv-state', { applied: replica.executed, digest: service.digest(), final: true });
    await replica.stop();
  };
}

export const holdOnlySnapshotSchedule: BftSchedule = {
  mutant: 'hold-only-snapshot',
  step: '2.7.1',
  interleaving: 'b hash-swaps p1 (p0\'s SHAREs to p1 late), CKPT-SHAREs 8 to p1 only once p0 ran 8–11; p0 holds CP(4); p1 FETCHes CP(8) from p0, b silent',
  caughtAs: ['liveness'],
  scenario: transferScenario({
    name: bftScheduleScenarioName('hold-only-snapshot'),
    summary: 'bft §6 schedule hold-only-snapshot: p1 FETCHes CP(8) from p0, whose newest CP is 4 and who ran 8–11',
    processes: replicas + 1,
    byzantine: [b],
    honestClients: [client],
    clients: [client],
    layout,
    horizon: giveUpAt + 500,
    liveness: true,
    body(options, process, keys) {
      if (process < replicas) return replicaBody(keys, options, process);
      if (process !== client) return undefined;
      return async (fabric: Fabric) => {
        const kv = new BftKvClient(fabric, { f: transferF, keys, costs: freeCosts, resendAfter: 2 * timing.decide, giveUpAfter: giveUpAt - 400 });
        try {
          for (let value = 1; value <= puts; value++) await kv.put('x', `v${value}`);
        } catch (error) {
          // A call given up is in the history (info); the liveness check speaks for it.
          if (!(error instanceof BftOutcomeUnknown)) throw error;
        }
        sayDone(fabric);
      };
    },
  }),
};
