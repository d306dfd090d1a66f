import type { Access, ProcessId, RegionSpec } from './types.js';
import { policies } from './types.js';

/**
 * The permission rules of the contract as pure functions over a region's
 * access list, so that every backend enforces exactly the same policy.
 */

const rank: Record<Access, number> = { none: 0, read: 1, 'read-write': 2 };

/** Whether `held` allows what `wanted` asks for. */
export function allows(held: Access, wanted: Access): boolean {
  return rank[held] >= rank[wanted];
}

/** The access each process has when the region is created. */
export function initialAccess(spec: RegionSpec, processCount: number): Access[] {
  const fallback: Access =
    spec.defaultAccess ?? (spec.policy === 'open' ? 'read-write' : spec.policy === 'access-list' ? 'none' : 'read');
  const access: Access[] = Array.from({ length: processCount }, () => fallback);
  if ((spec.policy === 'single-writer' || spec.policy === 'exclusive-writer' || spec.policy === 'ordered-exclusive-writer') && spec.owner !== undefined) {
    access[spec.owner] = 'read-write';
  }
  for (const [process, granted] of Object.entries(spec.access ?? {})) access[Number(process)] = granted;
  return access;
}

/** The largest proposal number a permission request may carry (an unsigned 64-bit word on every wire). */
export const proposalMax = (1n << 64n) - 1n;

/**
 * The highest proposal granted on a region when it is created: 0, so that
 * any proposal (even 0) may take write access from the owner it starts with.
 */
export const initialHighestGranted = 0n;

/** A one-line reason why `proposal` cannot travel with a request, or undefined if it can (an unsigned 64-bit integer). */
export function proposalProblem(proposal: unknown): string | undefined {
  if (proposal === undefined) return undefined;
  if (typeof proposal !== 'bigint') return `proposal must be a bigint, got ${typeof proposal}`;
  if (proposal < 0n || proposal > proposalMax) return `proposal ${proposal} is outside the unsigned 64-bit range 0..${proposalMax}`;
  return undefined;
}

/**
 * The outcome of a permission request: the new list and the region's new
 * highest granted proposal, or a refusal that changes nothing.
 */
export type PermissionDecision =
  | { readonly granted: true; readonly access: Access[]; readonly revoked: ProcessId[]; readonly highestGranted: bigint }
  | { readonly granted: false; readonly reason: string };

/**
 * Decides a request by `requester` for `wanted` access under the region's
 * policy, given the region's access list and the highest proposal granted on
 * it so far (only `ordered-exclusive-writer` reads or changes that number;
 * every other policy ignores `proposal` and returns `highestGranted` as is).
 *
 * `exclusive-writer` is the interesting case: write access moves to the
 * requester and is revoked from everyone else, which is what lets Protected
 * Memory Paxos skip Disk Paxos' final read.
 *
 * `ordered-exclusive-writer` adds Mu's ordering: a write request carries a
 * proposal number and is granted only if it is at least the highest granted.
 * A leader's requests to followers keep going after it has its majority and
 * may land much later, after another leader took over there; without the
 * order such a straggler would hand write access back to the deposed leader.
 * Equal numbers are granted (a leader re-requesting in its own term), and
 * the check applies even when the requester holds write access already, so a
 * request never lowers the region's number or confirms a stale holder.
 */
export function decideRequest(
  spec: RegionSpec,
  current: readonly Access[],
  requester: ProcessId,
  wanted: Access,
  proposal?: bigint,
  highestGranted: bigint = initialHighestGranted,
): PermissionDecision {
  const held = current[requester] ?? 'none';
  const unchanged: PermissionDecision = { granted: true, access: [...current], revoked: [], highestGranted };
  if (spec.policy === 'ordered-exclusive-writer' && wanted === 'read-write') return decideOrdered(spec, current, requester, proposal, highestGranted);
  if (allows(held, wanted)) return unchanged;
  switch (spec.policy) {
    case 'open':
      return unchanged;
    case 'single-writer':
      if (wanted === 'read-write') return { granted: false, reason: `only p${spec.owner} may write a single-writer region` };
      return { granted: false, reason: 'read access is fixed at creation' };
    case 'access-list':
      return { granted: false, reason: 'the access list is fixed at creation' };
    case 'exclusive-writer':
    case 'ordered-exclusive-writer': {
      if (wanted !== 'read-write') return { granted: false, reason: 'only write access can be requested' };
      return { granted: true, ...moveWriteAccess(current, requester), highestGranted };
    }
  }
}

/** A write request under `ordered-exclusive-writer`: granted iff its proposal is at least the highest granted. */
function decideOrdered(spec: RegionSpec, current: readonly Access[], requester: ProcessId, proposal: bigint | undefined, highestGranted: bigint): PermissionDecision {
  if (proposal === undefined) {
    return { granted: false, reason: `a write request on ordered-exclusive-writer region '${spec.name}' must carry a proposal number` };
  }
  if (proposal < highestGranted) {
    return { granted: false, reason: `p${requester}'s proposal ${proposal} is lower than ${highestGranted}, the highest granted on region '${spec.name}'` };
  }
  return { granted: true, ...moveWriteAccess(current, requester), highestGranted: proposal };
}

/** Write access moves to `requester`; every other writer keeps read access only. */
function moveWriteAccess(current: readonly Access[], requester: ProcessId): { access: Access[]; revoked: ProcessId[] } {
  const access = [...current];
  const revoked: ProcessId[] = [];
  access.forEach((other, process) => {
    if (process !== requester && other === 'read-write') {
      access[process] = 'read';
      revoked.push(process);
    }
  });
  access[requester] = 'read-write';
  return { access, revoked };
}

/** Throws a message naming what is wrong with a region spec, if anything. */
export function validateRegionSpec(spec: RegionSpec, processCount: number, memoryCount: number): void {
  const where = `region '${spec.name}'`;
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(spec.name)) throw new Error(`${where}: name must be 1-64 characters of [A-Za-z0-9_.:-]`);
  if (!Number.isInteger(spec.size) || spec.size <= 0 || spec.size % 8 !== 0) {
    throw new Error(`${where}: size ${spec.size} must be a positive multiple of 8 bytes`);
  }
  if (!policies.includes(spec.policy)) throw new Error(`${where}: unknown policy '${spec.policy}' (accepted: ${policies.join(', ')})`);
  if (spec.policy === 'single-writer' && spec.owner === undefined) throw new Error(`${where}: a single-writer region needs an owner`);
  const checkProcess = (process: number) => {
    if (!Number.isInteger(process) || process < 0 || process >= processCount) {
      throw new Error(`${where}: process p${process} does not exist (p0..p${processCount - 1})`);
    }
  };
  if (spec.owner !== undefined) checkProcess(spec.owner);
  for (const process of Object.keys(spec.access ?? {})) checkProcess(Number(process));
  for (const memory of spec.memories ?? []) {
    if (!Number.isInteger(memory) || memory < 0 || memory >= memoryCount) {
      throw new Error(`${where}: memory m${memory} does not exist (m0..m${memoryCount - 1})`);
    }
  }
}
