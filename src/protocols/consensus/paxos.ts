import { majority, type Fabric, type ProcessId } from '../../fabric/index.js';
import { isPrePrepared } from '../common/ballot.js';
import { PhaseTimer, type TimeoutPolicy } from '../common/phaseTimer.js';
import { encodeMessage, type ConsensusMessage, type MessageKind } from './messages.js';
import type { AttemptOutcome, ConsensusAlgorithm } from './proposer.js';

/**
 * Message-passing Paxos (the baseline): n = 2f+1 processes, each also an
 * acceptor. Phase 1 (prepare/promise) and phase 2 (accept/accepted) each need
 * a majority; p0's first ballot is pre-prepared, so a stable leader decides
 * after one round trip of phase 2: 2 delays. Tolerates f < n/2 crashes.
 */
export const paxosMutants = {
  'accept-lower-ballot': 'acceptors accept a proposal even after promising a higher ballot, so two leaders can both win a majority',
} as const;
export type PaxosMutant = keyof typeof paxosMutants;

interface Round {
  readonly ballot: bigint;
  readonly expect: MessageKind;
  readonly replies: Map<ProcessId, ConsensusMessage>;
  readonly finish: (outcome: Map<ProcessId, ConsensusMessage> | { preempted: bigint }) => void;
  readonly started: number;
}

export class Paxos implements ConsensusAlgorithm {
  /** Acceptor state: the highest ballot promised, and the last proposal accepted. */
  private promised = 0n;
  private acceptedBallot = 0n;
  private acceptedValue: Uint8Array = new Uint8Array(0);
  private round: Round | undefined;
  /** How long a leader waits for a majority before it gives the ballot up (messages may be lost); it adapts. */
  private readonly timer: PhaseTimer;

  constructor(
    private readonly fabric: Fabric,
    roundTimeout: TimeoutPolicy,
    private readonly mutant?: PaxosMutant,
  ) {
    this.timer = new PhaseTimer(roundTimeout);
  }

  async attempt(ballot: bigint, input: Uint8Array): Promise<AttemptOutcome> {
    let value = input;
    if (!isPrePrepared(ballot)) {
      const promises = await this.collect('prepare', 'promise', ballot, new Uint8Array(0));
      if ('preempted' in promises) return promises;
      let highest = 0n;
      for (const promise of promises.values()) {
        if (promise.other > highest) {
          highest = promise.other;
          value = promise.value;
        }
      }
    }
    const accepted = await this.collect('accept', 'accepted', ballot, value);
    if ('preempted' in accepted) return accepted;
    return { decided: value };
  }

  /** Sends a request to every acceptor (itself directly) and waits for a majority of positive replies. */
  private collect(kind: MessageKind, expect: MessageKind, ballot: bigint, value: Uint8Array): Promise<Map<ProcessId, ConsensusMessage> | { preempted: bigint }> {
    const fabric = this.fabric;
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: Map<ProcessId, ConsensusMessage> | { preempted: bigint }) => {
        if (done) return;
        done = true;
        cancel();
        if (this.round === round) this.round = undefined;
        resolve(outcome);
      };
      const round: Round = { ballot, expect, replies: new Map(), finish, started: fabric.now() };
      this.round = round;
      const cancel = fabric.setTimer(this.timer.timeout, () => {
        if (!done) this.timer.expired();
        finish({ preempted: ballot });
      });
      const request: ConsensusMessage = { kind, ballot, other: 0n, value };
      for (let process = 0; process < fabric.processCount; process++) {
        if (process !== fabric.self) fabric.send(process, encodeMessage(request));
      }
      this.onReply(fabric.self, this.respond(request));
    });
  }

  onMessage(from: ProcessId, message: ConsensusMessage): void {
    if (message.kind === 'prepare' || message.kind === 'accept') this.fabric.send(from, encodeMessage(this.respond(message)));
    else this.onReply(from, message);
  }

  private onReply(from: ProcessId, reply: ConsensusMessage): void {
    const round = this.round;
    if (!round || reply.ballot !== round.ballot) return;
    if (reply.kind === 'nack') return round.finish({ preempted: reply.other });
    if (reply.kind !== round.expect) return;
    round.replies.set(from, reply);
    if (round.replies.size >= majority(this.fabric.processCount)) {
      this.timer.completed(this.fabric.now() - round.started);
      round.finish(round.replies);
    }
  }

  /** The acceptor's answer to a prepare or accept. */
  private respond(request: ConsensusMessage): ConsensusMessage {
    if (request.kind === 'prepare') {
      if (request.ballot > this.promised) {
        this.promised = request.ballot;
        return { kind: 'promise', ballot: request.ballot, other: this.acceptedBallot, value: this.acceptedValue };
      }
      return { kind: 'nack', ballot: request.ballot, other: this.promised, value: new Uint8Array(0) };
    }
    // Safety rests on this check: an acceptor never accepts below its promise.
    if (request.ballot >= this.promised || this.mutant === 'accept-lower-ballot') {
      if (request.ballot > this.promised) this.promised = request.ballot;
      this.acceptedBallot = request.ballot;
      this.acceptedValue = request.value;
      return { kind: 'accepted', ballot: request.ballot, other: 0n, value: new Uint8Array(0) };
    }
    return { kind: 'nack', ballot: request.ballot, other: this.promised, value: new Uint8Array(0) };
  }
}
