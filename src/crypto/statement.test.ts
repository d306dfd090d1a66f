import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statementBytes, type Statement } from './statement.js';
import { Signer, runKeys } from './signer.js';

const hash = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('crypto: statements of Byzantine consensus (specs/bft-consensus.md §7)', () => {
  it('lays out each purpose as domain, purpose byte, fields in table order', () => {
    const prepare = statementBytes({ purpose: 'prepare', view: 2, instance: 5, hash: hash(7) });
    assert.equal(hex(prepare.subarray(0, 7)), hex(new TextEncoder().encode('mnm/v1')) + '04');
    assert.equal(hex(prepare.subarray(7, 23)), '0200000000000000' + '0500000000000000');
    assert.equal(prepare.length, 7 + 16 + 32);
    const request = statementBytes({ purpose: 'request', client: 4, sequence: 1, op: new Uint8Array([9, 9]) });
    assert.equal(request[6], 3);
    assert.equal(hex(request.subarray(7)), '0400000000000000' + '0100000000000000' + '02000000' + '0909');
    const vc = statementBytes({ purpose: 'vc-state', process: 1, sealedBefore: -1, sealed: 0, stateHash: hash(1) });
    assert.equal(vc[6], 5);
    assert.equal(hex(vc.subarray(7, 31)), '0100000000000000' + '0000000000000000' + '0000000000000000', 'a = −1 is encoded as a+1 = 0');
    const checkpoint = statementBytes({ purpose: 'checkpoint', next: 4, digest: hash(3) });
    assert.equal(checkpoint[6], 6);
    assert.equal(checkpoint.length, 7 + 8 + 32);
  });

  it('gives different bytes to statements that differ in purpose or any field', () => {
    const statements: Statement[] = [
      { purpose: 'prepare', view: 0, instance: 1, hash: hash(1) },
      { purpose: 'prepare', view: 1, instance: 0, hash: hash(1) },
      { purpose: 'prepare', view: 0, instance: 1, hash: hash(2) },
      { purpose: 'checkpoint', next: 1, digest: hash(1) },
      { purpose: 'vc-state', process: 0, sealedBefore: 0, sealed: 1, stateHash: hash(1) },
      { purpose: 'vc-state', process: 0, sealedBefore: -1, sealed: 1, stateHash: hash(1) },
      { purpose: 'request', client: 0, sequence: 1, op: hash(1) },
      { purpose: 'broadcast', sender: 0, sequence: 1, message: hash(1) },
      { purpose: 'ready', sender: 0, sequence: 1, message: hash(1) },
    ];
    const seen = new Set(statements.map((statement) => hex(statementBytes(statement))));
    assert.equal(seen.size, statements.length);
  });

  it('refuses fields it cannot encode unambiguously', () => {
    assert.throws(() => statementBytes({ purpose: 'prepare', view: 2 ** 53, instance: 0, hash: hash(0) }), /view .* out of range/);
    assert.throws(() => statementBytes({ purpose: 'prepare', view: 0, instance: -1, hash: hash(0) }), /instance -1 out of range/);
    assert.throws(() => statementBytes({ purpose: 'checkpoint', next: 0, digest: new Uint8Array(31) }), /digest has 31 bytes/);
    assert.throws(() => statementBytes({ purpose: 'vc-state', process: 0, sealedBefore: -2, sealed: 0, stateHash: hash(0) }), /out of range/);
  });

  it('a prepare share verifies for its statement only', () => {
    const replica = new Signer(1, runKeys(3), 3);
    const statement: Statement = { purpose: 'prepare', view: 0, instance: 0, hash: hash(5) };
    const share = replica.sign(statement);
    const checker = new Signer(0, runKeys(3), 3);
    assert.equal(checker.verify(1, statement, share), true);
    assert.equal(checker.verify(1, { purpose: 'checkpoint', next: 0, digest: hash(5) }, share), false);
    assert.equal(checker.verify(2, statement, share), false);
  });
});
