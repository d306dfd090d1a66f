import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchHash, certifiedState, isType, runBftScript, signedRequest, stateWith, type BftScript, type BftScriptResult, type RoutedMessage, type ScriptWorld, type ScriptedReplica } from './bftScript.js';
import type { Batch } from '../protocols/byzantine/bft/messages.js';
import { Signer, runKeys } from '../crypto/index.js';
import { fastDecided } from '../protocols/byzantine/bft/quorums.js';
import { certifies } from '../protocols/byzantine/bft/certificates.js';
import { judgeCommit } from '../protocols/byzantine/bft/streamState.js';
import { decodeMessage, encodeMessage } from '../protocols/byzantine/bft/codec.js';
import { correctAndMutant, violatedProperties } from './bftScriptPair.js';

/**
 * The mutants of specs/bft-consensus.md §6 that break the normal case, each
 * caught by its interleaving as a script (bftScript.ts): the same script
 * runs on correct code (safe) and on the mutant (a §3 property violated).
 * n = 3 (f = 1); b is the Byzantine replica, a script; clients are
 * processes 3 and 4.
 */

const c1 = 3;
const c2 = 4;


/** p0 "pauses" once it decided: its point messages, both ways, are lost from then on (its stream is read on). */
function pausedOnceDecided(process: number): (message: RoutedMessage, world: ScriptWorld) => boolean {
  return (message, world) => (message.from === process || message.to === process) && world.decided(process);
}

/** Whether `process` decided `instance` on the fast path. */
function fastDecider(result: BftScriptResult, process: number, instance: number): boolean {
  return result.notes.some((note) => note.kind === 'bft-decide' && note.process === process && note.detail?.i === instance && note.detail?.path === 'fast');
}

/** The batch of (v, i) as b's Σ of the leader's stream holds it. */
function acceptedBatch(b: ScriptedReplica, leader: number, view: number, instance: number): Batch | undefined {
  return b.streams[leader].accepted(view, instance)?.batch;
}

/**
 * b as a helpful follower from view `from` on: it answers each SHARE(v, i, h)
 * with its own and, where its stream's epoch allows (sealed(b) = v−1),
 * COMMITs (v, i) with the PC {sender, b} — what a correct replica's slow
 * path needs from the second member of f+1.
 */
function helpSlowPath(b: ScriptedReplica, from: number): void {
  const committed = new Set<string>();
  b.answerShares((_, view) => view >= from);
  b.react((event) => {
    if (event.kind !== 'point' || event.message.type !== 'share' || event.message.view < from) return;
    const { view, instance, hash, signature } = event.message;
    const key = `${view}/${instance}`;
    const batch = acceptedBatch(b, view % b.n, view, instance);
    if (committed.has(key) || !batch || b.streams[b.self].sealed !== view - 1) return;
    committed.add(key);
    const shares = [{ signer: event.from, signature }, b.prepareShare(view, instance, hash)].sort((x, y) => x.signer - y.signer);
    void b.broadcast({ type: 'commit', view, instance, batch, certificate: { view, instance, hash, shares } });
  });
}

describe('bft mutants of the normal case (§6), caught by their interleavings', () => {
  it('a correct run of the harness: three correct replicas decide every call fast', async () => {
    const result = await runBftScript({ clients: [(client) => client.put('x', 'A').then(() => client.get('x'))], duration: 800 });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.violations, []);
    assert.equal(result.completed, 2);
    assert.ok(result.notes.filter((note) => note.kind === 'bft-decide' && note.detail?.path === 'fast').length >= 3);
  });

  it('unchecked-requests (2.4.2): b = p0 proposes put(x, evil) as correct client c, which never asked', async () => {
    const keys = runKeys(1);
    const { correct, broken } = await correctAndMutant('unchecked-requests', {
      clients: [async () => undefined],
      duration: 600,
      byzantine: {
        0: async (b) => {
          // Signed by b, not by c: only σc tells them apart.
          const batch = [signedRequest(keys, 4, c1, 1, 'x', 'evil', b.self)];
          await b.broadcast({ type: 'prepare', view: 0, instance: 0, batch });
          b.send(b.others, { type: 'commit-fast', view: 0, instance: 0, hash: batchHash(batch) });
        },
      },
    });
    assert.equal(correct.decisions.size, 0, 'correct replicas close the epoch: nothing decided');
    assert.ok(violatedProperties(broken).includes('validity'), JSON.stringify(broken.violations));
  });

  it('fast-f+1 (2.4.5): b promises to p0 only; p0 decides on f+1, pauses; NEW_VIEW(1) from {p1, b}', async () => {
    const { correct, broken } = await correctAndMutant('fast-f+1', {
      clients: [(client) => client.put('x', 'A'), (client) => client.put('y', 'B')],
      duration: 1000,
      // c2's REQ never reaches p0 (p0 batches c1 alone); p0 pauses once it decided.
      route: (message, world) => ((message.from === c2 && message.to === 0) || pausedOnceDecided(0)(message, world) ? 'drop' : 'deliver'),
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
    });
    assert.ok(!fastDecider(correct, 0, 0), 'correct p0 does not decide fast on f+1');
    assert.ok(fastDecider(broken, 0, 0), 'the mutant p0 decides fast on {p0, b}');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('duplicate-signers (2.2): p0 decides B fast, pauses; b = p1 commits B′ in view 1 with the PC {b, b}; NEW_VIEW(2) from {b, p2} fixes B′', async () => {
    const { correct, broken } = await correctAndMutant('duplicate-signers', forgedViewOneCommit((b, hash) => [b.prepareShare(1, 0, hash), b.prepareShare(1, 0, hash)]));
    assert.ok(!correct.decisions.get(2)?.has(0) || correct.decisions.get(2)?.get(0) === correct.decisions.get(0)?.get(0));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('unchecked-commit-pc (2.2): A fast at (0, 0); b = p1 COMMITs A′ at 0 in view 1 with a garbage σ of p0, SEALs; NEW_VIEW(2) from {b, p2} fixes A′', async () => {
    const garbage = new Uint8Array(64).fill(7);
    const { broken } = await correctAndMutant('unchecked-commit-pc', forgedViewOneCommit((b, hash) => [{ signer: 0, signature: garbage }, b.prepareShare(1, 0, hash)]));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('certify-if-decided (2.5.2): F = decided ones; b COMMIT-FASTs to p0 only; p0 decides, pauses; NEW_VIEW(1) from {p1, b}', async () => {
    const { correct, broken } = await correctAndMutant('certify-if-decided', {
      clients: [(client) => client.put('x', 'A'), (client) => client.put('y', 'B')],
      duration: 1000,
      route: (message, world) => ((message.from === c2 && message.to === 0) || pausedOnceDecided(0)(message, world) ? 'drop' : 'deliver'),
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
    });
    assert.ok(correct.notes.some((note) => note.kind === 'bft-decide' && note.process === 1 && note.detail?.i === 0));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('seal-late (2.5.2): p1 triggers, then COMMIT-FASTs A at 1, b to p0 only; p0 decides, pauses; NEW_VIEW(1) from {p1, b} ends at 0', async () => {
    const c3 = 5;
    const { broken } = await correctAndMutant('seal-late', {
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
    });
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('late-commit-counts (2.2): b seals 0, then COMMITs; p0 decides on {p0, b}; NEW_VIEW(1) from {p2, b} decides another batch', async () => {
    const { correct, broken } = await correctAndMutant('late-commit-counts', {
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
    });
    assert.ok(correct.decisions.get(2)?.has(0), 'p2 decides the empty batch at 0 in view 1 either way');
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  // The schedule that found a liveness bug in correct code: share() once marked every replica as re-sent-to, so the
  // re-send of 2.4.6 never fired and p1 sealed 0 forever. share() now keeps `sharedWith` for the re-sends only.
  it('share-once (2.4.6): p0\'s SHARE to p1 is lost (2.8 drops it); b silent but for its PROMISE; p1 needs p0 to SHARE again', async () => {
    let dropped = false;
    const script: Omit<BftScript, 'mutant'> = {
      clients: [(client) => client.put('x', 'A')],
      duration: 2500,
      route: (message) => {
        if (dropped || message.from !== 0 || message.to !== 1 || !isType(message.message, 'share')) return 'deliver';
        dropped = true;
        return 'drop';
      },
      byzantine: {
        2: async (b) => {
          const prepare = await b.streamMessage(0, 'prepare', (message) => message.instance === 0);
          b.send(b.others, { type: 'promise', view: 0, instance: 0, hash: batchHash(prepare.batch) });
        },
      },
    };
    const correct = await runBftScript(script);
    dropped = false;
    const broken = await runBftScript({ ...script, mutant: 'share-once' });
    assert.equal(correct.completed, 1, 'correct code: p0 SHAREs again to p1, which COMMITs and seals; the call completes');
    assert.equal(broken.completed, 0, 'share-once: p1 never gets a PC, never SEALs; the call never completes (liveness)');
  });
});

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
function forgedViewOneCommit(pcShares: (b: ScriptedReplica, hash: Uint8Array) => { signer: number; signature: Uint8Array }[]): Omit<BftScript, 'mutant'> {
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

describe('the mutant branches of the pure rules (correct rule first)', () => {
  const h = batchHash([]);
  const other = batchHash([signedRequest(runKeys(1), 4, c1, 1, 'x', 'A')]);
  const keys = runKeys(1);
  const signers = [0, 1, 2].map((process) => new Signer(process, keys, 3));
  const verify = (signer: number, statement: Parameters<Signer['verify']>[1], signature: Uint8Array) => signers[0].verify(signer, statement, signature);
  const statement = { purpose: 'prepare', view: 1, instance: 0, hash: h } as const;

  it('fast-f+1: f+1 matching COMMIT-FASTs decide only under the mutant', () => {
    const votes = new Map([[0, h], [2, h], [1, other]]);
    assert.equal(fastDecided(votes, h, 3), false);
    assert.equal(fastDecided(votes, h, 3, 'fast-f+1'), true);
    assert.equal(fastDecided(new Map([[0, h]]), h, 3, 'fast-f+1'), false);
  });

  it('duplicate-signers: a repeated signer certifies, and decodes, only under the mutant', () => {
    const share = { signer: 1, signature: signers[1].sign(statement) };
    assert.equal(certifies([share, share], statement, { f: 1, n: 3 }, verify), false);
    assert.equal(certifies([share, share], statement, { f: 1, n: 3 }, verify, 'duplicate-signers'), true);
    const bytes = encodeMessage({ type: 'commit', view: 1, instance: 0, batch: [], certificate: { view: 1, instance: 0, hash: h, shares: [share, share] } });
    const limits = { window: 8, batchLimit: 4, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 };
    assert.throws(() => decodeMessage(bytes, limits), /strictly increasing/);
    assert.equal(decodeMessage(bytes, { ...limits, repeatedSigners: true }).type, 'commit');
  });

  it('unchecked-commit-pc and late-commit-counts: valid(COMMIT) bends only under each mutant', () => {
    const garbage = { view: 1, instance: 0, hash: h, shares: [{ signer: 0, signature: new Uint8Array(64) }, { signer: 1, signature: new Uint8Array(64) }] };
    const commit = { type: 'commit', view: 1, instance: 0, batch: [], certificate: garbage } as const;
    const rules = { window: 8, batchLimit: 4, validRequest: () => true, validPrepareCertificate: () => false };
    assert.deepEqual(judgeCommit(commit, 0, 0, rules), { problem: 'invalid PC' });
    assert.ok('hash' in judgeCommit(commit, 0, 0, { ...rules, mutant: 'unchecked-commit-pc' }));
    const valid = { ...rules, validPrepareCertificate: () => true };
    // Written after the sender's SEAL(1): outside epoch 1.
    assert.ok('problem' in judgeCommit(commit, 1, 0, valid));
    assert.ok('hash' in judgeCommit(commit, 1, 0, { ...valid, mutant: 'late-commit-counts' }));
    assert.ok('problem' in judgeCommit(commit, -1, 0, { ...valid, mutant: 'late-commit-counts' }), 'a COMMIT before its epoch still does not count');
  });
});
