import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { committed, prepared } from './quorums.js';

const h = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

describe('pbft quorums (n = 3f+1)', () => {
  it('prepared: the PRE-PREPARE and 2f matching PREPAREs of distinct backups', () => {
    // f = 1, primary p0: two backups' PREPAREs of h(1).
    assert.equal(prepared(h(1), new Map([[1, h(1)], [2, h(1)]]), 0, 1), true);
    assert.equal(prepared(h(1), new Map([[1, h(1)]]), 0, 1), false, 'one PREPARE is not 2f');
    assert.equal(prepared(h(1), new Map([[1, h(1)], [2, h(2)]]), 0, 1), false, 'a PREPARE of another batch does not count');
    assert.equal(prepared(h(1), new Map([[0, h(1)], [1, h(1)]]), 0, 1), false, "the primary's own PREPARE does not count (its PRE-PREPARE stands for it)");
    assert.equal(prepared(undefined, new Map([[1, h(1)], [2, h(1)], [3, h(1)]]), 0, 1), false, 'no PRE-PREPARE, not prepared');
  });

  it('committed-local: prepared and 2f+1 matching COMMITs', () => {
    const three = new Map([[0, h(1)], [1, h(1)], [2, h(1)]]);
    const two = new Map([[0, h(1)], [1, h(1)]]);
    assert.equal(committed(true, h(1), three, 1), true);
    assert.equal(committed(false, h(1), three, 1), false, 'not prepared here');
    assert.equal(committed(true, h(1), two, 1), false);
    assert.equal(committed(true, h(1), new Map([[0, h(1)], [1, h(1)], [2, h(2)]]), 1), false);
    assert.equal(committed(true, h(1), new Map([[0, h(1)], [1, h(1)], [2, h(1)], [3, h(1)], [4, h(1)]]), 2), true, 'f = 2: 5 of 7');
  });

  it('catches the commit-on-f+1 mutant: f+1 COMMITs do not commit', () => {
    const two = new Map([[0, h(1)], [1, h(1)]]);
    assert.equal(committed(true, h(1), two, 1, 'commit-on-f+1'), true, 'the mutant commits on f+1');
    assert.notEqual(committed(true, h(1), two, 1), committed(true, h(1), two, 1, 'commit-on-f+1'));
  });
});
