import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSinkFrames, encodeSinkFrames } from './appendSink.js';

describe('frames of applied entries for a durability sink', () => {
  it('decode to the entries encoded, across batches written one after another', () => {
    const first = encodeSinkFrames([{ index: 0, value: new Uint8Array([1, 2, 3]) }, { index: 1, value: new Uint8Array(0) }]);
    const second = encodeSinkFrames([{ index: 2, value: new Uint8Array([9]) }]);
    const file = new Uint8Array([...first, ...second]);
    const { entries, tornBytes } = decodeSinkFrames(file);
    assert.deepEqual(entries.map((entry) => [entry.index, [...entry.value]]), [[0, [1, 2, 3]], [1, []], [2, [9]]]);
    assert.equal(tornBytes, 0);
  });

  it('recognise a frame cut short by a crash, and keep the whole ones before it', () => {
    const file = encodeSinkFrames([{ index: 0, value: new Uint8Array([1, 2]) }, { index: 1, value: new Uint8Array([3, 4, 5]) }]);
    for (let cut = 1; cut < 11; cut++) {
      const { entries, tornBytes } = decodeSinkFrames(file.subarray(0, file.length - cut));
      assert.equal(entries.length, 1, `cut ${cut}`);
      assert.equal(tornBytes, 11 - cut);
    }
  });
});
