import { getWord, setWord, wholeWords, wordSize } from '../../fabric/index.js';
import { contextHeaderValueCrc, openRecord, sealRecord, type RecordLayout } from '../common/record.js';
import { hashSize } from './digest.js';

/**
 * One SWMR slot of Byzantine broadcast as laid out on one memory: an
 * aligned 8-byte **flags word**, then **write-once fields** at fixed
 * offsets (spec: "Records: write-once fields, and a torn copy is simply
 * absent").
 *
 *   bytes 0..7     flags (u64): bit i = field i is published
 *   per field:     length (u32) | CRC-32 (u32) | bytes (capacity, whole words)
 *
 * The CRC covers (owner, sender, k, field id, length, bytes), so a zeroed,
 * never-written field (length 0 = absent) or a field copied from another
 * slot, owner, broadcast or field never passes. (The spec names owner, k and
 * the field; the sender is added because one owner keeps a record per sender.)
 * Each field is a checksummed record of the shared codec (common/record.ts):
 * owner, sender, k and field id are its context, covered but not stored.
 *
 * A sender slot S[s][k] has `value` (m) and `sig` (σ_s over (s, k, H(m)));
 * a record R[i][s][k] has `echo` (H(m)), `signed` (σ_s over the echo),
 * `ready` (H(m)), `readySig` (σ_i over (ready, s, k, H(m))), `readySet`
 * (H(m) and f+1 signed Readys) and reliable broadcast's `delivered` (m);
 * `checked` is a flag bit with no field.
 *
 * Why this is safe without any timing assumption (the spec's L0): a correct
 * owner writes each field at most once, then sets its bit by writing the
 * flags word on the same queue pair, so the bit lands after the field; it
 * never clears a bit. A reader counts a field of one memory's copy only if
 * its bit is set and its CRC holds. For a correct owner such a field is its
 * final value: nothing will ever rewrite it. Anything else — a copy torn by
 * the write in flight, a bit read ahead of its field, garbage — is absent,
 * which is what "not yet written" means, so it can only delay a reader,
 * never mislead it. There is no retry cap and no waiting branch: a reader
 * just reads again in its next round. (A torn copy that passes CRC-32 by
 * chance, odds 2^-32, is the one residual risk, as for any checksum.)
 */

export const signatureSize = 64;
/** One entry of a ReadySet: signer (u16) and its signature. */
export const readyEntrySize = 2 + signatureSize;
export const flagsSize = wordSize;
const fieldHeaderSize = 8;

/** Field ids; each is also its bit in the flags word. `checked` is a bit only. */
export const fieldIds = { value: 0, sig: 1, echo: 2, signed: 3, checked: 4, ready: 5, readySig: 6, readySet: 7, delivered: 8 } as const;
export type Flag = keyof typeof fieldIds;
export type FieldName = Exclude<Flag, 'checked'>;
export type SlotKind = 'sender' | 'record';

/** The fields of each kind of slot, in their order in the slot. */
export const slotFields: Readonly<Record<SlotKind, readonly FieldName[]>> = {
  sender: ['value', 'sig'],
  record: ['echo', 'signed', 'ready', 'readySig', 'readySet', 'delivered'],
};
const slotFlags: Readonly<Record<SlotKind, readonly Flag[]>> = { sender: slotFields.sender, record: [...slotFields.record, 'checked'] };
const knownBits: Readonly<Record<SlotKind, number>> = {
  sender: slotFlags.sender.reduce((mask, flag) => mask | (1 << fieldIds[flag]), 0),
  record: slotFlags.record.reduce((mask, flag) => mask | (1 << fieldIds[flag]), 0),
};

export function bit(flag: Flag): bigint {
  return 1n << BigInt(fieldIds[flag]);
}

/** Sizes of a slot: the longest message and the largest ReadySet (entries) it must hold. */
export interface SlotShape {
  readonly messageCapacity: number;
  readonly readyCapacity: number;
}

/** Which slot a field belongs to; its CRC binds these. */
export interface SlotIdentity {
  readonly owner: number;
  readonly sender: number;
  readonly sequence: number;
}

export interface ReadyEntry {
  readonly signer: number;
  readonly signature: Uint8Array;
}

/** A ReadySet: f+1 signed Readys of distinct replicators for one hash. */
export interface ReadySet {
  readonly hash: Uint8Array;
  readonly entries: readonly ReadyEntry[];
}

/** The largest number of bytes a field may hold. */
export function fieldCapacity(field: FieldName, shape: SlotShape): number {
  switch (field) {
    case 'value':
    case 'delivered':
      return shape.messageCapacity;
    case 'sig':
    case 'signed':
    case 'readySig':
      return signatureSize;
    case 'echo':
    case 'ready':
      return hashSize;
    case 'readySet':
      return hashSize + shape.readyCapacity * readyEntrySize;
  }
}

function fieldSpan(field: FieldName, shape: SlotShape): number {
  return fieldHeaderSize + wholeWords(fieldCapacity(field, shape));
}

/** Offset of a field's header within its slot (every field starts on a word). */
export function fieldOffset(kind: SlotKind, field: FieldName, shape: SlotShape): number {
  let offset = flagsSize;
  for (const candidate of slotFields[kind]) {
    if (candidate === field) return offset;
    offset += fieldSpan(candidate, shape);
  }
  throw new RangeError(`a ${kind} slot has no field '${field}'`);
}

export function slotSize(kind: SlotKind, shape: SlotShape): number {
  return slotFields[kind].reduce((size, field) => size + fieldSpan(field, shape), flagsSize);
}

/**
 * A field as a checksummed record: length (u32), CRC-32 (u32), bytes. The
 * CRC is one CRC-32 over the context (owner, sender, k, field id: u32 each),
 * the length and the bytes.
 */
const fieldRecord: RecordLayout = { header: fieldHeaderSize, lengthAt: 0, checksumAt: 4, coveredFrom: 0, contextLength: 16, checksum: contextHeaderValueCrc };

/** The context bytes of a field (one process at a time runs and each use is synchronous: no sharing hazard). */
const context = new Uint8Array(fieldRecord.contextLength ?? 0);
const contextView = new DataView(context.buffer);

/** What a field's place implies, which its CRC binds: (owner, sender, k, field id). */
function fieldContext(identity: SlotIdentity, field: FieldName): Uint8Array {
  contextView.setUint32(0, identity.owner, true);
  contextView.setUint32(4, identity.sender, true);
  contextView.setUint32(8, identity.sequence, true);
  contextView.setUint32(12, fieldIds[field], true);
  return context;
}

/** CRC-32 over (owner, sender, k, field id, length, bytes): the CRC a field holding `bytes` stores. */
export function fieldChecksum(identity: SlotIdentity, field: FieldName, bytes: Uint8Array): number {
  return new DataView(encodeFieldUnchecked(identity, field, bytes).buffer).getUint32(fieldRecord.checksumAt, true);
}

/** Why a field's bytes are not what a correct owner writes, or null. */
export function fieldProblem(field: FieldName, bytes: Uint8Array, shape: SlotShape, processCount: number): string | null {
  const capacity = fieldCapacity(field, shape);
  if (field === 'value' || field === 'delivered') return bytes.length >= 1 && bytes.length <= capacity ? null : `'${field}' has ${bytes.length} bytes (accepted: 1..${capacity})`;
  if (field !== 'readySet') return bytes.length === capacity ? null : `'${field}' has ${bytes.length} bytes (accepted: ${capacity})`;
  const entries = (bytes.length - hashSize) / readyEntrySize;
  if (!Number.isInteger(entries) || entries < 1 || entries > shape.readyCapacity) return `'readySet' has ${bytes.length} bytes (accepted: ${hashSize} + 1..${shape.readyCapacity} entries of ${readyEntrySize})`;
  const seen = new Set<number>();
  for (let index = 0; index < entries; index++) {
    const signer = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(hashSize + index * readyEntrySize, true);
    if (signer >= processCount) return `'readySet' names p${signer}, who does not exist`;
    if (seen.has(signer)) return `'readySet' names p${signer} twice`;
    seen.add(signer);
  }
  return null;
}

/** The bytes to write at a field's offset: header and payload (whole words). Throws on what a correct owner never writes. */
export function encodeField(identity: SlotIdentity, field: FieldName, bytes: Uint8Array, shape: SlotShape, processCount: number): Uint8Array {
  const problem = fieldProblem(field, bytes, shape, processCount);
  if (problem) throw new RangeError(`cannot write ${problem}`);
  return encodeFieldUnchecked(identity, field, bytes);
}

/** A field with a valid CRC over any bytes: adversaries write malformed fields with it. */
export function encodeFieldUnchecked(identity: SlotIdentity, field: FieldName, bytes: Uint8Array): Uint8Array {
  return sealRecord(new Uint8Array(fieldHeaderSize + wholeWords(bytes.length)), fieldRecord, bytes, fieldContext(identity, field));
}

export function encodeReadySet(set: ReadySet): Uint8Array {
  const bytes = new Uint8Array(hashSize + set.entries.length * readyEntrySize);
  bytes.set(set.hash, 0);
  set.entries.forEach((entry, index) => {
    new DataView(bytes.buffer).setUint16(hashSize + index * readyEntrySize, entry.signer, true);
    bytes.set(entry.signature, hashSize + index * readyEntrySize + 2);
  });
  return bytes;
}

/** Parses a `readySet` field that passed `fieldProblem`. */
export function decodeReadySet(bytes: Uint8Array): ReadySet {
  const entries: ReadyEntry[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = hashSize; at + readyEntrySize <= bytes.length; at += readyEntrySize) {
    entries.push({ signer: view.getUint16(at, true), signature: bytes.slice(at + 2, at + readyEntrySize) });
  }
  return { hash: bytes.slice(0, hashSize), entries };
}

/** One memory's copy of a slot, judged field by field. */
export interface SlotCopy {
  readonly flags: bigint;
  /** The fields this copy counts: bit set, CRC valid, well formed. */
  readonly fields: Readonly<Partial<Record<FieldName, Uint8Array>>>;
  /** The stored CRC of each field counted (a cheap fingerprint of its bytes). */
  readonly checksums: Readonly<Partial<Record<FieldName, number>>>;
  readonly checked: boolean;
  /**
   * What only a Byzantine owner writes: a field whose CRC holds (so its owner
   * wrote it, whole) but whose bytes no correct owner writes, or flag bits
   * that name no field. Read as absent, and counted.
   */
  readonly malformed: readonly string[];
  /**
   * Fields whose bit is set but that do not count (torn, blank, sealed for
   * another place): absent like any unwritten field. Only the `torn-blocks`
   * mutant (rounds.ts) looks at it, to wait for a clean copy instead.
   */
  readonly torn: number;
}

/**
 * Judges one memory's copy of a slot. A field counts only if its bit is set,
 * its length is within capacity, its CRC holds for this slot and field, and
 * it is well formed; anything else is absent. Never throws on any bytes.
 */
export function decodeSlot(bytes: Uint8Array, kind: SlotKind, identity: SlotIdentity, shape: SlotShape, processCount: number): SlotCopy {
  if (bytes.length < slotSize(kind, shape)) throw new RangeError(`a ${kind} slot has ${slotSize(kind, shape)} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The flags word as two halves: bit arithmetic on numbers, not bigints (this runs for every copy of every slot read).
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const fields: Partial<Record<FieldName, Uint8Array>> = {};
  const checksums: Partial<Record<FieldName, number>> = {};
  const malformed: string[] = [];
  let torn = 0;
  if (high !== 0 || (low & ~knownBits[kind]) !== 0) malformed.push(`flags 0x${getWord(bytes, 0).toString(16)} set bits that name no field of a ${kind} slot`);
  for (const field of slotFields[kind]) {
    if ((low & (1 << fieldIds[field])) === 0) continue;
    const offset = fieldOffset(kind, field, shape);
    const capacity = fieldCapacity(field, shape);
    const opened = openRecord(bytes.subarray(offset, offset + fieldSpan(field, shape)), fieldRecord, true, capacity, fieldContext(identity, field));
    // Unwritten (a bit read ahead of its field; length 0 is absent), torn, garbage, or sealed for another place: absent.
    if (opened === 'torn' || opened.blank || opened.length === 0) {
      torn++;
      continue;
    }
    const payload = bytes.subarray(offset + fieldHeaderSize, offset + fieldHeaderSize + opened.length);
    const stored = view.getUint32(offset + fieldRecord.checksumAt, true);
    const problem = fieldProblem(field, payload, shape, processCount);
    if (problem) {
      malformed.push(problem);
      continue;
    }
    fields[field] = payload.slice();
    checksums[field] = stored;
  }
  return { flags: getWord(bytes, 0), fields, checksums, checked: kind === 'record' && (low & (1 << fieldIds.checked)) !== 0, malformed, torn };
}

/** What a whole slot image holds: for adversaries and tests, which write slots in one piece. */
export interface SlotImage {
  readonly fields: Readonly<Partial<Record<FieldName, Uint8Array>>>;
  readonly checked?: boolean;
  /** The flags word to write instead of the bits of the fields present (bits without fields, cleared bits...). */
  readonly flags?: bigint;
}

/** A slot's bytes from an image: every present field with a valid CRC, the flags of what is present. */
export function encodeSlotImage(kind: SlotKind, identity: SlotIdentity, image: SlotImage, shape: SlotShape): Uint8Array {
  const bytes = new Uint8Array(slotSize(kind, shape));
  let flags = image.checked ? bit('checked') : 0n;
  for (const field of slotFields[kind]) {
    const value = image.fields[field];
    if (value === undefined) continue;
    if (value.length > fieldCapacity(field, shape)) throw new RangeError(`'${field}' of ${value.length} bytes exceeds its capacity of ${fieldCapacity(field, shape)}`);
    bytes.set(encodeFieldUnchecked(identity, field, value), fieldOffset(kind, field, shape));
    flags |= bit(field);
  }
  setWord(bytes, 0, image.flags ?? flags);
  return bytes;
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
