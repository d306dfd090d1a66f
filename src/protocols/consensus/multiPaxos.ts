import { majority, type Fabric, type ProcessId } from '../../fabric/index.js';
import { isPrePrepared } from '../common/ballot.js';
import { PhaseTimer, phaseEnded } from '../common/phaseTimer.js';
import { ConsensusLog, validateLogOptions, type AcceptOutcome, type LogAlgorithm, type LogContext, type LogMessage, type LogMessageKind, type LogOptions, type PrepareOutcome } from './consensusLog.js';
import type { PaxosMutant } from './mutants.js';

/**
 * Message-passing Multi-Paxos: n = 2f+1 processes, each also an acceptor,
 * one instance per index, with the shell of consensusLog.ts. An acceptor
 * keeps one promise for every instance and an accepted (ballot, entry) per
 * instance. Phase 1 (prepare from index f / promise carrying everything
 * accepted from f on) runs once per ballot; then each index costs one
 * accept/accepted round trip to a majority: 2 delays. Tolerates f < n/2
 * crashes. Safety, per index, is Paxos' own: an acceptor never accepts below
 * its promise, and a promise reports what it accepted at every index the
 * new leader may propose at.
 */
export interface MultiPaxosConfig extends LogOptions {
  readonly mutant?: PaxosMutant;
}

interface Round {
  readonly ballot: bigint;
  readonly expect: LogMessageKind;
  readonly replies: Map<ProcessId, LogMessage>;
  readonly finish: (outcome: Map<ProcessId, LogMessage> | { preempted: bigint }) => void;
  readonly started: number;
}

/** A promise's value: every (index, ballot, entry) accepted from the prepared index on. */
function packAccepted(entries: readonly { index: number; ballot: bigint; value: Uint8Array }[]): Uint8Array {
  const size = entries.reduce((total, entry) => total + 16 + entry.value.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const entry of entries) {
    view.setUint32(at, entry.index, true);
    view.setBigUint64(at + 4, entry.ballot, true);
    view.setUint32(at + 12, entry.value.length, true);
    bytes.set(entry.value, at + 16);
    at += 16 + entry.value.length;
  }
  return bytes;
}

/** The entries of a promise, or undefined for bytes that are not a list of them. */
export function unpackAccepted(bytes: Uint8Array): { index: number; ballot: bigint; value: Uint8Array }[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: { index: number; ballot: bigint; value: Uint8Array }[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) return undefined;
    const length = view.getUint32(at + 12, true);
    if (at + 16 + length > bytes.length) return undefined;
    entries.push({ index: view.getUint32(at, true), ballot: view.getBigUint64(at + 4, true), value: bytes.slice(at + 16, at + 16 + length) });
    at += 16 + length;
  }
  return entries;
}

const empty = new Uint8Array(0);

class MultiPaxosSteps implements LogAlgorithm {
  private readonly fabric: Fabric;
  /** Acceptor state: the highest ballot promised (for every instance), and what was accepted per instance. */
  private promised = 0n;
  private readonly accepted = new Map<number, { ballot: bigint; value: Uint8Array }>();
  private preparing: Round | undefined;
  private readonly accepting = new Map<number, Round>();
  private readonly timer: PhaseTimer;
  private readonly needed: number;

  constructor(
    private readonly context: LogContext,
    private readonly mutant: PaxosMutant | undefined,
  ) {
    this.fabric = context.fabric;
    this.timer = new PhaseTimer(context.timing.phase);
    this.needed = majority(this.fabric.processCount);
  }

  async prepare(ballot: bigint, from: number): Promise<PrepareOutcome> {
    if (isPrePrepared(ballot)) return { adopted: new Map() };
    const promises = await this.collect({ kind: 'prepare', ballot, other: 0n, index: from, value: empty }, 'promise');
    if ('preempted' in promises) return promises;
    const best = new Map<number, { ballot: bigint; value: Uint8Array }>();
    for (const promise of promises.values()) {
      for (const entry of unpackAccepted(promise.value) ?? []) {
        const current = best.get(entry.index);
        if (current === undefined || entry.ballot > current.ballot) best.set(entry.index, entry);
      }
    }
    return { adopted: new Map([...best].map(([index, { value }]) => [index, value])) };
  }

  async accept(ballot: bigint, index: number, entry: Uint8Array): Promise<AcceptOutcome> {
    const replies = await this.collect({ kind: 'accept', ballot, other: 0n, index, value: entry }, 'accepted');
    if ('preempted' in replies) return replies;
    return 'decided';
  }

  onMessage(from: ProcessId, message: LogMessage): void {
    if (message.kind === 'prepare' || message.kind === 'accept') this.context.send(from, this.respond(message));
    else this.onReply(from, message);
  }

  close(): void {
    this.preparing?.finish({ preempted: this.preparing.ballot });
    for (const round of [...this.accepting.values()]) round.finish({ preempted: round.ballot });
  }

  /** Sends a request to every acceptor (itself directly) and waits for a majority of positive replies. */
  private collect(request: LogMessage, expect: LogMessageKind): Promise<Map<ProcessId, LogMessage> | { preempted: bigint }> {
    const { fabric } = this;
    const key = request.index;
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: Map<ProcessId, LogMessage> | { preempted: bigint }) => {
        if (done) return;
        done = true;
        cancel();
        if (request.kind === 'prepare' && this.preparing === round) this.preparing = undefined;
        if (request.kind === 'accept' && this.accepting.get(key) === round) this.accepting.delete(key);
        resolve(outcome);
      };
      const round: Round = { ballot: request.ballot, expect, replies: new Map(), finish, started: fabric.now() };
      if (request.kind === 'prepare') this.preparing = round;
      else {
        this.accepting.get(key)?.finish({ preempted: request.ballot });
        this.accepting.set(key, round);
      }
      const cancel = this.context.clock.setTimer(this.timer.timeout, () => {
        if (!done) phaseEnded(this.context.clock, this.timer, round.started, 'expired');
        finish({ preempted: request.ballot });
      });
      this.context.sendAll(request);
      this.onReply(fabric.self, this.respond(request));
    });
  }

  private onReply(from: ProcessId, reply: LogMessage): void {
    if (reply.kind === 'nack') {
      // A nack of ballot b: every round of b gives up (the acceptor promised higher).
      if (this.preparing?.ballot === reply.ballot) this.preparing.finish({ preempted: reply.other });
      const round = this.accepting.get(reply.index);
      if (round?.ballot === reply.ballot) round.finish({ preempted: reply.other });
      return;
    }
    const round = reply.kind === 'promise' ? this.preparing : this.accepting.get(reply.index);
    if (!round || reply.ballot !== round.ballot || reply.kind !== round.expect) return;
    round.replies.set(from, reply);
    if (round.replies.size >= this.needed) {
      phaseEnded(this.context.clock, this.timer, round.started, 'completed');
      round.finish(round.replies);
    }
  }

  /** The acceptor's answer to a prepare or accept. */
  private respond(request: LogMessage): LogMessage {
    if (request.kind === 'prepare') {
      if (request.ballot > this.promised) {
        this.promised = request.ballot;
        const entries = [...this.accepted].filter(([index]) => index >= request.index).map(([index, { ballot, value }]) => ({ index, ballot, value }));
        return { kind: 'promise', ballot: request.ballot, other: 0n, index: request.index, value: packAccepted(entries) };
      }
      return { kind: 'nack', ballot: request.ballot, other: this.promised, index: request.index, value: empty };
    }
    // Safety rests on this check: an acceptor never accepts below its promise.
    if (request.ballot >= this.promised || this.mutant === 'accept-lower-ballot') {
      if (request.ballot > this.promised) this.promised = request.ballot;
      this.accepted.set(request.index, { ballot: request.ballot, value: request.value });
      return { kind: 'accepted', ballot: request.ballot, other: 0n, index: request.index, value: empty };
    }
    return { kind: 'nack', ballot: request.ballot, other: this.promised, index: request.index, value: empty };
  }
}

/** A replicated log decided by message-passing Multi-Paxos, one instance per index. */
export class MultiPaxosLog extends ConsensusLog {
  constructor(fabric: Fabric, config: MultiPaxosConfig) {
    validateLogOptions(config);
    super(fabric, (context) => new MultiPaxosSteps(context, config.mutant), config);
  }
}
