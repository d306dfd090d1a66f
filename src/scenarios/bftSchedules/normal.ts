import type { Share } from '../../protocols/byzantine/bft/messages.js';
import { batchHash, certifiedState, isType, signedRequest, stateWith, type BftScript, type ScriptedReplica } from './scriptHarness.js';
import type { BftSchedule } from './schedule.js';
import { scriptedSchedule } from './scriptedSchedule.js';
import { helpSlowPath, pausedOnceDecided } from './scriptMoves.js';

/**
 * The §6 schedules of specs/bft-consensus.md that break the normal case,
 * each its interleaving as a script (scriptHarness.ts): n = 3 (f = 1), b the
 * Byzantine replica (a script), clients processes 3, 4 (and 5). The same
 * script runs on correct code (clean) and on the mutant (caught);
 * bftMutantsNormal.test.ts runs them by name.
 */

const c1 = 3;
const c2 = 4;

/** p0 pauses once it decided, and c2's REQ never reaches it (p0 batches c1 alone). */
const c2AwayFromP0: NonNullable<BftScript['route']> = (message, world) => ((message.from === c2 && message.to === 0) || pausedOnceDecided(0)(message, world) ? 'drop' : 'deliver');

/**
 * The interleaving `duplicate-signers` and `unchecked-commit-pc` share: p0
 * (leader of 0) decides c1's put B fast at (0, 0), b = p1 COMMIT-FASTing to
 * p0 alone, and pauses; p2, undecided, seals 0 (Tdecide; b answers its SHARE
 * so it can COMMIT B), then 1 (Tview). b writes SEAL(0), COMMIT(1, 0, B′ =
 * the empty batch, PC), SEAL(1), and certifies its own state with that
 * commit for leader(2) = p2. Correct p2 drops the COMMIT (its PC is not
 * valid), so b's state is never certified and no NEW_VIEW(2) fixes B′; a
 * replica that takes the PC certifies it, and NEW_VIEW(2) fixes B′ at 0 (the
 * highest-view entry), which p2 decides with b's help.
 */
function forgedViewOneCommit(pcShares: (b: ScriptedReplica, hash: Uint8Array) => Share[]): Omit<BftScript, 'mutant'> {
  return {
    clients: [(client) => client.put('x', 'B')],
    duration: 1200,
    route: (message, world) => (pausedOnceDecided(0)(message, world) ? 'drop' : 'deliver'),
    byzantine: {
      1: async (b) => {
        const prepare = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
        const hash = batchHash(prepare.batch);
        b.send([0, 2], { type: 'promise', view: 0, instance: 0, hash });
        b.send(0, { type: 'commit-fast', view: 0, instance: 0, hash });
        await b.world.until(() => b.world.decided(0, 0));
        b.answerShares((_, view) => view === 0);
        helpSlowPath(b, 2);
        const empty = batchHash([]);
        b.certifySeals((process, sealedBefore, sealed, state) => (process === b.self && sealed === 1 ? stateWith([{ instance: 0, view: 1, hash: empty }]) : state));
        await b.broadcast({ type: 'seal', view: 0 });
        await b.broadcast({ type: 'commit', view: 1, instance: 0, batch: [], certificate: { view: 1, instance: 0, hash: empty, shares: pcShares(b, empty) } });
        await b.broadcast({ type: 'seal', view: 1 });
      },
    },
  };
}

export const normalSchedules: readonly BftSchedule[] = [
  scriptedSchedule(
    { mutant: 'unchecked-requests', step: '2.4.2', interleaving: 'b = p0 proposes put(x, evil) as correct client c, which never asked', caughtAs: ['validity'] },
    {
      clients: [async () => undefined],
      duration: 600,
      byzantine: {
        0: async (b) => {
          // Signed by b, not by c: only σc tells them apart.
          const batch = [signedRequest(b.keys, b.fabric.processCount, c1, 1, 'x', 'evil', b.self)];
          await b.broadcast({ type: 'prepare', view: 0, instance: 0, batch });
          b.send(b.others, { type: 'commit-fast', view: 0, instance: 0, hash: batchHash(batch) });
        },
      },
    },
  ),
  scriptedSchedule(
    { mutant: 'fast-f+1', step: '2.4.5', interleaving: 'b promises to p0 only; p0 decides on f+1, pauses; NEW_VIEW(1) from {p1, b}', caughtAs: ['agreement'] },
    {
      clients: [(client) => client.put('x', 'A'), (client) => client.put('y', 'B')],
      duration: 1000,
      route: c2AwayFromP0,
      byzantine: {
        2: async (b) => {
          const prepare = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
          const hash = batchHash(prepare.batch);
          b.send(0, { type: 'promise', view: 0, instance: 0, hash });
          b.send(0, { type: 'commit-fast', view: 0, instance: 0, hash });
          // View 1: certify seals for leader(1) = p1, help its slow path.
          b.certifySeals();
          helpSlowPath(b, 1);
          await b.streamMessage(1, 'seal');
          await b.broadcast({ type: 'seal', view: 0 });
        },
      },
    },
  ),
  scriptedSchedule(
    { mutant: 'duplicate-signers', step: '2.2', interleaving: 'p0 decides B fast, pauses; b = p1 commits B′ in view 1 with the PC {b, b}; NEW_VIEW(2) from {b, p2} fixes B′', caughtAs: ['agreement'] },
    forgedViewOneCommit((b, hash) => [b.prepareShare(1, 0, hash), b.prepareShare(1, 0, hash)]),
  ),
  scriptedSchedule(
    { mutant: 'unchecked-commit-pc', step: '2.2', interleaving: 'A fast at (0, 0); b = p1 COMMITs A′ at 0 in view 1 with a garbage σ of p0, SEALs; NEW_VIEW(2) from {b, p2} fixes A′', caughtAs: ['agreement'] },
    forgedViewOneCommit((b, hash) => [{ signer: 0, signature: new Uint8Array(64).fill(7) }, b.prepareShare(1, 0, hash)]),
  ),
  scriptedSchedule(
    { mutant: 'certify-if-decided', step: '2.5.2', interleaving: 'F = decided ones; b COMMIT-FASTs to p0 only; p0 decides, pauses; NEW_VIEW(1) from {p1, b}', caughtAs: ['agreement'] },
    {
      clients: [(client) => client.put('x', 'A'), (client) => client.put('y', 'B')],
      duration: 1000,
      route: c2AwayFromP0,
      byzantine: {
        2: async (b) => {
          b.certifySeals();
          helpSlowPath(b, 1);
          const prepare = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
          const hash = batchHash(prepare.batch);
          b.send(b.others, { type: 'promise', view: 0, instance: 0, hash });
          b.send(0, { type: 'commit-fast', view: 0, instance: 0, hash });
          // p1's SHARE (at Tslow) is answered only once p1 is sealing: the PC then serves its F.
          await b.next((event) => event.kind === 'point' && event.from === 1 && event.message.type === 'share' && event.message.view === 0);
          await b.world.until(() => b.world.noted(1, 'bft-seal-start', { u: 0 }));
          b.send(1, b.shareMessage(0, 0, hash));
          await b.streamMessage(1, 'seal');
          await b.broadcast({ type: 'seal', view: 0 });
        },
      },
    },
  ),
  scriptedSchedule(
    { mutant: 'seal-late', step: '2.5.2', interleaving: 'p1 triggers, then COMMIT-FASTs A at 1, b to p0 only; p0 decides, pauses; NEW_VIEW(1) from {p1, b} ends at 0', caughtAs: ['agreement'] },
    sealLate(),
  ),
  scriptedSchedule(
    { mutant: 'late-commit-counts', step: '2.2', interleaving: 'b seals 0, then COMMITs; p0 decides on {p0, b}; NEW_VIEW(1) from {p2, b} decides another batch', caughtAs: ['agreement'] },
    {
      clients: [(client) => client.put('x', 'B')],
      duration: 800,
      // No SHARE between p0 and p2: p2 never holds a PC of view 0, so its state (certified at its SEAL(0)) has no COMMIT.
      route: (message) => (isType(message.message, 'share') && ((message.from === 0 && message.to === 2) || (message.from === 2 && message.to === 0)) ? 'drop' : 'deliver'),
      byzantine: {
        1: async (b) => {
          const prepare = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
          const hash = batchHash(prepare.batch);
          // p0 COMMITs B at (0, 0) with the PC {p0, b}; one stream holds it, nobody decides yet.
          b.send(0, b.shareMessage(0, 0, hash));
          const reply = await b.next((event) => event.kind === 'point' && event.from === 0 && event.message.type === 'share' && event.message.view === 0);
          const p0Share = reply.kind === 'point' && reply.message.type === 'share' ? reply.message.signature : new Uint8Array(64);
          await b.streamMessage(2, 'seal');
          await b.broadcast({ type: 'seal', view: 0 });
          const states = [];
          for (const process of [b.self, 2]) {
            const event = await b.next((event) => event.kind === 'point' && event.from === 2 && event.message.type === 'vc-share' && event.message.process === process && event.message.sealed === 0);
            if (event.kind !== 'point' || event.message.type !== 'vc-share') return;
            const { sealedBefore, sealed, state, signature } = event.message;
            states.push(certifiedState(process, sealedBefore, sealed, state, [b.vcShare(process, sealedBefore, sealed, state), { signer: 2, signature }]));
          }
          await b.broadcast({ type: 'new-view', view: 1, checkpoint: null, states });
          await b.broadcast({ type: 'prepare', view: 1, instance: 0, batch: [] });
          // p2 decides the empty batch fast in view 1 (b's COMMIT-FAST to p2 only) ...
          b.send(2, { type: 'commit-fast', view: 1, instance: 0, hash: batchHash([]) });
          await b.world.until(() => b.world.decided(2, 0));
          // ... then b COMMITs B at (0, 0), after its SEAL(0): outside its epoch 0.
          const shares = [{ signer: 0, signature: p0Share }, b.prepareShare(0, 0, hash)];
          await b.broadcast({ type: 'commit', view: 0, instance: 0, batch: prepare.batch, certificate: { view: 0, instance: 0, hash, shares } });
        },
      },
    },
  ),
  // The schedule that found a liveness bug in correct code: share() once marked every replica as re-sent-to, so the
  // re-send of 2.4.6 never fired and p1 sealed 0 forever. share() now keeps `sharedWith` for the re-sends only.
  scriptedSchedule(
    { mutant: 'share-once', step: '2.4.6', interleaving: "p0's SHARE to p1 is lost (2.8 drops it); b silent but for its PROMISE; p1 needs p0 to SHARE again", caughtAs: ['liveness'] },
    {
      clients: [(client) => client.put('x', 'A')],
      duration: 2500,
      liveness: true,
      // p0's first SHARE to p1 is lost; p1 is slow: its SHARE reaches p0 after p0 SHAREd (on Tslow), so 2.4.6 owes p1 a
      // SHARE again. (Undelayed, p1's SHARE could reach p0 first, as in seeds 7, 12, 14, 15: then p0's SHARE, sent on
      // it, is not owed again, and correct code stalled too. The spec's 2.8 drops only an early SHARE, at a slow p1.)
      route: (message, world) => {
        if (!isType(message.message, 'share')) return 'deliver';
        if (message.from === 0 && message.to === 1 && world.once('p0 share to p1')) return 'drop';
        return message.from === 1 && message.to === 0 ? 20 : 'deliver';
      },
      byzantine: {
        2: async (b) => {
          const prepare = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
          b.send(b.others, { type: 'promise', view: 0, instance: 0, hash: batchHash(prepare.batch) });
        },
      },
    },
  ),
];

/** seal-late: p1 triggers on 0 (b's SHARE held back), then COMMIT-FASTs A at 1 under the mutant; b to p0 only; p0 decides 1, pauses. */
function sealLate(): Omit<BftScript, 'mutant'> {
  const c3 = 5;
  return {
    clients: [(client) => client.put('x', 'A'), async (client, fabric) => fabric.sleep(200).then(() => client.put('y', 'B')), (client) => client.put('z', 'C')],
    duration: 1000,
    // p0's SHAREs to p1 are lost (p1 gets its PC for 0 from b, late); c3's REQ never reaches p0; p0 pauses once it decided 1.
    route: (message, world) => {
      if (message.from === 0 && message.to === 1 && isType(message.message, 'share')) return 'drop';
      if (message.to === 0 && isType(message.message, 'req') && message.message.request.client === c3) return 'drop';
      return (message.from === 0 || message.to === 0) && world.decided(0, 1) ? 'drop' : 'deliver';
    },
    byzantine: {
      2: async (b) => {
        b.certifySeals();
        helpSlowPath(b, 1);
        b.react((event) => {
          if (event.kind !== 'stream' || event.sender !== 0 || event.message.type !== 'prepare' || event.message.view !== 0) return;
          const hash = batchHash(event.message.batch);
          b.send(b.others, { type: 'promise', view: 0, instance: event.message.instance, hash });
          b.send(0, { type: 'commit-fast', view: 0, instance: event.message.instance, hash });
        });
        const first = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
        await b.next((event) => event.kind === 'point' && event.from === 1 && event.message.type === 'share' && event.message.view === 0);
        // p1 is sealing 0 with F = {0}; it gets its PC only once p0 decided 1.
        await b.world.until(() => b.world.decided(0, 1) || b.world.noted(1, 'bft-seal', { u: 0 }) || b.fabric.now() > 600);
        b.send(1, b.shareMessage(0, 0, batchHash(first.batch)));
        await b.streamMessage(1, 'seal');
        await b.broadcast({ type: 'seal', view: 0 });
      },
    },
  };
}
