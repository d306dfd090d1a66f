import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientTable, freshBatch } from './clientTable.js';
import type { Request } from './messages.js';

const request = (client: number, sequence: number): Request => ({ client, sequence, op: Uint8Array.of(sequence), signature: new Uint8Array(64) });

describe('bft client table (§2.4.8)', () => {
  it('keeps the highest-s REQ per client pending, superseding older ones, until executed', () => {
    const table = new ClientTable();
    assert.deepEqual(table.offer(request(5, 1)), { kind: 'pending' });
    assert.equal(table.offer(request(5, 1)).kind, 'stale', 'the same REQ again');
    const newer = table.offer(request(5, 2));
    assert.equal(newer.kind, 'pending');
    assert.equal(newer.kind === 'pending' ? newer.superseded?.sequence : undefined, 1);
    assert.equal(table.offer(request(5, 1)).kind, 'stale', 'an older REQ does not supersede');
    assert.deepEqual(table.pending().map((r) => r.sequence), [2]);
    assert.equal(table.record(5, 2, Uint8Array.of(9))?.sequence, 2);
    assert.deepEqual(table.pending(), []);
    assert.equal(table.executed(5, 2), true);
    assert.equal(table.executed(5, 3), false);
  });

  it('answers a resent REQ with s = last[c] again with the kept result, drops older ones', () => {
    const table = new ClientTable();
    table.record(7, 3, Uint8Array.of(1, 2));
    assert.deepEqual(table.offer(request(7, 3)), { kind: 'reply-again', result: Uint8Array.of(1, 2) });
    assert.equal(table.offer(request(7, 2)).kind, 'stale');
    assert.equal(table.last(7), 3);
    assert.deepEqual(table.records(), [{ client: 7, last: 3, result: Uint8Array.of(1, 2) }]);
  });

  it('fresh batches: pending (c, s) above last[c] and above what this epoch proposed, at most β, in client order', () => {
    const pending = [request(1, 2), request(2, 1), request(3, 4)];
    const last = (client: number) => (client === 3 ? 4 : 0);
    assert.deepEqual(freshBatch(pending, last, new Map(), 16).map((r) => r.client), [1, 2]);
    assert.deepEqual(freshBatch(pending, last, new Map([[1, 2]]), 16).map((r) => r.client), [2], 'client 1 s = 2 already proposed in this epoch');
    assert.deepEqual(freshBatch(pending, last, new Map(), 1).map((r) => r.client), [1]);
  });

  it('mutant no-dedupe (§6): execution skips (c, s) with s ≤ last[c]; the mutant skips nothing', () => {
    const correct = new ClientTable();
    const mutant = new ClientTable('no-dedupe');
    for (const table of [correct, mutant]) table.record(5, 1, Uint8Array.of(1));
    assert.equal(correct.skips(request(5, 1)), true);
    assert.equal(correct.skips(request(5, 2)), false);
    assert.equal(mutant.skips(request(5, 1)), false, 'a request decided twice runs twice');
  });

  it('mutant op-executed (§6): a second op under a run (c, s) is answered again, not pending; the mutant takes it as new', () => {
    const op1 = request(5, 1);
    const op2 = { ...request(5, 1), op: Uint8Array.of(42) };
    const correct = new ClientTable();
    correct.offer(op2);
    assert.equal(correct.record(5, 1, Uint8Array.of(1), op1.op)?.op[0], 42, 'running (5, 1) settles the pending op2');
    assert.equal(correct.offer(op2).kind, 'reply-again');
    assert.equal(correct.skips(op2), true);
    const mutant = new ClientTable('op-executed');
    mutant.offer(op2);
    assert.equal(mutant.record(5, 1, Uint8Array.of(1), op1.op), undefined, 'op2 stays pending: its op did not run');
    assert.equal(mutant.skips(op2), false);
    assert.equal(mutant.skips(op1), true);
    assert.deepEqual(freshBatch(mutant.pending(), () => 1, new Map([[5, 1]]), 16, { ran: (r) => mutant.skips(r), proposedOps: new Set() }), [op2], 'proposable again');
    assert.deepEqual(freshBatch(correct.pending(), (c) => correct.last(c), new Map(), 16), []);
  });

  it('installs a snapshot\'s client table: last[c] and results replaced, pending REQs it shows executed leave', () => {
    const table = new ClientTable();
    table.record(5, 1, Uint8Array.of(1));
    table.offer(request(5, 2));
    table.offer(request(6, 4));
    const settled = table.install([{ client: 5, last: 3, result: Uint8Array.of(9) }, { client: 6, last: 2, result: Uint8Array.of() }]);
    assert.deepEqual(settled.map((r) => [r.client, r.sequence]), [[5, 2]]);
    assert.equal(table.last(5), 3);
    assert.deepEqual(table.pending().map((r) => [r.client, r.sequence]), [[6, 4]], 'c6 s = 4 is above the snapshot\'s last = 2: still pending');
    assert.deepEqual(table.offer(request(5, 3)), { kind: 'reply-again', result: Uint8Array.of(9) });
  });
});
