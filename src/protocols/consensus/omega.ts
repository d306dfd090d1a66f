import type { Fabric, ProcessId } from '../../fabric/index.js';

/**
 * Ω, the eventual leader oracle: the lowest-numbered process heard from
 * within `timeout` (heartbeats every `period`). Early on it may be wrong —
 * several processes may believe they lead (`believeLeaderUntil`, the
 * contention workload) — but once crashes and pauses stop, every correct
 * process trusts the same live one, which is all Paxos-style protocols need
 * to terminate.
 */
export class Omega {
  private readonly lastHeard: number[];
  private believeLeaderUntil = -Infinity;

  constructor(
    private readonly fabric: Fabric,
    private readonly timeout: number,
  ) {
    // Everyone counts as alive at the start, so p0 leads until proven silent.
    this.lastHeard = Array.from({ length: fabric.processCount }, () => 0);
  }

  heard(from: ProcessId): void {
    this.lastHeard[from] = this.fabric.now();
  }

  /** Makes this process believe it leads until `time` (a wrong early guess of Ω). */
  believeLeader(time: number): void {
    this.believeLeaderUntil = time;
  }

  leader(): ProcessId {
    const now = this.fabric.now();
    for (let process = 0; process < this.fabric.processCount; process++) {
      if (process === this.fabric.self || now - this.lastHeard[process] <= this.timeout) return process;
    }
    return this.fabric.self;
  }

  isLeader(): boolean {
    return this.fabric.now() < this.believeLeaderUntil || this.leader() === this.fabric.self;
  }
}
