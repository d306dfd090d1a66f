import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys, signatureLength } from './signer.js';
import { privateSeed, runKeyPair } from './keys.js';
import { statementBytes, type Statement } from './statement.js';
import { measureCosts } from './costs.js';

const message = new TextEncoder().encode('hello');
const statement: Statement = { purpose: 'broadcast', sender: 0, sequence: 3, message };

describe('crypto: Ed25519 signer', () => {
  it('derives the same keys from the same run seed, different ones otherwise', () => {
    assert.deepEqual(privateSeed(7, 1), privateSeed(7, 1));
    assert.notDeepEqual(privateSeed(7, 1), privateSeed(7, 2));
    assert.notDeepEqual(privateSeed(7, 1), privateSeed(8, 1));
    assert.deepEqual(runKeyPair(7, 1).publicBytes, runKeyPair(7, 1).publicBytes);
    assert.equal(runKeyPair(7, 1).publicBytes.length, 32);
    assert.notDeepEqual(runKeyPair(7, 1).publicBytes, runKeyPair(7, 2).publicBytes);
  });

  it('signs deterministically and verifies, counting both', () => {
    const alice = new Signer(0, runKeys(5), 3);
    const bob = new Signer(1, runKeys(5), 3);
    const signature = alice.sign(statement);
    assert.equal(signature.length, signatureLength);
    assert.deepEqual(new Signer(0, runKeys(5), 3).sign(statement), signature);
    assert.equal(bob.verify(0, statement, signature), true);
    assert.deepEqual(alice.counters, { made: 1, verified: 0, rejected: 0 });
    assert.deepEqual(bob.counters, { made: 0, verified: 1, rejected: 0 });
  });

  it('binds sender, sequence number, purpose and message: nothing replays', () => {
    const alice = new Signer(0, runKeys(5), 3);
    const bob = new Signer(1, runKeys(5), 3);
    const signature = alice.sign(statement);
    assert.equal(bob.verify(0, { ...statement, sequence: 4 }, signature), false, 'another sequence number');
    assert.equal(bob.verify(0, { ...statement, sender: 1 }, signature), false, 'another sender');
    assert.equal(bob.verify(0, { ...statement, purpose: 'ready' }, signature), false, 'another purpose');
    assert.equal(bob.verify(0, { ...statement, message: new TextEncoder().encode('hellp') }, signature), false, 'another message');
    assert.equal(bob.verify(2, statement, signature), false, 'another signer');
    assert.deepEqual(bob.counters, { made: 0, verified: 5, rejected: 5 });
  });

  it('rejects forged, truncated and out-of-range signatures and counts them', () => {
    const alice = new Signer(0, runKeys(5), 3);
    const signature = alice.sign(statement);
    const flipped = signature.slice();
    flipped[10] ^= 1;
    assert.equal(alice.verify(0, statement, flipped), false);
    assert.equal(alice.verify(0, statement, signature.slice(0, 63)), false);
    assert.equal(alice.verify(0, statement, new Uint8Array(64)), false);
    assert.equal(alice.verify(9, statement, signature), false, 'no such process');
    assert.equal(new Signer(0, runKeys(6), 3).verify(0, statement, signature), false, 'keys of another run');
    assert.equal(alice.counters.rejected, 4);
  });

  it('encodes statements unambiguously', () => {
    const a = statementBytes({ purpose: 'broadcast', sender: 1, sequence: 2, message: new Uint8Array([3]) });
    const b = statementBytes({ purpose: 'broadcast', sender: 1, sequence: 2, message: new Uint8Array([3, 0]) });
    assert.notDeepEqual(a, b);
    assert.throws(() => statementBytes({ ...statement, sequence: -1 }), /out of range/);
  });

  it('measures sign and verify costs (positive, verify dearer than an HMAC)', () => {
    const costs = measureCosts(50, 1);
    assert.ok(costs.sign > 0 && costs.verify > 0);
    assert.ok(costs.verify > costs.hmac);
  });
});
