import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openRecord, sealRecord, type RecordLayout } from './record.js';

const layout: RecordLayout = { header: 16, lengthAt: 8, checksumAt: 12, coveredFrom: 0 };

describe('checksummed records', () => {
  it('round-trip, and a zeroed record is blank', () => {
    const record = sealRecord(new Uint8Array(32), layout, new Uint8Array([1, 2, 3]));
    assert.deepEqual(openRecord(record, layout), { blank: false, length: 3 });
    assert.deepEqual(openRecord(new Uint8Array(32), layout), { blank: true });
  });
  it('detect a changed covered byte or value byte, not an uncovered one', () => {
    const partial: RecordLayout = { header: 24, lengthAt: 16, checksumAt: 20, coveredFrom: 8 };
    const record = sealRecord(new Uint8Array(32), partial, new Uint8Array([5, 6]));
    const uncovered = record.slice();
    uncovered[0] ^= 1;
    assert.notEqual(openRecord(uncovered, partial), 'torn');
    for (const position of [8, 16, 24, 25]) {
      const changed = record.slice();
      changed[position] ^= 1;
      assert.equal(openRecord(changed, partial), 'torn', `byte ${position}`);
      assert.notEqual(openRecord(changed, partial, false), 'torn', 'the no-checksum mutants take it at face value');
    }
  });
  it('refuse a value larger than the room, writing nothing, and treat an impossible length as torn', () => {
    const record = new Uint8Array(24);
    assert.throws(() => sealRecord(record, layout, new Uint8Array(9)), RangeError);
    assert.deepEqual([...record], new Array(24).fill(0));
    const sealed = sealRecord(new Uint8Array(24), layout, new Uint8Array(8));
    assert.equal(openRecord(sealed, layout, true, 4), 'torn');
  });
  it('use the checksum function it is given', () => {
    const constant: RecordLayout = { ...layout, checksum: () => 42 };
    const record = sealRecord(new Uint8Array(24), constant, new Uint8Array([9]));
    assert.equal(new DataView(record.buffer).getUint32(12, true), 42);
    assert.equal(openRecord(record, layout), 'torn');
    assert.notEqual(openRecord(record, constant), 'torn');
  });
});
