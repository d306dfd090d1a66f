import { batchHash, isType } from './scriptHarness.js';
import type { BftSchedule } from './schedule.js';
import { scriptedSchedule } from './scriptedSchedule.js';
import { commitWith, helpSlowPath, requestOf, shareFrom } from './scriptMoves.js';

/**
 * The §6 schedules of specs/bft-consensus.md that process a stream out of
 * its k order — `no-fifo` (2.4.2) and `seal-without-prefix` (2.6.1) — each
 * its interleaving as a script (scriptHarness.ts): n = 3 (f = 1), b the
 * Byzantine replica (a script), clients processes 3 and 4. "p1 delivers k+1
 * first" is the script's `unseen`: the reader's reads show S[s][k] empty
 * until a condition holds (the sender's write slow to reach it), so its CB
 * cannot deliver that k before. bftMutantsOrder.test.ts runs them by name.
 */

const c1 = 3;
const c2 = 4;

/** When the hidden slots show up at last (so that the correct run, stuck behind them, goes on and decides). */
const revealAt = 600;

export const orderSchedules: readonly BftSchedule[] = [
  scriptedSchedule(
    { mutant: 'no-fifo', step: '2.4.2', interleaving: 'b = p0 writes PREPARE(0, 0) at k = 1 and, with another batch, at k = 2; p1 delivers 2 first, p2 1', caughtAs: ['agreement'] },
    {
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
          // Named in the run's notes (`bft-script-batch`), for the test to tell A's decisions from B's.
          b.fabric.note('bft-script-batch', { name: 'A', h: Buffer.from(batchHash(a)).toString('hex') });
          b.fabric.note('bft-script-batch', { name: 'B', h: Buffer.from(batchHash(other)).toString('hex') });
          void b.broadcast({ type: 'prepare', view: 0, instance: 0, batch: a });
          void b.broadcast({ type: 'prepare', view: 0, instance: 0, batch: other });
          // Each follower's SHARE answered on its own hash (its PC {p, b}), and b COMMITs A, then B, in its stream.
          b.answerShares((_, view) => view === 0);
          await b.broadcast(commitWith(b, 0, 0, a, await shareFrom(b, 2, 0, 0, batchHash(a))));
          await b.broadcast(commitWith(b, 0, 0, other, await shareFrom(b, 1, 0, 0, batchHash(other))));
        },
      },
    },
  ),
  scriptedSchedule(
    { mutant: 'seal-without-prefix', step: '2.6.1', interleaving: "only p0 delivers b's and p0's COMMITs; p0 decides, pauses; p1 certifies b's SEAL (delivered before b's COMMIT)", caughtAs: ['agreement'] },
    {
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
          // The SEAL only once p0 decided: p0 must take b's COMMIT inside b's epoch. (Written at once, its fast-path
          // delivery may overtake the COMMIT's slow one at p0, and a mutant p0 processes a SEAL on arrival: b's COMMIT
          // then falls outside the epoch, p0 decides nothing, and the schedule shows nothing; seeds 3 and 5 did.)
          await b.world.until(() => b.world.decided(0, 0));
          await b.broadcast({ type: 'seal', view: 0 });
        },
      },
    },
  ),
];
