import type { Fabric, ProcessId } from '../../fabric/index.js';
import { firstBallot, nextBallot } from '../common/ballot.js';
import { decodeMessage, encodeMessage, type ConsensusMessage } from './messages.js';
import { metered, newMeter, type Meter } from '../common/meter.js';
import { Omega } from '../common/omega.js';
import type { TimeoutPolicy } from '../common/phaseTimer.js';

/** One try of an algorithm with one ballot. */
export type AttemptOutcome = { readonly decided: Uint8Array } | { readonly preempted: bigint };

/**
 * A single-decree consensus algorithm as the proposer loop drives it: one
 * attempt per ballot, plus the handling of its own messages (Paxos'
 * acceptor); memory-based algorithms need no messages.
 */
export interface ConsensusAlgorithm {
  attempt(ballot: bigint, input: Uint8Array): Promise<AttemptOutcome>;
  onMessage?(from: ProcessId, message: ConsensusMessage): void;
}

/** Times in the backend's unit; the scenario derives them from the one-way delay. */
export interface ConsensusTiming {
  /** Heartbeat period of Ω. */
  readonly heartbeat: number;
  /** Silence after which Ω stops trusting a process (it grows after each wrong suspicion). */
  readonly suspectAfter: TimeoutPolicy;
  /**
   * Base of the randomized exponential back-off after a preempted attempt;
   * the window is never smaller than twice the slowest attempt seen, so
   * competing proposers spread out even when delays are much longer than
   * the base.
   */
  readonly backoff: number;
}

export interface ProposerOptions {
  readonly timing: ConsensusTiming;
  /** Contention: this process believes it leads until this time, whatever Ω says. */
  readonly believeLeaderUntil?: number;
  /** Wait this long before doing anything (staggered starts). */
  readonly startDelay?: number;
}

const heartbeatKind = 'heartbeat';

/**
 * The proposer loop shared by every algorithm: while undecided, if Ω says
 * this process leads, run an attempt with a fresh ballot (p0 starts with the
 * pre-prepared ballot 1), else wait; after a preempted attempt back off for a
 * random time so that competing proposers eventually let one through. A
 * decision is announced to everyone and repeated in every heartbeat, so a
 * lost announcement is repaired and a process that learns it stops.
 *
 * Notes for reports: `attempt` {ballot}, `decide` {value, ballot, and the
 * deciding attempt's verbs, messages, bytes, permissionRequests, started},
 * `learn` {value, from}.
 */
export class Proposer {
  private readonly omega: Omega;
  private decided: Uint8Array | undefined;
  private readonly decisionWaiters: ((value: Uint8Array) => void)[] = [];
  private meter: Meter = newMeter();
  readonly fabric: Fabric;
  private heartbeating = false;

  constructor(
    private readonly raw: Fabric,
    algorithm: (fabric: Fabric) => ConsensusAlgorithm,
    private readonly options: ProposerOptions,
  ) {
    this.fabric = metered(raw, () => this.meter);
    this.omega = new Omega(raw, options.timing.suspectAfter);
    if (options.believeLeaderUntil !== undefined) this.omega.believeLeader(options.believeLeaderUntil);
    this.algorithm = algorithm(this.fabric);
    raw.onMessage((message) => this.onMessage(message.from, message.data));
  }

  private readonly algorithm: ConsensusAlgorithm;

  private onMessage(from: ProcessId, data: Uint8Array): void {
    const message = decodeMessage(data);
    if (!message) return; // not ours: ignored, never trusted
    this.omega.heard(from);
    if (message.kind === heartbeatKind || message.kind === 'decided') {
      if (message.value.length > 0 && this.decided === undefined) this.learn(message.value, from);
      return;
    }
    this.algorithm.onMessage?.(from, message);
  }

  private learn(value: Uint8Array, from: ProcessId): void {
    this.decided = value;
    this.raw.note('learn', { value: toNumber(value), from });
    for (const waiter of this.decisionWaiters.splice(0)) waiter(value);
  }

  private waitForDecision(): Promise<Uint8Array> {
    if (this.decided) return Promise.resolve(this.decided);
    return new Promise((resolve) => this.decisionWaiters.push(resolve));
  }

  /** Heartbeats to everyone, carrying the decision once known; runs in the background. */
  private startHeartbeats(): void {
    if (this.heartbeating) return;
    this.heartbeating = true;
    const beat = () => {
      const data = encodeMessage({ kind: heartbeatKind, ballot: 0n, other: 0n, value: this.decided ?? new Uint8Array(0) });
      for (let process = 0; process < this.raw.processCount; process++) if (process !== this.raw.self) this.raw.send(process, data);
      this.raw.setTimer(this.options.timing.heartbeat, beat);
    };
    this.raw.setTimer(this.options.timing.heartbeat, beat);
  }

  /**
   * An attempt overtaken by a learned decision keeps running in the
   * background (its verbs are in flight). Should it still conclude that it
   * decided, that is a decision too — the algorithm claims its value is
   * chosen — and it is noted as one, so that the checkers judge every claim,
   * not only the first one a process acted on.
   */
  private noteLateClaim(attempt: Promise<AttemptOutcome>, ballot: bigint): void {
    attempt.then(
      (outcome) => {
        if ('decided' in outcome) this.raw.note('decide', { value: toNumber(outcome.decided), ballot: Number(ballot), late: true });
      },
      () => undefined,
    );
  }

  /** Proposes `input`; resolves with the decided value. */
  async propose(input: Uint8Array): Promise<Uint8Array> {
    const { raw } = this;
    this.startHeartbeats();
    if (this.options.startDelay) await raw.sleep(this.options.startDelay);
    let highestSeen = 0n;
    let preemptions = 0;
    let slowestAttempt = 0;
    let ballot = firstBallot(raw.self);
    for (;;) {
      if (this.decided) return this.decided;
      if (!this.omega.isLeader()) {
        await Promise.race([this.waitForDecision(), raw.sleep(this.options.timing.heartbeat)]);
        continue;
      }
      if (ballot <= highestSeen) ballot = nextBallot(raw.self, raw.processCount, highestSeen);
      this.meter = newMeter();
      const started = raw.now();
      raw.note('attempt', { ballot: Number(ballot) });
      const attempt = this.algorithm.attempt(ballot, input);
      const outcome = await Promise.race([attempt, this.waitForDecision().then((value) => ({ learned: value }))]);
      if (this.decided) {
        this.noteLateClaim(attempt, ballot);
        return this.decided;
      }
      if ('decided' in outcome) {
        this.decided = outcome.decided;
        const meter = this.meter;
        raw.note('decide', { value: toNumber(outcome.decided), ballot: Number(ballot), started, verbs: meter.verbs, messages: meter.messages, bytes: meter.bytes, permissionRequests: meter.permissionRequests });
        const announcement = encodeMessage({ kind: 'decided', ballot, other: 0n, value: outcome.decided });
        for (let process = 0; process < raw.processCount; process++) if (process !== raw.self) raw.send(process, announcement);
        for (const waiter of this.decisionWaiters.splice(0)) waiter(outcome.decided);
        return outcome.decided;
      }
      if ('preempted' in outcome && outcome.preempted > highestSeen) highestSeen = outcome.preempted;
      if (ballot > highestSeen) highestSeen = ballot;
      preemptions++;
      slowestAttempt = Math.max(slowestAttempt, raw.now() - started);
      const window = Math.max(this.options.timing.backoff * 2 ** Math.min(preemptions, 6), 2 * slowestAttempt);
      await Promise.race([this.waitForDecision(), raw.sleep(raw.random() * window)]);
    }
  }
}

/** Values in this package are unsigned 64-bit numbers in 8 bytes (the scenario's inputs). */
export function toNumber(value: Uint8Array): number {
  if (value.length !== 8) return -1;
  return Number(new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true));
}

export function fromNumber(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return bytes;
}
