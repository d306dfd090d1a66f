import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decisionsOf, scheduleRuns, scriptedBatch, viewsEntered, violatedProperties } from './bftSchedules/scheduleRuns.js';
import { orderSchedules } from './bftSchedules/order.js';
import type { BftSchedule } from './bftSchedules/index.js';

/**
 * The mutants of specs/bft-consensus.md §6 that process a stream out of its
 * k order — `no-fifo` (2.4.2) and `seal-without-prefix` (2.6.1) — each
 * caught by its interleaving (bftSchedules/order.ts, a script on
 * scriptHarness.ts run as its scenario, by name): the same schedule runs on
 * correct code (clean) and on the mutant (agreement violated). n = 3
 * (f = 1); b is the Byzantine replica, a script; clients are processes 3
 * and 4.
 */

function schedule(mutant: string): BftSchedule {
  const found = orderSchedules.find((candidate) => candidate.mutant === mutant);
  assert.ok(found, `an order schedule for ${mutant}`);
  return found;
}

describe('bft mutants that process a stream out of k order (§6), caught by their interleavings', () => {
  it('no-fifo (2.4.2): b = p0 writes PREPARE(0, 0) at k = 1 and, with another batch, at k = 2; p1 delivers 2 first, p2 1', async () => {
    const { correct, broken } = await scheduleRuns(schedule('no-fifo'));
    const [a, other] = [scriptedBatch(broken, 'A'), scriptedBatch(broken, 'B')];
    assert.ok(a && other, 'b proposed two batches');
    assert.equal(scriptedBatch(correct, 'A'), a, 'the same batches on correct code (same seed, same requests)');
    assert.equal(decisionsOf(correct).get(2)?.get(0), a, 'correct p2 decides A (k = 1 first)');
    assert.equal(decisionsOf(correct).get(1)?.get(0), a, 'correct p1, once it sees k = 1, decides A too: k = 2 only closes the epoch');
    assert.equal(decisionsOf(broken).get(1)?.get(0), other, 'the mutant p1 accepts k = 2 (B) first and decides it');
    assert.equal(decisionsOf(broken).get(2)?.get(0), a, 'the mutant p2 accepts k = 1 (A) and decides it');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it("seal-without-prefix (2.6.1): only p0 delivers b's and p0's COMMITs; p0 decides, pauses; p1 certifies b's SEAL (delivered before b's COMMIT)", async () => {
    const { correct, broken } = await scheduleRuns(schedule('seal-without-prefix'));
    const decidedA = decisionsOf(correct).get(0)?.get(0);
    assert.ok(decidedA, "p0 decides A at 0 (slow: its COMMIT and b's)");
    assert.equal(decisionsOf(correct).get(1)?.get(0) ?? decidedA, decidedA, 'correct p1 never decides another batch at 0');
    assert.equal(decisionsOf(broken).get(0)?.get(0), decidedA, 'the mutant p0 decides A at 0 too');
    assert.ok(viewsEntered(broken).some((entered) => entered.process === 1 && entered.v === 1 && entered.end === -1), 'the mutant p1 enters view 1 with nothing fixed at 0');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });
});
