import type { MemoryId } from '../../fabric/index.js';
import { DiskPaxosLog, diskPaxosLogRegions } from '../../protocols/consensus/diskPaxosLog.js';
import { logTimingFor, type LogOptions } from '../../protocols/consensus/consensusLog.js';
import { MultiPaxosLog } from '../../protocols/consensus/multiPaxos.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../../protocols/consensus/protectedPaxosLog.js';
import type { LogBenchTarget } from './logDecisions.js';

/**
 * The replicated logs as `mnm bench backends` measures them: p0 leads from
 * the start (Ω trusts the lowest id), 8-byte values, a window as wide as the
 * bench's, and room for every append of the full bench (warm-up included)
 * plus slack for no-ops. Times are in the run's unit, one unit per one-way
 * delay, as the scenarios size them (`logTimingFor`).
 */
const entries = 10_000;
const region = 'log';

function options(): LogOptions {
  return { capacity: 8, entries, window: 16, timing: logTimingFor(1) };
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
