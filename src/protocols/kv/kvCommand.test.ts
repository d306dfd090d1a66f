import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKvCommand, encodeKvCommand, kvCommandOverheadBytes, kvEntryCapacityFor, type KvCommand } from './kvCommand.js';

describe('a key-value command in a log entry', () => {
  it('decodes to what was encoded, for every operation, with UTF-8 keys and values', () => {
    for (const command of [
      { operation: 'get', client: 0, sequence: 1, floor: 1, key: 'k', value: '' },
      { operation: 'put', client: 7, sequence: 4_000_000_000, floor: 3, key: 'clé', value: 'välue ✓' },
      { operation: 'append', client: 0xffff_ffff, sequence: 9, floor: 9, key: '', value: 'x'.repeat(64) },
      { operation: 'delete', client: 2, sequence: 5, floor: 0, key: 'gone', value: '' },
    ] satisfies KvCommand[]) {
      const bytes = encodeKvCommand(command);
      assert.equal(bytes.length, kvEntryCapacityFor(new TextEncoder().encode(command.key).length, new TextEncoder().encode(command.value).length));
      assert.deepEqual(decodeKvCommand(bytes), command);
    }
  });

  it('decodes a command held in a larger buffer at an offset', () => {
    const bytes = encodeKvCommand({ operation: 'put', client: 1, sequence: 2, floor: 1, key: 'a', value: 'b' });
    const larger = new Uint8Array(bytes.length + 10);
    larger.set(bytes, 5);
    assert.deepEqual(decodeKvCommand(larger.subarray(5, 5 + bytes.length)), { operation: 'put', client: 1, sequence: 2, floor: 1, key: 'a', value: 'b' });
  });

  it('refuses what is not a command: another marker, an unknown code, a key past the end, bytes that are not UTF-8', () => {
    const bytes = encodeKvCommand({ operation: 'put', client: 1, sequence: 2, floor: 1, key: 'key', value: 'v' });
    assert.equal(decodeKvCommand(new Uint8Array(8)), undefined);
    assert.equal(decodeKvCommand(bytes.subarray(0, kvCommandOverheadBytes - 1)), undefined);
    const marker = bytes.slice();
    marker[0] = 0;
    assert.equal(decodeKvCommand(marker), undefined);
    const code = bytes.slice();
    code[1] = 4;
    assert.equal(decodeKvCommand(code), undefined);
    assert.equal(decodeKvCommand(bytes.subarray(0, kvCommandOverheadBytes + 2)), undefined);
    const invalid = bytes.slice();
    invalid[kvCommandOverheadBytes] = 0xff;
    assert.equal(decodeKvCommand(invalid), undefined);
  });

  it('refuses to encode numbers that do not fit a u32', () => {
    assert.throws(() => encodeKvCommand({ operation: 'get', client: -1, sequence: 1, floor: 0, key: 'k', value: '' }), /client -1/);
    assert.throws(() => encodeKvCommand({ operation: 'get', client: 1, sequence: 2 ** 32, floor: 0, key: 'k', value: '' }), /sequence/);
    assert.throws(() => encodeKvCommand({ operation: 'get', client: 1, sequence: 1.5, floor: 0, key: 'k', value: '' }), /sequence/);
  });
});
