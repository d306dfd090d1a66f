import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adoptedByIndex, finalReadClear, highestBallot, phaseOneReadyForLog } from './logChoice.js';
import type { MemoryView } from './logSlot.js';

const none = { accepted: 0n, value: new Uint8Array(0) };
const slot = (accepted: bigint, byte: number) => ({ accepted, value: new Uint8Array([byte]) });

describe("the memory logs' decisions", () => {
  it('a phase 1 is ready only where nothing above its ballot shows, in the proposal row or any row read', () => {
    const clean: MemoryView = { proposals: [4n, 2n, 0n], from: 3, rows: [[slot(2n, 1), none, none], [none, none, none]] };
    assert.equal(phaseOneReadyForLog(clean, 4n), true);
    assert.equal(phaseOneReadyForLog({ ...clean, proposals: [4n, 2n, 6n] }, 4n), false, 'a later leader prepared');
    // The log's straggler: a higher ballot accepted (maybe decided) at a later index.
    assert.equal(phaseOneReadyForLog({ ...clean, rows: [[slot(2n, 1), none, none], [none, none, slot(6n, 9)]] }, 4n), false);
    assert.equal(highestBallot(clean), 4n);
  });

  it('adopt, per index, the value accepted with the highest ballot across memories', () => {
    const m0: MemoryView = { proposals: [0n, 0n], from: 5, rows: [[slot(1n, 10), none], [none, none], [none, slot(3n, 30)]] };
    const m1: MemoryView = { proposals: [0n, 0n], from: 5, rows: [[slot(1n, 10), slot(2n, 20)], [none, none], [none, none]] };
    const adopted = adoptedByIndex([m0, m1]);
    assert.deepEqual([...adopted.keys()].sort(), [5, 7]);
    assert.deepEqual([...(adopted.get(5) ?? [])], [20]);
    assert.deepEqual([...(adopted.get(7) ?? [])], [30]);
  });

  it("Disk Paxos' final read clears a decision only when nothing above the ballot shows", () => {
    const view: MemoryView = { proposals: [3n, 0n], from: 2, rows: [[slot(3n, 1), none]] };
    assert.equal(finalReadClear(view, 3n), true);
    assert.equal(finalReadClear({ ...view, proposals: [3n, 5n] }, 3n), false);
  });
});
