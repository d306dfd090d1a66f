/**
 * Notices that this process itself was not running — paused by the
 * scheduler, a stop-the-world collection, a descheduled thread — from the
 * one signal it has: a periodic tick that comes late. A tick due at `d` that
 * has not run by `d + period` means nothing of this process ran in between
 * (a running process's timer fires on time; the simulator holds a paused
 * process's wake-ups and replays them in order when it resumes).
 *
 * Why the phase timers need it: an adaptive timeout learns from the phases it
 * sees (protocols/common/phaseTimer.ts). A phase that spans the process's own
 * stall measures the stall, not the network: counting it as "the slowest
 * phase" (or counting its expiry as the network's fault) can push the next
 * timeout far past anything the network needs — after a 116-unit pause, a
 * Multi-Paxos leader's timeout grew beyond the run, and it never retried a
 * prepare the partition had dropped. So such phases teach the timer nothing.
 */
export class StallDetector {
  private due: number;
  private lastStallEnd = -Infinity;

  constructor(
    private readonly now: () => number,
    /** The tick's period. */
    private readonly period: number,
  ) {
    this.due = now() + period;
  }

  /** The periodic tick ran (call before re-arming it): the next one is due a period from now. */
  ticked(): void {
    this.observe();
    this.due = this.now() + this.period;
  }

  /** Whether this process was stalled at some point after `time` (up to now). */
  stalledSince(time: number): boolean {
    this.observe();
    return this.lastStallEnd > time;
  }

  /** An overdue tick means the process was not running until now: the stall ends here. */
  private observe(): void {
    const now = this.now();
    if (now > this.due + this.period) this.lastStallEnd = now;
  }
}
