import type { MemoryId } from '../../fabric/index.js';
import { DiskPaxosLog, diskPaxosLogRegions } from '../../protocols/consensus/diskPaxosLog.js';
import { logTimingFor, type LogOptions } from '../../protocols/consensus/consensusLog.js';
import { MultiPaxosLog } from '../../protocols/consensus/multiPaxos.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../../protocols/consensus/protectedPaxosLog.js';
import type { LogBenchTarget } from './logDecisions.js';

/**
 * The replicated logs as `mnm bench backends` measures them: p0 leads from
 * the start (Ω trusts the lowest id), 8-byte values, a window as wide as the
 * bench's, decisions announced once per heartbeat, and room for every
 * append of the full bench (warm-up included) plus slack for no-ops. Times are in the run's unit, one unit per one-way
 * delay, as the scenarios size them (`logTimingFor`).
 */
const entries = 10_000;
const region = 'log';

function options(): LogOptions {
  // Decisions announced once per heartbeat, for every log alike: the leader's appends do not wait
  // for announcements, and followers waking per decision took the leader's CPU on 2 cores.
  const timing = logTimingFor(1);
  // Tuned for a 2-core machine, alike for every log:
  // - suspicion after 400 delays (100 ms on shm, 200 ms on tcp) instead of 20: a thread is routinely
  //   descheduled for more than 20 delays here, and a follower that suspected p0 ran a phase 1 over
  //   every row of the log and revoked p0's permissions (measured: a second-long stall);
  // - a heartbeat every 20 delays instead of 4: each heartbeat wakes every other process (measured:
  //   at 4 delays, waking the idle threads took a tenth of the leader's time on shm); the phase
  //   deadlines checked on it only matter when something fails.
  return { capacity: 8, entries, window: 16, timing: { ...timing, heartbeat: 20, suspectAfter: { ...timing.suspectAfter, base: 400 } }, announce: 'heartbeat' };
}

function memoriesOf(memoryCount: number): MemoryId[] {
  return Array.from({ length: memoryCount }, (_, memory) => memory);
}

export const protectedPaxosLogTarget: LogBenchTarget = {
  name: 'pmp-log',
  regions: (processCount, memoryCount) => protectedPaxosLogRegions({ region, memories: memoriesOf(memoryCount), capacity: 8, entries }, processCount),
  open: (fabric) => new ProtectedPaxosLog(fabric, { ...options(), region, memories: memoriesOf(fabric.memoryCount) }),
};

export const diskPaxosLogTarget: LogBenchTarget = {
  name: 'disk-paxos-log',
  regions: (processCount, memoryCount) => diskPaxosLogRegions({ region, memories: memoriesOf(memoryCount), capacity: 8, entries }, processCount),
  open: (fabric) => new DiskPaxosLog(fabric, { ...options(), region, memories: memoriesOf(fabric.memoryCount), pipelined: false }),
};

export const multiPaxosLogTarget: LogBenchTarget = {
  name: 'multi-paxos',
  regions: () => [],
  open: (fabric) => new MultiPaxosLog(fabric, options()),
};
