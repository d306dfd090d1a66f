import { FieldReader, FieldWriter, MalformedField, hashBytes, signatureBytes } from '../bft/fieldCodec.js';
import { writeBatch } from '../bft/codec.js';
import type { Batch, Request } from '../bft/messages.js';
import { hash } from '../bft/stateCodec.js';
import { pbftMessageTypes, type PbftMessage, type PreparedEntry, type PrePreparedEntry, type ViewChangeBody, type ViewChangeMessage } from './messages.js';

/**
 * The wire encoding of the baseline's messages: a type byte
 * (`pbftMessageTypes`), then the fields in order, with the 2f+1 protocol's
 * field and batch encodings. Decoding refuses anything but one well-formed
 * message (`MalformedField`), with counts bounded by the run's limits.
 */

export interface PbftCodecLimits {
  /** β: requests per batch. */
  readonly batchLimit: number;
  /** Largest op in bytes. */
  readonly opLimitBytes: number;
  /** Most entries of a P or Q set (and of a NEW-VIEW's choices). */
  readonly entryLimit: number;
  /** n: most VIEW-CHANGEs in a NEW-VIEW. */
  readonly replicas: number;
}

const typeOf = new Map<number, PbftMessage['type']>(Object.entries(pbftMessageTypes).map(([name, code]) => [code, name as PbftMessage['type']]));

/** Whether `bytes` is one of this codec's messages (by its type byte). */
export function isPbftMessage(bytes: Uint8Array): boolean {
  return bytes.length > 0 && typeOf.has(bytes[0]);
}

function readBatch(reader: FieldReader, limits: PbftCodecLimits): Request[] {
  return reader.list('batch', limits.batchLimit, (r) => ({
    client: r.u64('client'),
    sequence: r.u64('sequence'),
    op: r.bytes('op', limits.opLimitBytes),
    signature: r.raw('request signature', signatureBytes),
  }));
}

function writeBody(writer: FieldWriter, body: ViewChangeBody): void {
  writer.u64(body.view).u64(body.replica);
  writer.list(body.prepared, (w, entry) => {
    w.u64(entry.instance).u64(entry.view).raw(entry.hash, hashBytes);
    writeBatch(w, entry.batch);
  });
  writer.list(body.prePrepared, (w, entry) => w.u64(entry.instance).u64(entry.view).raw(entry.hash, hashBytes));
}

function readViewChange(reader: FieldReader, limits: PbftCodecLimits): ViewChangeMessage {
  const view = reader.u64('view');
  const replica = reader.u64('replica');
  const prepared: PreparedEntry[] = reader.list('prepared', limits.entryLimit, (r) => ({ instance: r.u64('instance'), view: r.u64('view'), hash: r.raw('hash', hashBytes), batch: readBatch(r, limits) }));
  const prePrepared: PrePreparedEntry[] = reader.list('pre-prepared', limits.entryLimit, (r) => ({ instance: r.u64('instance'), view: r.u64('view'), hash: r.raw('hash', hashBytes) }));
  const signature = reader.raw('signature', signatureBytes);
  return { type: 'view-change', view, replica, prepared, prePrepared, signature };
}

/** The bytes a VIEW-CHANGE's signature covers (through H(body): see viewChangeStatement). */
export function viewChangeBodyHash(body: ViewChangeBody): Uint8Array {
  const writer = new FieldWriter();
  writeBody(writer, body);
  return hash(writer.finish());
}

export function encodePbft(message: PbftMessage): Uint8Array {
  const writer = new FieldWriter().u8(pbftMessageTypes[message.type]);
  switch (message.type) {
    case 'pre-prepare':
      writer.u64(message.view).u64(message.instance);
      writeBatch(writer, message.batch);
      break;
    case 'prepare':
    case 'commit':
      writer.u64(message.view).u64(message.instance).raw(message.hash, hashBytes);
      break;
    case 'view-change':
      writeBody(writer, message);
      writer.raw(message.signature, signatureBytes);
      break;
    case 'new-view':
      writer.u64(message.view);
      writer.list(message.viewChanges, (w, vc) => {
        writeBody(w, vc);
        w.raw(vc.signature, signatureBytes);
      });
      writer.list(message.chosen, (w, choice) => w.u64(choice.instance).raw(choice.hash, hashBytes));
      break;
  }
  return writer.finish();
}

export function decodePbft(bytes: Uint8Array, limits: PbftCodecLimits): PbftMessage {
  const reader = new FieldReader(bytes);
  const type = typeOf.get(reader.u8('type'));
  let message: PbftMessage;
  switch (type) {
    case 'pre-prepare': {
      const view = reader.u64('view');
      const instance = reader.u64('instance');
      const batch: Batch = readBatch(reader, limits);
      message = { type, view, instance, batch };
      break;
    }
    case 'prepare':
    case 'commit':
      message = { type, view: reader.u64('view'), instance: reader.u64('instance'), hash: reader.raw('hash', hashBytes) };
      break;
    case 'view-change':
      message = readViewChange(reader, limits);
      break;
    case 'new-view': {
      const view = reader.u64('view');
      const viewChanges = reader.list('view changes', limits.replicas, (r) => readViewChange(r, limits));
      const chosen = reader.list('chosen', limits.entryLimit, (r) => ({ instance: r.u64('instance'), hash: r.raw('hash', hashBytes) }));
      message = { type, view, viewChanges, chosen };
      break;
    }
    default:
      throw new MalformedField('an unknown message type');
  }
  reader.end(message.type);
  return message;
}
