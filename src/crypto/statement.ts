/**
 * What a signature covers. Every signature binds the domain `mnm/v1`, a
 * purpose byte and the purpose's fields, so a signature made for one
 * statement verifies for no other: an old signed message cannot be replayed
 * under a new sequence number, a Ready cannot pass for a sender's
 * signature, and a prepare share cannot pass for a checkpoint share.
 *
 * Purposes (the tag is the byte after the domain):
 * 1 broadcast, 2 ready — Byzantine broadcast (specs/byzantine-broadcast.md):
 *   (sender u32, sequence u32, message u32-length-prefixed);
 * 3 request (c, s, op), 4 prepare (v, i, h), 5 vc-state (p, a, u,
 *   H(vcState)), 6 checkpoint (next, d) — Byzantine consensus
 *   (specs/bft-consensus.md §2.3, §7): u64 little-endian numbers (a, which
 *   may be −1, as a+1), op u32-length-prefixed, hashes raw (32 bytes).
 */
export type Purpose = 'broadcast' | 'ready';

/** A broadcast's statement: its sender's (purpose `broadcast`) or a replicator's Ready (`ready`). */
export interface BroadcastStatement {
  readonly purpose: Purpose;
  /** The broadcast's sender. */
  readonly sender: number;
  /** Its sequence number. */
  readonly sequence: number;
  readonly message: Uint8Array;
}

/** A client's request: client c's s-th operation op. */
export interface RequestStatement {
  readonly purpose: 'request';
  readonly client: number;
  readonly sequence: number;
  readonly op: Uint8Array;
}

/** A prepare share: the signer vouches that view v's leader proposed the batch with hash h at instance i. */
export interface PrepareStatement {
  readonly purpose: 'prepare';
  readonly view: number;
  readonly instance: number;
  readonly hash: Uint8Array;
}

/** A view-change share: p's stream, at its SEAL(u) after sealed(p) = a, yields the view-change state with this hash. */
export interface VcStateStatement {
  readonly purpose: 'vc-state';
  readonly process: number;
  /** sealed(p) before the SEAL: −1 before p's first SEAL. */
  readonly sealedBefore: number;
  /** The SEAL's view u. */
  readonly sealed: number;
  readonly stateHash: Uint8Array;
}

/** A checkpoint share: the executed prefix below `next` has state digest d. */
export interface CheckpointStatement {
  readonly purpose: 'checkpoint';
  readonly next: number;
  readonly digest: Uint8Array;
}

export type ConsensusStatement = RequestStatement | PrepareStatement | VcStateStatement | CheckpointStatement;
export type Statement = BroadcastStatement | ConsensusStatement;
export type StatementPurpose = Statement['purpose'];

const purposeTags: Record<StatementPurpose, number> = { broadcast: 1, ready: 2, request: 3, prepare: 4, 'vc-state': 5, checkpoint: 6 };
const domain = new TextEncoder().encode('mnm/v1');
const hashSize = 32;

/** The exact bytes signed for a statement; a RangeError for a field out of range (so nothing ambiguous is ever signed). */
export function statementBytes(statement: Statement): Uint8Array {
  const fields = new FieldBytes();
  switch (statement.purpose) {
    case 'broadcast':
    case 'ready':
      fields.u32('sender', statement.sender).u32('sequence number', statement.sequence).bytes(statement.message);
      break;
    case 'request':
      fields.u64('client', statement.client).u64('sequence number', statement.sequence).bytes(statement.op);
      break;
    case 'prepare':
      fields.u64('view', statement.view).u64('instance', statement.instance).hash('hash', statement.hash);
      break;
    case 'vc-state':
      // a may be −1 (no SEAL yet): encoded as a+1, as the spec's encodings do.
      fields.u64('process', statement.process).u64('sealed before + 1', statement.sealedBefore + 1).u64('sealed view', statement.sealed).hash('state hash', statement.stateHash);
      break;
    case 'checkpoint':
      fields.u64('next', statement.next).hash('digest', statement.digest);
      break;
  }
  return fields.finish(purposeTags[statement.purpose]);
}

/** Fixed-width little-endian fields after the domain and purpose byte. */
class FieldBytes {
  private readonly parts: Uint8Array[] = [];

  u32(name: string, value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${name} ${value} out of range (0..2^32-1)`);
    const part = new Uint8Array(4);
    new DataView(part.buffer).setUint32(0, value, true);
    this.parts.push(part);
    return this;
  }

  /** Numbers up to 2^53−1 (the spec calls larger ones ill-formed). */
  u64(name: string, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} ${value} out of range (0..2^53-1)`);
    const part = new Uint8Array(8);
    new DataView(part.buffer).setBigUint64(0, BigInt(value), true);
    this.parts.push(part);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.u32('length', value.length);
    this.parts.push(value);
    return this;
  }

  hash(name: string, value: Uint8Array): this {
    if (value.length !== hashSize) throw new RangeError(`${name} has ${value.length} bytes (a hash has ${hashSize})`);
    this.parts.push(value);
    return this;
  }

  finish(tag: number): Uint8Array {
    const length = this.parts.reduce((sum, part) => sum + part.length, domain.length + 1);
    const out = new Uint8Array(length);
    out.set(domain, 0);
    out[domain.length] = tag;
    let offset = domain.length + 1;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
