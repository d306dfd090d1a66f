import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunReport } from './index.js';
import { scriptScenario, type BftScript, type ScriptTools } from './bftScriptViewChange.js';
import { leaderOf } from '../protocols/byzantine/bft/viewChange.js';
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

async function run(script: BftScript, mutant?: BftMutant): Promise<RunReport & { details: ScriptDetails }> {
  scriptScenario(script);
  const report = await runScenario({ protocol: script.name, seed: 1, latency: 'unit', faults: 'none', ...(mutant ? { mutant } : {}) }, 'off');
  return report as RunReport & { details: ScriptDetails };
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
 * superseding the last well within Tfwd, to the correct replicas that do
 * not lead the current view (the leader would propose the newest and run
 * them all). A correct follower keeps one Treq per client, restarted by
 * each newer REQ: it never runs out while the flood lasts. Under the
 * mutant each (c, s) keeps its own Treq, none executed: they run out one
 * after another, in every view, whoever leads.
 */
function floodingClient(watch: ViewWatch, key: string) {
  return async (tools: ScriptTools): Promise<void> => {
    const self = tools.fabric.self;
    const gap = Math.max(1, Math.floor(tools.setup.timing.forward / 4));
    let over = false;
    const flood = (async () => {
      for (let sequence = 1; !over && tools.fabric.now() < tools.setup.giveUpAt; sequence++) {
        const op = encodeKvCommand({ operation: 'append', client: self, sequence, floor: 0, key, value: `f${sequence}` });
        const signature = tools.signer.sign({ purpose: 'request', client: self, sequence, op });
        const leader = leaderOf(watch.view, tools.n);
        for (let to = 0; to < tools.n; to++) if (to !== leader) tools.send(to, { type: 'req', request: { client: self, sequence, op, signature } });
        await tools.fabric.sleep(gap);
      }
    })();
    await tools.untilEnd();
    over = true;
    await flood;
  };
}

describe('bft mutants of the obligation timers (§6), caught by scripted schedules', () => {
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
    watch.view = 0;
    const mutant = await run(script, 'fifo-treq');
    assert.ok(properties(mutant).includes('liveness'), JSON.stringify(mutant.violations));
    assert.ok(mutant.details.calls.info > 0 && mutant.details.calls.ok < 8, JSON.stringify(mutant.details.calls));
    assert.ok(mutant.details.suspicions >= 3, `every view ends on a Treq of a superseded (c, s): ${JSON.stringify(mutant.details)}`);
    // The views it is sized for ran out (§2.1's stream-full): a consequence of the endless view changes.
    assert.equal(mutant.details.sizing, 'stream-full');
  });
});
