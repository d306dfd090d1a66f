import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys, type Statement } from '../../crypto/index.js';
import { VerifiedSignatures } from './verified.js';

describe('signature verdicts', () => {
  const keys = runKeys(5);
  const signer = new Signer(0, keys, 3);
  const statement: Statement = { purpose: 'broadcast', sender: 0, sequence: 1, message: new Uint8Array(32).fill(1) };
  const genuine = signer.sign(statement);
  const forged = new Uint8Array(64).fill(7);

  it('keeps one verdict per (signer, statement, bytes): a forgery marks only its own bytes', () => {
    const verdicts = new VerifiedSignatures();
    verdicts.record(0, statement, forged, false);
    assert.equal(verdicts.verdict(0, statement, forged), false);
    assert.equal(verdicts.verdict(0, statement, genuine), undefined, "the signer's genuine signature is still to be judged");
    verdicts.record(0, statement, genuine, true);
    assert.equal(verdicts.verdict(0, statement, genuine), true);
    assert.equal(verdicts.verdict(1, statement, genuine), undefined, 'another signer is another key');
    assert.equal(verdicts.verdict(0, { ...statement, sequence: 2 }, genuine), undefined, 'another statement is another key');
    assert.equal(verdicts.size, 2);
  });
});
