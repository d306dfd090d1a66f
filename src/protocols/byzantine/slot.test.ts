import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setWord } from '../../fabric/index.js';
import { messageHash } from './digest.js';
import { bit, decodeSlot, encodeField, encodeReadySet, encodeSlotImage, fieldChecksum, fieldOffset, slotSize, type SlotIdentity, type SlotShape } from './slot.js';

const shape: SlotShape = { messageCapacity: 32, readyCapacity: 2 };
const encoder = new TextEncoder();
const m = encoder.encode('p0:m1');
const h = messageHash(m);
const signature = new Uint8Array(64).fill(9);
const here: SlotIdentity = { owner: 1, sender: 0, sequence: 1 };
const decode = (bytes: Uint8Array, identity = here) => decodeSlot(bytes, 'record', identity, shape, 3);
const record = (fields: Parameters<typeof encodeSlotImage>[2]['fields'], checked = false) => encodeSlotImage('record', here, { fields, checked }, shape);

describe('write-once fields: the codec', () => {
  it('round-trips every field and the checked bit; a zeroed slot holds nothing', () => {
    const readySet = encodeReadySet({ hash: h, entries: [{ signer: 0, signature }, { signer: 2, signature }] });
    const copy = decode(record({ echo: h, signed: signature, ready: h, readySig: signature, readySet, delivered: m }, true));
    assert.deepEqual(copy.fields, { echo: h, signed: signature, ready: h, readySig: signature, readySet, delivered: m });
    assert.equal(copy.checked, true);
    assert.deepEqual(copy.malformed, []);
    const sender = decodeSlot(encodeSlotImage('sender', { owner: 0, sender: 0, sequence: 1 }, { fields: { value: m, sig: signature } }, shape), 'sender', { owner: 0, sender: 0, sequence: 1 }, shape, 3);
    assert.deepEqual(sender.fields, { value: m, sig: signature });
    const empty = decode(new Uint8Array(slotSize('record', shape)));
    assert.deepEqual(empty.fields, {});
    assert.equal(empty.checked, false);
  });

  it('counts a field only with its bit set: a field without its bit is unpublished', () => {
    const bytes = record({ echo: h });
    setWord(bytes, 0, 0n);
    assert.deepEqual(decode(bytes).fields, {});
  });

  it('reads a bit ahead of its field (field not landed: zeroed) as absent', () => {
    const bytes = new Uint8Array(slotSize('record', shape));
    setWord(bytes, 0, bit('echo') | bit('signed') | bit('checked'));
    const copy = decode(bytes);
    assert.deepEqual(copy.fields, {});
    assert.deepEqual(copy.malformed, [], 'nothing malformed: it may be a correct owner in flight');
    assert.equal(copy.torn, 2, 'two bits without their fields (what the torn-blocks mutant waits on)');
    assert.equal(decode(record({ echo: h })).torn, 0);
  });

  it('reads every torn mix of old (zero) and new words of a field as absent or whole, never as another value', () => {
    const whole = record({ echo: h, signed: signature });
    const start = fieldOffset('record', 'signed', shape);
    const words = (8 + 64) / 8;
    // Each subset of the field's words landed, the rest still zero (the field was never written before).
    for (let landed = 0; landed < 1 << words; landed++) {
      const torn = whole.slice();
      for (let word = 0; word < words; word++) if ((landed & (1 << word)) === 0) torn.fill(0, start + word * 8, start + word * 8 + 8);
      const copy = decode(torn);
      assert.deepEqual(copy.fields.echo, h, 'the other field is untouched');
      if (landed === (1 << words) - 1) assert.deepEqual(copy.fields.signed, signature);
      else assert.equal(copy.fields.signed, undefined, `landed words ${landed.toString(2)}`);
    }
  });

  it('reads a half-rewritten field (old and new words mixed) as absent', () => {
    const before = record({ echo: h });
    const after = record({ echo: messageHash(encoder.encode('other')) });
    const start = fieldOffset('record', 'echo', shape);
    const torn = before.slice();
    torn.set(after.subarray(start + 16, start + 24), start + 16);
    assert.equal(decode(torn).fields.echo, undefined);
  });

  it('binds the CRC to owner, sender, k and field: a field copied from elsewhere never passes', () => {
    const elsewhere: [string, SlotIdentity][] = [
      ['another owner', { ...here, owner: 2 }],
      ['another k', { ...here, sequence: 2 }],
      ['another sender', { ...here, sender: 2 }],
    ];
    for (const [what, identity] of elsewhere) {
      const copied = encodeSlotImage('record', identity, { fields: { echo: h, ready: h } }, shape);
      assert.deepEqual(decode(copied).fields, {}, what);
      assert.deepEqual(decode(copied, identity).fields, { echo: h, ready: h }, `${what}: valid where it was written`);
    }
    // The echo field's bytes placed in the ready field (same size, another field id).
    const bytes = record({ echo: h });
    const echo = bytes.slice(fieldOffset('record', 'echo', shape), fieldOffset('record', 'echo', shape) + 40);
    bytes.set(echo, fieldOffset('record', 'ready', shape));
    setWord(bytes, 0, bit('echo') | bit('ready'));
    assert.deepEqual(decode(bytes).fields, { echo: h });
    assert.notEqual(fieldChecksum(here, 'echo', h), fieldChecksum(here, 'ready', h));
  });

  it('reads garbage as absent and what only a Byzantine owner writes as malformed, never throwing', () => {
    const cases: [string, Uint8Array, RegExp | null][] = [
      ['a 40-byte signature', record({ echo: h, signed: signature.slice(0, 40) }), /'signed' has 40 bytes/],
      ['a 31-byte hash', record({ echo: h.slice(1) }), /'echo' has 31 bytes/],
      ['a ReadySet naming a process twice', record({ readySet: encodeReadySet({ hash: h, entries: [{ signer: 1, signature }, { signer: 1, signature }] }) }), /twice/],
      ['a ReadySet naming no process', record({ readySet: encodeReadySet({ hash: h, entries: [{ signer: 7, signature }] }) }), /does not exist/],
      ['a ReadySet of a wrong length', record({ readySet: new Uint8Array(40) }), /readySet/],
      ['unknown flag bits', encodeSlotImage('record', here, { fields: { echo: h }, flags: bit('echo') | (1n << 40n) }, shape), /name no field/],
      ['an empty message', record({ delivered: new Uint8Array(0) }), null],
    ];
    for (const [what, bytes, reason] of cases) {
      const copy = decode(bytes);
      if (reason) assert.match(copy.malformed.join('; '), reason, what);
      assert.equal(Object.keys(copy.fields).filter((field) => field !== 'echo').length, 0, what);
    }
    const lengthBeyond = record({ echo: h });
    new DataView(lengthBeyond.buffer).setUint32(fieldOffset('record', 'echo', shape), 1 << 30, true);
    assert.deepEqual(decode(lengthBeyond).fields, {});
    for (let seed = 1; seed <= 200; seed++) {
      const noise = Uint8Array.from({ length: slotSize('record', shape) }, (_, index) => (seed * 7919 + index * 104729) % 251);
      assert.doesNotThrow(() => decode(noise));
    }
  });

  it('reads an empty field as absent even with a valid CRC (length 0 means unwritten), not as malformed', () => {
    const copy = decode(record({ echo: h, delivered: new Uint8Array(0) }));
    assert.deepEqual(copy.fields, { echo: h });
    assert.deepEqual(copy.malformed, []);
  });

  it('refuses to encode what a correct owner never writes', () => {
    assert.throws(() => encodeField(here, 'signed', signature.slice(1), shape, 3), /64/);
    assert.throws(() => encodeField(here, 'value', new Uint8Array(33), shape, 3), /1\.\.32/);
  });
});
