import { findRegion, type Address, type Fabric, type MemoryId, type RegionSpec } from '../../../fabric/index.js';
import { InvalidLogConfig } from '../../common/logErrors.js';
import { muEntrySize } from './muEntry.js';

/**
 * Where a Mu log lives (specs/mu.md, "Log layout", "Two planes"): n replicas
 * on n memories, replica i's host being process pi with memory mi.
 *
 * - `mu-log` on every memory: replica i's copy of the log is `mu-log` on mi,
 *   in its own host's memory (it dies with the host). Header: minProposal
 *   (u64) at 0, FUO (u64) at 8, base (u64) at 16 — the replica may apply
 *   no index below it from this log (a leader that could not catch the log
 *   up from its FUO raised it; muLog.ts, "Recycling"); then `slots`
 *   fixed-size slots, index i in slot i mod slots (the log is recycled:
 *   a slot holds i, i + slots, … in turn). A slot holds two copies of an entry (muSlotSize): a
 *   leader writes an index into the copy that does not hold the replica's
 *   current entry there, so a write cut short by a crash (torn for good)
 *   never destroys what the replica had accepted (muLog.ts, "Why it is safe"). Policy `ordered-exclusive-writer`: a write permission
 *   request carries the requester's proposal number and is granted (revoking
 *   every other writer) only if that number is at least the highest granted
 *   there; p0, the first leader, holds it at creation.
 * - `mu-heartbeat-i` on mi only: replica i's heartbeat counter (u64 at 0)
 *   and its applied point (u64 at 8: it no longer needs any slot of an
 *   index below it), written by pi alone (single-writer) and read by
 *   everyone — the leader reads both with one verb per tick, and recycles
 *   a slot only below the applied point of every replica it considers
 *   alive. A separate region, so that the background plane can never
 *   write a log.
 */
export const muLogRegion = 'mu-log';
export const muLogHeader = 24;
export const minProposalOffset = 0;
export const fuoOffset = 8;
export const baseOffset = 16;
/** The heartbeat region: counter, then applied point. */
export const muHeartbeatSize = 16;

export function muHeartbeatRegion(replica: number): string {
  return `mu-heartbeat-${replica}`;
}

export interface MuLayout {
  /** Largest payload (tagged entry) of one entry, in bytes. */
  readonly capacity: number;
  /** Entries the region holds at once. */
  readonly slots: number;
}

/** One slot: two entry copies side by side. */
export function muSlotSize(capacity: number): number {
  return 2 * muEntrySize(capacity);
}

export function muLogRegionSize(layout: MuLayout): number {
  return muLogHeader + layout.slots * muSlotSize(layout.capacity);
}

/** The regions of a Mu log over `replicas` hosts (`policy` is the log regions' policy: mutants may change it). */
export function muRegions(layout: MuLayout, replicas: number, policy: RegionSpec['policy'] = 'ordered-exclusive-writer'): RegionSpec[] {
  // Open logs (the `no-fencing` mutant) let everyone write; otherwise everyone reads and the grant decides who writes.
  const log: RegionSpec = { name: muLogRegion, size: muLogRegionSize(layout), policy, owner: 0, defaultAccess: policy === 'open' ? 'read-write' : 'read' };
  const heartbeats = Array.from({ length: replicas }, (_, replica): RegionSpec => ({ name: muHeartbeatRegion(replica), size: muHeartbeatSize, policy: 'single-writer', owner: replica, memories: [replica] }));
  return [log, ...heartbeats];
}

/** Replica `replica`'s log starts here (its memory's `mu-log`). */
export function logAddress(replica: MemoryId, offset = 0): Address {
  return { memory: replica, region: muLogRegion, offset };
}

/** Where index `index`'s slot starts in every replica's log (its copy `copy`, 0 or 1). */
export function entryOffset(layout: MuLayout, index: number, copy: EntryCopy = 0): number {
  return muLogHeader + (index % layout.slots) * muSlotSize(layout.capacity) + copy * muEntrySize(layout.capacity);
}

/** Which of a slot's two copies. */
export type EntryCopy = 0 | 1;

export function heartbeatAddress(replica: number): Address {
  return { memory: replica, region: muHeartbeatRegion(replica), offset: 0 };
}

/** Throws an `InvalidLogConfig` naming what is missing when the fabric does not carry a Mu layout for its processes. */
export function validateMuLayout(fabric: Fabric, layout: MuLayout): void {
  if (fabric.memoryCount !== fabric.processCount) throw new InvalidLogConfig(`Mu needs one memory per replica: ${fabric.processCount} processes, ${fabric.memoryCount} memories (accepted: as many memories as processes)`);
  if (fabric.processCount < 2) throw new InvalidLogConfig(`Mu needs at least 2 replicas, got ${fabric.processCount}`);
  const log = findRegion(fabric.regions, muLogRegion);
  if (!log) throw new InvalidLogConfig(`no region '${muLogRegion}' (accepted: the regions of muRegions())`);
  if (log.size < muLogRegionSize(layout)) throw new InvalidLogConfig(`region '${muLogRegion}' of ${log.size} bytes is too small: ${layout.slots} slots of capacity ${layout.capacity} need ${muLogRegionSize(layout)}`);
  for (let replica = 0; replica < fabric.processCount; replica++) {
    const heartbeat = findRegion(fabric.regions, muHeartbeatRegion(replica));
    if (heartbeat && heartbeat.size < muHeartbeatSize) throw new InvalidLogConfig(`region '${muHeartbeatRegion(replica)}' of ${heartbeat.size} bytes is too small: it holds a counter and an applied point (${muHeartbeatSize} bytes)`);
    if (!heartbeat) throw new InvalidLogConfig(`no region '${muHeartbeatRegion(replica)}' (accepted: the regions of muRegions())`);
  }
}
