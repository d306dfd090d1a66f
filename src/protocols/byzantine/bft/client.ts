import type { Fabric, OperationValue } from '../../../fabric/index.js';
import { Signer, type KeySource, type SignatureCosts } from '../../../crypto/index.js';
import { encodeKvCommand, type KvOperation } from '../../kv/kvCommand.js';
import { decodeMessage, encodeMessage, type CodecLimits } from './codec.js';
import { MalformedField } from './fieldCodec.js';
import { hashKey } from './quorums.js';
import type { ReplyMessage } from './messages.js';

/**
 * A client of the replicated key-value service on BFT consensus
 * (specs/bft-consensus.md §3): one request out at a time, s = 1, 2, …,
 * signed σc(request, c, s, op), REQ to all replicas, resent every
 * `resendAfter`; `ok` on f+1 matching REPLYs (at least one from a correct
 * replica, which executed it in the agreed order); `info` — an unknown
 * outcome — after `giveUpAfter`. Calls are recorded in the run's history
 * for the `kv` model (a delete is not offered: the service has get, put,
 * append).
 */

export interface BftKvClientConfig {
  /** f; the replicas are p0..p(2f). */
  readonly f: number;
  readonly keys: KeySource;
  readonly costs: SignatureCosts;
  /** Resend the REQ to all after this long without f+1 matching REPLYs. */
  readonly resendAfter: number;
  /** Tgive: give the call up (outcome unknown) after this long. */
  readonly giveUpAfter: number;
  /** The replicas p0..p(replicas−1) (default 2f+1; the n = 3f+1 baseline passes 3f+1). */
  readonly replicas?: number;
}

/** The call's outcome is unknown: it may take effect later or never (Tgive passed without f+1 matching replies). */
export class BftOutcomeUnknown extends Error {
  constructor(operation: string, key: string, waited: number) {
    super(`${operation} ${key}: no f+1 matching replies within ${waited}; its outcome is unknown`);
    this.name = 'BftOutcomeUnknown';
  }
}

const decoder = new TextDecoder();
const limits: CodecLimits = { window: 2, batchLimit: 0, opLimitBytes: 128, snapshotLimitBytes: 0, resultLimitBytes: 4096 };

/** A REPLY addressed to `client` in `data`, or undefined for anything else (a malformed frame is dropped: a Byzantine replica's noise costs nothing). */
export function replyFor(client: number, data: Uint8Array, codecLimits: CodecLimits): ReplyMessage | undefined {
  let reply;
  try {
    reply = decodeMessage(data, codecLimits);
  } catch (error) {
    if (error instanceof MalformedField) return undefined;
    throw error;
  }
  return reply.type === 'reply' && reply.client === client ? reply : undefined;
}

interface Outstanding {
  readonly sequence: number;
  /** Replicas per result (hex of the result bytes). */
  readonly replies: Map<string, { readonly result: Uint8Array; readonly from: Set<number> }>;
  readonly done: (result: Uint8Array) => void;
}

export class BftKvClient {
  private readonly signer: Signer;
  private readonly n: number;
  private sequence = 0;
  private outstanding: Outstanding | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** A call whose outcome is unknown retires the client: later calls would reuse no s, but its history stays open. */
  private retired = false;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: BftKvClientConfig,
  ) {
    this.n = config.replicas ?? 2 * config.f + 1;
    this.signer = new Signer(fabric.self, config.keys, fabric.processCount);
    fabric.onMessage((message) => {
      if (message.from >= this.n) return;
      const reply = replyFor(fabric.self, message.data, limits);
      if (!reply) return;
      const call = this.outstanding;
      if (!call || reply.sequence !== call.sequence) return;
      const key = hashKey(reply.result);
      const entry = call.replies.get(key) ?? { result: reply.result, from: new Set<number>() };
      entry.from.add(message.from);
      call.replies.set(key, entry);
      if (entry.from.size >= config.f + 1) call.done(entry.result);
    });
  }

  get(key: string): Promise<string> {
    return this.call('get', key, '');
  }

  put(key: string, value: string): Promise<void> {
    return this.call('put', key, value).then(() => undefined);
  }

  append(key: string, value: string): Promise<void> {
    return this.call('append', key, value).then(() => undefined);
  }

  /** Sets the key back to "" (recorded as the put of "" it amounts to). */
  delete(key: string): Promise<void> {
    return this.call('delete', key, '').then(() => undefined);
  }

  /** Signatures this client made and verified. */
  get counters(): { made: number; verified: number } {
    return { made: this.signer.counters.made, verified: this.signer.counters.verified };
  }

  private call(operation: KvOperation, key: string, value: string): Promise<string> {
    const run = this.queue.then(() => this.recorded(operation, key, value));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async recorded(operation: KvOperation, key: string, value: string): Promise<string> {
    if (this.retired) throw new BftOutcomeUnknown(operation, key, 0);
    const input: OperationValue = operation === 'get' ? null : value;
    // The kv model knows get, put and append; a delete is the put of "" it amounts to.
    const op = this.fabric.history.invoke(operation === 'delete' ? 'put' : operation, input, key);
    try {
      const result = await this.perform(operation, key, value);
      this.fabric.history.ok(op, operation === 'get' ? result : input);
      return result;
    } catch (error) {
      this.fabric.history.info(op, input);
      this.retired = true;
      throw error;
    }
  }

  private async perform(operation: KvOperation, key: string, value: string): Promise<string> {
    const sequence = ++this.sequence;
    const client = this.fabric.self;
    const op = encodeKvCommand({ operation, client, sequence, floor: 0, key, value });
    if (op.length > 128) throw new RangeError(`${operation} ${key}: the op has ${op.length} bytes (at most 128)`);
    const signature = this.signer.sign({ purpose: 'request', client, sequence, op });
    await this.fabric.compute(this.config.costs.sign);
    const request = encodeMessage({ type: 'req', request: { client, sequence, op, signature } });
    const sendAll = () => {
      for (let to = 0; to < this.n; to++) this.fabric.send(to, request);
    };
    const result = await new Promise<Uint8Array | undefined>((resolve) => {
      const timers: (() => void)[] = [];
      const finish = (outcome: Uint8Array | undefined) => {
        for (const cancel of timers) cancel();
        this.outstanding = undefined;
        resolve(outcome);
      };
      this.outstanding = { sequence, replies: new Map(), done: finish };
      const resend = () => {
        sendAll();
        timers.push(this.fabric.setTimer(this.config.resendAfter, resend));
      };
      resend();
      timers.push(this.fabric.setTimer(this.config.giveUpAfter, () => finish(undefined)));
    });
    if (result === undefined) throw new BftOutcomeUnknown(operation, key, this.config.giveUpAfter);
    return decoder.decode(result);
  }
}
