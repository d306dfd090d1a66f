import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch, Request } from '../protocols/byzantine/bft/messages.js';
import { batchHash, isType, type ScriptedReplica } from './bftScript.js';
import { correctAndMutant, violatedProperties } from './bftScriptPair.js';

/**
 * The mutants of specs/bft-consensus.md §6 that process a stream out of its
 * k order — `no-fifo` (2.4.2) and `seal-without-prefix` (2.6.1) — each
 * caught by its interleaving as a script (bftScript.ts): the same script
 * runs on correct code (safe) and on the mutant (agreement violated).
 * n = 3 (f = 1); b is the Byzantine replica, a script; clients are
 * processes 3 and 4. "p1 delivers k+1 first" is the script's `unseen`: the
 * reader's reads show S[s][k] empty until a condition holds (the sender's
 * write slow to reach it), so its CB cannot deliver that k before.
 */

const c1 = 3;
const c2 = 4;


function hex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}

/** The first REQ b gets from `client`. */
async function requestOf(b: ScriptedReplica, client: number): Promise<Request> {
  const event = await b.next((event) => event.kind === 'point' && event.from === client && event.message.type === 'req');
  if (event.kind !== 'point' || event.message.type !== 'req') throw new Error('not a REQ');
  return event.message.request;
}

/** The first SHARE(view, instance, hash) b gets from `from`, as p's share for a PC. */
async function shareFrom(b: ScriptedReplica, from: number, view: number, instance: number, hash: Uint8Array): Promise<{ signer: number; signature: Uint8Array }> {
  const event = await b.next((event) => event.kind === 'point' && event.from === from && event.message.type === 'share' && event.message.view === view && event.message.instance === instance && hex(event.message.hash) === hex(hash));
  if (event.kind !== 'point' || event.message.type !== 'share') throw new Error('not a SHARE');
  return { signer: from, signature: event.message.signature };
}

/** COMMIT(v, i, batch) with the PC of `share` and b's own share. */
function commitWith(b: ScriptedReplica, view: number, instance: number, batch: Batch, share: { signer: number; signature: Uint8Array }) {
  const hash = batchHash(batch);
  const shares = [share, b.prepareShare(view, instance, hash)].sort((x, y) => x.signer - y.signer);
  return { type: 'commit', view, instance, batch, certificate: { view, instance, hash, shares } } as const;
}

/** When the hidden slots show up at last (so that the correct run, stuck behind them, goes on and decides). */
const revealAt = 600;

describe('bft mutants that process a stream out of k order (§6), caught by their interleavings', () => {
  it("no-fifo (2.4.2): b = p0 writes PREPARE(0, 0) at k = 1 and, with another batch, at k = 2; p1 delivers 2 first, p2 1", async () => {
    let batches: { a: Batch; b: Batch } | undefined;
    const { correct, broken } = await correctAndMutant('no-fifo', {
      clients: [(client) => client.put('x', 'A'), (client) => client.put('y', 'B')],
      duration: 1200,
      // b's stream: k = 1 PREPARE A, 2 PREPARE B, 3 COMMIT A, 4 COMMIT B. p1 sees neither A's slots nor p2's stream
      // until it decided, p2 neither B's nor p1's: each delivers its own PREPARE first and commits on its own.
      unseen: (reader, sender, k, world, time) => {
        if (time >= revealAt) return false;
        if (reader === 1) return ((sender === 0 && (k === 1 || k === 3)) || sender === 2) && !world.decided(1, 0);
        if (reader === 2) return ((sender === 0 && (k === 2 || k === 4)) || sender === 1) && !world.decided(2, 0);
        return false;
      },
      byzantine: {
        0: async (b) => {
          const a = [await requestOf(b, c1)];
          const other = [await requestOf(b, c2)];
          batches = { a, b: other };
          void b.broadcast({ type: 'prepare', view: 0, instance: 0, batch: a });
          void b.broadcast({ type: 'prepare', view: 0, instance: 0, batch: other });
          // Each follower's SHARE answered on its own hash (its PC {p, b}), and b COMMITs A, then B, in its stream.
          b.answerShares((_, view) => view === 0);
          await b.broadcast(commitWith(b, 0, 0, a, await shareFrom(b, 2, 0, 0, batchHash(a))));
          await b.broadcast(commitWith(b, 0, 0, other, await shareFrom(b, 1, 0, 0, batchHash(other))));
        },
      },
    });
    assert.ok(batches, 'b proposed two batches');
    const [a, other] = [hex(batchHash(batches.a)), hex(batchHash(batches.b))];
    assert.equal(correct.decisions.get(2)?.get(0), a, 'correct p2 decides A (k = 1 first)');
    assert.equal(correct.decisions.get(1)?.get(0), a, 'correct p1, once it sees k = 1, decides A too: k = 2 only closes the epoch');
    assert.equal(broken.decisions.get(1)?.get(0), other, 'the mutant p1 accepts k = 2 (B) first and decides it');
    assert.equal(broken.decisions.get(2)?.get(0), a, 'the mutant p2 accepts k = 1 (A) and decides it');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it("seal-without-prefix (2.6.1): only p0 delivers b's and p0's COMMITs; p0 decides, pauses; p1 certifies b's SEAL (delivered before b's COMMIT)", async () => {
    const { correct, broken } = await correctAndMutant('seal-without-prefix', {
      clients: [(client) => client.put('x', 'A'), (client) => client.put('y', 'C')],
      duration: 1500,
      route: (message, world) => {
        // c2's REQ never reaches p0 (nor forwarded): p0's batch at 0 is c1's alone, p1's in view 1 holds both.
        if (message.to === 0 && isType(message.message, 'req') && message.message.request.client === c2) return 'drop';
        // No SHARE between p0 and p1: p1 never holds a PC of view 0, so its own state has no COMMIT.
        if (isType(message.message, 'share') && message.message.view === 0 && (message.from === 0 || message.from === 1) && (message.to === 0 || message.to === 1)) return 'drop';
        // p0 pauses once it decided.
        return (message.from === 0 || message.to === 0) && world.decided(0) ? 'drop' : 'deliver';
      },
      // p1 does not see the COMMITs (b's k = 1, p0's k = 2) until it entered view 1 (or, on correct code, stuck behind
      // b's k = 1, until revealAt); b's SEAL at k = 2 it sees at once.
      unseen: (reader, sender, k, world, time) => reader === 1 && ((sender === 2 && k === 1) || (sender === 0 && k === 2)) && time < revealAt && !world.noted(1, 'bft-enter', { v: 1 }),
      byzantine: {
        2: async (b) => {
          const prepare = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
          const hash = batchHash(prepare.batch);
          // b certifies its own SEAL(0) as if its stream held no COMMIT (the state p1 computes without b's prefix).
          b.certifySeals((process, _before, _sealed, state) => (process === b.self ? { ...state, commits: [] } : state));
          helpSlowPath(b, 1);
          // p0's PC {p0, b}: p0 COMMITs A; b COMMITs A (k = 1), then SEALs 0 (k = 2). p0 decides A on both streams.
          b.answerShares((from, view) => from === 0 && view === 0);
          await b.broadcast(commitWith(b, 0, 0, prepare.batch, await shareFrom(b, 0, 0, 0, hash)));
          await b.broadcast({ type: 'seal', view: 0 });
        },
      },
    });
    const decidedA = correct.decisions.get(0)?.get(0);
    assert.ok(decidedA, 'p0 decides A at 0 (slow: its COMMIT and b\'s)');
    assert.equal(correct.decisions.get(1)?.get(0) ?? decidedA, decidedA, 'correct p1 never decides another batch at 0');
    assert.equal(broken.decisions.get(0)?.get(0), decidedA, 'the mutant p0 decides A at 0 too');
    assert.ok(broken.notes.some((note) => note.kind === 'bft-enter' && note.process === 1 && note.detail?.v === 1 && note.detail?.end === -1), 'the mutant p1 enters view 1 with nothing fixed at 0');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });
});

/**
 * b as a helpful follower from view `from` on: it answers each SHARE(v, i, h)
 * with its own and, where its stream's epoch allows (sealed(b) = v−1),
 * COMMITs (v, i) with the PC {sender, b}.
 */
function helpSlowPath(b: ScriptedReplica, from: number): void {
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
