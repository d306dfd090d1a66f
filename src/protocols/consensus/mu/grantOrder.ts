/**
 * Mu's grant order (specs/mu.md, "Two planes"): each replica grants write
 * access on its log to one leader at a time, and never to a stale one — the
 * proposals it grants, in the order it grants them, never decrease. A
 * checker over what the memories saw (a pure function of their grants, in
 * execution order), so that a policy that lets a late, lower request through
 * is caught even when the protocol's own prepare then refuses to use it.
 */
export interface Grant {
  readonly t: number;
  readonly memory: number;
  readonly region: string;
  readonly process: number;
  readonly proposal: bigint;
}

/** The first grant on each memory's `region` that went to a lower proposal than one granted before it there. */
export function grantsOutOfOrder(grants: readonly Grant[], region: string): { readonly grant: Grant; readonly after: Grant }[] {
  const highest = new Map<number, Grant>();
  const found: { grant: Grant; after: Grant }[] = [];
  for (const grant of grants) {
    if (grant.region !== region) continue;
    const before = highest.get(grant.memory);
    if (before && grant.proposal < before.proposal) {
      if (!found.some((one) => one.grant.memory === grant.memory)) found.push({ grant, after: before });
      continue;
    }
    highest.set(grant.memory, grant);
  }
  return found;
}
