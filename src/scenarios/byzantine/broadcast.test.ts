import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, runScenario, type RunOptions, type RunReport } from '../index.js';
import { adversaryCatalogue } from '../../protocols/byzantine/adversaries.js';
import { brachaAdversaries } from '../../protocols/byzantine/bracha.js';
import type { BroadcastDetails } from './details.js';
import { assertClean, sweep } from './_sweep.js';

/** Long sweeps (MNM_LONG=1) multiply the number of seeds. */
const scale = process.env.MNM_LONG ? 20 : 1;
const details = (report: RunReport) => report.details as unknown as BroadcastDetails;
const base = { latency: 'unit', faults: 'none' } as const;


describe('Byzantine broadcast: signature counts (the lecture table)', () => {
  for (const f of [1, 2]) {
    it(`f = ${f}: CB fast path 0 signatures, slow path 1; RB fast 0, slow 2f+1 = O(n)`, async () => {
      const n = 2 * f + 1;
      const cbFast = details(await runScenario({ ...base, protocol: 'cb', seed: 1, f, ops: 1 }));
      assert.equal(cbFast.deliveries.fast, n);
      assert.equal(cbFast.correctSignatures.made + cbFast.correctSignatures.verified, 0);
      const cbSlow = details(await runScenario({ ...base, protocol: 'cb', seed: 1, f, ops: 1, adversary: 'silent-replicator' }));
      assert.equal(cbSlow.deliveries.slow, n - 1);
      assert.equal(cbSlow.correctSignatures.made, 1, 'one signature: the sender');
      assert.equal(cbSlow.correctSignatures.verified, n - 2, 'each correct replicator but the sender verifies it once');
      const rbFast = details(await runScenario({ ...base, protocol: 'rb', seed: 1, f, ops: 1 }));
      assert.equal(rbFast.deliveries.fast, n);
      assert.equal(rbFast.correctSignatures.made + rbFast.correctSignatures.verified, 0);
      const rbSlow = details(await runScenario({ ...base, protocol: 'rb', seed: 1, f, ops: 1, adversary: 'silent-replicator' }));
      assert.equal(rbSlow.deliveries.slow, n - 1);
      assert.equal(rbSlow.correctSignatures.made, 1 + (n - 1), "the sender's and every correct process's Ready");
    });
  }

  it('Bracha needs 3f+1 processes and no signature', async () => {
    const report = await runScenario({ ...base, protocol: 'bracha', seed: 1, f: 2, ops: 1 });
    assert.equal(report.params.n, 7);
    assert.equal(details(report).deliveries.total, 7);
    assert.equal(details(report).delays.median, 3, 'INIT, ECHO, READY');
    assert.equal(details(report).correctSignatures.made, 0);
  });

  it('--f sets n; a conflicting --n is rejected', () => {
    assert.equal(resolveOptions({ ...base, protocol: 'cb', seed: 1, f: 3 }).n, 7);
    assert.equal(resolveOptions({ ...base, protocol: 'bracha', seed: 1, f: 3 }).n, 10);
    assert.throws(() => resolveOptions({ ...base, protocol: 'rb', seed: 1, f: 2, n: 4 }), /conflicts with --f/);
    assert.throws(() => resolveOptions({ ...base, protocol: 'cb', seed: 1, f: 1, adversary: 'silent-replicator,flip-replicator' }), /exceed f = 1/);
    assert.throws(() => resolveOptions({ ...base, protocol: 'cb', seed: 1, adversary: 'nobody' }), /unknown strategy/);
  });

  it('replays: the same options give the same trace (keys derive from the seed)', async () => {
    const options: RunOptions = { protocol: 'rb', seed: 9, latency: 'rdma', faults: 'crash', f: 1, adversary: 'equivocating-sender', horizon: 20000 };
    const first = await runScenario(options, 'hash');
    assert.equal(first.traceHash, (await runScenario(options, 'hash')).traceHash);
    assert.notEqual(first.traceHash, (await runScenario({ ...options, seed: 10 }, 'hash')).traceHash);
  });

  it('charges signing and verifying as virtual time under rdma', async () => {
    const fast = details(await runScenario({ protocol: 'cb', seed: 1, latency: 'rdma', faults: 'none', f: 1, ops: 1, horizon: 20000 }));
    const slow = details(await runScenario({ protocol: 'cb', seed: 1, latency: 'rdma', faults: 'none', f: 1, ops: 1, horizon: 20000, adversary: 'silent-replicator' }));
    assert.ok((fast.delays.median ?? Infinity) < 20, `fast path ${fast.delays.median} µs`);
    assert.ok((slow.delays.median ?? 0) > 100, `slow path ${slow.delays.median} µs includes a signature and a verification`);
  });
});

describe('Byzantine broadcast: the adversary catalogue', () => {
  const effects = new Map<string, number>();
  const record = (reports: readonly RunReport[]) => {
    for (const report of reports) for (const adversary of details(report).adversaries) if (adversary.effect) effects.set(`${report.protocol}:${adversary.adversary}`, (effects.get(`${report.protocol}:${adversary.adversary}`) ?? 0) + 1);
  };

  for (const protocol of ['cb', 'rb'] as const) {
    for (const f of [1, 2]) {
      it(`${protocol}, f = ${f}: every adversary alone, with crashed memories and processes, keeps every property`, async () => {
        for (const adversary of Object.keys(adversaryCatalogue)) {
          const reports = await sweep({ protocol, f, adversary, latency: 'uniform:0.5:3', faults: 'crash' }, (f === 1 ? 4 : 2) * scale, 100 * f);
          assertClean(reports, `${protocol} --f ${f} --adversary ${adversary}`);
          record(reports);
        }
      });
      it(`${protocol}, f = ${f}: adversaries combined (up to f), with crashes, pauses longer than every timeout and partitions`, async () => {
        const reports = await sweep({ protocol, f, adversary: 'all', latency: 'uniform:0.5:3', faults: 'all' }, (f === 1 ? 30 : 12) * scale, 1000);
        assertClean(reports, `${protocol} --f ${f} --adversary all --faults all`);
        assert.ok(reports.some((report) => report.faults.some((fault) => fault.startsWith('crash m'))), 'some run crashed a memory');
        assert.ok(reports.some((report) => details(report).byzantine.length === f), 'some run had f Byzantine processes');
        const timeout = Number((reports[0].details.timeouts as { sign: number }).sign);
        assert.ok(reports.some((report) => report.faults.some((fault) => Number(/^pause p\d+@[\d.]+\+([\d.]+)$/.exec(fault)?.[1] ?? 0) > timeout)), `some pause outlasted the ${timeout} timeouts`);
        record(reports);
      });
    }
    it(`${protocol}: adversaries combined under rdma (signatures charged), lan and uniform:1:40 latencies (timeouts in typical delays)`, async () => {
      for (const [latency, horizon] of [['rdma', undefined], ['lan', undefined], ['uniform:1:40', 12_000]] as const) {
        const reports = await sweep({ protocol, f: 1, adversary: 'all', latency, faults: 'all', ...(horizon ? { horizon } : {}) }, 6 * scale, 2000);
        assertClean(reports, `${protocol} --latency ${latency} --adversary all --faults all`);
        record(reports);
      }
    });
  }

  it('hash-swapper: a correct receiver decides H(m) holding only m′ — CB lets it block, RB hands it m (totality); consistency holds', async () => {
    for (const protocol of ['cb', 'rb'] as const) {
      const reports = await sweep({ protocol, f: 1, adversary: 'hash-swapper', latency: 'uniform:0.5:3', faults: 'pause' }, 40, 1);
      assertClean(reports, `${protocol} --adversary hash-swapper --faults pause`);
      const swapped = reports.filter((report) => details(report).adversaries.some((adversary) => adversary.effect));
      assert.ok(swapped.length > 0, `${protocol}: the swap never stranded a correct receiver in 40 seeds`);
      if (protocol === 'cb') assert.ok(swapped.some((report) => details(report).gaveUp > 0), 'cb: a stranded receiver blocked at (s, k)');
      else assert.ok(swapped.every((report) => details(report).gaveUp === 0), 'rb: every correct process found m in a delivered field');
      record(reports);
    }
  });

  it("forging-sender: a forged signature in one field does not silence its signer's other, valid fields", async () => {
    for (const protocol of ['cb', 'rb'] as const) {
      const report = await runScenario({ protocol, seed: 2, f: 1, adversary: 'forging-sender', latency: 'unit', faults: 'none' }, 'off');
      assert.deepEqual(report.violations, []);
      const figures = details(report);
      assert.ok(figures.correctSignatures.rejected >= 2, `${protocol}: both correct processes rejected the forgery`);
      assert.equal(figures.deliveries.total, 2 * 3, `${protocol}: both correct processes delivered the 3 messages, through the valid signature`);
      for (const process of ['p1', 'p2']) {
        const { verified, rejected } = figures.signatures[process];
        assert.ok(verified - rejected >= 3, `${protocol}: ${process} verified the sender's valid signature of each broadcast (${verified} verified, ${rejected} rejected)`);
      }
      assert.ok(figures.adversaries[0].effect);
    }
  });

  it('every adversary of the catalogue had an effect in some run', () => {
    for (const protocol of ['cb', 'rb']) {
      for (const adversary of Object.keys(adversaryCatalogue)) assert.ok((effects.get(`${protocol}:${adversary}`) ?? 0) > 0, `${protocol} --adversary ${adversary} never had an effect`);
    }
  });

  it('forged, replayed and malformed records are rejected and counted, never delivered', async () => {
    for (const [adversary, counter] of [['forged-copy', 'rejected'], ['replay', 'rejected'], ['malformed-slot', 'malformed']] as const) {
      for (const protocol of ['cb', 'rb']) {
        const report = await runScenario({ protocol, seed: 3, f: 1, adversary, latency: 'unit', faults: 'none' }, 'off');
        assert.deepEqual(report.violations, [], `${protocol} ${adversary}`);
        const figures = details(report);
        assert.ok(figures.correctSignatures[counter] > 0, `${protocol} ${adversary}: ${counter} counted`);
        assert.equal(figures.deliveries.total, 2 * 3, `${protocol} ${adversary}: both correct processes delivered the 3 messages`);
      }
    }
  });

  it('rb seed 279 (f = 2, equivocating sender + claim-checked, a crashed memory): a delivered but undone broadcast does not hide later ones (totality)', async () => {
    // What `--adversary all` drew for seed 279 when the violation was found (before `all` also staggered the starts).
    const report = await runScenario({ protocol: 'rb', seed: 279, f: 2, n: 5, memories: 3, latency: 'unit', faults: 'crash', horizon: 2000, ops: 3, adversary: 'equivocating-sender,claim-checked' }, 'off');
    assert.deepEqual(report.violations, []);
    assert.deepEqual(details(report).byzantine.map((placement) => placement.adversary).sort(), ['claim-checked', 'equivocating-sender']);
    assert.ok(report.faults.some((fault) => fault.startsWith('crash m')), 'a memory crashed');
    const { byProcess } = details(report).deliveries;
    for (const process of ['p1', 'p2', 'p3']) assert.equal(byProcess[process], 3, `${process} delivered all 3 broadcasts`);
  });

  it("Bracha with its adversaries (n = 3f+1), crashes and pauses", async () => {
    for (const f of [1, 2]) {
      for (const adversary of [...Object.keys(brachaAdversaries), 'all']) {
        const reports = await sweep({ protocol: 'bracha', f, adversary, latency: 'uniform:0.5:3', faults: adversary === 'all' ? 'pause' : 'crash' }, 6 * scale);
        assertClean(reports, `bracha --f ${f} --adversary ${adversary}`);
      }
    }
  });

  it('an explicit horizon too short for the timeouts in typical delays is a usage error; a default one is raised to what liveness needs', () => {
    assert.throws(() => resolveOptions({ protocol: 'cb', seed: 1, latency: 'uniform:1:40', faults: 'all', horizon: 2000 }), /--horizon 2000 is too short .* pass --horizon \d+/);
    assert.doesNotThrow(() => resolveOptions({ protocol: 'cb', seed: 1, latency: 'uniform:1:40', faults: 'all', horizon: 12_000 }));
    // Under rdma a verification costs 80 delays: RB with f = 2 needs more than 1600 µs.
    assert.throws(() => resolveOptions({ protocol: 'rb', seed: 1, f: 2, latency: 'rdma', faults: 'all', horizon: 1600 }), /--horizon 1600 is too short/);
    const raised = resolveOptions({ protocol: 'rb', seed: 1, f: 2, latency: 'rdma', faults: 'all' });
    assert.ok(raised.horizon > 1600, `default horizon raised to ${raised.horizon}`);
    assert.doesNotThrow(() => resolveOptions({ protocol: 'rb', seed: 1, f: 1, latency: 'rdma', faults: 'all' }));
  });
});
