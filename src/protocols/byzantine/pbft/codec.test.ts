import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedField } from '../bft/fieldCodec.js';
import { decodePbft, encodePbft, isPbftMessage, viewChangeBodyHash } from './codec.js';
import type { PbftMessage, ViewChangeMessage } from './messages.js';

const limits = { batchLimit: 4, opLimitBytes: 128, entryLimit: 16, replicas: 4 };
const h = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const batch = [{ client: 4, sequence: 2, op: Uint8Array.of(1, 2, 3), signature: new Uint8Array(64).fill(9) }];
const viewChange: ViewChangeMessage = { type: 'view-change', view: 1, replica: 2, prepared: [{ instance: 0, view: 0, hash: h(1), batch }], prePrepared: [{ instance: 0, view: 0, hash: h(1) }], signature: new Uint8Array(64).fill(5) };

describe('pbft codec', () => {
  it('round-trips every message', () => {
    const messages: PbftMessage[] = [
      { type: 'pre-prepare', view: 3, instance: 7, batch },
      { type: 'prepare', view: 3, instance: 7, hash: h(2) },
      { type: 'commit', view: 3, instance: 7, hash: h(2) },
      viewChange,
      { type: 'new-view', view: 1, viewChanges: [viewChange], chosen: [{ instance: 0, hash: h(1) }] },
    ];
    for (const message of messages) {
      const bytes = encodePbft(message);
      assert.ok(isPbftMessage(bytes));
      assert.deepEqual(decodePbft(bytes, limits), message);
    }
  });

  it('refuses trailing bytes, cut frames, unknown types and counts past the limits', () => {
    const bytes = encodePbft({ type: 'prepare', view: 0, instance: 0, hash: h(1) });
    assert.throws(() => decodePbft(Uint8Array.of(...bytes, 0), limits), MalformedField);
    assert.throws(() => decodePbft(bytes.subarray(0, bytes.length - 1), limits), MalformedField);
    assert.throws(() => decodePbft(Uint8Array.of(0x7f), limits), MalformedField);
    assert.equal(isPbftMessage(Uint8Array.of(1)), false, "a bft REQ's type byte is not ours");
    const big = encodePbft({ type: 'pre-prepare', view: 0, instance: 0, batch: [...batch, ...batch, ...batch, ...batch, ...batch] });
    assert.throws(() => decodePbft(big, limits), MalformedField);
  });

  it("binds a VIEW-CHANGE's signed hash to its whole body", () => {
    const other = { ...viewChange, prePrepared: [] };
    const resigned: ViewChangeMessage = { ...viewChange, signature: new Uint8Array(64) };
    assert.notDeepEqual(viewChangeBodyHash(viewChange), viewChangeBodyHash(other));
    assert.deepEqual(viewChangeBodyHash(viewChange), viewChangeBodyHash(resigned));
  });
});
