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
  if ((spec.policy === 'single-writer' || spec.policy === 'exclusive-writer') && spec.owner !== undefined) {
    access[spec.owner] = 'read-write';
  }
  for (const [process, granted] of Object.entries(spec.access ?? {})) access[Number(process)] = granted;
  return access;
}

/** The outcome of a permission request: the new list, or a refusal. */
export type PermissionDecision =
  | { readonly granted: true; readonly access: Access[]; readonly revoked: ProcessId[] }
  | { readonly granted: false; readonly reason: string };

/**
 * Decides a request by `requester` for `wanted` access under the region's policy.
 * `exclusive-writer` is the interesting case: write access moves to the
 * requester and is revoked from everyone else, which is what lets Protected
 * Memory Paxos skip Disk Paxos' final read.
 */
export function decideRequest(spec: RegionSpec, current: readonly Access[], requester: ProcessId, wanted: Access): PermissionDecision {
  const held = current[requester] ?? 'none';
  if (allows(held, wanted)) return { granted: true, access: [...current], revoked: [] };
  switch (spec.policy) {
    case 'open':
      return { granted: true, access: [...current], revoked: [] };
    case 'single-writer':
      if (wanted === 'read-write') return { granted: false, reason: `only p${spec.owner} may write a single-writer region` };
      return { granted: false, reason: 'read access is fixed at creation' };
    case 'access-list':
      return { granted: false, reason: 'the access list is fixed at creation' };
    case 'exclusive-writer': {
      if (wanted !== 'read-write') return { granted: false, reason: 'only write access can be requested' };
      const access = [...current];
      const revoked: ProcessId[] = [];
      access.forEach((other, process) => {
        if (process !== requester && other === 'read-write') {
          access[process] = 'read';
          revoked.push(process);
        }
      });
      access[requester] = 'read-write';
      return { granted: true, access, revoked };
    }
  }
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
