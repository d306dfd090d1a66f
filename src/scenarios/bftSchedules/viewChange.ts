import { assemble } from '../../protocols/byzantine/bft/certificates.js';
import { batchHash } from '../../protocols/byzantine/bft/codec.js';
import type { Batch, BftMessage } from '../../protocols/byzantine/bft/messages.js';
import { vcStateStatement } from '../../protocols/byzantine/bft/viewChange.js';
import { encodeKvCommand } from '../../protocols/kv/kvCommand.js';
import { firstRequest, scriptScenario, type BftScript, type ScriptTools } from './viewChangeHarness.js';
import { bftScheduleScenarioName, type BftSchedule } from './schedule.js';
import { leadViewOne } from './viewOneLeader.js';

/**
 * The §6 schedules of specs/bft-consensus.md in the request table and the
 * view timers (no-dedupe, op-executed, fixed-timers, old-treq) and in
 * NEW_VIEW's choice of entries (lowest-view), on the scripted harness of
 * viewChangeHarness.ts: correct BftReplicas, honest clients with a fixed
 * list of calls, scripted Byzantine processes. Tests:
 * bftMutantsViewChange.test.ts.
 */

/** no-dedupe: b = p0 proposes the client's append(x, a) at 0 and again at 1, and COMMIT-FASTs both. */
const noDedupe: BftScript = {
  name: bftScheduleScenarioName('no-dedupe'),
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

/** op-executed's conflicting client: process 4, after the honest client 3. */
export const conflicting = 4;

/** op-executed: the conflicting client signs op1 = put(x, 1) to the leader p0 and op2 = put(x, 2) to p2 only, both as (c, 1). */
const opExecuted: BftScript = {
  name: bftScheduleScenarioName('op-executed'),
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

/** fixed-timers: n = 5 with Tdecide = Tslow + 1; b1 = p3 and b2 = p4 withhold everything (crashed at 0, the schedule's options). */
const fixedTimers: BftScript = {
  name: bftScheduleScenarioName('fixed-timers'),
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

/**
 * b = p1, the leader of view 1 for old-treq: it takes over view 1
 * (leadViewOne) and then proposes nothing: it censors every request.
 */
async function censoringLeader(tools: ScriptTools): Promise<void> {
  leadViewOne(tools);
  await tools.untilEnd();
}

/** old-treq: p0 (view 0's leader) pauses (the schedule's options); R's Treq ends view 0 at p2; b = p1 leads view 1 and censors R. */
const oldTreq: BftScript = {
  name: bftScheduleScenarioName('old-treq'),
  f: 1,
  requests: 1,
  liveness: true,
  clients: [(client) => client.put('x', 'r')],
  byzantine: { 1: censoringLeader },
};

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

/** lowest-view: b = p0 and the lossy route above; p1 pauses once it decided C (the schedule's options). */
const lowestView: BftScript = {
  name: bftScheduleScenarioName('lowest-view'),
  f: 1,
  requests: 2,
  liveness: false,
  route: lowestViewRoute,
  clients: [(client) => client.put('x', 'a'), (client) => client.put('y', 'c')],
  byzantine: { 0: lowestViewAttacker },
};

/** The §6 schedules on the view-change harness (viewChangeHarness.ts). */
export const viewChangeSchedules: readonly BftSchedule[] = [
  {
    mutant: 'no-dedupe',
    step: '2.4.8',
    interleaving: 'b = p0 proposes the resent append(x, a) at 0 and again at 1 (view 1 serves the get); correct replicas run it once, the mutant twice: get sees "aa"',
    caughtAs: ['integrity', 'linearizability'],
    scenario: scriptScenario(noDedupe),
  },
  {
    mutant: 'op-executed',
    step: '2.4.8',
    interleaving: 'conflicting-client: op1 to the leader, op2 under the same (c, s) to p2 only; the mutant runs both',
    caughtAs: ['integrity'],
    scenario: scriptScenario(opExecuted),
  },
  {
    mutant: 'fixed-timers',
    step: '2.5.4',
    interleaving: 'n = 5; Tdecide = Tslow + 1; b1, b2 withhold everything (crashed): each decision is slow and a Tdecide ends the view; doubling outgrows it, fixed timers never do',
    caughtAs: ['liveness'],
    scenario: scriptScenario(fixedTimers),
    options: { crash: 'p3@0,p4@0' },
  },
  {
    mutant: 'old-treq',
    step: '2.4.8',
    interleaving: "p0 pauses; R's Treq ends view 0 at p2; b = p1 leads view 1 and censors R; only a Treq restarted on entering view 1 suspects b",
    caughtAs: ['liveness', 'termination'],
    scenario: scriptScenario(oldTreq),
    // p0 (view 0's leader) is paused past p2's Treq for R and b's NEW_VIEW(1); then it runs again.
    options: { pause: 'p0@0+400' },
  },
  {
    mutant: 'lowest-view',
    step: '2.6.4',
    interleaving: 'b commits A in view 0 (PC {b, p1}); view 1 decides C at p1, which pauses; NEW_VIEW(2) from {b, p2} must fix C, not A',
    caughtAs: ['agreement'],
    scenario: scriptScenario(lowestView),
    // p1 pauses at its decision of C (fast, its first), before its slow path writes a COMMIT of C. At the note, not at a time:
    // the decision's instant moves with the seed's ties (173 or 175 on unit latency), and a timed pause that strikes first
    // keeps p1 from deciding at all (seeds 5, 6, 7, 9, 10 of 1..10 with 'p1@174+20000': nothing caught).
    options: { pause: 'p1@note:bft-decide+20000' },
  },
];
