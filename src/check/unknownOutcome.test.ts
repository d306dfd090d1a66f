import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryError } from './history.js';
import { check } from './_lines.js';

/**
 * Operations whose outcome is unknown (`info`, or a call that never returns)
 * took effect once at any point after their call, or never; failed ones never.
 */
describe('unknown outcomes', () => {
  it('an info write may take effect after its info line (late)', () => {
    const text = `
      0 invoke write 1
      0 info write 1
      1 invoke read
      1 ok read null
      1 invoke read
      1 ok read 1`;
    assert.equal(check('register', text).verdict, 'linearizable');
  });

  it('a write that never returns may take effect late, too', () => {
    const text = `
      0 invoke write 1
      1 invoke read
      1 ok read null
      1 invoke read
      1 ok read 1`;
    assert.equal(check('register', text).verdict, 'linearizable');
  });

  it('an info write may never take effect', () => {
    // The write of 1 is called after the write of 2 completed, and both later reads see 2:
    // it cannot have taken effect before them, so it took effect never (or after everything).
    const text = `
      1 invoke write 2
      1 ok write 2
      0 invoke write 1
      0 info write 1
      1 invoke read
      1 ok read 2
      1 invoke read
      1 ok read 2`;
    const result = check('register', text);
    assert.equal(result.verdict, 'linearizable');
    const order = result.partitions[0].linearization?.map((operation) => `${operation.f} ${String(operation.input)}`) ?? [];
    assert.deepEqual(order.slice(0, 3), ['write 2', 'read null', 'read null']);
    // Had it taken effect, the reads could not both see 2.
    assert.equal(check('register', text.replace('0 info write 1', '0 ok write 1')).verdict, 'not-linearizable');
  });

  it('an info write cannot take effect before its call', () => {
    const text = `
      1 invoke read
      1 ok read 1
      0 invoke write 1
      0 info write 1`;
    assert.equal(check('register', text).verdict, 'not-linearizable');
  });

  it('an info write takes effect at most once', () => {
    const text = `
      0 invoke write 1
      0 info write 1
      1 invoke read
      1 ok read 1
      1 invoke write 2
      1 ok write 2
      1 invoke read
      1 ok read 1`;
    assert.equal(check('register', text).verdict, 'not-linearizable');
  });

  it('two unknown writes of the same value may both take effect, at different times', () => {
    const text = `
      0 invoke write 1
      1 invoke write 1
      2 invoke read
      2 ok read 1
      2 invoke write 2
      2 ok write 2
      2 invoke read
      2 ok read 2
      2 invoke read
      2 ok read 1`;
    assert.equal(check('register', text).verdict, 'linearizable');
    // With only one of them the last read is impossible.
    const single = text.replace('1 invoke write 1', '1 invoke read');
    assert.equal(check('register', single).verdict, 'not-linearizable');
  });

  it('a failed write never takes effect', () => {
    const text = `
      0 invoke write 1
      0 fail write 1
      1 invoke read
      1 ok read 1`;
    assert.equal(check('register', text).verdict, 'not-linearizable');
  });

  it('a failed cas says nothing about its compare (it is dropped)', () => {
    const text = `
      0 invoke write 1
      0 ok write 1
      1 invoke cas [1, 2]
      1 fail cas [1, 2]
      1 invoke read
      1 ok read 1`;
    assert.equal(check('cas-register', text).verdict, 'linearizable');
  });

  it('an unknown cas may apply (if its compare holds then) or not', () => {
    const applied = `
      0 invoke write 1
      0 ok write 1
      1 invoke cas [1, 2]
      1 info cas [1, 2]
      2 invoke read
      2 ok read 2`;
    assert.equal(check('cas-register', applied).verdict, 'linearizable');
    const impossible = applied.replace('write 1\n      0 ok write 1', 'write 3\n      0 ok write 3');
    assert.equal(check('cas-register', impossible).verdict, 'not-linearizable');
  });

  it('an unknown read constrains nothing', () => {
    const text = `
      0 invoke write 1
      0 ok write 1
      1 invoke read
      1 info read 7
      2 invoke read
      2 ok read 1`;
    assert.equal(check('register', text).verdict, 'linearizable');
  });

  it('a process that called again after an info is bad input, naming the line', () => {
    const text = `
      0 invoke write 1
      0 info write 1
      0 invoke read`;
    assert.throws(() => check('register', text), (error: unknown) => error instanceof HistoryError && error.line === 3);
  });

  it('kv: an unknown append may land between two gets', () => {
    const text = `
      0 invoke append key=a "x"
      1 invoke get key=a null
      1 ok get key=a ""
      1 invoke get key=a null
      1 ok get key=a "x"`;
    assert.equal(check('kv', text).verdict, 'linearizable');
  });
});
