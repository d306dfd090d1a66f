import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';
import { decisionDelays, viewChangeDelays } from './pbftMetrics.js';
import type { HistoryEvent, NoteEvent } from '../fabric/index.js';

const base: RunOptions = { protocol: 'pbft', seed: 3, latency: 'unit', faults: 'none', ops: 2, f: 1 };

interface PbftDetails {
  replicas: number;
  decisions: number;
  views: number;
  viewChangesSent: number;
  adversaryEffects: number;
  badNewViews: number;
  executed: number;
  calls: { ok: number; info: number };
  replicaMessages: number;
  signaturesMade: number;
  signaturesVerified: number;
  delays: { calls: number; invokeToOk: number; requests: number; invokeToDecide: number; proposeToDecide: number | null };
  viewChangeDelays: { view: number; delay: number }[];
}

async function run(options: Partial<RunOptions>): Promise<PbftDetails> {
  const report = await runScenario({ ...base, ...options }, 'off');
  assert.equal(report.ok, true, JSON.stringify(report.violations));
  assert.equal(report.linearizable, true);
  return report.details as unknown as PbftDetails;
}

describe('pbft scenario (n = 3f+1 message-passing baseline)', () => {
  it('f = 1, no faults: 3 delays from PRE-PREPARE to decision, 5 end to end, 2n(n−1) = 24 replica messages and no replica signature per decision', async () => {
    const details = await run({});
    assert.equal(details.replicas, 4);
    assert.equal(details.calls.ok, 4);
    assert.equal(details.views, 0);
    assert.ok(details.decisions >= 1);
    assert.equal(details.replicaMessages, 24 * details.decisions);
    assert.equal(details.signaturesMade, 0);
    // Client signatures only: each request's verified once by each of the n replicas.
    assert.equal(details.signaturesVerified, 4 * 4);
    assert.equal(details.delays.proposeToDecide, 3);
    assert.equal(details.delays.invokeToOk, 5);
  });

  it('f = 2, no faults: 2n(n−1) = 84 replica messages per decision', async () => {
    const details = await run({ f: 2 });
    assert.equal(details.replicas, 7);
    assert.equal(details.calls.ok, 4);
    assert.equal(details.replicaMessages, 84 * details.decisions);
    assert.equal(details.signaturesMade, 0);
  });

  it('a crashed backup: still decides every request, in view 0', async () => {
    const details = await run({ crash: 'p3@0', ops: 3 });
    assert.equal(details.calls.ok, 6);
    assert.equal(details.views, 0);
    assert.equal(details.viewChangesSent, 0);
  });

  it('a crashed primary: a view change (signed VIEW-CHANGEs only), then every request decided, linearizable', async () => {
    const details = await run({ crash: 'p0@0', ops: 3 });
    assert.equal(details.calls.ok, 6);
    assert.equal(details.views, 1);
    // The n−1 live replicas each sign one VIEW-CHANGE; nothing else is signed.
    assert.equal(details.signaturesMade, 3);
    assert.deepEqual(details.viewChangeDelays, [{ view: 1, delay: 2 }]);
  });

  it('a primary crashing mid-run, at f = 2 two primaries crashing: timers double, views move on, still live', async () => {
    const mid = await run({ crash: 'p0@6', ops: 3, clients: 3 });
    assert.equal(mid.calls.ok, 9);
    assert.equal(mid.views, 1);
    const report = await runScenario({ ...base, f: 2, crash: 'p0@0,p1@0' }, 'full');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    const two = report.details as unknown as PbftDetails;
    assert.equal(two.calls.ok, 4);
    assert.equal(two.views, 2);
    // p2 suspected p0 after the request timer T, then gave view 1 up after 2T: the timer doubled once it had expired in view 0.
    const starts = (report.trace ?? '')
      .split('\n')
      .filter((line) => line.includes('"kind":"pbft-view-change"') && line.includes('"p":2,'))
      .map((line) => JSON.parse(line) as { t: number; detail: { v: number } });
    const timer = (report.details as { timers: { request: number } }).timers.request;
    assert.deepEqual(starts.map((event) => event.detail.v), [1, 2]);
    assert.equal(starts[1].t - starts[0].t, 2 * timer);
  });

  it('an equivocating primary: view 0 stalls, the view change settles it', async () => {
    const details = await run({ adversary: 'equivocating-primary', ops: 3 });
    assert.ok(details.adversaryEffects > 0);
    assert.ok(details.views >= 1);
    assert.equal(details.calls.ok, 6);
  });

  it('f = 2: a batch decided in view 0 survives a Byzantine new primary whose NEW-VIEW drops it', async () => {
    const details = await run({ f: 2, adversary: 'equivocating-primary,dropping-new-primary', clients: 3 });
    // Every correct backup refused p1's NEW-VIEW (6 of them), and view 2 re-proposed the decided batch (agreement holds).
    assert.equal(details.badNewViews, 6);
    assert.equal(details.views, 2);
    assert.equal(details.calls.ok, 6);
  });

  it('the same seed gives the same trace (with a view change)', async () => {
    const first = await runScenario({ ...base, crash: 'p0@3' }, 'hash');
    const second = await runScenario({ ...base, crash: 'p0@3' }, 'hash');
    assert.equal(first.ok, true);
    assert.equal(second.traceHash, first.traceHash);
  });

  it('refuses sizes and faults it cannot run', async () => {
    await assert.rejects(runScenario({ ...base, n: 5 }, 'off'), /conflicts with --f|has 6 processes/);
    await assert.rejects(runScenario({ ...base, adversary: 'equivocating-primary', crash: 'p1@0' }, 'off'), /exceed f = 1/);
    await assert.rejects(runScenario({ ...base, adversary: 'nonsense' }, 'off'), /not a pbft strategy/);
    await assert.rejects(runScenario({ ...base, mutant: 'nonsense' }, 'off'), /no mutant/);
  });
});

describe('pbft next to bft in one run (unit latency, f = 1, one client)', () => {
  it('pbft: 3 delays PRE-PREPARE to decision and 5 end to end with 24 messages; bft fast path: fewer messages (n = 3), more delays (CB)', async () => {
    const options: RunOptions = { ...base, clients: 1, ops: 4 };
    const pbft = await runScenario(options, 'off');
    const bft = await runScenario({ ...options, protocol: 'bft' }, 'off');
    assert.equal(pbft.ok && bft.ok, true);
    const p = pbft.details as unknown as PbftDetails;
    const b = bft.details as unknown as { decisions: { fast: number; slow: number }; replicaMessages: number };
    assert.equal(b.decisions.slow, 0);
    assert.equal(p.replicaMessages / p.decisions, 24);
    assert.ok(b.replicaMessages / b.decisions.fast < 24 / 2, 'bft fast path: (n−1)(2n−1) = 10 plus checkpoints, under half of pbft');
    const endToEnd = (history: readonly HistoryEvent[]) => decisionDelays(history, []).invokeToOk;
    assert.equal(endToEnd(pbft.history), 5);
    assert.ok(endToEnd(bft.history) > endToEnd(pbft.history), 'the CB round costs more delays than PRE-PREPARE/PREPARE/COMMIT');
  });
});

describe('pbft metrics', () => {
  const note = (time: number, process: number, kind: string, detail: Record<string, number | string>): NoteEvent => ({ time, process, kind, detail });
  it('measures from invocation, from proposal, and per view change', () => {
    const history: HistoryEvent[] = [
      { process: 4, type: 'invoke', f: 'put', key: 'k', value: 'a', time: 0, op: 0 },
      { process: 4, type: 'ok', f: 'put', key: 'k', value: 'a', time: 5, op: 0 },
    ];
    const notes = [note(1, 0, 'pbft-propose', { v: 0, i: 0 }), note(4, 1, 'bft-decide', { v: 0, i: 0, h: 'aa', path: 'pbft' }), note(4, 1, 'bft-execute', { i: 0, c: 4, s: 1 }), note(7, 2, 'bft-decide', { v: 0, i: 0, h: 'aa', path: 'pbft' })];
    assert.deepEqual(decisionDelays(history, notes), { calls: 1, invokeToOk: 5, requests: 1, invokeToDecide: 4, proposeToDecide: 3 });
    assert.deepEqual(decisionDelays(history, []), { calls: 1, invokeToOk: 5, requests: 0, invokeToDecide: 0, proposeToDecide: null });
    const views = [note(40, 1, 'pbft-view-change', { v: 1, prepared: 0 }), note(41, 2, 'pbft-view-change', { v: 1, prepared: 0 }), note(41, 1, 'pbft-new-view', { v: 1, chosen: 0 }), note(42, 2, 'pbft-new-view', { v: 1, chosen: 0 })];
    assert.deepEqual(viewChangeDelays(views), [{ view: 1, delay: 2 }]);
  });
});
