import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, runScenario, type RunOptions } from './index.js';
import { checkBft } from './bftProperties.js';
import { slotBytesFor, streamSlots } from './bftSetup.js';
import { livenessOwed } from './bft.js';
import type { ResolvedOptions } from './scenario.js';
import type { HistoryEvent, NoteEvent } from '../fabric/index.js';

const base: RunOptions = { protocol: 'bft', seed: 3, latency: 'unit', faults: 'none', ops: 2, f: 1 };

interface BftDetails {
  decisions: { fast: number; slow: number };
  executed: number;
  calls: { ok: number; info: number };
  replicaMessages: number;
  signaturesMade: number;
}

describe('bft scenario (n = 2f+1 on consistent broadcast, normal case)', () => {
  it('f = 1, no faults: every decision fast, no replica signature but checkpoints, KV history linearizable', async () => {
    const report = await runScenario(base, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(report.linearizable, true);
    const details = report.details as unknown as BftDetails;
    assert.equal(details.calls.ok, 4);
    assert.equal(details.decisions.slow, 0);
    assert.ok(details.decisions.fast >= 1);
    // Signatures only in checkpoints (every W/2 = 4 instances: a CKPT-SHARE per replica, to the n−1 others).
    const checkpoints = Math.floor(details.decisions.fast / 4);
    assert.equal(details.signaturesMade, 3 * checkpoints);
    // (n−1)(2n−1) = 10 replica messages per fast decision at n = 3, and n(n−1) per checkpoint.
    assert.equal(details.replicaMessages, 10 * details.decisions.fast + 6 * checkpoints);
  });

  it('a crashed follower forces the slow path, which still decides every request', async () => {
    const report = await runScenario({ ...base, crash: 'p2@0' }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(report.linearizable, true);
    const details = report.details as unknown as BftDetails;
    assert.equal(details.calls.ok, 4);
    assert.equal(details.decisions.fast, 0);
    assert.ok(details.decisions.slow >= 1);
    assert.ok(details.signaturesMade > 0);
  });

  // Same seed, same trace: determinism.test.ts replays a bft run (signatures, CB streams, timers) and compares.
  it('f = 2 runs clean', async () => {
    const report = await runScenario({ ...base, f: 2 }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
  });

  it('a crashed leader p0 is replaced by a view change (view 1, leader p1), before, mid-instance and after its first decisions', async () => {
    // The unit run decides its 4 requests by time ~30: p0 crashes before any PREPARE, mid-instance (PREPARE out, COMMIT-FASTs not), and later.
    const views: number[] = [];
    for (const at of [0, 6, 14]) {
      const report = await runScenario({ ...base, crash: `p0@${at}` }, 'off');
      assert.equal(report.ok, true, `p0@${at}: ${JSON.stringify(report.violations)}`);
      assert.equal(report.linearizable, true);
      const details = report.details as unknown as BftDetails & { viewChange: { views: number } };
      // Liveness is owed (one crash, f = 1) and checked: every call completed.
      assert.equal(details.calls.ok, 4, `p0@${at}`);
      views.push(details.viewChange.views);
    }
    assert.deepEqual(views, [1, 1, 1], 'each crash of p0 while requests were pending ended view 0');
  });

  it('keeps the decided prefix across the view change: instances decided fast in view 0 stay fixed in view 1 (agreement checked)', async () => {
    const report = await runScenario({ ...base, ops: 3, crash: 'p0@14' }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(report.linearizable, true);
    const details = report.details as unknown as BftDetails & { viewChange: { views: number; fixedInstances: number } };
    assert.ok(details.decisions.fast >= 1, 'some instances were decided fast in view 0');
    assert.equal(details.viewChange.views, 1);
    assert.ok(details.viewChange.fixedInstances >= 1, 'NEW_VIEW(1) fixed the view-0 instances it found committed');
    assert.equal(details.calls.ok, 6);
  });

  it('f = 2: the leader and the next leader crash; view 2 (leader p2) decides the rest', async () => {
    const report = await runScenario({ ...base, f: 2, crash: 'p0@0,p1@0' }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(report.linearizable, true);
    const details = report.details as unknown as BftDetails & { viewChange: { views: number } };
    assert.equal(details.viewChange.views, 2);
    assert.equal(details.calls.ok, 4);
  });

  it('refuses sizes it cannot run: odd windows, n that is not 2f+1 plus the clients', async () => {
    await assert.rejects(runScenario({ ...base, window: 3 }, 'off'), /W must be even/);
    await assert.rejects(runScenario({ ...base, n: 4 }, 'off'), /conflicts with --f/);
  });

  it('runs past one window: checkpoints every W/2 slide the leader past W instances', async () => {
    const report = await runScenario({ ...base, window: 2, clients: 1, ops: 6 }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    const details = report.details as unknown as BftDetails;
    assert.equal(details.calls.ok, 6);
    assert.equal(details.decisions.fast, 6);
    // A CKPT-SHARE per replica after every W/2 = 1 instance: n signatures each.
    assert.equal(details.signaturesMade, 6 * 3);
  });

  it('owes liveness with no faults, at most f crashed replicas and a minority of crashed memories, not with more, pauses or drawn faults', () => {
    const options = { protocol: 'bft', seed: 1, latency: 'unit', faults: 'none', n: 5, memories: 3, horizon: 1, ops: 1 } as ResolvedOptions;
    assert.equal(livenessOwed(options, 3, 1), true);
    assert.equal(livenessOwed({ ...options, crash: 'p2@5' }, 3, 1), true);
    assert.equal(livenessOwed({ ...options, crash: 'p4@5,p2' }, 3, 1), true, 'a client crash is not a replica crash');
    assert.equal(livenessOwed({ ...options, crash: 'p1,p2@5' }, 3, 1), false);
    assert.equal(livenessOwed({ ...options, crash: 'm1@5,p2' }, 3, 1), true, 'a minority of memories');
    assert.equal(livenessOwed({ ...options, crash: 'm1@5,m2' }, 3, 1), false, 'a majority of memories');
    assert.equal(livenessOwed({ ...options, crash: 'h1@5' }, 3, 1), false);
    assert.equal(livenessOwed({ ...options, pause: 'p1@5+10' }, 3, 1), false);
    assert.equal(livenessOwed({ ...options, faults: 'crash' }, 3, 1), false);
  });

  it('sizes the streams as §2.1 says: K ≥ 2I(1 + 1/W) + V(7W + 4), C ≥ |NEW_VIEW| and |COMMIT|', () => {
    assert.equal(streamSlots(128, 8, 12), 1008);
    assert.ok(streamSlots(128, 8, 12) <= 1024);
    // |NEW_VIEW| ≤ 57 + 66(f+1)(f+2) + (f+1)(72 + 96W): 2133 at f = 1, W = 8; 3369 at f = 2 (the spec's figures), rounded up to 64.
    assert.equal(slotBytesFor(1, 2, 8), 2176);
    assert.equal(slotBytesFor(2, 2, 8), 3392);
    // A big batch makes COMMIT the larger: 25 + 212·16 + 66·2 = 3549.
    assert.equal(slotBytesFor(1, 16, 8), 3584);
  });
});

describe('bft sizing from the flags', () => {
  it('--clients C alone sizes n from f = 1 (3 replicas + C clients), for bft and pbft; --n and --f still win', () => {
    const base = { seed: 1, latency: 'unit', faults: 'none' } as const;
    assert.equal(resolveOptions({ ...base, protocol: 'bft', clients: 3 }).n, 6);
    assert.equal(resolveOptions({ ...base, protocol: 'bft' }).n, 5);
    assert.equal(resolveOptions({ ...base, protocol: 'bft', clients: 3, f: 2 }).n, 8);
    assert.equal(resolveOptions({ ...base, protocol: 'pbft', clients: 1 }).n, 5);
    assert.throws(() => resolveOptions({ ...base, protocol: 'bft', clients: 3, n: 5 }), /give --f/);
  });
});

describe('bft properties', () => {
  const note = (process: number, kind: string, detail: Record<string, number | string>): NoteEvent => ({ time: 1, process, kind, detail });
  const invoke = (process: number, op: number): HistoryEvent => ({ process, type: 'invoke', f: 'put', key: 'k', value: 'a', time: 0, op });
  const context = { replicas: 3, clients: [3], liveness: false };

  it('catches two replicas deciding differently at one instance', () => {
    const violations = checkBft([], [note(0, 'bft-decide', { v: 0, i: 0, h: 'aa', path: 'fast' }), note(1, 'bft-decide', { v: 0, i: 0, h: 'bb', path: 'slow' })], context);
    assert.deepEqual(violations.map((violation) => violation.property), ['agreement']);
  });

  it('catches a request executed twice, one nobody invoked, and replicas executing in different orders', () => {
    const history: HistoryEvent[] = [invoke(3, 0), { ...invoke(3, 0), type: 'ok' }, invoke(3, 1), { ...invoke(3, 1), type: 'ok' }];
    const twice = checkBft(history, [note(0, 'bft-execute', { i: 0, c: 3, s: 1 }), note(0, 'bft-execute', { i: 1, c: 3, s: 1 })], context);
    assert.ok(twice.some((violation) => violation.property === 'integrity'));
    const forged = checkBft(history, [note(0, 'bft-execute', { i: 0, c: 3, s: 5 })], context);
    assert.ok(forged.some((violation) => violation.property === 'validity'));
    const stranger = checkBft(history, [note(0, 'bft-execute', { i: 0, c: 2, s: 1 })], context);
    assert.ok(stranger.some((violation) => violation.property === 'validity'));
    const order = checkBft(history, [note(0, 'bft-execute', { i: 0, c: 3, s: 1 }), note(1, 'bft-execute', { i: 0, c: 3, s: 2 })], context);
    assert.ok(order.some((violation) => violation.property === 'prefix-agreement'));
  });

  it('owes liveness only when told: a call that gave up is a violation then', () => {
    const history: HistoryEvent[] = [invoke(3, 0), { ...invoke(3, 0), type: 'info' }];
    assert.deepEqual(checkBft(history, [], context), []);
    assert.deepEqual(checkBft(history, [], { ...context, liveness: true }).map((violation) => violation.property), ['liveness']);
  });
});

describe('bft replica: sizing', () => {
  it("ends a correct replica's run with verdict stream-full when its stream's slots run out (apart from safety)", async () => {
    const { BftKvClient, BftOutcomeUnknown, BftReplica, KvService, Simulation, broadcastRegions, freeCosts, runKeys, unitLatency } = await import('../index.js');
    const layout = { processCount: 3, memories: [0, 1, 2], senders: [0, 1, 2], messages: 3, shape: { messageCapacity: 512, readyCapacity: 2 } };
    const keys = runKeys(2);
    const simulation = new Simulation({ scenario: 'bft-sizing', seed: 2, params: {}, processCount: 4, memoryCount: 3, regions: broadcastRegions(layout), latency: unitLatency, horizon: 3_000 });
    const sizing: (string | undefined)[] = [];
    for (let replica = 0; replica < 3; replica++) {
      simulation.spawn(replica, async (fabric) => {
        const node = new BftReplica(fabric, {
          f: 1, window: 8, batchLimit: 1, clients: [3], keys, costs: freeCosts, service: new KvService(),
          broadcast: { layout, signTimeout: 30, readyTimeout: 30, idleAfter: 20, idlePoll: 8, window: 4 },
          timing: { slow: 30, forward: 60, decide: 134, request: 198 },
        });
        node.stopBy(2_500);
        await Promise.race([node.whenExecutedRequests(5), fabric.sleep(1_500)]);
        sizing[replica] = node.sizing;
        await node.stop();
      });
    }
    let outcome = 'all ok';
    simulation.spawn(3, async (fabric) => {
      const client = new BftKvClient(fabric, { f: 1, keys, costs: freeCosts, resendAfter: 300, giveUpAfter: 1_000 });
      try {
        for (let call = 0; call < 5; call++) await client.put('x', `v${call}`);
      } catch (error) {
        outcome = error instanceof BftOutcomeUnknown ? 'unknown' : String(error);
      }
    });
    const result = await simulation.run();
    assert.deepEqual(result.errors, []);
    // The leader p0 broadcast its three PREPAREs; the fourth would pass K = 3.
    assert.equal(sizing[0], 'stream-full');
    assert.equal(outcome, 'unknown');
    assert.equal(result.notes.filter((note) => note.kind === 'bft-execute' && note.process === 1).length, 3);
  });

  it('ends the run with stream-full when a correct replica would seal a view ≥ V (here V = 0: the first view change)', async () => {
    const { BftKvClient, BftOutcomeUnknown, BftReplica, KvService, Simulation, broadcastRegions, freeCosts, runKeys, unitLatency } = await import('../index.js');
    const layout = { processCount: 3, memories: [0, 1, 2], senders: [0, 1, 2], messages: 64, shape: { messageCapacity: 2176, readyCapacity: 2 } };
    const keys = runKeys(4);
    const simulation = new Simulation({ scenario: 'bft-views', seed: 4, params: {}, processCount: 4, memoryCount: 3, regions: broadcastRegions(layout), latency: unitLatency, horizon: 3_000 });
    const sizing: (string | undefined)[] = [];
    // p0, the leader of view 0, never starts: Treq expires at p1 and p2, whose trigger would seal view 0.
    for (const replica of [1, 2]) {
      simulation.spawn(replica, async (fabric) => {
        const node = new BftReplica(fabric, {
          f: 1, window: 8, batchLimit: 1, clients: [3], keys, costs: freeCosts, service: new KvService(), views: 0,
          broadcast: { layout, signTimeout: 30, readyTimeout: 30, idleAfter: 20, idlePoll: 8, window: 4 },
          timing: { slow: 30, forward: 60, decide: 134, request: 198 },
        });
        node.stopBy(2_500);
        await Promise.race([node.whenExecutedRequests(1), fabric.sleep(1_500)]);
        sizing[replica] = node.sizing;
        await node.stop();
      });
    }
    simulation.spawn(3, async (fabric) => {
      const client = new BftKvClient(fabric, { f: 1, keys, costs: freeCosts, resendAfter: 300, giveUpAfter: 1_000 });
      await client.put('x', 'v').catch((error) => {
        if (!(error instanceof BftOutcomeUnknown)) throw error;
      });
    });
    const result = await simulation.run();
    assert.deepEqual(result.errors, []);
    assert.deepEqual([sizing[1], sizing[2]], ['stream-full', 'stream-full']);
    assert.equal(result.notes.filter((note) => note.kind === 'bft-seal').length, 0, 'no SEAL written past V');
  });
});
