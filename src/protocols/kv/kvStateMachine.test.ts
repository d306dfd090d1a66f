import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KvCommand, KvOperation } from './kvCommand.js';
import { KvStateMachine, fnv1a64 } from './kvStateMachine.js';

function command(operation: KvOperation, client: number, sequence: number, key: string, value = '', floor = sequence): KvCommand {
  return { operation, client, sequence, floor, key, value };
}

describe('the key-value state machine', () => {
  it('gets, puts, appends and deletes; keys start as ""', () => {
    const machine = new KvStateMachine();
    assert.equal(machine.apply(command('get', 0, 1, 'x')).result, '');
    assert.equal(machine.apply(command('put', 0, 2, 'x', 'a')).result, null);
    machine.apply(command('append', 0, 3, 'x', 'b'));
    machine.apply(command('append', 1, 1, 'y', 'c'));
    assert.equal(machine.apply(command('get', 1, 2, 'x')).result, 'ab');
    machine.apply(command('delete', 1, 3, 'x'));
    assert.equal(machine.apply(command('get', 0, 4, 'x')).result, '');
    assert.equal(machine.read('y'), 'c');
    assert.equal(machine.applied, 7);
  });

  it('applies a command the log holds twice only once, and says so', () => {
    const machine = new KvStateMachine();
    assert.deepEqual(machine.apply(command('append', 0, 1, 'x', 'a', 1)), { result: null, duplicate: false });
    machine.apply(command('append', 1, 1, 'x', 'b', 1));
    // Client 0 appended its command again (its first append's outcome was unknown): no effect.
    assert.deepEqual(machine.apply(command('append', 0, 1, 'x', 'a', 1)), { result: null, duplicate: true });
    assert.equal(machine.read('x'), 'ab');
    assert.equal(machine.applied, 2);
  });

  it('with the no-dedup mutant, applies the repeat again', () => {
    const machine = new KvStateMachine({ dedup: false });
    machine.apply(command('append', 0, 1, 'x', 'a', 1));
    assert.equal(machine.apply(command('append', 0, 1, 'x', 'a', 1)).duplicate, true);
    assert.equal(machine.read('x'), 'aa');
  });

  it('forgets sequence numbers below a client floor, and still refuses them', () => {
    const machine = new KvStateMachine();
    machine.apply(command('append', 0, 1, 'x', 'a', 1));
    machine.apply(command('append', 0, 3, 'x', 'c', 1)); // 2 still outstanding: floor stays 1
    machine.apply(command('append', 0, 2, 'x', 'b', 2));
    assert.deepEqual(machine.snapshot().sessions, [[0, 2, [2, 3]]]);
    machine.apply(command('get', 0, 4, 'x', '', 4));
    assert.deepEqual(machine.snapshot().sessions, [[0, 4, [4]]]);
    // A late copy of command 1, below the floor: a duplicate although the session no longer lists it.
    assert.equal(machine.apply(command('append', 0, 1, 'x', 'a', 1)).duplicate, true);
    assert.equal(machine.read('x'), 'acb');
  });

  it('gives equal digests exactly for equal states, whatever the order of independent keys', () => {
    const one = new KvStateMachine();
    const two = new KvStateMachine();
    one.apply(command('put', 0, 1, 'a', '1'));
    one.apply(command('put', 1, 1, 'b', '2'));
    two.apply(command('put', 1, 1, 'b', '2'));
    two.apply(command('put', 0, 1, 'a', '1'));
    assert.equal(one.digest(), two.digest());
    two.apply(command('delete', 1, 2, 'b'));
    assert.notEqual(one.digest(), two.digest());
    // A deleted key and one never written are the same data (sessions aside).
    const three = new KvStateMachine();
    three.apply(command('put', 0, 1, 'k', 'v'));
    three.apply(command('delete', 0, 2, 'k'));
    assert.deepEqual(three.snapshot().data, []);
  });

  it('computes FNV-1a 64 as published', () => {
    // Reference values of the FNV-1a 64-bit hash (Fowler, Noll, Vo test vectors).
    assert.equal(fnv1a64(''), 'cbf29ce484222325');
    assert.equal(fnv1a64('a'), 'af63dc4c8601ec8c');
    assert.equal(fnv1a64('foobar'), '85944171f73967e8');
  });
});
