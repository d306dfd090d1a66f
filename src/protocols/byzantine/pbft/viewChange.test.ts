import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchHash } from '../bft/codec.js';
import type { Batch, Request } from '../bft/messages.js';
import type { NewViewMessage, ViewChangeBody, ViewChangeMessage } from './messages.js';
import { chooseBatches, nullHash, validateNewView, wellFormedViewChange } from './viewChange.js';

const request = (client: number, sequence: number): Request => ({ client, sequence, op: Uint8Array.of(client, sequence), signature: new Uint8Array(64).fill(1) });
const batchA: Batch = [request(4, 1)];
const batchB: Batch = [request(5, 1)];
const hA = batchHash(batchA);
const hB = batchHash(batchB);

/** A VIEW-CHANGE for `view` with "signature" byte 1 (valid) unless forged. */
function vc(view: number, replica: number, prepared: ViewChangeBody['prepared'], prePrepared: ViewChangeBody['prePrepared'], forged = false): ViewChangeMessage {
  return { type: 'view-change', view, replica, prepared, prePrepared, signature: new Uint8Array(64).fill(forged ? 0 : 1) };
}
const context = { f: 1, n: 4 };
const signatureOk = (message: ViewChangeMessage) => message.signature[0] === 1;
const batchOk = (batch: Batch) => batch.every((r) => r.signature[0] === 1);

/**
 * Scripted: view 0, primary p0 PRE-PREPAREs A at instance 0; p0, p2, p3
 * prepare it (2f+1), so p2 and p3 commit and execute A. p0 crashes; p1,
 * primary of view 1, is Byzantine and wants A gone. The VIEW-CHANGEs it
 * can gather are p1's own (any content) and the correct p2's and p3's.
 */
const p2 = vc(1, 2, [{ instance: 0, view: 0, hash: hA, batch: batchA }], [{ instance: 0, view: 0, hash: hA }]);
const p3 = vc(1, 3, [{ instance: 0, view: 0, hash: hA, batch: batchA }], [{ instance: 0, view: 0, hash: hA }]);
const p1Silent = vc(1, 1, [], []);

describe('pbft view change: the choice (TOCS §4.5)', () => {
  it('re-proposes a batch prepared by 2f+1 and pre-prepared by f+1; null where 2f+1 prepared nothing', () => {
    const outcome = chooseBatches([p1Silent, p2, p3], 1);
    assert.equal(outcome.kind, 'chosen');
    if (outcome.kind !== 'chosen') return;
    assert.deepEqual(outcome.chosen.map((c) => [c.instance, Buffer.from(c.hash).toString('hex')]), [[0, Buffer.from(hA).toString('hex')]]);
    assert.deepEqual(outcome.batches.get(Buffer.from(hA).toString('hex')), batchA);
    // Instance 1: prepared by one replica only, pre-prepared by it alone: null, as 2f+1 (p0, p1, p2) have no P entry there.
    const withOne = chooseBatches([vc(1, 0, [], []), p1Silent, p2, vc(1, 3, [{ instance: 0, view: 0, hash: hA, batch: batchA }, { instance: 1, view: 0, hash: hB, batch: batchB }], [{ instance: 0, view: 0, hash: hA }, { instance: 1, view: 0, hash: hB }])], 1);
    assert.equal(withOne.kind, 'chosen');
    if (withOne.kind === 'chosen') assert.deepEqual(withOne.chosen[1].hash, nullHash);
  });

  it('a committed batch survives a Byzantine new primary trying to drop it', () => {
    const honest = chooseBatches([p1Silent, p2, p3], 1);
    assert.equal(honest.kind, 'chosen');
    // The Byzantine primary sends NEW-VIEW with the null batch at instance 0: every backup re-runs the choice and refuses it.
    const dropping: NewViewMessage = { type: 'new-view', view: 1, viewChanges: [p1Silent, p2, p3], chosen: [{ instance: 0, hash: nullHash }] };
    assert.equal(validateNewView(dropping, context, signatureOk, batchOk), undefined);
    // Nor may it omit the instance, list fewer than 2f+1 VIEW-CHANGEs, or strip p2's entry (the signature breaks).
    assert.equal(validateNewView({ ...dropping, chosen: [] }, context, signatureOk, batchOk), undefined);
    assert.equal(validateNewView({ ...dropping, viewChanges: [p1Silent, p3], chosen: [{ instance: 0, hash: hA }] }, context, signatureOk, batchOk), undefined);
    const stripped = vc(1, 2, [], [], true);
    assert.equal(validateNewView({ ...dropping, viewChanges: [p1Silent, stripped, p3], chosen: [] }, context, signatureOk, batchOk), undefined);
    // A lie of its own (B prepared at view 0) cannot win: B has no f+1 pre-prepares. It blocks the choice instead (undetermined): no NEW-VIEW passes, and the timer moves on.
    const liar = vc(1, 1, [{ instance: 0, view: 0, hash: hB, batch: batchB }], [{ instance: 0, view: 0, hash: hB }]);
    assert.equal(chooseBatches([liar, p2, p3], 1).kind, 'undetermined');
    assert.equal(validateNewView({ ...dropping, viewChanges: [liar, p2, p3], chosen: [{ instance: 0, hash: hB }] }, context, signatureOk, batchOk), undefined);
    // The honest NEW-VIEW passes and carries A.
    const good = validateNewView({ ...dropping, chosen: [{ instance: 0, hash: hA }] }, context, signatureOk, batchOk);
    assert.ok(good);
    assert.deepEqual(good.batches.get(Buffer.from(hA).toString('hex')), batchA);
  });

  it('takes the highest-view prepared batch; catches the choose-lowest-view mutant', () => {
    // A prepared at view 0 only at p0; view 1 chose null at instance 0, which p1, p2, p3 prepared (and committed) in view 1.
    const sets = [
      vc(2, 0, [{ instance: 0, view: 0, hash: hA, batch: batchA }], [{ instance: 0, view: 0, hash: hA }]),
      vc(2, 1, [{ instance: 0, view: 1, hash: nullHash, batch: [] }], [{ instance: 0, view: 0, hash: hA }, { instance: 0, view: 1, hash: nullHash }]),
      vc(2, 2, [{ instance: 0, view: 1, hash: nullHash, batch: [] }], [{ instance: 0, view: 1, hash: nullHash }]),
      vc(2, 3, [{ instance: 0, view: 1, hash: nullHash, batch: [] }], [{ instance: 0, view: 0, hash: hA }, { instance: 0, view: 1, hash: nullHash }]),
    ];
    const correct = chooseBatches(sets, 1);
    assert.equal(correct.kind, 'chosen');
    if (correct.kind === 'chosen') assert.deepEqual(correct.chosen[0].hash, nullHash, 'the batch committed in view 1');
    const mutant = chooseBatches(sets, 1, 'choose-lowest-view');
    assert.equal(mutant.kind, 'chosen');
    if (mutant.kind === 'chosen') assert.deepEqual(mutant.chosen[0].hash, hA, 'the mutant revives view 0 batch A over the committed one');
  });

  it('waits (undetermined) when neither a batch nor the null batch is justified', () => {
    // Only p2 of S prepared A, and only it pre-prepared A: A lacks f+1 pre-prepares, and only 2 < 2f+1 have no entry.
    const alone = vc(1, 2, [{ instance: 0, view: 0, hash: hA, batch: batchA }], [{ instance: 0, view: 0, hash: hA }]);
    assert.deepEqual(chooseBatches([vc(1, 0, [], []), vc(1, 1, [], []), alone], 1), { kind: 'undetermined', instance: 0 });
    // With p3's, which pre-prepared A (but did not prepare it), A is chosen.
    const outcome = chooseBatches([vc(1, 0, [], []), vc(1, 3, [], [{ instance: 0, view: 0, hash: hA }]), alone], 1);
    assert.equal(outcome.kind, 'chosen');
  });

  it('refuses ill-formed VIEW-CHANGEs: entries of the new view, batches not matching their hash, unsorted P, duplicated senders', () => {
    assert.equal(wellFormedViewChange(p2, 1, 4, batchOk), true);
    assert.equal(wellFormedViewChange(p2, 2, 4, batchOk), false, 'for another view');
    assert.equal(wellFormedViewChange(vc(1, 2, [{ instance: 0, view: 1, hash: hA, batch: batchA }], []), 1, 4, batchOk), false);
    assert.equal(wellFormedViewChange(vc(1, 2, [{ instance: 0, view: 0, hash: hB, batch: batchA }], []), 1, 4, batchOk), false);
    assert.equal(wellFormedViewChange(vc(1, 2, [{ instance: 1, view: 0, hash: hA, batch: batchA }, { instance: 0, view: 0, hash: hB, batch: batchB }], []), 1, 4, batchOk), false);
    assert.equal(wellFormedViewChange(vc(1, 7, [], []), 1, 4, batchOk), false);
    assert.equal(validateNewView({ type: 'new-view', view: 1, viewChanges: [p2, p2, p3], chosen: [{ instance: 0, hash: hA }] }, context, signatureOk, batchOk), undefined);
  });
});
