import { checksum, getWord, setWord, wholeWords } from '../../fabric/index.js';

/**
 * The SWMR slot of Byzantine broadcast, as laid out in its owner's region on
 * every memory:
 *
 *   bytes 0..7    version (u64; 0 = never written)
 *   bytes 8..11   payload length (u32)
 *   bytes 12..15  CRC-32 of bytes 0..11 and of the payload
 *   bytes 16..    payload: fields, each tag (u8), length (u16), bytes
 *
 * A slot spans many words, so a read concurrent with its owner's write may
 * see it torn: the checksum tells, and a torn slot is never acted on. A slot
 * whose checksum holds but whose fields do not parse (unknown or repeated
 * tag, truncated field, a signature that is not 64 bytes, a message longer
 * than the capacity...) can only come from a Byzantine owner: it is
 * 'malformed', counted, and read as if empty.
 *
 * One slot type serves every role. A sender's slot S[s][k] uses `value` and
 * `signature`; a process's record for broadcast (s, k) uses the rest:
 * - `echo` (the value it adopted from the sender), `echoSignature` (σ_s over
 *   it) and `checked` — consistent broadcast's replicator state;
 * - `ready` — it CB-delivered this value (reliable broadcast's Ready, and the
 *   acknowledgement that lets a sender skip its signature);
 * - `readySignature` — its own σ over (ready, s, k, ready value);
 * - `proofValue` + `proof` — a ReadySet: f+1 signed Readys of distinct replicators;
 * - `delivered` — it delivered this value (RB).
 */
export const slotHeaderSize = 16;
export const signatureSize = 64;
/** Bytes of one ReadySet entry: signer (u16) and signature. */
export const proofEntrySize = 2 + signatureSize;

export interface ProofEntry {
  readonly signer: number;
  readonly signature: Uint8Array;
}

export interface SlotContent {
  readonly value?: Uint8Array;
  readonly signature?: Uint8Array;
  readonly echo?: Uint8Array;
  readonly echoSignature?: Uint8Array;
  readonly checked?: boolean;
  readonly ready?: Uint8Array;
  readonly readySignature?: Uint8Array;
  readonly proofValue?: Uint8Array;
  readonly proof?: readonly ProofEntry[];
  readonly delivered?: Uint8Array;
}

const tags = {
  value: 1,
  signature: 2,
  echo: 3,
  echoSignature: 4,
  checked: 5,
  ready: 6,
  readySignature: 7,
  proofValue: 8,
  proof: 9,
  delivered: 10,
} as const;
type Field = keyof typeof tags;
const fieldOfTag = new Map<number, Field>(Object.entries(tags).map(([field, tag]) => [tag, field as Field]));
const messageFields: readonly Field[] = ['value', 'echo', 'ready', 'proofValue', 'delivered'];
const signatureFields: readonly Field[] = ['signature', 'echoSignature', 'readySignature'];

/** Sizes of a slot: the longest message and the largest ReadySet it must hold. */
export interface SlotShape {
  readonly messageCapacity: number;
  readonly proofCapacity: number;
}

/** Payload bytes a slot of this shape needs at most (every field present). */
export function payloadCapacity(shape: SlotShape): number {
  const field = 3;
  return messageFields.length * (field + shape.messageCapacity) + signatureFields.length * (field + signatureSize) + field + (field + shape.proofCapacity * proofEntrySize);
}

export function slotSize(shape: SlotShape): number {
  return slotHeaderSize + wholeWords(payloadCapacity(shape));
}

/** Encodes the fields (in a fixed order); throws on what a correct owner never writes. */
export function encodePayload(content: SlotContent, shape: SlotShape): Uint8Array {
  const parts: { tag: number; bytes: Uint8Array }[] = [];
  for (const field of Object.keys(tags) as Field[]) {
    const value = content[field];
    if (value === undefined || value === false) continue;
    let bytes: Uint8Array;
    if (field === 'checked') bytes = new Uint8Array(0);
    else if (field === 'proof') bytes = encodeProof(value as readonly ProofEntry[]);
    else bytes = value as Uint8Array;
    if (messageFields.includes(field) && bytes.length > shape.messageCapacity) throw new RangeError(`${field} of ${bytes.length} bytes exceeds the capacity of ${shape.messageCapacity}`);
    if (signatureFields.includes(field) && bytes.length !== signatureSize) throw new RangeError(`${field} must have ${signatureSize} bytes, not ${bytes.length}`);
    parts.push({ tag: tags[field], bytes });
  }
  return concatFields(parts);
}

/** Lays out raw fields (tag, bytes) without checking them; adversaries use it to write malformed slots. */
export function concatFields(parts: readonly { readonly tag: number; readonly bytes: Uint8Array }[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + 3 + part.bytes.length, 0);
  const payload = new Uint8Array(length);
  const view = new DataView(payload.buffer);
  let offset = 0;
  for (const part of parts) {
    payload[offset] = part.tag;
    view.setUint16(offset + 1, part.bytes.length, true);
    payload.set(part.bytes, offset + 3);
    offset += 3 + part.bytes.length;
  }
  return payload;
}

function encodeProof(entries: readonly ProofEntry[]): Uint8Array {
  const bytes = new Uint8Array(entries.length * proofEntrySize);
  entries.forEach((entry, index) => {
    new DataView(bytes.buffer).setUint16(index * proofEntrySize, entry.signer, true);
    bytes.set(entry.signature, index * proofEntrySize + 2);
  });
  return bytes;
}

/** A whole slot (header and payload); `payload` may be any bytes (adversaries write malformed ones). */
export function encodeSlot(version: bigint, payload: Uint8Array, shape: SlotShape): Uint8Array {
  if (payload.length > payloadCapacity(shape)) throw new RangeError(`payload of ${payload.length} bytes exceeds the slot's ${payloadCapacity(shape)}`);
  const bytes = new Uint8Array(slotSize(shape));
  setWord(bytes, 0, version);
  new DataView(bytes.buffer).setUint32(8, payload.length, true);
  bytes.set(payload, slotHeaderSize);
  new DataView(bytes.buffer).setUint32(12, slotChecksum(bytes, payload.length), true);
  return bytes;
}

function slotChecksum(bytes: Uint8Array, length: number): number {
  const header = checksum(bytes, 0, 12);
  const body = checksum(bytes, slotHeaderSize, slotHeaderSize + length);
  return (header ^ Math.imul(body, 0x9e3779b1)) >>> 0;
}

export type DecodedSlot =
  | { readonly kind: 'empty' }
  | { readonly kind: 'torn' }
  | { readonly kind: 'malformed'; readonly version: bigint; readonly reason: string }
  | { readonly kind: 'slot'; readonly version: bigint; readonly payload: Uint8Array; readonly content: SlotContent };

/**
 * Decodes one slot read from one memory: 'empty' (never written), 'torn'
 * (the checksum fails: a read overlapped a write — or a Byzantine owner wrote
 * garbage), 'malformed' (checksum fine, fields not), or the content.
 */
export function decodeSlot(bytes: Uint8Array, shape: SlotShape, processCount: number): DecodedSlot {
  if (bytes.length < slotHeaderSize) return { kind: 'torn' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = getWord(bytes, 0);
  const length = view.getUint32(8, true);
  const crc = view.getUint32(12, true);
  if (version === 0n && length === 0 && crc === 0) return { kind: 'empty' };
  if (length > bytes.length - slotHeaderSize || length > payloadCapacity(shape)) return { kind: 'torn' };
  if (crc !== slotChecksum(bytes, length)) return { kind: 'torn' };
  const payload = bytes.slice(slotHeaderSize, slotHeaderSize + length);
  const parsed = parsePayload(payload, shape, processCount);
  if (typeof parsed === 'string') return { kind: 'malformed', version, reason: parsed };
  return { kind: 'slot', version, payload, content: parsed };
}

/** Parses a payload's fields, or returns why they are malformed. */
export function parsePayload(payload: Uint8Array, shape: SlotShape, processCount: number): SlotContent | string {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const content: Record<string, unknown> = {};
  let offset = 0;
  while (offset < payload.length) {
    if (offset + 3 > payload.length) return `truncated field header at byte ${offset}`;
    const tag = payload[offset];
    const length = view.getUint16(offset + 1, true);
    const field = fieldOfTag.get(tag);
    if (field === undefined) return `unknown tag ${tag}`;
    if (field in content) return `field '${field}' repeated`;
    if (offset + 3 + length > payload.length) return `field '${field}' of ${length} bytes truncated`;
    const bytes = payload.slice(offset + 3, offset + 3 + length);
    offset += 3 + length;
    if (messageFields.includes(field)) {
      if (length === 0 || length > shape.messageCapacity) return `field '${field}' has ${length} bytes (accepted: 1..${shape.messageCapacity})`;
      content[field] = bytes;
    } else if (signatureFields.includes(field)) {
      if (length !== signatureSize) return `field '${field}' has ${length} bytes (a signature has ${signatureSize})`;
      content[field] = bytes;
    } else if (field === 'checked') {
      if (length !== 0) return `field 'checked' has ${length} bytes (accepted: 0)`;
      content.checked = true;
    } else {
      if (length === 0 || length % proofEntrySize !== 0 || length / proofEntrySize > shape.proofCapacity) return `field 'proof' has ${length} bytes (accepted: 1..${shape.proofCapacity} entries of ${proofEntrySize})`;
      const entries: ProofEntry[] = [];
      for (let at = 0; at < length; at += proofEntrySize) {
        const signer = new DataView(bytes.buffer).getUint16(at, true);
        if (signer >= processCount) return `proof names p${signer}, who does not exist`;
        if (entries.some((entry) => entry.signer === signer)) return `proof names p${signer} twice`;
        entries.push({ signer, signature: bytes.slice(at + 2, at + proofEntrySize) });
      }
      content.proof = entries;
    }
  }
  if (content.echoSignature && !content.echo) return "field 'echoSignature' without 'echo'";
  if (content.signature && !content.value) return "field 'signature' without 'value'";
  if (content.readySignature && !content.ready) return "field 'readySignature' without 'ready'";
  if (Boolean(content.proof) !== Boolean(content.proofValue)) return "fields 'proof' and 'proofValue' go together";
  return content as SlotContent;
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
