import { FieldReader, FieldWriter, MalformedField, hashBytes, signatureBytes } from './fieldCodec.js';
import { messageTypes, type Batch, type BftMessage, type CertifiedState, type Hash, type Request } from './messages.js';
import {
  hash,
  readCheckpointCertificate,
  readOptionalCheckpoint,
  readPrepareCertificate,
  readShares,
  readSnapshot,
  readVcState,
  writeCheckpointCertificate,
  writeOptionalCheckpoint,
  writePrepareCertificate,
  writeShares,
  writeSnapshot,
  writeVcState,
} from './stateCodec.js';

/**
 * The wire encoding of every message of specs/bft-consensus.md §2.3: its
 * type byte (`messageTypes`), then its fields in the table's order.
 * Decoding refuses anything but one well-formed message with
 * `MalformedField` (cut short, trailing bytes, counts past the run's limits,
 * u64s ≥ 2^53, unsorted certificates), so encode(decode(x)) = x for every x
 * it accepts: a Byzantine sender's bytes either mean one message or none.
 */

/** The run's bounds, which decoding enforces (a count past them is ill-formed, and nothing of that size is allocated). */
export interface CodecLimits {
  /** W: a vcState lists at most 2W commits. */
  readonly window: number;
  /** β: requests per batch. */
  readonly batchLimit: number;
  /** Largest op in bytes (128). */
  readonly opLimitBytes: number;
  /** Largest snapshot (state transfer) in bytes. */
  readonly snapshotLimitBytes: number;
  /** Largest REPLY result in bytes. */
  readonly resultLimitBytes: number;
  /** Only the `duplicate-signers` mutant: PCs and VC certificates may repeat a signer. */
  readonly repeatedSigners?: boolean;
}

export const defaultOpLimitBytes = 128;

const typeOf = new Map<number, BftMessage['type']>(Object.entries(messageTypes).map(([name, code]) => [code, name as BftMessage['type']]));

function writeRequest(writer: FieldWriter, request: Request): void {
  writer.u64(request.client).u64(request.sequence).bytes(request.op).raw(request.signature, signatureBytes);
}

function readRequest(reader: FieldReader, limits: CodecLimits): Request {
  return { client: reader.u64('client'), sequence: reader.u64('sequence'), op: reader.bytes('op', limits.opLimitBytes), signature: reader.raw('request signature', signatureBytes) };
}

export function writeBatch(writer: FieldWriter, batch: Batch): void {
  writer.list(batch, (w, request) => writeRequest(w, request));
}

function readBatch(reader: FieldReader, limits: CodecLimits): Request[] {
  return reader.list('batch', limits.batchLimit, (r) => readRequest(r, limits));
}

export function batchBytes(batch: Batch): Uint8Array {
  const writer = new FieldWriter();
  writeBatch(writer, batch);
  return writer.finish();
}

/** H(batch): the hash of the batch's encoding (what PROMISE, COMMIT-FAST, SHARE and PCs name). */
export function batchHash(batch: Batch): Hash {
  return hash(batchBytes(batch));
}

function writeCertifiedState(writer: FieldWriter, entry: CertifiedState): void {
  writer.u64(entry.process).viewOrNone(entry.sealedBefore).u64(entry.sealed);
  writeVcState(writer, entry.state);
  writeShares(writer, entry.certificate);
}

export function encodeMessage(message: BftMessage): Uint8Array {
  const writer = new FieldWriter().u8(messageTypes[message.type]);
  switch (message.type) {
    case 'req':
      writeRequest(writer, message.request);
      break;
    case 'prepare':
      writer.u64(message.view).u64(message.instance);
      writeBatch(writer, message.batch);
      break;
    case 'promise':
    case 'commit-fast':
    case 'batch-req':
      writer.u64(message.view).u64(message.instance).raw(message.hash, hashBytes);
      break;
    case 'share':
      writer.u64(message.view).u64(message.instance).raw(message.hash, hashBytes).raw(message.signature, signatureBytes);
      break;
    case 'commit':
      writer.u64(message.view).u64(message.instance);
      writeBatch(writer, message.batch);
      writePrepareCertificate(writer, message.certificate);
      break;
    case 'seal':
      writer.u64(message.view);
      break;
    case 'vc-share':
      writer.u64(message.process).viewOrNone(message.sealedBefore).u64(message.sealed);
      writeVcState(writer, message.state);
      writeOptionalCheckpoint(writer, message.checkpoint);
      writer.raw(message.signature, signatureBytes);
      break;
    case 'new-view':
      writer.u64(message.view);
      writeOptionalCheckpoint(writer, message.checkpoint);
      writer.list(message.states, (w, entry) => writeCertifiedState(w, entry));
      break;
    case 'batch':
      writeBatch(writer, message.batch);
      break;
    case 'have-cp':
    case 'checkpoint':
    case 'fetch':
      writeCheckpointCertificate(writer, message.checkpoint);
      break;
    case 'ckpt-share':
      writer.u64(message.next).raw(message.digest, hashBytes).raw(message.signature, signatureBytes);
      break;
    case 'state':
      writeCheckpointCertificate(writer, message.checkpoint);
      writeSnapshot(writer, message.snapshot);
      break;
    case 'reply':
      writer.u64(message.client).u64(message.sequence).bytes(message.result);
      break;
  }
  return writer.finish();
}

/** One message from `bytes`, or `MalformedField` (never another error) saying what is wrong. */
export function decodeMessage(bytes: Uint8Array, limits: CodecLimits): BftMessage {
  const reader = new FieldReader(bytes);
  const code = reader.u8('type');
  const type = typeOf.get(code);
  if (type === undefined) throw new MalformedField(`unknown message type ${code}`);
  const message = readBody(type, reader, limits);
  reader.end(type);
  return message;
}

function readBody(type: BftMessage['type'], reader: FieldReader, limits: CodecLimits): BftMessage {
  switch (type) {
    case 'req':
      return { type, request: readRequest(reader, limits) };
    case 'prepare':
      return { type, view: reader.u64('view'), instance: reader.u64('instance'), batch: readBatch(reader, limits) };
    case 'promise':
    case 'commit-fast':
    case 'batch-req':
      return { type, view: reader.u64('view'), instance: reader.u64('instance'), hash: reader.raw('hash', hashBytes) };
    case 'share':
      return { type, view: reader.u64('view'), instance: reader.u64('instance'), hash: reader.raw('hash', hashBytes), signature: reader.raw('signature', signatureBytes) };
    case 'commit':
      return { type, view: reader.u64('view'), instance: reader.u64('instance'), batch: readBatch(reader, limits), certificate: readPrepareCertificate(reader, limits.repeatedSigners) };
    case 'seal':
      return { type, view: reader.u64('view') };
    case 'vc-share':
      return {
        type,
        process: reader.u64('process'),
        sealedBefore: reader.viewOrNone('sealed before'),
        sealed: reader.u64('sealed'),
        state: readVcState(reader, 2 * limits.window),
        checkpoint: readOptionalCheckpoint(reader),
        signature: reader.raw('signature', signatureBytes),
      };
    case 'new-view':
      return {
        type,
        view: reader.u64('view'),
        checkpoint: readOptionalCheckpoint(reader),
        states: reader.list('new-view states', 0xffff, (r) => ({
          process: r.u64('state process'),
          sealedBefore: r.viewOrNone('state sealed before'),
          sealed: r.u64('state sealed'),
          state: readVcState(r, 2 * limits.window),
          certificate: readShares(r, 'VC certificate', limits.repeatedSigners),
        })),
      };
    case 'batch':
      return { type, batch: readBatch(reader, limits) };
    case 'have-cp':
    case 'checkpoint':
    case 'fetch':
      return { type, checkpoint: readCheckpointCertificate(reader) };
    case 'ckpt-share':
      return { type, next: reader.u64('next'), digest: reader.raw('digest', hashBytes), signature: reader.raw('signature', signatureBytes) };
    case 'state':
      return { type, checkpoint: readCheckpointCertificate(reader), snapshot: readSnapshot(reader, limits.snapshotLimitBytes) };
    case 'reply':
      return { type, client: reader.u64('client'), sequence: reader.u64('sequence'), result: reader.bytes('result', limits.resultLimitBytes) };
  }
}
