import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchHash, signedRequest } from './bftSchedules/scriptHarness.js';
import { Signer, runKeys } from '../crypto/index.js';
import { fastDecided } from '../protocols/byzantine/bft/quorums.js';
import { certifies } from '../protocols/byzantine/bft/certificates.js';
import { judgeCommit } from '../protocols/byzantine/bft/streamState.js';
import { decodeMessage, encodeMessage } from '../protocols/byzantine/bft/codec.js';
import { completedCalls, decidedFast, decisionsOf, runBftScript, runSchedule, scheduleRuns, violatedProperties } from './bftSchedules/scheduleRuns.js';
import { normalSchedules } from './bftSchedules/normal.js';
import type { BftSchedule } from './bftSchedules/index.js';

/**
 * The mutants of specs/bft-consensus.md §6 that break the normal case, each
 * caught by its interleaving (bftSchedules/normal.ts, a script on
 * scriptHarness.ts run as its scenario, by name, as `mnm run
 * bft-schedule-<mutant> [--mutant <mutant>]` does): the same schedule runs
 * on correct code (clean) and on the mutant (a §3 property violated).
 * n = 3 (f = 1); b is the Byzantine replica, a script; clients are
 * processes 3 and 4.
 */

const c1 = 3;

function schedule(mutant: string): BftSchedule {
  const found = normalSchedules.find((candidate) => candidate.mutant === mutant);
  assert.ok(found, `a normal-case schedule for ${mutant}`);
  return found;
}

describe('bft mutants of the normal case (§6), caught by their interleavings', () => {
  it('a correct run of the harness: three correct replicas decide every call fast', async () => {
    const result = await runBftScript({ clients: [(client) => client.put('x', 'A').then(() => client.get('x'))], duration: 800 });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.violations, []);
    assert.equal(result.completed, 2);
    assert.ok(result.notes.filter((note) => note.kind === 'bft-decide' && note.detail?.path === 'fast').length >= 3);
  });

  it('unchecked-requests (2.4.2): b = p0 proposes put(x, evil) as correct client c, which never asked', async () => {
    const { correct, broken } = await scheduleRuns(schedule('unchecked-requests'));
    assert.equal(decisionsOf(correct).size, 0, 'correct replicas close the epoch: nothing decided');
    assert.ok(violatedProperties(broken).includes('validity'), JSON.stringify(broken.violations));
  });

  it('fast-f+1 (2.4.5): b promises to p0 only; p0 decides on f+1, pauses; NEW_VIEW(1) from {p1, b}', async () => {
    const { correct, broken } = await scheduleRuns(schedule('fast-f+1'));
    assert.ok(!decidedFast(correct, 0, 0), 'correct p0 does not decide fast on f+1');
    assert.ok(decidedFast(broken, 0, 0), 'the mutant p0 decides fast on {p0, b}');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('duplicate-signers (2.2): p0 decides B fast, pauses; b = p1 commits B′ in view 1 with the PC {b, b}; NEW_VIEW(2) from {b, p2} fixes B′', async () => {
    const { correct, broken } = await scheduleRuns(schedule('duplicate-signers'));
    const decided = decisionsOf(correct);
    assert.ok(!decided.get(2)?.has(0) || decided.get(2)?.get(0) === decided.get(0)?.get(0));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('unchecked-commit-pc (2.2): A fast at (0, 0); b = p1 COMMITs A′ at 0 in view 1 with a garbage σ of p0, SEALs; NEW_VIEW(2) from {b, p2} fixes A′', async () => {
    const { broken } = await scheduleRuns(schedule('unchecked-commit-pc'));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('certify-if-decided (2.5.2): F = decided ones; b COMMIT-FASTs to p0 only; p0 decides, pauses; NEW_VIEW(1) from {p1, b}', async () => {
    const { correct, broken } = await scheduleRuns(schedule('certify-if-decided'));
    assert.ok(decisionsOf(correct).get(1)?.has(0));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('seal-late (2.5.2): p1 triggers, then COMMIT-FASTs A at 1, b to p0 only; p0 decides, pauses; NEW_VIEW(1) from {p1, b} ends at 0', async () => {
    const { broken } = await scheduleRuns(schedule('seal-late'));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('late-commit-counts (2.2): b seals 0, then COMMITs; p0 decides on {p0, b}; NEW_VIEW(1) from {p2, b} decides another batch', async () => {
    const { correct, broken } = await scheduleRuns(schedule('late-commit-counts'));
    assert.ok(decisionsOf(correct).get(2)?.has(0), 'p2 decides the empty batch at 0 in view 1 either way');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  // The schedule that found a liveness bug in correct code: share() once marked every replica as re-sent-to, so the
  // re-send of 2.4.6 never fired and p1 sealed 0 forever. share() now keeps `sharedWith` for the re-sends only.
  it("share-once (2.4.6): p0's SHARE to p1 is lost (2.8 drops it); b silent but for its PROMISE; p1 needs p0 to SHARE again", async () => {
    const { correct, broken } = await scheduleRuns(schedule('share-once'));
    assert.equal(completedCalls(correct), 1, 'correct code: p0 SHAREs again to p1, which COMMITs and seals; the call completes');
    assert.equal(completedCalls(broken), 0, 'share-once: p1 never gets a PC, never SEALs; the call never completes (liveness)');
  });

  it('keeps each run its own world: two share-once runs at once each drop their own first SHARE (a shared world would drop one only)', async () => {
    const reports = await Promise.all([1, 2].map((seed) => runSchedule(schedule('share-once'), seed, 'share-once')));
    for (const report of reports) assert.deepEqual(violatedProperties(report), ['liveness'], `seed ${report.seed}: ${JSON.stringify(report.violations)}`);
  });
});

describe('the mutant branches of the pure rules (correct rule first)', () => {
  const h = batchHash([]);
  const other = batchHash([signedRequest(runKeys(1), 4, c1, 1, 'x', 'A')]);
  const keys = runKeys(1);
  const signers = [0, 1, 2].map((process) => new Signer(process, keys, 3));
  const verify = (signer: number, statement: Parameters<Signer['verify']>[1], signature: Uint8Array) => signers[0].verify(signer, statement, signature);
  const statement = { purpose: 'prepare', view: 1, instance: 0, hash: h } as const;

  it('fast-f+1: f+1 matching COMMIT-FASTs decide only under the mutant', () => {
    const votes = new Map([[0, h], [2, h], [1, other]]);
    assert.equal(fastDecided(votes, h, 3), false);
    assert.equal(fastDecided(votes, h, 3, 'fast-f+1'), true);
    assert.equal(fastDecided(new Map([[0, h]]), h, 3, 'fast-f+1'), false);
  });

  it('duplicate-signers: a repeated signer certifies, and decodes, only under the mutant', () => {
    const share = { signer: 1, signature: signers[1].sign(statement) };
    assert.equal(certifies([share, share], statement, { f: 1, n: 3 }, verify), false);
    assert.equal(certifies([share, share], statement, { f: 1, n: 3 }, verify, 'duplicate-signers'), true);
    const bytes = encodeMessage({ type: 'commit', view: 1, instance: 0, batch: [], certificate: { view: 1, instance: 0, hash: h, shares: [share, share] } });
    const limits = { window: 8, batchLimit: 4, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 };
    assert.throws(() => decodeMessage(bytes, limits), /strictly increasing/);
    assert.equal(decodeMessage(bytes, { ...limits, repeatedSigners: true }).type, 'commit');
  });

  it('unchecked-commit-pc and late-commit-counts: valid(COMMIT) bends only under each mutant', () => {
    const garbage = { view: 1, instance: 0, hash: h, shares: [{ signer: 0, signature: new Uint8Array(64) }, { signer: 1, signature: new Uint8Array(64) }] };
    const commit = { type: 'commit', view: 1, instance: 0, batch: [], certificate: garbage } as const;
    const rules = { window: 8, batchLimit: 4, validRequest: () => true, validPrepareCertificate: () => false };
    assert.deepEqual(judgeCommit(commit, 0, 0, rules), { problem: 'invalid PC' });
    assert.ok('hash' in judgeCommit(commit, 0, 0, { ...rules, mutant: 'unchecked-commit-pc' }));
    const valid = { ...rules, validPrepareCertificate: () => true };
    // Written after the sender's SEAL(1): outside epoch 1.
    assert.ok('problem' in judgeCommit(commit, 1, 0, valid));
    assert.ok('hash' in judgeCommit(commit, 1, 0, { ...valid, mutant: 'late-commit-counts' }));
    assert.ok('problem' in judgeCommit(commit, -1, 0, { ...valid, mutant: 'late-commit-counts' }), 'a COMMIT before its epoch still does not count');
  });
});
