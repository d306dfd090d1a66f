import type { Batch, Request, Share } from '../../protocols/byzantine/bft/messages.js';
import { batchHash, type RoutedMessage, type ScriptWorld, type ScriptedReplica } from './scriptHarness.js';

/**
 * Pieces several §6 schedules share: what a scripted Byzantine replica b
 * does (take a client's REQ, a replica's SHARE, COMMIT with the PC {p, b},
 * help a correct replica's slow path) and routes ("p pauses once it
 * decided"). n = 3 (f = 1) in every schedule that uses them.
 */

function hex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}

/** `process` "pauses" once it decided: its point messages, both ways, are lost from then on (its stream is read on). */
export function pausedOnceDecided(process: number): (message: RoutedMessage, world: ScriptWorld) => boolean {
  return (message, world) => (message.from === process || message.to === process) && world.decided(process);
}

/** The first REQ b gets from `client`. */
export async function requestOf(b: ScriptedReplica, client: number): Promise<Request> {
  const event = await b.next((event) => event.kind === 'point' && event.from === client && event.message.type === 'req');
  if (event.kind !== 'point' || event.message.type !== 'req') throw new Error('not a REQ');
  return event.message.request;
}

/** The first SHARE(view, instance, hash) b gets from `from`, as from's share for a PC. */
export async function shareFrom(b: ScriptedReplica, from: number, view: number, instance: number, hash: Uint8Array): Promise<Share> {
  const event = await b.next((event) => event.kind === 'point' && event.from === from && event.message.type === 'share' && event.message.view === view && event.message.instance === instance && hex(event.message.hash) === hex(hash));
  if (event.kind !== 'point' || event.message.type !== 'share') throw new Error('not a SHARE');
  return { signer: from, signature: event.message.signature };
}

/** COMMIT(v, i, batch) with the PC of `share` and b's own share. */
export function commitWith(b: ScriptedReplica, view: number, instance: number, batch: Batch, share: Share) {
  const hash = batchHash(batch);
  const shares = [share, b.prepareShare(view, instance, hash)].sort((x, y) => x.signer - y.signer);
  return { type: 'commit', view, instance, batch, certificate: { view, instance, hash, shares } } as const;
}

/**
 * b as a helpful follower from view `from` on: it answers each SHARE(v, i, h)
 * with its own and, where its stream's epoch allows (sealed(b) = v−1),
 * COMMITs (v, i) with the PC {sender, b} — what a correct replica's slow
 * path needs from the second member of f+1.
 */
export function helpSlowPath(b: ScriptedReplica, from: number): void {
  const committed = new Set<string>();
  b.answerShares((_, view) => view >= from);
  b.react((event) => {
    if (event.kind !== 'point' || event.message.type !== 'share' || event.message.view < from) return;
    const { view, instance, signature } = event.message;
    const key = `${view}/${instance}`;
    const batch = b.streams[view % b.n].accepted(view, instance)?.batch;
    if (committed.has(key) || !batch || b.streams[b.self].sealed !== view - 1) return;
    committed.add(key);
    void b.broadcast(commitWith(b, view, instance, batch, { signer: event.from, signature }));
  });
}
