import type { MuEntry, OpenedEntry, StoredEntry } from './muEntry.js';
import type { EntryCopy } from './muLayout.js';

/**
 * Mu's decisions as pure functions (specs/mu.md); muLog.ts issues the verbs
 * around them.
 */

/**
 * The commit point a new leader may rely on: the highest FUO it read from a
 * majority of logs. Every index below any replica's FUO is decided (a leader
 * writes a FUO only after the entries below it reached a majority), so
 * everything below the highest is decided, and no higher point is known.
 */
export function knownCommitPoint(fuos: readonly number[]): number {
  let highest = 0;
  for (const fuo of fuos) if (fuo > highest) highest = fuo;
  return highest;
}

/**
 * The indices a new leader copies from its log to a lagging follower whose
 * FUO is `followerFuo`: up to the commit point and never beyond. An entry at
 * or past the commit point may be undecided on the leader and decided with
 * another value elsewhere; copying it could overwrite the decided one
 * (`catch-up-past-commit`, the mutant, copies up to `leaderEnd`).
 */
export function catchUpRange(followerFuo: number, commitPoint: number, leaderEnd: number, pastCommit = false): { readonly from: number; readonly to: number } {
  const to = pastCommit ? Math.max(leaderEnd, commitPoint) : commitPoint;
  return { from: Math.min(followerFuo, to), to };
}

/**
 * What a replica holds in one slot, from its two copies (each opened at the
 * index it stores): the valid entry of the highest index — a slot holds
 * index i, i + slots, … in turn, and a leader never writes an index below
 * the one a replica holds there (muLog.ts, "Recycling") — and among copies
 * of one index the higher accepted proposal; and which copy holds it.
 * `empty` when neither copy holds a whole entry (never written, or a write
 * cut short by a crash).
 *
 * A copy that fails its checksum is not something the replica accepted: a
 * leader counts a write only once it completed whole, and it never writes
 * over the copy holding the replica's entry (`copyToWrite`), so a write cut
 * short tears only the other copy and the accepted entry survives it.
 */
export function heldEntry(copies: readonly [StoredEntry, StoredEntry]): { readonly entry: StoredEntry; readonly copy: EntryCopy | undefined } {
  const [first, second] = copies;
  const above = (a: StoredEntry & { kind: 'entry' }, b: StoredEntry) => b.kind !== 'entry' || a.index > b.index || (a.index === b.index && a.accepted >= b.accepted);
  if (first.kind === 'entry' && above(first, second)) return { entry: first, copy: 0 };
  if (second.kind === 'entry') return { entry: second, copy: 1 };
  return { entry: { kind: 'empty' }, copy: undefined };
}

/**
 * What a slot's held entry says about index `index` (of that slot): the
 * entry if it is index's; `lapped` if the slot holds a later index (index
 * was recycled at this replica); `empty` if it holds an earlier lap (this
 * replica never accepted anything at index).
 */
export function openAt(held: StoredEntry, index: number): OpenedEntry {
  if (held.kind !== 'entry') return held.kind === 'torn' ? { kind: 'empty' } : held;
  if (held.index > index) return { kind: 'lapped' };
  if (held.index < index) return { kind: 'empty' };
  return { kind: 'entry', accepted: held.accepted, fuo: held.fuo, payload: held.payload };
}

/**
 * The highest FUO a replica's log holds: its header's and those piggybacked
 * on its whole entries, whatever their index. Every index below any of them
 * is decided. A new leader must count the entries' FUOs too: a decided
 * index k whose slots were recycled on its whole majority shows only as the
 * FUO (> k) of the entry k + slots that replaced it (`recycleLimit`).
 */
export function heldFuo(headerFuo: number, entries: readonly StoredEntry[]): number {
  let highest = headerFuo;
  for (const entry of entries) if (entry.kind === 'entry' && entry.fuo > highest) highest = entry.fuo;
  return highest;
}

/**
 * The first index a leader may not write yet: writing index k reuses the
 * slot of k − slots, so k − slots must be below
 * - the applied point of every replica the leader considers alive
 *   (`applied[r]`, as r last published it; 0 when never read) — a replica
 *   considered failed is not waited for, it catches up from a snapshot;
 * - the applied point of `needed` (a majority of) replicas, whatever the
 *   leader thinks of them: until then the decided entry at k − slots lives
 *   only in the logs and in fewer than a majority of states, and the crash
 *   of those hosts (f or fewer) would lose it for good. A replica's applied
 *   state survives as long as its host does, so with a majority past it at
 *   least one survives any f crashes and can serve the snapshot. (Paused
 *   replicas count as failed for the first rule and hold the bound here:
 *   the leader waits rather than recycle what only it has applied.)
 * - and the leader's own commit point, so that every entry it writes
 *   carries a FUO above the index whose slot it takes (the entry k of a
 *   leader with FUO f satisfies k < f + slots).
 */
export function recycleLimit(commitPoint: number, applied: readonly (number | undefined)[], alive: readonly boolean[], self: number, slots: number, needed: number): number {
  let low = commitPoint;
  applied.forEach((point, replica) => {
    if (replica === self || alive[replica]) low = Math.min(low, point ?? 0);
  });
  // The needed-th highest applied point (the highest that `needed` replicas reached), without
  // allocating: this runs for every write, over a handful of replicas.
  let majority = 0;
  for (const candidate of applied) {
    const point = candidate ?? 0;
    if (point <= majority) continue;
    let reached = 0;
    for (const other of applied) if ((other ?? 0) >= point) reached++;
    if (reached >= needed) majority = point;
  }
  return Math.min(low, majority) + slots;
}

/**
 * Where a leader starts writing a ready replica whose log holds FUO
 * `viewFuo` and base `viewBase`, given its commit point and the lowest index
 * `knownFrom` from which it holds every decided payload up to the commit
 * point. Normally from min(FUO, commit point) (never beyond: an entry there
 * may be undecided). If it no longer holds that far back (the entries were
 * recycled and it learnt the prefix from a snapshot), it jumps: it writes
 * from `knownFrom` and first raises the replica's base there (`base`), so
 * that the replica never applies an index between its FUO and the jump —
 * its log may hold an undecided entry there, below FUOs the jump writes.
 */
export function catchUpStart(viewFuo: number, viewBase: number, commitPoint: number, knownFrom: number): { readonly from: number; readonly base?: number } {
  const from = Math.min(viewFuo, commitPoint);
  if (from >= knownFrom) return { from };
  return knownFrom > viewBase ? { from: knownFrom, base: knownFrom } : { from: knownFrom };
}

/**
 * Whether a replica that applied every index below `applied` must install
 * a snapshot, and the lowest snapshot index that helps: its log's base is
 * above its applied point (it may apply nothing below the base from this
 * log); its slot for `applied` already holds a later lap (recycled here);
 * or it holds a FUO above `applied` (read before the slot) and yet no
 * whole entry there — a leader writes the entries below a FUO before the
 * FUO, so that write was cut short for good by its writer's crash while
 * the FUO behind it landed, and a later leader catches the log up only
 * from its FUO. Undefined when its log may still bring `applied`.
 */
export function snapshotNeed(applied: number, base: number, atApplied: OpenedEntry, fuo: number): number | undefined {
  if (applied < base) return base;
  if (atApplied.kind === 'lapped') return applied + 1;
  if (fuo > applied && atApplied.kind !== 'entry') return applied + 1;
  return undefined;
}

/** The copy a leader writes: never the one holding the replica's entry (`held`, as `heldEntry` found it or as this term last wrote it). */
export function copyToWrite(held: EntryCopy | undefined): EntryCopy {
  return held === 0 ? 1 : 0;
}

/** What one slot of a majority shows: the entry to re-propose there (the highest accepted), or undefined when it is empty everywhere. */
export function adoptAt(views: readonly OpenedEntry[]): MuEntry | undefined {
  let best: MuEntry | undefined;
  for (const view of views) {
    if (view.kind !== 'entry') continue;
    if (best === undefined || view.accepted > best.accepted) best = view;
  }
  return best;
}

/**
 * The decided entry at an index k below a new leader's commit point, from
 * what each view of its majority holds at k (`entries[r]`, opened at k)
 * the highest FUO it holds (`fuos[r]`) and its base (`bases[r]`), or
 * undefined when it cannot tell (then only a snapshot brings it). Which
 * view: any whole entry at k in a log holding a FUO above k, k not below
 * its base, is decided (muLog.ts; below the base a jump may have left an
 * undecided entry under the FUOs it wrote). Failing that — a
 * replica that holds the FUO may show k torn, its write cut short by a
 * crash while the FUO behind it landed — the highest accepted entry at k
 * among the views, as a new leader adopts, provided no view shows k
 * `lapped`: a replica's acceptance of k is destroyed only by the next lap
 * taking its slot, so with none lapped the majority still shows an
 * acceptance of the decided value with the highest proposal (Paxos).
 */
export function decidedAt(entries: readonly OpenedEntry[], fuos: readonly number[], bases: readonly number[], index: number): MuEntry | undefined {
  for (let view = 0; view < entries.length; view++) {
    const entry = entries[view];
    if (fuos[view] > index && bases[view] <= index && entry.kind === 'entry') return entry;
  }
  if (entries.some((entry) => entry.kind === 'lapped')) return undefined;
  return adoptAt(entries);
}

/**
 * The slots a new leader settles before its fast path, from the commit point
 * on: `views[r][k]` is replica r's slot `commitPoint + k` (one row per
 * replica of the majority, as read after this term's grant). Each slot up to
 * the last one any view holds gets the highest accepted payload there (it may
 * have been decided), or `gap` where every view is empty (a leader with a
 * window can leave a hole behind an entry that reached a majority only on
 * other replicas). `adopt = false` is the `no-adopt` mutant: slots are left
 * to the new leader's own values.
 */
export function settlePlan(views: readonly (readonly OpenedEntry[])[], commitPoint: number, gap: Uint8Array, adopt = true): { readonly index: number; readonly payload: Uint8Array }[] {
  if (!adopt) return [];
  let last = -1;
  for (const row of views) row.forEach((view, k) => {
    if (view.kind === 'entry' && k > last) last = k;
  });
  const plan: { index: number; payload: Uint8Array }[] = [];
  for (let k = 0; k <= last; k++) {
    const chosen = adoptAt(views.map((row) => row[k] ?? { kind: 'empty' }));
    plan.push({ index: commitPoint + k, payload: chosen ? chosen.payload : gap });
  }
  return plan;
}

/**
 * The leader's FUO after acknowledgements: the first index, from `fuo` on,
 * that fewer than `needed` replicas acknowledged (entries commit in order).
 */
export function advanceCommit(fuo: number, acknowledged: (index: number) => number, end: number, needed: number): number {
  let next = fuo;
  while (next < end && acknowledged(next) >= needed) next++;
  return next;
}

/**
 * What a replica may apply from its own log: `entries[k]` is its slot
 * `applied + k` as just read, `headerFuo` its header's FUO. Every index below
 * any FUO it holds (the header's, or one piggybacked on a whole entry) is
 * decided, and the entries below it in this log hold the decided values
 * (muLog.ts, "Why it is safe"). So it applies the whole entries in a row from
 * `applied` that lie below that point, stopping at a torn or empty slot.
 * `verify = false` (the `no-checksum` mutant) has already let torn slots read
 * as entries.
 */
export function appliable(entries: readonly OpenedEntry[], applied: number, headerFuo: number): number {
  let commit = headerFuo;
  // (headerFuo may already include the FUOs of entries of other indices: `heldFuo`.)
  for (const entry of entries) if (entry.kind === 'entry' && entry.fuo > commit) commit = entry.fuo;
  let count = 0;
  while (applied + count < commit && count < entries.length && entries[count].kind === 'entry') count++;
  return count;
}

/** Failure-detection thresholds, in heartbeat reads. */
export interface ScoreThresholds {
  /** Scores live in [0, max]. */
  readonly max: number;
  /** A replica whose score falls to this or below is considered failed… */
  readonly failed: number;
  /** …and considered alive again once its score climbs to this or above (hysteresis: failed < recovered). */
  readonly recovered: number;
}

/** One heartbeat read of a replica: its score rises when its counter moved, falls when it did not. */
export function nextScore(score: number, moved: boolean, thresholds: ScoreThresholds): number {
  return moved ? Math.min(thresholds.max, score + 1) : Math.max(0, score - 1);
}

/** Whether a replica with `score` is alive, given whether it was (hysteresis between the two thresholds). */
export function aliveAfter(score: number, wasAlive: boolean, thresholds: ScoreThresholds): boolean {
  if (wasAlive) return score > thresholds.failed;
  return score >= thresholds.recovered;
}

/** The leader: the lowest-id replica considered alive (a replica always considers itself alive). */
export function leaderOf(alive: readonly boolean[], self: number): number {
  for (let replica = 0; replica < alive.length; replica++) if (replica === self || alive[replica]) return replica;
  return self;
}
