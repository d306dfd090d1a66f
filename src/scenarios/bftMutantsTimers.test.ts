import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunReport } from './index.js';
import { scriptScenario, type BftScript, type ScriptTools } from './bftScriptViewChange.js';
import { leaderOf, VcCertificateCollector, vcStateStatement } from '../protocols/byzantine/bft/viewChange.js';
import { planNewView } from '../protocols/byzantine/bft/newView.js';
import { batchHash } from '../protocols/byzantine/bft/codec.js';
import { encodeKvCommand } from '../protocols/kv/kvCommand.js';
import type { BftMutant } from '../protocols/byzantine/bft/mutants.js';

/**
 * The §6 mutants of specs/bft-consensus.md in the timers that start
 * obligations (`stale-obligations`, 2.4.3; `fifo-treq`, 2.4.8), each caught
 * by the spec's interleaving as a scripted run (bftScriptViewChange.ts): the
 * same script on correct code is safe and live, on the mutant the
 * scenario's checks (bftProperties) report liveness broken.
 */

interface ScriptDetails {
  views: number;
  suspicions: number;
  executed: number;
  sizing: string | null;
  calls: { ok: number; info: number };
}

/** A correct replica's suspicion (§2.5.1), from its `bft-suspect` note: the view it sealed and why. */
interface Suspicion {
  readonly process: number;
  readonly view: number;
  readonly reason: string;
}

/** Runs the script (seed 1, unit latency) on correct code or the mutant; the suspicions are read from the run's trace. */
async function run(script: BftScript, mutant?: BftMutant, extra: { pause?: string } = {}): Promise<RunReport & { details: ScriptDetails; suspicions: Suspicion[] }> {
  scriptScenario(script);
  const suspicions: Suspicion[] = [];
  let partial = '';
  const trace = (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"bft-suspect"')) continue;
      const event = JSON.parse(line) as { p: number; detail: { v: number; reason: string } };
      suspicions.push({ process: event.p, view: event.detail.v, reason: event.detail.reason });
    }
  };
  const report = await runScenario({ protocol: script.name, seed: 1, latency: 'unit', faults: 'none', ...extra, ...(mutant ? { mutant } : {}) }, 'full', { trace });
  trace('\n');
  return { ...(report as RunReport & { details: ScriptDetails }), suspicions };
}

const properties = (report: RunReport) => report.violations.map((violation) => violation.property);

/** The view the correct replicas are in, as b reads it from the streams: the latest NEW_VIEW written by a correct leader. */
interface ViewWatch {
  view: number;
}

/**
 * b for `fifo-treq`: silent but for its SEALs — it SEALs every view u a
 * correct replica SEALs (so one correct replica's suspicion and b's SEAL
 * make f+1 and end the view at the other, §2.5.1), and it tells the
 * flooding client which view the correct replicas are in.
 */
function sealFollower(watch: ViewWatch) {
  return async (tools: ScriptTools): Promise<void> => {
    const self = tools.fabric.self;
    let sealed = -1;
    tools.onStream((sender, _k, _message, outcome) => {
      if (!outcome || sender === self) return;
      if (outcome.kind === 'new-view' && outcome.view > watch.view) watch.view = outcome.view;
      if (outcome.kind === 'sealed' && outcome.view > sealed) {
        sealed = outcome.view;
        void tools.broadcast?.({ type: 'seal', view: outcome.view });
      }
    });
    await tools.untilEnd();
  };
}

/**
 * The flooding client of §6 for `fifo-treq`: s = 1, 2, … back to back, each
 * superseding the last well within Tfwd (so no follower ever forwards
 * one), to the replicas that do not lead the current view (a leader would
 * propose the newest and settle them all). A correct follower keeps one Treq per client, restarted by
 * each newer REQ: it never runs out while the flood lasts. Under the
 * mutant each (c, s) keeps its own Treq, none executed: they run out one
 * after another, in every view, whoever leads.
 */
function floodingClient(watch: ViewWatch, key: string) {
  return async (tools: ScriptTools): Promise<void> => {
    const self = tools.fabric.self;
    const floodGapUs = Math.max(1, Math.floor(tools.setup.timing.forward / 4));
    let over = false;
    const flood = (async () => {
      for (let sequence = 1; !over && tools.fabric.now() < tools.setup.giveUpAt; sequence++) {
        const op = encodeKvCommand({ operation: 'append', client: self, sequence, floor: 0, key, value: `f${sequence}` });
        const signature = tools.signer.sign({ purpose: 'request', client: self, sequence, op });
        const leader = leaderOf(watch.view, tools.n);
        for (let to = 0; to < tools.n; to++) if (to !== leader) tools.send(to, { type: 'req', request: { client: self, sequence, op, signature } });
        await tools.fabric.sleep(floodGapUs);
      }
    })();
    await tools.untilEnd();
    over = true;
    await flood;
  };
}

describe('bft mutants of the obligation timers (§6), caught by scripted schedules', () => {
  it('stale-obligations (2.4.3): b = p1 never seals view 1 and keeps proposing in it after the correct replicas left it', async () => {
    const script: BftScript = {
      name: 'bft-script-stale-obligations',
      f: 1,
      views: 4,
      requests: 8,
      liveness: true,
      clients: [
        async (client) => {
          for (let call = 0; call < 8; call++) await client.append('x', `${call}`);
        },
      ],
      byzantine: { 1: staleLeader(3, 15) },
    };
    // p0 (view 0's leader) is paused past p2's Treq for R and b's NEW_VIEW(1), as in old-treq's schedule.
    const pause = 'p0@0+400';
    const correct = await run(script, undefined, { pause });
    assert.deepEqual(correct.violations, [], 'correct: b\'s stale PREPAREs of view 1 start no timer; view 2 runs every call');
    assert.equal(correct.details.calls.ok, 8);
    assert.equal(correct.details.views, 2, JSON.stringify(correct.details));
    assert.ok(
      correct.suspicions.every((suspicion) => suspicion.view <= 1),
      `only views 0 and 1 end (p0 paused, b censors): ${JSON.stringify(correct.suspicions)}`,
    );
    const mutant = await run(script, 'stale-obligations', { pause });
    assert.ok(properties(mutant).includes('liveness'), JSON.stringify(mutant.violations));
    assert.ok(mutant.details.calls.info > 0 && mutant.details.calls.ok < 8, JSON.stringify(mutant.details.calls));
    // Views 2 (p2) and 3 (p0), correct leaders, each end on the Tdecide of an instance of view 1, which both replicas left.
    const stale = mutant.suspicions.filter((suspicion) => suspicion.view >= 2 && /^Tdecide: \(1, \d+\)/.test(suspicion.reason));
    for (const view of [2, 3]) {
      for (const replica of [0, 2]) assert.ok(stale.some((suspicion) => suspicion.view === view && suspicion.process === replica), `p${replica} suspects view ${view} on a stale instance: ${JSON.stringify(mutant.suspicions)}`);
    }
    // The views it is sized for ran out (§2.1's stream-full): a consequence of the endless view changes.
    assert.equal(mutant.details.sizing, 'stream-full');
  });

  it("fifo-treq (2.4.8): a flooding client supersedes its REQ at the followers every Tfwd/4; one Treq per (c, s) runs out in every view, b's SEAL joins", async () => {
    const watch: ViewWatch = { view: 0 };
    const flooder = 4;
    const script: BftScript = {
      name: 'bft-script-fifo-treq',
      f: 1,
      views: 4,
      requests: 8,
      liveness: true,
      clients: [
        async (client) => {
          for (let call = 0; call < 8; call++) await client.append('x', `${call}`);
        },
      ],
      byzantineClients: 1,
      byzantine: { 2: sealFollower(watch), [flooder]: floodingClient(watch, 'flood') },
    };
    const correct = await run(script);
    assert.deepEqual(correct.violations, [], 'correct: the flood restarts the followers\' one Treq for c, which never runs out; view 0 runs every call');
    assert.equal(correct.details.calls.ok, 8);
    assert.equal(correct.details.views, 0, JSON.stringify(correct.details));
    assert.deepEqual(correct.suspicions, []);
    watch.view = 0;
    const mutant = await run(script, 'fifo-treq');
    assert.ok(properties(mutant).includes('liveness'), JSON.stringify(mutant.violations));
    assert.ok(mutant.details.calls.info > 0 && mutant.details.calls.ok < 8, JSON.stringify(mutant.details.calls));
    // Views led by correct replicas end on the Treq of one of the flood's superseded (c, s) — view 1 at its own leader p1.
    const flooded = mutant.suspicions.filter((suspicion) => suspicion.reason.startsWith(`Treq: (${flooder}, `));
    for (const view of [0, 1, 3]) assert.ok(flooded.some((suspicion) => suspicion.view === view), `view ${view} ends on a flood Treq: ${JSON.stringify(mutant.suspicions)}`);
    assert.ok(flooded.some((suspicion) => suspicion.view === 1 && suspicion.process === 1), `p1 suspects the view it leads: ${JSON.stringify(mutant.suspicions)}`);
    // The views it is sized for ran out (§2.1's stream-full): a consequence of the endless view changes.
    assert.equal(mutant.details.sizing, 'stream-full');
  });
});

/**
 * b = p1 for `stale-obligations` (§6: "b never seals view 1, keeps
 * proposing in it"). It SEALs 0 at once and builds a valid NEW_VIEW(1) from
 * the VC-SHAREs it is sent (as old-treq's censoring leader), proposes
 * nothing while the correct replicas are in view 1 (their Treq for R ends
 * it, and view 2 runs R), and never SEALs 1. Once a correct replica has
 * SEALed 1 it goes on writing PREPARE(1, i, empty batch) in its stream:
 * `burst` at once, then one every `gapUs` up to its window. Σb accepts each
 * (b's epoch 1 is open and well-formed), whatever the reader's view; the
 * correct replicas, in view 2 and later, must start no timer for them.
 */
function staleLeader(burst: number, gapUs: number) {
  return async (tools: ScriptTools): Promise<void> => {
    const quorum = { f: tools.setup.f, n: tools.n, window: tools.setup.window };
    const self = tools.fabric.self;
    const collector = new VcCertificateCollector(self, quorum, (signer, statement, signature) => tools.signer.verify(signer, statement, signature));
    const empty = { hash: batchHash([]), batch: [] };
    let next = 0;
    let written = false;
    let stale = false;
    void tools.broadcast?.({ type: 'seal', view: 0 });
    tools.onPoint((from, message) => {
      if (written || message.type !== 'vc-share') return;
      collector.add(from, message);
      collector.add(self, { ...message, signature: tools.signer.sign(vcStateStatement(message.process, message.sealedBefore, message.sealed, message.state)) });
      const plan = planNewView({ self, view: 1, latestSeal: 0, certified: collector.forView(1), checkpoints: [], batchFor: () => undefined, emptyBatch: empty }, quorum);
      if (plan.status !== 'ready') return;
      written = true;
      void tools.broadcast?.(plan.message);
      plan.batches.forEach((batch, offset) => void tools.broadcast?.({ type: 'prepare', view: 1, instance: plan.fixed.start + offset, batch }));
      next = plan.fixed.start + plan.batches.length;
    });
    const keepProposing = async () => {
      for (let count = 0; next < tools.setup.window; count++) {
        void tools.broadcast?.({ type: 'prepare', view: 1, instance: next++, batch: [] });
        if (count >= burst) await tools.fabric.sleep(gapUs);
      }
    };
    let proposing: Promise<void> = Promise.resolve();
    tools.onStream((sender, _k, _message, outcome) => {
      if (stale || sender === self || outcome?.kind !== 'sealed' || outcome.view !== 1) return;
      stale = true;
      proposing = keepProposing();
    });
    await tools.untilEnd();
    await proposing;
  };
}
