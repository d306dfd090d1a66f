import type { Fabric, OperationValue, ProcessId } from '../../../fabric/index.js';
import { Signer, type KeySource, type SignatureCosts } from '../../../crypto/index.js';
import { encodeKvCommand, type KvOperation } from '../../kv/kvCommand.js';
import type { BftClientAdversary } from './adversaryCatalogue.js';
import { encodeMessage, type CodecLimits } from './codec.js';
import { hashKey } from './quorums.js';
import { replyFor } from './client.js';

/**
 * The Byzantine clients of the BFT key-value service (specs/bft-consensus.md
 * §6): a configured client (the replicas know its key) that runs one named
 * strategy instead of the correct client's loop. Like any process it signs
 * only with its own key; it may sign anything under it, send any bytes to
 * any replica, and replay what it sent before.
 *
 * History (§3, "requests of Byzantine clients as unknown outcomes"): every
 * request it signs validly as itself, with an op the service accepts, may
 * run at any time after it is first sent, or never, and any number of its
 * (c, s) may conflict — so each is recorded once, before its first send, as
 * an `info` operation (invoked, outcome unknown) for the `kv` model. Requests
 * that cannot run (signed as another client, badly signed, ops over the
 * limit) are not recorded: if a replica ran one, the correct clients' reads
 * would show a value no recorded operation wrote.
 *
 * Each strategy notes `adversary-effect` when it sees that it had an effect
 * (its requests answered through a path a correct client never uses, or
 * refused where they must be); the checkers never read those notes.
 */

export interface ByzantineClientConfig {
  readonly f: number;
  readonly keys: KeySource;
  readonly costs: SignatureCosts;
  /** Resend a request every this long while waiting for its replies. */
  readonly resendAfter: number;
  /** How long one step waits for f+1 matching replies before going on (a request the replicas must refuse: this long without any). */
  readonly waitFor: number;
  /** The strategy ends by this time (the replicas serve until then: the scenario's bound on a Byzantine client's script). */
  readonly until: number;
  /** The service's keys (the correct clients' ones, so its writes meet their reads). */
  readonly keyNames: readonly string[];
  /** The other configured clients (a forger claims one of them). */
  readonly victims: readonly ProcessId[];
  /** Requests it signs validly, at most (a correct client's ops: the streams are sized for them). */
  readonly ops: number;
  /** The replicas p0..p(replicas−1) (default 2f+1). */
  readonly replicas?: number;
  /** Largest op the replicas accept, in bytes (128). */
  readonly opLimitBytes?: number;
}

/** The sequence number a flooding client jumps to. */
export const floodSequence = 1_000_000;

const limits: CodecLimits = { window: 2, batchLimit: 0, opLimitBytes: 1 << 16, snapshotLimitBytes: 0, resultLimitBytes: 4096 };
const decoder = new TextDecoder();

interface Signed {
  readonly sequence: number;
  readonly bytes: Uint8Array;
}

export class ByzantineBftClient {
  private readonly signer: Signer;
  private readonly n: number;
  /** Replies to this client, per s: replicas per result. */
  private readonly replies = new Map<number, Map<string, { readonly result: Uint8Array; readonly from: Set<number> }>>();
  private readonly waiters = new Set<() => void>();
  private readonly effects = new Set<string>();
  private signedValid = 0;

  constructor(
    private readonly fabric: Fabric,
    readonly strategy: BftClientAdversary,
    private readonly config: ByzantineClientConfig,
  ) {
    this.n = config.replicas ?? 2 * config.f + 1;
    this.signer = new Signer(fabric.self, config.keys, fabric.processCount);
    fabric.onMessage((message) => {
      if (message.from >= this.n) return;
      const reply = replyFor(fabric.self, message.data, limits);
      if (!reply) return;
      const bySequence = this.replies.get(reply.sequence) ?? new Map<string, { result: Uint8Array; from: Set<number> }>();
      this.replies.set(reply.sequence, bySequence);
      const key = hashKey(reply.result);
      const entry = bySequence.get(key) ?? { result: reply.result, from: new Set<number>() };
      entry.from.add(message.from);
      bySequence.set(key, entry);
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** Runs the strategy to its end. */
  async run(): Promise<void> {
    await strategies[this.strategy](this);
    const { made, verified } = this.signer.counters;
    this.fabric.note('signatures', { made, verified, rejected: 0, malformed: 0 });
  }

  get self(): ProcessId {
    return this.fabric.self;
  }

  get ops(): number {
    return this.config.ops;
  }

  get opLimitBytes(): number {
    return this.config.opLimitBytes ?? 128;
  }

  get replicas(): number[] {
    return Array.from({ length: this.n }, (_, replica) => replica);
  }

  get victim(): ProcessId | undefined {
    return this.config.victims[0];
  }

  key(index: number): string {
    return this.config.keyNames[index % this.config.keyNames.length];
  }

  effect(reason: string): void {
    if (this.effects.has(reason)) return;
    this.effects.add(reason);
    this.fabric.note('adversary-effect', { adversary: this.strategy, reason });
  }

  /** How many signed valid requests it may still make (none past its end). */
  get budget(): number {
    return this.fabric.now() >= this.config.until ? 0 : this.config.ops - this.signedValid;
  }

  /**
   * A REQ for (self, s) with a service op, signed validly, recorded (once,
   * before any send) as an operation of unknown outcome.
   */
  async valid(sequence: number, operation: KvOperation, key: string, value: string): Promise<Signed> {
    this.signedValid++;
    const input: OperationValue = operation === 'get' ? null : value;
    const f = operation === 'delete' ? 'put' : operation;
    const op = this.fabric.history.invoke(f, input, key);
    this.fabric.history.info(op, input);
    return this.signed(this.self, sequence, encodeKvCommand({ operation, client: this.self, sequence, floor: 0, key, value }));
  }

  /** A REQ naming `client` with `op`, signed with this client's own key (valid only when client is itself). Not recorded. */
  async signed(client: ProcessId, sequence: number, op: Uint8Array, signature?: Uint8Array): Promise<Signed> {
    const made = signature ?? this.signer.sign({ purpose: 'request', client, sequence, op });
    if (!signature) await this.fabric.compute(this.config.costs.sign);
    return { sequence, bytes: encodeMessage({ type: 'req', request: { client, sequence, op, signature: made } }) };
  }

  /** 64 bytes that are no one's signature. */
  garbageSignature(): Uint8Array {
    return Uint8Array.from({ length: 64 }, () => Math.floor(this.fabric.random() * 256));
  }

  send(request: Signed, to: readonly number[]): void {
    for (const replica of to) this.fabric.send(replica, request.bytes);
  }

  /** Forgets the replies heard for s so far (to see whether a replay brings new ones). */
  forget(sequence: number): void {
    this.replies.delete(sequence);
  }

  /** The result of f+1 matching REPLYs for s, if heard. */
  answered(sequence: number): Uint8Array | undefined {
    for (const entry of this.replies.get(sequence)?.values() ?? []) if (entry.from.size >= this.config.f + 1) return entry.result;
    return undefined;
  }

  /** The distinct results heard for s (hashes of the result bytes). */
  repliesOf(sequence: number): string[] {
    return [...(this.replies.get(sequence)?.keys() ?? [])];
  }

  /** Whether any REPLY for s was heard. */
  heard(sequence: number): boolean {
    return (this.replies.get(sequence)?.size ?? 0) > 0;
  }

  /**
   * Sends `requests` to `to` now and every resendAfter, until f+1 matching
   * REPLYs for `awaited` arrive or `waitFor` passes; the result, if any.
   */
  async exchange(requests: readonly Signed[], to: readonly number[], awaited: number): Promise<string | undefined> {
    const waitFor = Math.max(0, Math.min(this.config.waitFor, this.config.until - this.fabric.now()));
    const result = await new Promise<Uint8Array | undefined>((resolve) => {
      const cancels: (() => void)[] = [];
      const finish = (outcome: Uint8Array | undefined) => {
        for (const cancel of cancels) cancel();
        this.waiters.delete(check);
        resolve(outcome);
      };
      const check = () => {
        const answer = this.answered(awaited);
        if (answer) finish(answer);
      };
      const resend = () => {
        for (const request of requests) this.send(request, to);
        cancels.push(this.fabric.setTimer(this.config.resendAfter, resend));
      };
      this.waiters.add(check);
      resend();
      cancels.push(this.fabric.setTimer(waitFor, () => finish(this.answered(awaited))));
      check();
    });
    return result === undefined ? undefined : decoder.decode(result);
  }
}

const strategies: Record<BftClientAdversary, (client: ByzantineBftClient) => Promise<void>> = {
  /** Runs its requests, then replays each older signed REQ (and the last one again) next to the new one. */
  async 'replaying-client'(client) {
    const all = client.replicas;
    const sent: Signed[] = [];
    for (let sequence = 1; client.budget > 0; sequence++) {
      const request = await client.valid(sequence, sequence % 2 === 1 ? 'append' : 'put', client.key(sequence), `r${client.self}.${sequence}`);
      // The new request, with every older one replayed beside it: replicas run each (c, s) at most once.
      const answer = await client.exchange([...sent, request], all, sequence);
      sent.push(request);
      if (answer === undefined) continue;
      // Replayed alone: s = last[c] is answered again from the client table, never run again.
      client.forget(sequence);
      if ((await client.exchange([request], all, sequence)) !== undefined) client.effect('a replayed REQ with s = last[c] got f+1 REPLYs again (answered from the client table)');
    }
    // Every old REQ once more: nothing of it may run again (the kv model would see a second append).
    for (const request of sent) client.send(request, all);
  },

  /** Two ops under one (c, s): one to the first n−1 replicas, the other to the last one only (the `op-executed` mutant's interleaving). */
  async 'conflicting-client'(client) {
    const all = client.replicas;
    const last = all[all.length - 1];
    const rest = all.slice(0, -1);
    for (let sequence = 1; client.budget >= 2; sequence++) {
      const key = client.key(sequence);
      const first = await client.valid(sequence, 'append', key, `c${client.self}.${sequence}a`);
      const second = await client.valid(sequence, 'put', key, `c${client.self}.${sequence}b`);
      const [many, one] = sequence % 2 === 1 ? [first, second] : [second, first];
      client.send(one, [last]);
      const answer = await client.exchange([many], rest, sequence);
      if (answer !== undefined) client.effect('one of two ops signed under one (c, s) ran at f+1 replicas');
      const results = client.repliesOf(sequence);
      if (results.length > 1) client.effect('replicas answered one (c, s) with different results');
    }
  },

  /** Ops over the limit (refused: no REPLY), an op exactly at the limit (served) in between. */
  async 'big-client'(client) {
    const all = client.replicas;
    const key = client.key(0);
    const overhead = 16 + new TextEncoder().encode(key).length;
    // Two refused ops (s = 2, 4) between valid ones.
    for (let sequence = 1; client.budget > 0; sequence++) {
      if (sequence % 2 === 0 && sequence <= 4) {
        const size = client.opLimitBytes + 1 + 64 * (sequence / 2 - 1);
        const op = encodeKvCommand({ operation: 'put', client: client.self, sequence, floor: 0, key, value: 'B'.repeat(size - overhead) });
        const request = await client.signed(client.self, sequence, op);
        const answer = await client.exchange([request], all, sequence);
        if (answer === undefined && !client.heard(sequence)) client.effect(`replicas refused an op of ${op.length} bytes (over ${client.opLimitBytes}): no REPLY`);
      } else {
        const request = await client.valid(sequence, 'put', key, 'b'.repeat(client.opLimitBytes - overhead));
        if ((await client.exchange([request], all, sequence)) !== undefined) client.effect(`an op of exactly ${client.opLimitBytes} bytes was served (next to refused bigger ones)`);
      }
    }
  },

  /** REQs to the followers of view 0 only: they forward them to the leader (Tfwd). */
  async 'leader-dodging-client'(client) {
    const followers = client.replicas.slice(1);
    for (let sequence = 1; client.budget > 0; sequence++) {
      const request = await client.valid(sequence, 'append', client.key(sequence), `d${client.self}.${sequence}`);
      if ((await client.exchange([request], followers, sequence)) !== undefined) client.effect('a request never sent to the leader ran (followers forwarded it)');
    }
  },

  /** A request signed as another client (with its own key), one of its own with a garbage signature, then a read showing neither ran. */
  async 'forging-client'(client) {
    const all = client.replicas;
    const key = client.key(0);
    const marker = `forged-by-p${client.self}`;
    const victim = client.victim;
    if (victim !== undefined) {
      for (let sequence = 1; sequence <= 2; sequence++) {
        const op = encodeKvCommand({ operation: 'append', client: victim, sequence, floor: 0, key, value: marker });
        client.send(await client.signed(victim, sequence, op), all);
      }
    }
    const badOp = encodeKvCommand({ operation: 'append', client: client.self, sequence: 1, floor: 0, key, value: marker });
    const bad = await client.signed(client.self, 1, badOp, client.garbageSignature());
    const refused = (await client.exchange([bad], all, 1)) === undefined && !client.heard(1);
    // A read of the key, validly signed under a later s: the forged appends must not show.
    const read = await client.valid(2, 'get', key, '');
    const value = await client.exchange([read], all, 2);
    if (value === undefined) return;
    if (value.includes(marker)) client.effect('a forged or badly signed request ran');
    else if (refused) client.effect(`replicas refused requests signed as p${victim ?? client.self} or badly signed (a later read does not see them)`);
  },

  /** s = 1, 2, … back to back (each superseding the last), then a jump to 10^6, then one below it. */
  async 'flooding-client'(client) {
    const all = client.replicas;
    const small = Math.max(1, client.ops - 2);
    const sequences = [...Array.from({ length: small }, (_, index) => index + 1), floodSequence, floodSequence - 1].slice(0, Math.max(2, client.ops));
    const burst: Signed[] = [];
    for (const [index, sequence] of sequences.entries()) {
      const request = await client.valid(sequence, 'append', client.key(index), `f${client.self}.${sequence}`);
      if (sequence <= small) {
        burst.push(request);
        client.send(request, all);
        continue;
      }
      const answer = await client.exchange([request], all, sequence);
      if (sequence === floodSequence && answer !== undefined) client.effect(`s jumped to ${floodSequence} and ran`);
      if (sequence === floodSequence - 1 && answer === undefined && !client.heard(sequence)) client.effect('a request below last[c] was ignored');
    }
    if (burst.length > 1 && burst.slice(0, -1).some((request) => !client.heard(request.sequence))) client.effect('a pending request was superseded by a later s before it ran');
  },
};
