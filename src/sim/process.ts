import { Inbox, type Message, type OperationId } from '../fabric/index.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';

/**
 * A simulated process's runtime state: alive, crashed or paused, its inbox,
 * and which application operation its actions are charged to.
 *
 * Everything that wakes protocol code on this process (a verb completion, a
 * message, a timer) goes through `deliver`, so a crash silences the process
 * and a pause holds its wake-ups back, in order, until it resumes.
 */
export class SimProcess {
  crashed = false;
  private pausedUntil = -Infinity;
  private held: (() => void)[] = [];
  private readonly inbox = new Inbox();
  /** The application operation in progress here, if any. */
  openOperation: OperationId | undefined;
  /** The operation on whose behalf the last wake-up came (accounting of work done for others). */
  causalOperation: OperationId | undefined;
  /** Set once the process body returned (or threw). */
  finished = false;
  error: unknown;

  constructor(
    readonly id: number,
    private readonly scheduler: Scheduler,
    readonly random: Prng,
    /** This process's clock offset and drift against true time. */
    readonly clockSkew: number,
    readonly clockDrift: number,
  ) {}

  isPaused(now: number): boolean {
    return now < this.pausedUntil;
  }

  /** The operation that actions taken now are charged to. */
  chargedOperation(): OperationId | undefined {
    return this.openOperation ?? this.causalOperation;
  }

  /** Runs `wake` now, after the pause (in order), or never (crashed). Returns whether it ran now. */
  deliver(wake: () => void): boolean {
    if (this.crashed) return false;
    if (this.scheduler.now() < this.pausedUntil) {
      if (this.held.length === 0) this.scheduler.at(this.pausedUntil, () => this.resume());
      this.held.push(wake);
      return false;
    }
    wake();
    return true;
  }

  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private resume(): boolean {
    if (this.crashed) return false;
    if (this.scheduler.now() < this.pausedUntil) {
      // The pause was extended after this resumption was queued.
      this.scheduler.at(this.pausedUntil, () => this.resume());
      return false;
    }
    const held = this.held;
    this.held = [];
    for (const wake of held) wake();
    return held.length > 0;
  }

  crash(): void {
    this.crashed = true;
    this.held = [];
    this.inbox.clear();
  }

  /** A message reached this (live, running) process. */
  accept(message: Message): void {
    this.inbox.deliver(message);
  }

  setHandler(handler: (message: Message) => void): void {
    this.inbox.setHandler(handler);
  }

  receive(): Promise<Message> {
    return this.inbox.receive();
  }
}
