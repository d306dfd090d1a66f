import { leaderOf } from '../../protocols/byzantine/bft/viewChange.js';
import { encodeKvCommand } from '../../protocols/kv/kvCommand.js';
import type { BftKvClient } from '../../protocols/byzantine/bft/client.js';
import { scriptScenario, type BftScript, type ScriptTools } from './viewChangeHarness.js';
import { bftScheduleScenarioName, type BftSchedule } from './schedule.js';
import { leadViewOne } from './viewOneLeader.js';

/**
 * The §6 schedules of specs/bft-consensus.md in the timers that start
 * obligations (stale-obligations, 2.4.3; fifo-treq, 2.4.8), on the scripted
 * harness of viewChangeHarness.ts. Test: bftMutantsTimers.test.ts.
 */

/**
 * b = p1 for `stale-obligations` (§6: "b never seals view 1, keeps
 * proposing in it"). It takes over view 1 (leadViewOne, as old-treq's
 * censoring leader), proposes nothing while the correct replicas are in
 * view 1 (their Treq for R ends it, and view 2 runs R), and never SEALs 1.
 * Once a correct replica has SEALed 1 it goes on writing PREPARE(1, i,
 * empty batch) in its stream: `burst` at once, then one every `gapUs` up to
 * its window. Σb accepts each (b's epoch 1 is open and well-formed),
 * whatever the reader's view; the correct replicas, in view 2 and later,
 * must start no timer for them.
 */
function staleLeader(burst: number, gapUs: number) {
  return async (tools: ScriptTools): Promise<void> => {
    const self = tools.fabric.self;
    let next = 0;
    let stale = false;
    leadViewOne(tools, (first) => (next = first));
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

/** The honest client of both schedules: eight appends to x, one after another (W = 8 of them fit view 0). */
async function eightAppends(client: BftKvClient): Promise<void> {
  for (let call = 0; call < 8; call++) await client.append('x', `${call}`);
}

/** stale-obligations: p0 (view 0's leader) pauses (the schedule's options), as in old-treq's schedule; b = p1 leads view 1 and goes stale in it. */
const staleObligations: BftScript = {
  name: bftScheduleScenarioName('stale-obligations'),
  f: 1,
  views: 4,
  requests: 8,
  liveness: true,
  clients: [eightAppends],
  byzantine: { 1: staleLeader(3, 15) },
};

/** The view the correct replicas are in, as b reads it from the streams (the latest NEW_VIEW a correct leader wrote) and tells the flooding client. */
interface ViewWatch {
  view: number;
}

/** The run's view watch, shared by b and the flooding client (one adversary). */
function viewWatchOf(tools: ScriptTools): ViewWatch {
  let watch = tools.shared.get('view') as ViewWatch | undefined;
  if (!watch) tools.shared.set('view', (watch = { view: 0 }));
  return watch;
}

/**
 * b for `fifo-treq`: silent but for its SEALs — it SEALs every view u a
 * correct replica SEALs (so one correct replica's suspicion and b's SEAL
 * make f+1 and end the view at the other, §2.5.1), and it tells the
 * flooding client which view the correct replicas are in.
 */
async function sealFollower(tools: ScriptTools): Promise<void> {
  const self = tools.fabric.self;
  const watch = viewWatchOf(tools);
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
}

/**
 * The flooding client of §6 for `fifo-treq`: s = 1, 2, … back to back, each
 * superseding the last well within Tfwd (so no follower ever forwards
 * one), to the replicas that do not lead the current view (a leader would
 * propose the newest and settle them all). A correct follower keeps one
 * Treq per client, restarted by each newer REQ: it never runs out while the
 * flood lasts. Under the mutant each (c, s) keeps its own Treq, none
 * executed: they run out one after another, in every view, whoever leads.
 */
function floodingClient(key: string) {
  return async (tools: ScriptTools): Promise<void> => {
    const self = tools.fabric.self;
    const watch = viewWatchOf(tools);
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

/** fifo-treq's flooding client: process 4, after the honest client 3. */
export const flooder = 4;

/** fifo-treq: b = p2 follows the SEALs; the flooding client floods the followers of the current view. */
const fifoTreq: BftScript = {
  name: bftScheduleScenarioName('fifo-treq'),
  f: 1,
  views: 4,
  requests: 8,
  liveness: true,
  clients: [eightAppends],
  byzantineClients: 1,
  byzantine: { 2: sealFollower, [flooder]: floodingClient('flood') },
};

/** The §6 schedules on the timers harness (viewChangeHarness.ts). */
export const timersSchedules: readonly BftSchedule[] = [
  {
    mutant: 'stale-obligations',
    step: '2.4.3',
    interleaving: 'timers for any accepted instance; p0 pauses; b = p1 leads view 1, never seals it, keeps proposing in it after the correct replicas left it',
    caughtAs: ['liveness'],
    scenario: scriptScenario(staleObligations),
    // p0 (view 0's leader) is paused past p2's Treq for R and b's NEW_VIEW(1), as in old-treq's schedule.
    options: { pause: 'p0@0+400' },
  },
  {
    mutant: 'fifo-treq',
    step: '2.4.8',
    interleaving: "Treq per (c, s); flooding-client supersedes its REQ at the followers every Tfwd/4: one Treq per (c, s) runs out in every view, and b's SEAL joins",
    caughtAs: ['liveness'],
    scenario: scriptScenario(fifoTreq),
  },
];
