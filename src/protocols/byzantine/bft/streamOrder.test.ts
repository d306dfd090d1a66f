import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamOrder } from './streamOrder.js';

describe('StreamOrder: which deliveries of one stream to process now', () => {
  it('without jumps: k order, whatever the delivery order', () => {
    const order = new StreamOrder<string>();
    assert.deepEqual(order.arrive(2, 'b', false), []);
    assert.deepEqual(order.arrive(3, 'c', false), []);
    assert.deepEqual(order.arrive(1, 'a', false), ['a', 'b', 'c']);
    assert.deepEqual(order.arrive(5, 'e', false), []);
    assert.deepEqual(order.arrive(4, 'd', false), ['d', 'e']);
  });

  it('a jump is processed at once, and skipped when the k order reaches it', () => {
    const order = new StreamOrder<string>();
    assert.deepEqual(order.arrive(2, 'seal', true), ['seal']);
    assert.deepEqual(order.arrive(3, 'c', false), []);
    assert.deepEqual(order.arrive(1, 'commit', false), ['commit', 'c']);
    assert.deepEqual(order.arrive(4, 'd', false), ['d']);
  });

  it('every message a jump: delivery order (no-fifo)', () => {
    const order = new StreamOrder<string>();
    assert.deepEqual(order.arrive(2, 'b', true), ['b']);
    assert.deepEqual(order.arrive(1, 'a', true), ['a']);
    assert.deepEqual(order.arrive(3, 'c', true), ['c']);
  });

  it('a repeated delivery is processed once', () => {
    const order = new StreamOrder<string>();
    assert.deepEqual(order.arrive(1, 'a', false), ['a']);
    assert.deepEqual(order.arrive(1, 'a', false), []);
    assert.deepEqual(order.arrive(3, 'c', true), ['c']);
    assert.deepEqual(order.arrive(3, 'c', true), []);
  });
});
