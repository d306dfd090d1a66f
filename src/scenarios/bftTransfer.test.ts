import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runKeys } from '../crypto/signer.js';
import { freeCosts } from '../crypto/costs.js';
import { Simulation } from '../sim/simulation.js';
import { unitLatency } from '../sim/latency.js';
import type { Fabric, NoteEvent } from '../fabric/index.js';
import { broadcastRegions } from '../protocols/byzantine/layout.js';
import { BftReplica } from '../protocols/byzantine/bft/replica.js';
import { KvService } from '../protocols/byzantine/bft/kvService.js';
import { encodeMessage } from '../protocols/byzantine/bft/codec.js';
import { snapshotDigest } from '../protocols/byzantine/bft/stateCodec.js';
import type { BftMutant } from '../protocols/byzantine/bft/mutants.js';
import { installBackClient as client, installBackSchedule, PeerSigners, snapshotAt, type PeerStep as Step } from './bftSchedules/transferInstallBack.js';
import { runSchedule } from './bftSchedules/scheduleRuns.js';

/**
 * State transfer (specs/bft-consensus.md §2.7.2) at one correct replica, p1,
 * whose peers p0 and p2 are scripts: they send exactly the CKPT-SHAREs and
 * STATEs a schedule needs, at fixed times, so each refusal and each install
 * is one step of a readable timeline (unit latency: a message takes 1).
 * p0 and p2 sign with their own keys, so the CPs they make are valid CPs
 * (f+1 = 2 signers at n = 3); whether they are "correct" is the schedule's.
 *
 * The install-back timeline is the §6 schedule `install-back`
 * (bftSchedules/transferInstallBack.ts), run by name as `mnm run bft
 * --schedule install-back` runs it; the refusal schedules below run here.
 */

const keys = runKeys(61);
const signers = new PeerSigners(keys);
const shareOf = signers.shareOf.bind(signers);
const cpAt = signers.cpAt.bind(signers);
const forgedOn = signers.forgedOn.bind(signers);
const layout = { processCount: 3, memories: [0, 1, 2], senders: [0, 1, 2], messages: 64, shape: { messageCapacity: 2176, readyCapacity: 2 } };

interface Outcome {
  readonly notes: readonly NoteEvent[];
  /** p1's executed count at the end, and its KV pairs. */
  readonly executed: number;
  readonly pairs: readonly (readonly [string, string])[];
}

async function runAtP1(steps: readonly Step[], mutant?: BftMutant): Promise<Outcome> {
  const simulation = new Simulation({ scenario: 'bft-transfer', seed: 61, params: {}, processCount: 4, memoryCount: 3, regions: broadcastRegions(layout), latency: unitLatency, horizon: 2_000 });
  const service = new KvService();
  let executed = -1;
  simulation.spawn(1, async (fabric) => {
    const replica = new BftReplica(fabric, {
      f: 1, window: 8, batchLimit: 1, clients: [client], keys, costs: freeCosts, service,
      broadcast: { layout, signTimeout: 30, readyTimeout: 30, idleAfter: 20, idlePoll: 8, window: 4 },
      // Tfetch = Tdecide/(f+1) = 1000: the FETCH stays with its first target for the whole schedule.
      timing: { slow: 300, forward: 600, decide: 2_000, request: 3_000 },
      ...(mutant ? { mutant } : {}),
    });
    replica.stopBy(1_500);
    await fabric.sleep(400);
    executed = replica.executed;
    await replica.stop();
  });
  for (const sender of [0, 2] as const) {
    simulation.spawn(sender, async (fabric: Fabric) => {
      let now = 0;
      for (const step of steps.filter((candidate) => candidate.from === sender)) {
        await fabric.sleep(step.at - now);
        now = step.at;
        fabric.send(1, encodeMessage(step.message));
      }
    });
  }
  const result = await simulation.run();
  assert.deepEqual(result.errors, []);
  return { notes: result.notes, executed, pairs: service.pairs() };
}

const notesOf = (outcome: Outcome, kind: string) => outcome.notes.filter((note) => note.kind === kind && note.process === 1).map((note) => note.detail ?? {});

/** What the transfer schedules' scenarios report of p1 (`details` of `mnm run --json`). */
interface TransferDetails {
  readonly fetches: readonly { readonly process: number; readonly next: number; readonly to: number }[];
  readonly refused: readonly { readonly process: number; readonly from: number; readonly next: number; readonly reason: string }[];
  readonly skips: readonly { readonly process: number; readonly from: number; readonly to: number }[];
  readonly executed: Readonly<Record<string, number>>;
  readonly states: Readonly<Record<string, string>>;
}

/** The §6 schedule install-back by name, as the CLI runs it (seed 61: the keys the refusal schedules below sign with). */
async function runInstallBack(mutant?: BftMutant) {
  const report = await runSchedule(installBackSchedule, 61, mutant);
  const details = report.details as unknown as TransferDetails;
  const atP1 = <T extends { readonly process: number }>(rows: readonly T[]) => rows.filter((row) => row.process === 1).map(({ process: _process, ...rest }) => rest);
  return { report, details, fetches: atP1(details.fetches), refused: atP1(details.refused), skips: atP1(details.skips) };
}

describe('bft state transfer at a replica (§2.7.2, scripted peers)', () => {
  it('FETCHes a signer of the CP it is behind; refuses a STATE from a non-target, a forged CP, a digest mismatch and a CP not beyond executed+1; installs the rest forward', async () => {
    const run = await runInstallBack();
    assert.deepEqual(run.fetches, [{ next: 12, to: 0 }, { next: 16, to: 0 }]);
    const refused = run.refused.map((detail) => `${String(detail.from)}:${String(detail.next)}:${String(detail.reason)}`);
    assert.equal(refused.length, 4, refused.join('\n'));
    assert.match(refused[0], /^2:12:.*not the target of an outstanding FETCH/);
    assert.match(refused[1], /^0:12:.*is not valid/);
    assert.match(refused[2], /^0:12:.*does not hash/);
    assert.match(refused[3], /^0:8:.*does not move past executed\+1 = 12/);
    assert.deepEqual(run.skips, [{ from: 0, to: 11 }, { from: 12, to: 15 }]);
    assert.equal(run.details.executed.p1, 16);
    assert.equal(run.details.states.p1, new KvService([['x', '16']]).digest(), 'p1 holds x = 16');
    assert.deepEqual(run.report.violations, []);
  });

  it('mutant install-back: the same schedule installs the late STATE(CP(8)) after p1 reached 11, its state moves back, and the checks catch it', async () => {
    const run = await runInstallBack('install-back');
    assert.deepEqual(run.skips, [{ from: 0, to: 11 }, { from: 12, to: 7 }, { from: 8, to: 15 }], 'instances 8–11 are covered twice: once by CP(12), again after going back to CP(8)');
    const violations = run.report.violations;
    assert.ok(violations.some((violation) => violation.property === 'integrity' && /moved back/.test(violation.detail)), JSON.stringify(violations));
    assert.ok(installBackSchedule.caughtAs.includes('integrity'));
  });

  it('false-checkpoint: CKPT-SHAREs of a Byzantine p2 — a false digest, a garbage signature, off the W/2 grid, past N+2W, or alone on its digest — make no CP, so p1 fetches nothing', async () => {
    const bogus = snapshotAt(4, 'false');
    const bogusDigest = snapshotDigest(bogus);
    const steps: Step[] = [
      // p2 signs for 4 with a false digest, then sends a share on it with a garbage signature.
      { at: 10, from: 2, message: shareOf(2, 4, bogus) },
      { at: 12, from: 2, message: { type: 'ckpt-share', next: 4, digest: bogusDigest, signature: new Uint8Array(64).fill(7) } },
      { at: 14, from: 2, message: shareOf(2, 6) },
      { at: 16, from: 2, message: shareOf(2, 40) },
      // p0 (correct) signs the true state at 4: one share on each digest, no f+1 match.
      { at: 20, from: 0, message: shareOf(0, 4) },
      // p2 replays p0's true share as its own (the signature is p0's): refused, it does not verify as p2's.
      { at: 30, from: 2, message: shareOf(0, 4) },
    ];
    const outcome = await runAtP1(steps);
    assert.deepEqual(notesOf(outcome, 'bft-fetch'), [], 'no CP was made from p2\'s shares');
    assert.deepEqual(notesOf(outcome, 'bft-skip'), []);
    assert.equal(outcome.executed, 0);
    // The same schedule with p2's true share at 4 does make CP(4) = {p0, p2}: the refusals above are what kept it out.
    const control = await runAtP1([...steps, { at: 40, from: 2, message: shareOf(2, 4) }]);
    assert.deepEqual(notesOf(control, 'bft-fetch'), [{ next: 4, to: 0 }]);
  });

  it('bad-state: a Byzantine target answering with a swapped snapshot or a forged CP is refused; p1 stays behind', async () => {
    const cp4 = cpAt(4);
    const steps: Step[] = [
      { at: 10, from: 0, message: shareOf(0, 4) },
      { at: 10, from: 2, message: shareOf(2, 4) },
      // p0 is the target (first signer) and Byzantine: a swapped snapshot under CP(4), then a "CP" on the swapped snapshot's digest with p2's share forged.
      { at: 20, from: 0, message: { type: 'state', checkpoint: cp4, snapshot: snapshotAt(4, 'evil') } },
      { at: 30, from: 0, message: { type: 'state', checkpoint: forgedOn(snapshotAt(4, 'evil')), snapshot: snapshotAt(4, 'evil') } },
    ];
    const outcome = await runAtP1(steps);
    const reasons = notesOf(outcome, 'bft-state-refused').map((detail) => String(detail.reason));
    assert.equal(reasons.length, 2, reasons.join('; '));
    assert.match(reasons[0], /does not hash/);
    assert.match(reasons[1], /is not valid/);
    assert.deepEqual(notesOf(outcome, 'bft-skip'), []);
    assert.equal(outcome.executed, 0);
    assert.deepEqual(outcome.pairs, []);
  });
});
