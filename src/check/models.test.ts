import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryError } from './history.js';
import { check } from './_lines.js';

/** Each model's sequential semantics, and the operations it rejects as bad input. */
describe('models', () => {
  it('register: a read returns the last write; it starts empty (null)', () => {
    assert.equal(check('register', '0 invoke read\n0 ok read null\n0 invoke write 3\n0 ok write 3\n0 invoke read\n0 ok read 3').verdict, 'linearizable');
    assert.equal(check('register', '0 invoke write 3\n0 ok write 3\n0 invoke read\n0 ok read null').verdict, 'not-linearizable');
  });

  it('register: values are compared as JSON, objects and arrays included', () => {
    assert.equal(check('register', '0 invoke write {"a":1,"b":[2]}\n0 ok write {"a":1,"b":[2]}\n0 invoke read\n0 ok read {"b":[2],"a":1}').verdict, 'linearizable');
    assert.equal(check('register', '0 invoke write [1]\n0 ok write [1]\n0 invoke read\n0 ok read "[1]"').verdict, 'not-linearizable');
    assert.equal(check('register', '0 invoke write "1"\n0 ok write "1"\n0 invoke read\n0 ok read 1').verdict, 'not-linearizable');
  });

  it('cas-register: an ok cas compared equal and wrote the new value', () => {
    const base = '0 invoke write 1\n0 ok write 1\n0 invoke cas [1, 2]\n0 ok cas [1, 2]\n0 invoke read\n0 ok read 2';
    assert.equal(check('cas-register', base).verdict, 'linearizable');
    assert.equal(check('cas-register', base.replace(/\[1, 2\]/g, '[0, 2]')).verdict, 'not-linearizable');
  });

  it('kv: keys start as "", append concatenates, a null get read ""', () => {
    const text = `
      0 invoke get key=a null
      0 ok get key=a null
      0 invoke append key=a "x"
      0 ok append key=a "x"
      0 invoke append key=a "y"
      0 ok append key=a "y"
      0 invoke get key=a null
      0 ok get key=a "xy"
      0 invoke put key=b "z"
      0 ok put key=b "z"
      0 invoke get key=a null
      0 ok get key=a "xy"`;
    const result = check('kv', text);
    assert.equal(result.verdict, 'linearizable');
    assert.deepEqual(
      result.partitions.map((part) => part.key),
      ['a', 'b'],
    );
    assert.equal(check('kv', text.replace('ok get key=a "xy"', 'ok get key=a "yx"')).verdict, 'not-linearizable');
  });

  it('max-register: a read returns the largest value written so far', () => {
    const text = '0 invoke write 5\n0 ok write 5\n0 invoke write 3\n0 ok write 3\n0 invoke read\n0 ok read 5';
    assert.equal(check('max-register', text).verdict, 'linearizable');
    assert.equal(check('max-register', text.replace('ok read 5', 'ok read 3')).verdict, 'not-linearizable');
    assert.equal(check('max-register', '0 invoke read\n0 ok read null').verdict, 'linearizable');
  });

  it('log: append returns its index, read returns the whole log', () => {
    const text = `
      0 invoke append "a"
      1 invoke append "b"
      0 ok append 1
      1 ok append 0
      0 invoke read
      0 ok read ["b", "a"]`;
    assert.equal(check('log', text).verdict, 'linearizable');
    assert.equal(check('log', text.replace('["b", "a"]', '["a", "b"]')).verdict, 'not-linearizable');
    assert.equal(check('log', text.replace('["b", "a"]', '["b"]')).verdict, 'not-linearizable');
    assert.equal(check('log', '0 invoke append "a"\n0 ok append null\n0 invoke read\n0 ok read ["a"]').verdict, 'linearizable');
  });

  const rejected: [string, string, RegExp][] = [
    ['register', '0 invoke cas [1, 2]\n0 ok cas [1, 2]', /unknown function 'cas' for model register/],
    ['register', '0 invoke read key=a null\n0 ok read key=a 1', /has no keys/],
    ['cas-register', '0 invoke cas 1\n0 ok cas 1', /\[expected, new\]/],
    ['cas-register', '0 invoke write 1\n0 ok write 2', /returned 2 but was called with 1/],
    ['kv', '0 invoke get null\n0 ok get "x"', /needs a string key/],
    ['kv', '0 invoke put key=a 5\n0 ok put key=a 5', /takes a string/],
    ['max-register', '0 invoke write "x"\n0 ok write "x"', /takes a number/],
    ['log', '0 invoke append "a"\n0 ok append -1', /index/],
    ['log', '0 invoke read\n0 ok read "a"', /returns a list/],
  ];
  for (const [model, text, message] of rejected) {
    it(`${model} rejects ${JSON.stringify(text.split('\n')[0])} … as bad input (${message.source})`, () => {
      assert.throws(() => check(model, text), (error: unknown) => error instanceof HistoryError && error.line === 1 && message.test(error.message));
    });
  }

  it('even a failed operation must be one the model has', () => {
    assert.throws(() => check('register', '0 invoke frobnicate 1\n0 fail frobnicate 1'), HistoryError);
  });
});
