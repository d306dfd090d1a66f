import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunReport } from './index.js';
import { firstRequest, scriptScenario, type BftScript, type ScriptTools } from './bftScriptViewChange.js';
import { VcCertificateCollector, vcStateStatement } from '../protocols/byzantine/bft/viewChange.js';
import { planNewView } from '../protocols/byzantine/bft/newView.js';
import { batchHash } from '../protocols/byzantine/bft/codec.js';
import { encodeKvCommand } from '../protocols/kv/kvCommand.js';
import type { BftMutant } from '../protocols/byzantine/bft/mutants.js';
import type { Batch, BftMessage } from '../protocols/byzantine/bft/messages.js';
import { assemble } from '../protocols/byzantine/bft/certificates.js';

/**
 * The §6 mutants of specs/bft-consensus.md in the request table and the
 * timers, each caught by the spec's interleaving as a scripted run
 * (bftScriptViewChange.ts): the same script on correct code is safe and
 * live, on the mutant the scenario's checks report the violation.
 */

interface ScriptDetails {
  decisions: { process: number; v: number; i: number; h: string; path: string; time: number }[];
  views: number;
  suspicions: number;
  executed: number;
  sizing: string | null;
  calls: { ok: number; info: number };
  gets: unknown[];
}

async function run(script: BftScript, mutant?: BftMutant, extra: { crash?: string; pause?: string } = {}): Promise<RunReport & { details: ScriptDetails }> {
  scriptScenario(script);
  const report = await runScenario({ protocol: script.name, seed: 1, latency: 'unit', faults: 'none', ...extra, ...(mutant ? { mutant } : {}) }, 'off');
  return report as RunReport & { details: ScriptDetails };
}

const properties = (report: RunReport) => report.violations.map((violation) => violation.property);

describe('bft mutants of the request table and timers (§6), caught by scripted schedules', () => {
  it('no-dedupe (2.4.8): b = p0 proposes the resent append(x, a) at 0 and again at 1; correct replicas run it once, the mutant twice and get sees "aa"', async () => {
    const script: BftScript = {
      name: 'bft-script-no-dedupe',
      f: 1,
      requests: 2,
      liveness: true,
      clients: [
        async (client) => {
          await client.append('x', 'a');
          await client.get('x');
        },
      ],
      byzantine: {
        0: async (tools) => {
          const request = await firstRequest(tools, 3);
          const batch = [request];
          const hash = batchHash(batch);
          // The same (c, s) decided twice: b's PREPAREs and COMMIT-FASTs (its promise is its PREPARE).
          void tools.broadcast?.({ type: 'prepare', view: 0, instance: 0, batch });
          void tools.broadcast?.({ type: 'prepare', view: 0, instance: 1, batch });
          for (const to of [1, 2]) for (const instance of [0, 1]) tools.send(to, { type: 'commit-fast', view: 0, instance, hash });
          await tools.untilEnd();
        },
      },
    };
    const correct = await run(script);
    assert.deepEqual(correct.violations, [], 'correct: safe and live');
    assert.equal(correct.linearizable, true);
    assert.deepEqual(correct.details.gets, ['a']);
    assert.ok(correct.details.views >= 1, 'the all-skipped batch at 1 is a trigger (§2.5.1): view 1 serves the get');
    const mutant = await run(script, 'no-dedupe');
    assert.ok(properties(mutant).includes('integrity'), JSON.stringify(mutant.violations));
    assert.ok(properties(mutant).includes('linearizability'), JSON.stringify(mutant.violations));
    assert.equal(mutant.linearizable, false);
    assert.deepEqual(mutant.details.gets, ['aa']);
  });

  it('op-executed (2.4.8): a conflicting client sends op1 to the leader and op2 under the same (c, s) to p2 only; the mutant runs both', async () => {
    const conflicting = 4;
    const script: BftScript = {
      name: 'bft-script-op-executed',
      f: 1,
      requests: 2,
      liveness: true,
      clients: [
        async (client) => {
          await client.append('y', 'a');
          await client.get('y');
        },
      ],
      byzantineClients: 1,
      byzantine: {
        [conflicting]: async (tools) => {
          for (const [to, value] of [[0, '1'], [2, '2']] as const) {
            const op = encodeKvCommand({ operation: 'put', client: conflicting, sequence: 1, floor: 0, key: 'x', value });
            const signature = tools.signer.sign({ purpose: 'request', client: conflicting, sequence: 1, op });
            tools.send(to, { type: 'req', request: { client: conflicting, sequence: 1, op, signature } });
          }
          await tools.untilEnd();
        },
      },
    };
    const correct = await run(script);
    assert.deepEqual(correct.violations, [], 'correct: (c, 1) ran, so op2 is settled at p2 and answered again at p0');
    assert.equal(correct.linearizable, true);
    const mutant = await run(script, 'op-executed');
    assert.ok(
      mutant.violations.some((violation) => violation.property === 'integrity' && violation.detail.includes(`(${conflicting}/1) twice`)),
      JSON.stringify(mutant.violations),
    );
  });

  it('fixed-timers (2.5.4): n = 5, Tdecide = Tslow + 1; b1, b2 withhold everything (crashed), so each decision is slow and a Tdecide ends the view; doubling outgrows it, fixed timers never do', async () => {
    const script: BftScript = {
      name: 'bft-script-fixed-timers',
      f: 2,
      window: 2,
      views: 4,
      requests: 2,
      liveness: true,
      timing: (sized) => ({ ...sized, decide: sized.slow + 1 }),
      clients: [
        async (client) => {
          await client.put('x', 'a');
          await client.get('x');
        },
      ],
    };
    const crash = 'p3@0,p4@0';
    const correct = await run(script, undefined, { crash });
    assert.deepEqual(correct.violations, [], 'correct: the timers doubled once and view 1 decided');
    assert.ok(correct.details.suspicions > 0 && correct.details.views >= 1, JSON.stringify(correct.details));
    assert.deepEqual(correct.details.gets, ['a']);
    const mutant = await run(script, 'fixed-timers', { crash });
    assert.ok(properties(mutant).includes('liveness'), JSON.stringify(mutant.violations));
    assert.equal(mutant.details.executed, 0, 'every view ended on Tdecide before its slow path decided');
    // The views it is sized for ran out (§2.1's stream-full): a consequence of the endless view changes.
    assert.equal(mutant.details.sizing, 'stream-full');
  });

  it('old-treq (2.4.8): p0 pauses; R\'s Treq ends view 0 at p2; b = p1 leads view 1 and censors R; only a restarted Treq suspects b', async () => {
    const script: BftScript = {
      name: 'bft-script-old-treq',
      f: 1,
      requests: 1,
      liveness: true,
      clients: [(client) => client.put('x', 'r')],
      byzantine: { 1: censoringLeader },
    };
    // p0 (view 0's leader) is paused past p2's Treq for R and b's NEW_VIEW(1); then it runs again.
    const pause = 'p0@0+400';
    const correct = await run(script, undefined, { pause });
    assert.deepEqual(correct.violations, [], 'correct: both restart Treq in view 1, seal it, and view 2 (p2) runs R');
    assert.ok(correct.details.views >= 2, JSON.stringify(correct.details));
    const mutant = await run(script, 'old-treq', { pause });
    // The client's call never completes: it gives up (liveness) or is still waiting at the horizon (termination).
    assert.ok(properties(mutant).some((property) => property === 'liveness' || property === 'termination'), JSON.stringify(mutant.violations));
    assert.equal(mutant.details.calls.ok, 0);
    assert.equal(mutant.details.views, 1, 'stuck in b\'s view 1: p2\'s Treq ran out in view 0 and was not restarted');
  });
});

describe('bft mutant lowest-view (§6), caught by a scripted schedule', () => {
  it('lowest-view (2.6.4): b commits A in view 0 (PC {b, p1}); view 1 decides C at p1, which pauses; NEW_VIEW(2) from {b, p2} must fix C, not A', async () => {
    const script: BftScript = {
      name: 'bft-script-lowest-view',
      f: 1,
      requests: 2,
      liveness: false,
      route: lowestViewRoute,
      clients: [(client) => client.put('x', 'a'), (client) => client.put('y', 'c')],
      byzantine: { 0: lowestViewAttacker },
    };
    // p1 decides C fast at time 173 (unit latency; the schedule is deterministic) and pauses right after, before its slow path writes a COMMIT of C.
    const pause = 'p1@174+20000';
    const correct = await run(script, undefined, { pause });
    assert.deepEqual(correct.violations, [], 'correct: the highest-view entry (1, 0, C) wins');
    const decided = (report: typeof correct) => report.details.decisions.map((decision) => `p${decision.process} v${decision.v} i${decision.i} ${decision.h}`);
    const [c, again] = correct.details.decisions;
    assert.deepEqual([c.process, c.v, c.path, again.process, again.v], [1, 1, 'fast', 2, 2], decided(correct).join(', '));
    assert.equal(again.h, c.h, 'p2 decides C in view 2');
    const mutant = await run(script, 'lowest-view', { pause });
    assert.ok(properties(mutant).includes('agreement'), JSON.stringify(mutant.violations));
    const [first, second] = mutant.details.decisions;
    assert.notEqual(second.h, first.h, `p2 decides A in view 2 where p1 decided C in view 1: ${decided(mutant).join(', ')}`);
  });
});

/** lowest-view's network: PROMISEs and SHAREs of view 0 between p1 and p2 are lost (late past the run), so view 0 leaves no trace of A but b's. */
export function lowestViewRoute(from: number, to: number, message: BftMessage | undefined): boolean {
  const between = (from === 1 && to === 2) || (from === 2 && to === 1);
  return !(between && message !== undefined && (message.type === 'promise' || message.type === 'share') && message.view === 0);
}

/**
 * b = p0 for lowest-view (§6: "b commits A in view 0 (PC {b, p1}); view 1
 * decides C; NEW_VIEW(2) from {b, p2}"). View 0: b proposes A = [c1's
 * REQ], COMMITs it with p1's SHARE and its own, and does not SEAL until
 * NEW_VIEW(1) (from {p1, p2}, no entry) is out. View 1: p1 proposes C =
 * [c1's, c2's REQs]; b PROMISEs to both, COMMIT-FASTs to p1 only: p1
 * decides C fast (then pauses), p2 COMMIT-FASTed so its SEAL(1) carries
 * COMMIT(1, 0, C) (b lends its SHARE for the PC). b SEALs 1 and sends p2
 * its VC-SHAREs: NEW_VIEW(2) from {b, p2} holds (0, 0, A) and (1, 0, C).
 * View 2: b SHAREs and COMMITs whatever p2 re-proposes at 0.
 */
async function lowestViewAttacker(tools: ScriptTools): Promise<void> {
  const self = tools.fabric.self;
  const f = tools.setup.f;
  const shareOf = (view: number, instance: number, hash: Uint8Array) => tools.signer.sign({ purpose: 'prepare', view, instance, hash });
  const request = await firstRequest(tools, 3);
  const a: Batch = [request];
  const batches = new Map<string, Batch>();
  const done = new Set<string>();
  const once = (key: string) => (done.has(key) ? false : (done.add(key), true));
  tools.onPoint((from, message) => {
    if (message.type !== 'share') return;
    const key = Buffer.from(message.hash).toString('hex');
    const batch = batches.get(key);
    if (message.view === 0 && from === 1 && once('commit-0')) {
      const shares = assemble(new Map([[self, shareOf(0, 0, message.hash)], [from, message.signature]]), f);
      if (shares) void tools.broadcast?.({ type: 'commit', view: 0, instance: 0, batch: a, certificate: { view: 0, instance: 0, hash: message.hash, shares } });
    }
    if (message.view === 1 && from === 2 && once('share-1')) tools.send(2, { type: 'share', view: 1, instance: 0, hash: message.hash, signature: shareOf(1, 0, message.hash) });
    if (message.view === 2 && from === 2 && batch && once('commit-2')) {
      const mine = shareOf(2, 0, message.hash);
      tools.send(2, { type: 'share', view: 2, instance: 0, hash: message.hash, signature: mine });
      const shares = assemble(new Map([[self, mine], [from, message.signature]]), f);
      if (shares) void tools.broadcast?.({ type: 'commit', view: 2, instance: 0, batch, certificate: { view: 2, instance: 0, hash: message.hash, shares } });
    }
  });
  tools.onStream((sender, _k, _message, outcome) => {
    if (!outcome) return;
    if (outcome.kind === 'accepted') batches.set(Buffer.from(outcome.hash).toString('hex'), outcome.batch);
    if (outcome.kind === 'new-view' && outcome.view === 1 && once('seal-0')) void tools.broadcast?.({ type: 'seal', view: 0 });
    if (outcome.kind === 'accepted' && outcome.view === 1 && outcome.instance === 0 && once('promise-1')) {
      for (const to of [1, 2]) tools.send(to, { type: 'promise', view: 1, instance: 0, hash: outcome.hash });
      tools.send(1, { type: 'commit-fast', view: 1, instance: 0, hash: outcome.hash });
    }
    if (outcome.kind === 'accepted' && outcome.view === 2 && outcome.instance === 0 && once('share-2')) tools.send(2, { type: 'share', view: 2, instance: 0, hash: outcome.hash, signature: shareOf(2, 0, outcome.hash) });
    if (outcome.kind === 'sealed' && outcome.view === 1 && sender === 2 && once('seal-1')) void tools.broadcast?.({ type: 'seal', view: 1 });
    // VC-SHAREs for view 2 (a = 0, u = 1) of p2's and b's own SEAL(1), signed on the state Σp shows then.
    if (outcome.kind === 'sealed' && outcome.view === 1 && (sender === 2 || sender === self)) {
      const stream = tools.streams[sender];
      const state = stream.vcState();
      const signature = tools.signer.sign(vcStateStatement(sender, 0, 1, state));
      tools.send(2, { type: 'vc-share', process: sender, sealedBefore: 0, sealed: 1, state, checkpoint: stream.checkpoint, signature });
    }
  });
  void tools.broadcast?.({ type: 'prepare', view: 0, instance: 0, batch: a });
  await tools.untilEnd();
}

/**
 * b = p1, the leader of view 1: it SEALs 0 at once, builds a valid
 * NEW_VIEW(1) from the VC-SHAREs it is sent (adding its own signature to
 * each state, as any replica may), and then proposes nothing: it censors
 * every request.
 */
async function censoringLeader(tools: ScriptTools): Promise<void> {
  const quorum = { f: tools.setup.f, n: tools.n, window: tools.setup.window };
  const self = tools.fabric.self;
  const collector = new VcCertificateCollector(self, quorum, (signer, statement, signature) => tools.signer.verify(signer, statement, signature));
  let written = false;
  void tools.broadcast?.({ type: 'seal', view: 0 });
  tools.onPoint((from, message) => {
    if (written || message.type !== 'vc-share') return;
    collector.add(from, message);
    collector.add(self, { ...message, signature: tools.signer.sign(vcStateStatement(message.process, message.sealedBefore, message.sealed, message.state)) });
    const empty = { hash: batchHash([]), batch: [] };
    const plan = planNewView({ self, view: 1, latestSeal: 0, certified: collector.forView(1), checkpoints: [], batchFor: () => undefined, emptyBatch: empty }, quorum);
    if (plan.status !== 'ready') return;
    written = true;
    void tools.broadcast?.(plan.message);
    // The fixed batches (if any) re-proposed as the spec asks; no fresh batch ever.
    plan.batches.forEach((batch, offset) => void tools.broadcast?.({ type: 'prepare', view: 1, instance: plan.fixed.start + offset, batch }));
  });
  await tools.untilEnd();
}
