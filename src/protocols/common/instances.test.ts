import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gridSize, indexedMessages, proposalRowSize, rowOffset, slotOffset } from './instances.js';
import { TickTimers } from './tickTimers.js';

describe('per-index instances', () => {
  it('lay rows out after the header, one slot per process, rows contiguous', () => {
    const grid = { header: proposalRowSize(3), slotSize: 32, processCount: 3, entries: 4 };
    assert.equal(grid.header, 24);
    assert.equal(rowOffset(grid, 0), 24);
    assert.equal(slotOffset(grid, 2, 1), 24 + 2 * 96 + 32);
    assert.equal(gridSize(grid), 24 + 4 * 96);
    assert.equal(slotOffset(grid, 3, 2) + 32, gridSize(grid), 'the last slot ends the region');
  });

  it('tag messages with their index, and reject bytes that are not one', () => {
    const codec = indexedMessages(['ping', 'pong'] as const);
    const message = { kind: 'pong' as const, ballot: 5n, other: 2n, index: 77, value: new Uint8Array([1, 2, 3]) };
    assert.deepEqual(codec.decode(codec.encode(message)), message);
    assert.equal(codec.decode(new Uint8Array(10)), undefined, 'too short');
    assert.equal(codec.decode(codec.encode(message).slice(0, -1)), undefined, 'truncated');
    const unknown = codec.encode(message);
    unknown[0] = 0x40 + 2;
    assert.equal(codec.decode(unknown), undefined, 'unknown kind');
    assert.equal(codec.decode(new Uint8Array(25)), undefined, 'a zero kind byte (stray bytes, another protocol) is not one of ours');
  });
});

describe('timeouts on a tick', () => {
  it('fire at the first tick at or after their deadline, and not once cancelled', () => {
    let now = 0;
    const timers = new TickTimers(() => now);
    const fired: string[] = [];
    timers.setTimer(10, () => fired.push('a'));
    const cancel = timers.setTimer(5, () => fired.push('b'));
    timers.setTimer(3, () => fired.push('c'));
    now = 4;
    timers.tick();
    assert.deepEqual(fired, ['c']);
    cancel();
    now = 12;
    timers.tick();
    timers.tick();
    assert.deepEqual(fired, ['c', 'a']);
  });
});
