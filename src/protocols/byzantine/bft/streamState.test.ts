import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchHash } from './codec.js';
import type { Batch, CheckpointCertificate, CommitMessage, PrepareCertificate, Request } from './messages.js';
import { StreamState, batchProblem, leaderOf, type FixedBatches, type StreamRules } from './streamState.js';

const sig = (fill: number): Uint8Array => new Uint8Array(64).fill(fill);
const request = (client: number, sequence: number, good = true): Request => ({ client, sequence, op: Uint8Array.of(client, sequence), signature: sig(good ? 1 : 0) });
const rules: StreamRules = {
  n: 3,
  f: 1,
  window: 4,
  batchLimit: 2,
  validPrepareCertificate: (pc) => pc.shares.length >= 2 && pc.shares.every((share) => share.signature[0] === 1),
  validCheckpoint: (cp) => cp.next % 2 === 0 && cp.shares.length >= 2,
  validRequest: (r) => r.signature[0] === 1,
};
const never = (): FixedBatches | undefined => {
  throw new Error('no NEW_VIEW expected');
};
const shares = [{ signer: 0, signature: sig(1) }, { signer: 1, signature: sig(1) }];
const pc = (view: number, instance: number, batch: Batch, good = true): PrepareCertificate => ({ view, instance, hash: batchHash(batch), shares: good ? shares : shares.slice(0, 1) });
const commit = (view: number, instance: number, batch: Batch, good = true): CommitMessage => ({ type: 'commit', view, instance, batch, certificate: pc(view, instance, batch, good) });
const cp = (next: number): CheckpointCertificate => ({ next, digest: new Uint8Array(32).fill(next), shares });

describe('bft stream state Σp', () => {
  it('view 0: the leader p0 has its epoch; PREPAREs accepted in instance order, within ckpt + W', () => {
    const stream = new StreamState(0, rules);
    assert.equal(leaderOf(4, 3), 1);
    const a = [request(10, 1)];
    const outcome = stream.process({ type: 'prepare', view: 0, instance: 0, batch: a }, never);
    assert.equal(outcome.kind, 'accepted');
    assert.deepEqual(stream.accepted(0, 0)?.hash, batchHash(a));
    for (let instance = 1; instance < 4; instance++) assert.equal(stream.process({ type: 'prepare', view: 0, instance, batch: [] }, never).kind, 'accepted');
    // i = 4 = ckpt.next + W: invalid, closes the epoch; later PREPAREs count for nothing.
    const beyond = stream.process({ type: 'prepare', view: 0, instance: 4, batch: [] }, never);
    assert.equal(beyond.kind, 'closed');
    assert.equal(stream.epoch(0)?.closed, true);
    assert.equal(stream.process({ type: 'prepare', view: 0, instance: 4, batch: [] }, never).kind, 'ignored');
  });

  it('closes the epoch on a skipped instance, a bad client signature, a repeated (c, s) or an oversized batch', () => {
    const cases: [number, Batch, RegExp][] = [
      [1, [], /where 0 is next/],
      [0, [request(10, 1, false)], /not validly signed/],
      [0, [request(10, 1), request(10, 1)], /twice/],
      [0, [request(10, 1), request(11, 1), request(12, 1)], /at most 2/],
    ];
    for (const [instance, batch, reason] of cases) {
      const stream = new StreamState(0, rules);
      const outcome = stream.process({ type: 'prepare', view: 0, instance, batch }, never);
      assert.equal(outcome.kind, 'closed');
      assert.match(outcome.kind === 'closed' ? outcome.reason : '', reason);
    }
    assert.equal(batchProblem([request(1, 1)], rules), undefined);
  });

  it('ignores PREPAREs of a non-leader and of another epoch (the epoch rule)', () => {
    assert.equal(new StreamState(1, rules).process({ type: 'prepare', view: 0, instance: 0, batch: [] }, never).kind, 'ignored');
    const stream = new StreamState(0, rules);
    assert.equal(stream.process({ type: 'seal', view: 0 }, never).kind, 'sealed');
    assert.equal(stream.process({ type: 'prepare', view: 0, instance: 0, batch: [] }, never).kind, 'ignored');
    assert.equal(stream.process({ type: 'seal', view: 0 }, never).kind, 'ignored');
    assert.equal(stream.sealed, 0);
  });

  it('later views: PREPAREs only after the epoch first NEW_VIEW, fixed batches re-proposed as fixed', () => {
    const stream = new StreamState(1, rules);
    const a = [request(10, 1)];
    assert.equal(stream.process({ type: 'prepare', view: 1, instance: 0, batch: a }, never).kind, 'ignored');
    stream.process({ type: 'seal', view: 0 }, never);
    const early = new StreamState(1, rules);
    early.process({ type: 'seal', view: 0 }, never);
    assert.equal(early.process({ type: 'prepare', view: 1, instance: 0, batch: a }, never).kind, 'closed');
    const fixed: FixedBatches = { start: 2, end: 3, fixed: new Map([[2, batchHash(a)], [3, batchHash([])]]) };
    const newView = { type: 'new-view' as const, view: 1, checkpoint: null, states: [] };
    assert.equal(stream.process(newView, () => fixed).kind, 'new-view');
    assert.equal(stream.process(newView, () => fixed).kind, 'ignored');
    assert.equal(stream.process({ type: 'prepare', view: 1, instance: 2, batch: a }, never).kind, 'accepted');
    // fixed[3] is the empty batch: another batch there closes the epoch.
    assert.equal(stream.process({ type: 'prepare', view: 1, instance: 3, batch: a }, never).kind, 'closed');
    const invalid = new StreamState(1, rules);
    invalid.process({ type: 'seal', view: 0 }, never);
    assert.equal(invalid.process(newView, () => undefined).kind, 'closed');
  });

  it('counts valid COMMITs only: epoch rule, window of 2W past ckpt, PC on (v, i, H(B)); keeps the highest view per i', () => {
    const stream = new StreamState(2, rules);
    const a = [request(10, 1)];
    const b = [request(11, 1)];
    assert.equal(stream.process(commit(0, 0, a, false), never).kind, 'ignored');
    assert.equal(stream.process({ ...commit(0, 0, a), certificate: pc(0, 0, b) }, never).kind, 'ignored');
    assert.equal(stream.process(commit(0, 8, a), never).kind, 'ignored');
    assert.equal(stream.process(commit(1, 0, a), never).kind, 'ignored');
    assert.equal(stream.process(commit(0, 0, a), never).kind, 'commit');
    assert.equal(stream.process({ type: 'seal', view: 0 }, never).kind, 'sealed');
    assert.equal(stream.process(commit(0, 1, a), never).kind, 'ignored');
    assert.equal(stream.process(commit(1, 0, b), never).kind, 'commit');
    assert.deepEqual(stream.commits.get(0)?.hash, batchHash(b));
    assert.deepEqual(stream.vcState().commits, [{ instance: 0, view: 1, hash: batchHash(b) }]);
  });

  it('takes the highest valid CP and drops commits below it', () => {
    const stream = new StreamState(2, rules);
    stream.process(commit(0, 1, []), never);
    stream.process(commit(0, 3, []), never);
    assert.equal(stream.process({ type: 'checkpoint', checkpoint: cp(3) }, never).kind, 'ignored');
    assert.equal(stream.process({ type: 'checkpoint', checkpoint: cp(2) }, never).kind, 'checkpoint');
    assert.equal(stream.process({ type: 'checkpoint', checkpoint: cp(2) }, never).kind, 'ignored');
    assert.equal(stream.checkpointNext, 2);
    assert.deepEqual([...stream.commits.keys()], [3]);
    assert.equal(stream.vcState().checkpointNext, 2);
  });
});
