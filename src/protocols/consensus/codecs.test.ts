import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ballotOwner, firstBallot, isPrePrepared, nextBallot } from '../common/ballot.js';
import { decodeMessage, encodeMessage } from './messages.js';
import { adoptedValue, consensusSlotSize, decodeConsensusSlot, decodeSlots, encodeConsensusSlot, highestProposal } from './slot.js';

describe('ballots', () => {
  it('are unique per process and strictly increasing', () => {
    const n = 3;
    const seen = new Set<bigint>();
    for (let process = 0; process < n; process++) {
      let ballot = firstBallot(process);
      for (let round = 0; round < 20; round++) {
        assert.equal(ballotOwner(ballot, n), process);
        assert.ok(!seen.has(ballot));
        seen.add(ballot);
        const next = nextBallot(process, n, ballot);
        assert.ok(next > ballot);
        ballot = next;
      }
    }
    assert.equal(nextBallot(1, 3, 7n), 8n);
    assert.equal(nextBallot(1, 3, 8n), 11n);
    assert.equal(nextBallot(2, 3, 0n), 3n);
    assert.ok(isPrePrepared(firstBallot(0)) && !isPrePrepared(firstBallot(1)));
  });
});

describe('consensus messages', () => {
  it('round-trip and reject malformed bytes', () => {
    const message = { kind: 'promise' as const, ballot: 7n, other: 4n, value: new Uint8Array([1, 2, 3]) };
    const decoded = decodeMessage(encodeMessage(message));
    assert.deepEqual({ ...decoded, value: [...(decoded?.value ?? [])] }, { ...message, value: [1, 2, 3] });
    assert.equal(decodeMessage(new Uint8Array(5)), undefined, 'too short');
    const bad = encodeMessage(message);
    bad[0] = 200;
    assert.equal(decodeMessage(bad), undefined, 'unknown kind');
    assert.equal(decodeMessage(encodeMessage(message).slice(0, -1)), undefined, 'truncated value');
  });
});

describe('consensus slots', () => {
  it('round-trip, and a zeroed slot has nothing accepted', () => {
    const bytes = encodeConsensusSlot({ proposal: 9n, accepted: 5n, value: new Uint8Array([7, 7]) }, 8);
    const slot = decodeConsensusSlot(bytes, 0, 8);
    assert.notEqual(slot, 'torn');
    assert.deepEqual(slot, { proposal: 9n, accepted: 5n, value: new Uint8Array([7, 7]) });
    assert.deepEqual(decodeConsensusSlot(new Uint8Array(consensusSlotSize(8)), 0, 8), { proposal: 0n, accepted: 0n, value: new Uint8Array(0) });
  });

  it('detect an accepted part torn between two writes, but not a rewritten proposal word', () => {
    const older = encodeConsensusSlot({ proposal: 1n, accepted: 1n, value: new Uint8Array(8).fill(1) }, 8);
    const newer = encodeConsensusSlot({ proposal: 4n, accepted: 4n, value: new Uint8Array(8).fill(4) }, 8);
    const words = older.length / 8;
    for (let mask = 1; mask < (1 << words) - 1; mask++) {
      const mixed = older.slice();
      for (let word = 0; word < words; word++) if (mask & (1 << word)) mixed.set(newer.subarray(word * 8, word * 8 + 8), word * 8);
      const decoded = decodeConsensusSlot(mixed, 0, 8);
      // Only the proposal word differing is a legal state (phase 1 rewrites it alone).
      if (mask === 1 || mask === (1 << words) - 2) assert.notEqual(decoded, 'torn', `mask ${mask.toString(2)}`);
      else assert.equal(decoded, 'torn', `mask ${mask.toString(2)}`);
    }
  });

  it('adopt the value accepted with the highest ballot', () => {
    const size = consensusSlotSize(8);
    const region = new Uint8Array(3 * size);
    region.set(encodeConsensusSlot({ proposal: 5n, accepted: 2n, value: new Uint8Array([2]) }, 8), 0);
    region.set(encodeConsensusSlot({ proposal: 6n, accepted: 4n, value: new Uint8Array([4]) }, 8), size);
    const slots = decodeSlots(region, 3, 8);
    assert.notEqual(slots, 'torn');
    assert.deepEqual([...(adoptedValue(slots as never) ?? [])], [4]);
    assert.equal(highestProposal(slots as never), 6n);
    assert.equal(adoptedValue(decodeSlots(new Uint8Array(3 * size), 3, 8) as never), undefined);
  });
});
