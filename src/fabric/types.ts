/**
 * The nouns of the fabric contract (DESIGN.md, "The fabric contract").
 *
 * Processes run protocol code; memories are passive and hold regions of raw
 * bytes. Every backend (simulator, worker threads, TCP) implements the same
 * nouns, so a protocol never learns which backend runs it.
 */

/** Index of a process, `p0..p(n-1)`. */
export type ProcessId = number;

/** Index of a memory, `m0..m(k-1)`. */
export type MemoryId = number;

/** A region on one memory. Region names are shared by every memory holding one. */
export interface RegionRef {
  readonly memory: MemoryId;
  readonly region: string;
}

/** A byte address inside a region. */
export interface Address extends RegionRef {
  readonly offset: number;
}

/** What one process may do to one region. */
export type Access = 'none' | 'read' | 'read-write';

/**
 * How a region's access list may change after creation; fixed at creation.
 *
 * - `open`: everyone reads and writes; requests are granted and change nothing.
 * - `single-writer`: only the owner ever writes (SWMR registers of Byzantine
 *   broadcast); a request for write access by anyone else is denied.
 * - `exclusive-writer`: a request for write access grants it to the requester
 *   and revokes it from whoever held it (Protected Memory Paxos).
 * - `ordered-exclusive-writer`: like `exclusive-writer`, but a request for
 *   write access carries the requester's proposal number and is granted only
 *   if it is at least the highest granted so far on that region at that
 *   memory (Mu's log regions: each replica grants write access to one leader
 *   at a time, and never to a stale one whose request arrives late).
 * - `access-list`: the list given at creation is the list; processes cannot
 *   change it (the scenario may, as an administrator).
 */
export type Policy = 'open' | 'single-writer' | 'exclusive-writer' | 'ordered-exclusive-writer' | 'access-list';

export const policies: readonly Policy[] = ['open', 'single-writer', 'exclusive-writer', 'ordered-exclusive-writer', 'access-list'];

/** A region as the scenario (or a cluster file) creates it. */
export interface RegionSpec {
  readonly name: string;
  /** Size in bytes; a positive multiple of 8 so that every word is whole. */
  readonly size: number;
  readonly policy: Policy;
  /**
   * `single-writer`: the only process that may write.
   * `exclusive-writer`, `ordered-exclusive-writer`: the process holding write access at creation (none if absent).
   */
  readonly owner?: ProcessId;
  /** Access of processes not listed in `access`; defaults per policy (see `initialAccess`). */
  readonly defaultAccess?: Access;
  /** Explicit initial access per process (overrides the default). */
  readonly access?: Readonly<Record<number, Access>>;
  /** Memories that hold this region; all memories when absent. */
  readonly memories?: readonly MemoryId[];
}

/** A two-sided message as the receiver sees it. */
export interface Message {
  readonly from: ProcessId;
  readonly data: Uint8Array;
}

/** Options every one-sided verb accepts. */
export interface VerbOptions {
  /**
   * Reject with `TimedOut` if no answer came within this duration (in the
   * backend's time unit). Without it a verb to a crashed memory never settles,
   * exactly as on a real network.
   */
  readonly timeout?: number;
}

/** Options of a permission request. */
export interface PermissionOptions extends VerbOptions {
  /**
   * The requester's proposal number (an unsigned 64-bit integer). Required
   * for write access to an `ordered-exclusive-writer` region, where it is
   * granted only if at least the highest granted there so far; every other
   * policy ignores it.
   */
  readonly proposal?: bigint;
}

/** Identifier of an application-level operation in the history. */
export type OperationId = number;

/** The value attached to an application-level operation (JSON-serialisable). */
export type OperationValue = null | boolean | number | string | readonly OperationValue[] | { readonly [key: string]: OperationValue };
