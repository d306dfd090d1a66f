import type { Fabric, ProcessId } from '../../fabric/index.js';
import { nextTimeout, type TimeoutPolicy } from './phaseTimer.js';

/**
 * Ω, the eventual leader oracle: the lowest-numbered process heard from
 * within `timeout` (heartbeats every `period`). Early on it may be wrong —
 * several processes may believe they lead (`believeLeaderUntil`, the
 * contention workload) — but once crashes and pauses stop, every correct
 * process trusts the same live one, which is all Paxos-style protocols need
 * to terminate.
 *
 * The silence tolerated is per process and adapts (◇P, Chandra & Toueg): a
 * process heard from after it was suspected was wrongly suspected, and its
 * timeout doubles (up to the policy's cap). Once delays are bounded, finitely
 * many wrong suspicions make every live process's timeout exceed its
 * heartbeat gaps, and Ω stops flapping between leaders.
 */
export class Omega {
  private readonly lastHeard: number[];
  /** Wrong suspicions of each process so far (each doubles its timeout). */
  private readonly wrongSuspicions: number[];
  private believeLeaderUntil = -Infinity;

  constructor(
    private readonly fabric: Fabric,
    private readonly policy: TimeoutPolicy,
  ) {
    // Everyone counts as alive at the start, so p0 leads until proven silent.
    this.lastHeard = Array.from({ length: fabric.processCount }, () => 0);
    this.wrongSuspicions = Array.from({ length: fabric.processCount }, () => 0);
  }

  heard(from: ProcessId): void {
    const now = this.fabric.now();
    if (now - this.lastHeard[from] > this.timeout(from)) this.wrongSuspicions[from]++;
    this.lastHeard[from] = now;
  }

  /** How long `process` may stay silent before it is suspected. */
  timeout(process: ProcessId): number {
    return nextTimeout(this.policy, { slowest: 0, expiries: this.wrongSuspicions[process] });
  }

  /** Makes this process believe it leads until `time` (a wrong early guess of Ω). */
  believeLeader(time: number): void {
    this.believeLeaderUntil = time;
  }

  leader(): ProcessId {
    const now = this.fabric.now();
    for (let process = 0; process < this.fabric.processCount; process++) {
      if (process === this.fabric.self || now - this.lastHeard[process] <= this.timeout(process)) return process;
    }
    return this.fabric.self;
  }

  isLeader(): boolean {
    return this.fabric.now() < this.believeLeaderUntil || this.leader() === this.fabric.self;
  }
}
