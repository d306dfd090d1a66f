import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setWord } from '../../fabric/index.js';
import { messageHash } from './digest.js';
import { mergeCopies } from './merge.js';
import { decodeSlot, encodeSlotImage, fieldOffset, type SlotIdentity, type SlotShape } from './slot.js';

const shape: SlotShape = { messageCapacity: 32, readyCapacity: 2 };
const encoder = new TextEncoder();
const here: SlotIdentity = { owner: 1, sender: 0, sequence: 1 };
const a = messageHash(encoder.encode('a'));
const b = messageHash(encoder.encode('b'));
const signature = new Uint8Array(64).fill(5);
const copy = (memory: number, bytes: Uint8Array) => ({ memory, copy: decodeSlot(bytes, 'record', here, shape, 3) });
const image = (fields: Parameters<typeof encodeSlotImage>[2]['fields'], checked = false) => encodeSlotImage('record', here, { fields, checked }, shape);

describe('merging the copies of a replicated slot, field by field', () => {
  it('takes each field from the lowest-numbered memory holding a valid copy', () => {
    const merged = mergeCopies('record', [copy(2, image({ echo: a, signed: signature })), copy(1, image({ echo: a }))]);
    assert.deepEqual(merged.fields, { echo: a, signed: signature }, 'the signature is only on m2: it still counts');
    assert.deepEqual(merged.equivocation, []);
  });

  it('flags two different valid copies of one field as proof of a Byzantine owner, and picks by memory', () => {
    const merged = mergeCopies('record', [copy(2, image({ echo: b })), copy(0, image({ echo: a }))]);
    assert.deepEqual(merged.fields.echo, a);
    assert.deepEqual(merged.alternatives.echo, [a, b]);
    assert.deepEqual(merged.equivocation, ['echo']);
  });

  it('merges around a torn copy: the torn field is absent there, the others count', () => {
    const torn = image({ echo: a, signed: signature });
    torn.fill(0, fieldOffset('record', 'signed', shape) + 16, fieldOffset('record', 'signed', shape) + 24);
    const merged = mergeCopies('record', [copy(0, torn), copy(1, image({ echo: a }))]);
    assert.deepEqual(merged.fields, { echo: a });
    assert.deepEqual(merged.equivocation, [], 'a torn copy is absence, not a conflict');
  });

  it('counts the checked bit if any copy sets it (a correct owner never clears a bit)', () => {
    const unchecked = image({ echo: a, signed: signature });
    assert.equal(mergeCopies('record', [copy(0, unchecked), copy(1, image({ echo: a, signed: signature }, true))]).checked, true);
    const cleared = image({ echo: a }, true);
    setWord(cleared, 0, 0n);
    assert.equal(mergeCopies('record', [copy(0, cleared)]).checked, false);
  });

  it('changes its fingerprint exactly when what counts changes', () => {
    const one = mergeCopies('record', [copy(0, image({ echo: a }))]).fingerprint;
    assert.equal(mergeCopies('record', [copy(1, image({ echo: a }))]).fingerprint, one);
    assert.notEqual(mergeCopies('record', [copy(0, image({ echo: a }, true))]).fingerprint, one);
    assert.notEqual(mergeCopies('record', [copy(0, image({ echo: b }))]).fingerprint, one);
  });
});
