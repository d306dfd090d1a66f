import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideRequest, initialAccess, proposalMax, proposalProblem, type PermissionDecision } from './permissions.js';
import type { Access, Policy, RegionSpec } from './types.js';

const ordered: RegionSpec = { name: 'log', size: 64, policy: 'ordered-exclusive-writer', owner: 0 };

function granted(decision: PermissionDecision): Extract<PermissionDecision, { granted: true }> {
  assert.ok(decision.granted, `expected a grant, got: ${decision.granted ? '' : decision.reason}`);
  return decision;
}

function refused(decision: PermissionDecision): string {
  assert.ok(!decision.granted, 'expected a refusal');
  return decision.reason;
}

describe('ordered-exclusive-writer', () => {
  it('starts like exclusive-writer: the owner writes, everyone else reads, highest granted 0', () => {
    assert.deepEqual(initialAccess(ordered, 3), ['read-write', 'read', 'read']);
    const decision = granted(decideRequest(ordered, ['read-write', 'read', 'read'], 1, 'read-write', 0n));
    assert.equal(decision.highestGranted, 0n);
  });

  it('a request at least the highest granted moves write access and raises the number', () => {
    const decision = granted(decideRequest(ordered, ['read-write', 'read', 'read'], 2, 'read-write', 7n, 3n));
    assert.deepEqual(decision.access, ['read', 'read', 'read-write']);
    assert.deepEqual(decision.revoked, [0]);
    assert.equal(decision.highestGranted, 7n);
  });

  it('a lower request is refused, naming both numbers', () => {
    const reason = refused(decideRequest(ordered, ['read', 'read-write', 'read'], 2, 'read-write', 4n, 9n));
    assert.match(reason, /proposal 4 is lower than 9/);
    assert.match(reason, /'log'/);
  });

  it('an equal request is granted again (a leader re-requesting in its own term)', () => {
    const again = granted(decideRequest(ordered, ['read', 'read-write', 'read'], 1, 'read-write', 9n, 9n));
    assert.deepEqual(again.access, ['read', 'read-write', 'read']);
    assert.deepEqual(again.revoked, []);
    assert.equal(again.highestGranted, 9n);
  });

  it('the current holder with a lower number is refused too: a request never confirms a stale holder', () => {
    refused(decideRequest(ordered, ['read', 'read-write', 'read'], 1, 'read-write', 2n, 9n));
  });

  it('a write request without a proposal is refused with a reason that says so', () => {
    assert.match(refused(decideRequest(ordered, ['read-write', 'read'], 1, 'read-write')), /must carry a proposal number/);
    assert.match(refused(decideRequest(ordered, ['read-write', 'read'], 0, 'read-write')), /must carry a proposal number/);
  });

  it('read requests follow exclusive-writer: held read is granted, the number untouched', () => {
    const decision = granted(decideRequest(ordered, ['read-write', 'read'], 1, 'read', undefined, 5n));
    assert.equal(decision.highestGranted, 5n);
    assert.deepEqual(decision.revoked, []);
    const noAccess: RegionSpec = { ...ordered, defaultAccess: 'none' };
    refused(decideRequest(noAccess, ['read-write', 'none'], 1, 'read', 6n, 5n));
  });
});

describe('other policies ignore the proposal', () => {
  const cases: readonly [Policy, readonly Access[]][] = [
    ['open', ['read-write', 'read-write']],
    ['single-writer', ['read-write', 'read']],
    ['exclusive-writer', ['read-write', 'read']],
    ['access-list', ['read-write', 'none']],
  ];
  for (const [policy, current] of cases) {
    it(`${policy}: the same decision with or without a (lower) proposal, and the number unchanged`, () => {
      const spec: RegionSpec = { name: 'r', size: 8, policy, owner: 0 };
      const without = decideRequest(spec, current, 1, 'read-write', undefined, 10n);
      const lower = decideRequest(spec, current, 1, 'read-write', 3n, 10n);
      assert.deepEqual(lower, without);
      if (without.granted) assert.equal(without.highestGranted, 10n);
    });
  }
});

describe('proposalProblem', () => {
  it('accepts absent and unsigned 64-bit proposals, names the rest', () => {
    assert.equal(proposalProblem(undefined), undefined);
    assert.equal(proposalProblem(0n), undefined);
    assert.equal(proposalProblem(proposalMax), undefined);
    assert.match(proposalProblem(-1n) ?? '', /outside the unsigned 64-bit range/);
    assert.match(proposalProblem(proposalMax + 1n) ?? '', /outside/);
    assert.match(proposalProblem(3) ?? '', /must be a bigint, got number/);
  });
});
