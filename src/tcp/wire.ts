/**
 * The binary framing of the tcp backend (docs/wire.md). Every frame, in both
 * directions:
 *
 *     u32 length   bytes after this field (little-endian, like every integer here)
 *     u32 id       request id, echoed by the reply (0 for the challenge)
 *     u8  code     a verb (requests) or a status (replies)
 *     ...          operands / payload
 *
 * Requests on one connection are executed in order and answered in order,
 * so a client may pipeline as many as it likes.
 */

export const verbCodes = {
  read: 0x01,
  write: 0x02,
  cas: 0x03,
  faa: 0x04,
  permission: 0x05,
  auth: 0x10,
  message: 0x20,
} as const;

export const statusCodes = {
  ok: 0x00,
  permissionDenied: 0x01,
  badAddress: 0x02,
  malformed: 0x03,
  unauthenticated: 0x04,
  unknownVerb: 0x05,
  tooLarge: 0x06,
  challenge: 0x80,
} as const;

export const statusNames: Record<number, string> = Object.fromEntries(Object.entries(statusCodes).map(([name, code]) => [code, name]));

export const accessCodes = { none: 0, read: 1, 'read-write': 2 } as const;

/** Bytes before a frame's body: length, id, code. */
export const headerBytes = 9;
/** Largest `length` field a server accepts by default (1 MiB of payload plus operands). */
export const defaultMaxFrameBytes = (1 << 20) + 64;
/** Bytes of the challenge's nonce. */
export const nonceBytes = 32;
/** Bytes of an Ed25519 signature. */
export const signatureBytes = 64;

/** A decoded frame: its id, code and body (a view into the received bytes). */
export interface Frame {
  readonly id: number;
  readonly code: number;
  readonly body: Buffer;
}

/** Encodes one frame. */
export function encodeFrame(id: number, code: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const frame = Buffer.allocUnsafe(headerBytes + body.length);
  frame.writeUInt32LE(5 + body.length, 0);
  frame.writeUInt32LE(id >>> 0, 4);
  frame.writeUInt8(code, 8);
  frame.set(body, headerBytes);
  return frame;
}

/**
 * Splits a byte stream into frames. Feed it chunks as they arrive; it keeps
 * a partial frame until the rest comes. A length below the header or above
 * the limit is a protocol error (the stream cannot be trusted after it).
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxFrameBytes: number = defaultMaxFrameBytes) {}

  /** Bytes received that do not yet form a whole frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Returns the whole frames now available, or a description of why the stream is broken. */
  push(chunk: Buffer): Frame[] | { readonly error: 'malformed' | 'tooLarge'; readonly message: string } {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    let data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const frames: Frame[] = [];
    let at = 0;
    while (data.length - at >= 4) {
      const length = data.readUInt32LE(at);
      if (length < 5) return { error: 'malformed', message: `frame length ${length} is below the 5-byte minimum (id and code)` };
      if (length > this.maxFrameBytes) return { error: 'tooLarge', message: `frame length ${length} exceeds the limit of ${this.maxFrameBytes} bytes` };
      if (data.length - at < 4 + length) break;
      frames.push({ id: data.readUInt32LE(at + 4), code: data[at + 8], body: data.subarray(at + headerBytes, at + 4 + length) });
      at += 4 + length;
    }
    data = data.subarray(at);
    this.pending = data.length > 0 ? [data] : [];
    this.pendingBytes = data.length;
    return frames;
  }
}

/** Operands of a region verb: region index and offset come first in each. */
export type Request =
  | { readonly verb: 'read'; readonly region: number; readonly offset: number; readonly length: number }
  | { readonly verb: 'write'; readonly region: number; readonly offset: number; readonly data: Buffer }
  | { readonly verb: 'cas'; readonly region: number; readonly offset: number; readonly expected: bigint; readonly desired: bigint }
  | { readonly verb: 'faa'; readonly region: number; readonly offset: number; readonly delta: bigint }
  /** `proposal`: the requester's proposal number (u64), absent when the request carries none (which is not the same as 0). */
  | { readonly verb: 'permission'; readonly region: number; readonly access: 'none' | 'read' | 'read-write'; readonly proposal?: bigint };

const accessNames = ['none', 'read', 'read-write'] as const;

/** Decodes a region verb's operands, or says what is malformed. */
export function decodeRequest(frame: Frame): Request | { readonly error: 'malformed' | 'unknownVerb'; readonly message: string } {
  const body = frame.body;
  const need = (bytes: number, what: string) => (body.length === bytes || (what === 'write' && body.length >= bytes) ? null : { error: 'malformed' as const, message: `${what}: operands are ${body.length} bytes, expected ${what === 'write' ? `at least ${bytes}` : bytes}` });
  switch (frame.code) {
    case verbCodes.read:
      return need(10, 'read') ?? { verb: 'read', region: body.readUInt16LE(0), offset: body.readUInt32LE(2), length: body.readUInt32LE(6) };
    case verbCodes.write:
      return need(6, 'write') ?? { verb: 'write', region: body.readUInt16LE(0), offset: body.readUInt32LE(2), data: body.subarray(6) };
    case verbCodes.cas:
      return need(22, 'cas') ?? { verb: 'cas', region: body.readUInt16LE(0), offset: body.readUInt32LE(2), expected: body.readBigUInt64LE(6), desired: body.readBigUInt64LE(14) };
    case verbCodes.faa:
      return need(14, 'faa') ?? { verb: 'faa', region: body.readUInt16LE(0), offset: body.readUInt32LE(2), delta: body.readBigUInt64LE(6) };
    case verbCodes.permission: {
      // 3 bytes without a proposal, 11 with one: presence is told by length, since a proposal of 0 is not the same as none.
      if (body.length !== 3 && body.length !== 11) return { error: 'malformed', message: `permission: operands are ${body.length} bytes, expected 3 (no proposal) or 11 (with a u64 proposal)` };
      const access = accessNames[body[2]];
      if (access === undefined) return { error: 'malformed', message: `permission: access code ${body[2]} is not 0 (none), 1 (read) or 2 (read-write)` };
      const region = body.readUInt16LE(0);
      return body.length === 11 ? { verb: 'permission', region, access, proposal: body.readBigUInt64LE(3) } : { verb: 'permission', region, access };
    }
    default:
      return { error: 'unknownVerb', message: `unknown verb code 0x${frame.code.toString(16).padStart(2, '0')}` };
  }
}

/** Encodes a region verb's frame. */
export function encodeRequest(id: number, request: Request): Buffer {
  switch (request.verb) {
    case 'read': {
      const body = Buffer.allocUnsafe(10);
      body.writeUInt16LE(request.region, 0);
      body.writeUInt32LE(request.offset, 2);
      body.writeUInt32LE(request.length, 6);
      return encodeFrame(id, verbCodes.read, body);
    }
    case 'write': {
      const frame = Buffer.allocUnsafe(headerBytes + 6 + request.data.length);
      frame.writeUInt32LE(5 + 6 + request.data.length, 0);
      frame.writeUInt32LE(id >>> 0, 4);
      frame.writeUInt8(verbCodes.write, 8);
      frame.writeUInt16LE(request.region, 9);
      frame.writeUInt32LE(request.offset, 11);
      frame.set(request.data, 15);
      return frame;
    }
    case 'cas': {
      const body = Buffer.allocUnsafe(22);
      body.writeUInt16LE(request.region, 0);
      body.writeUInt32LE(request.offset, 2);
      body.writeBigUInt64LE(request.expected, 6);
      body.writeBigUInt64LE(request.desired, 14);
      return encodeFrame(id, verbCodes.cas, body);
    }
    case 'faa': {
      const body = Buffer.allocUnsafe(14);
      body.writeUInt16LE(request.region, 0);
      body.writeUInt32LE(request.offset, 2);
      body.writeBigUInt64LE(request.delta, 6);
      return encodeFrame(id, verbCodes.faa, body);
    }
    case 'permission': {
      const body = Buffer.allocUnsafe(request.proposal === undefined ? 3 : 11);
      body.writeUInt16LE(request.region, 0);
      body.writeUInt8(accessCodes[request.access], 2);
      if (request.proposal !== undefined) body.writeBigUInt64LE(request.proposal, 3);
      return encodeFrame(id, verbCodes.permission, body);
    }
  }
}
