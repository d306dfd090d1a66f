import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage } from '../../protocols/byzantine/bft/codec.js';
import { costDifference, perDecision, TraceTally, type RunCosts } from './bftRunCosts.js';

/** The table's trace reductions on hand-made traces: REQs verified per (replica, c, s), traffic up to the last decision. */
describe('bft table: trace tally', () => {
  const request = (client: number, sequence: number) => Buffer.from(encodeMessage({ type: 'req', request: { client, sequence, op: new Uint8Array([1, 2]), signature: new Uint8Array(64) } })).toString('hex');
  const promise = Buffer.from(encodeMessage({ type: 'promise', view: 0, instance: 0, hash: new Uint8Array(32) })).toString('hex');

  it('counts distinct (replica, client, sequence) REQs delivered to replicas, and verbs and bytes up to the last decision', () => {
    const events = [
      { type: 'header' },
      { t: 0, type: 'msg.send', id: 0, from: 3, to: 0, len: 100, data: request(3, 1) },
      { t: 0, type: 'msg.send', id: 1, from: 3, to: 1, len: 100, data: request(3, 1) },
      { t: 1, type: 'msg.deliver', id: 0, to: 0 },
      { t: 1, type: 'msg.deliver', id: 1, to: 1 },
      // A forwarded copy of the same request to p0: verified once only.
      { t: 2, type: 'msg.send', id: 2, from: 1, to: 0, len: 100, data: request(3, 1) },
      { t: 3, type: 'msg.deliver', id: 2, to: 0 },
      { t: 3, type: 'verb.issue', p: 0, len: 40 },
      { t: 4, type: 'msg.send', id: 3, from: 0, to: 1, len: 10, data: promise },
      { t: 5, type: 'msg.deliver', id: 3, to: 1 },
      { t: 6, type: 'note', p: 0, kind: 'bft-decide', detail: { v: 0, i: 0, h: '00', path: 'fast' } },
      // After the last decision: lingering, not counted.
      { t: 7, type: 'verb.issue', p: 0, len: 4000 },
      // A REQ to a client process (id ≥ replicas) is not a replica's verification.
      { t: 8, type: 'msg.send', id: 4, from: 0, to: 3, len: 100, data: request(3, 2) },
      { t: 9, type: 'msg.deliver', id: 4, to: 3 },
    ];
    const tally = new TraceTally(3);
    const text = events.map((event) => JSON.stringify(event) + '\n').join('');
    // Chunks cut mid-line, as a streamed trace arrives.
    for (let at = 0; at < text.length; at += 37) tally.feed(text.slice(at, at + 37));
    assert.equal(tally.clientSignaturesVerified, 2);
    assert.deepEqual(tally.trafficToLastDecision, { verbs: 1, bytes: 100 * 3 + 40 + 10 });
  });

  it('divides totals per decision and subtracts a baseline run', () => {
    const costs: RunCosts = { decisions: 4, replicaMessages: 40, broadcasts: 7, signaturesMade: 3, signaturesVerified: 6, clientSignaturesVerified: 12, verbs: 10, bytes: 1000 };
    assert.deepEqual(perDecision(costs), { replicaMessages: 10, broadcasts: 1.75, signaturesMade: 0.75, signaturesVerified: 1.5, clientSignaturesVerified: 3, verbs: 2.5, bytes: 250 });
    assert.equal(perDecision({ ...costs, decisions: 0 }).signaturesMade, null);
    const less: RunCosts = { decisions: 4, replicaMessages: 30, broadcasts: 5, signaturesMade: 1, signaturesVerified: 2, clientSignaturesVerified: 12, verbs: 4, bytes: 600 };
    assert.deepEqual(costDifference(costs, less), { decisions: 1, replicaMessages: 10, broadcasts: 2, signaturesMade: 2, signaturesVerified: 4, clientSignaturesVerified: 0, verbs: 6, bytes: 400 });
  });
});
