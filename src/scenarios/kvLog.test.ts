import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario, resolveOptions, runScenario, type RunReport } from './index.js';
import { mixedRunOptions, type FixedOptions } from './mix.js';

/**
 * The `kv-log` scenario: the replicated store over each log, swept over
 * mixed configurations (latency, faults within tolerance, contention,
 * sizes), and its mutants caught by the same sweep.
 */
const scenario = findScenario('kv-log');

async function sweep(seeds: number, fixed: FixedOptions, stopAtFirst: boolean): Promise<{ runs: number; violating: RunReport[] }> {
  assert.ok(scenario);
  const violating: RunReport[] = [];
  let runs = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const report = await runScenario(mixedRunOptions(scenario, seed, fixed), 'off');
    runs++;
    if (!report.ok) {
      violating.push(report);
      if (stopAtFirst) break;
    }
  }
  return { runs, violating };
}

describe('kv-log: the replicated store over a replicated log', () => {
  for (const log of ['multi-paxos', 'pmp-log', 'disk-paxos-log', 'mu']) {
    it(`keeps every property on ${log} over 30 mixed seeds`, async () => {
      const { violating } = await sweep(30, { log }, false);
      assert.deepEqual(
        violating.map((report) => `seed ${report.seed}: ${report.violations.map((violation) => `${violation.property}: ${violation.detail}`).join('; ')}`),
        [],
      );
    });
  }

  // A read-local replica's stale reads break linearizability; a no-dedup replica's repeats also make its
  // state differ from the log's (replica-state).
  for (const [mutant, properties] of [['no-dedup', ['linearizability', 'replica-state']], ['read-local', ['linearizability']]] as const) {
    it(`catches the ${mutant} mutant within 30 mixed seeds (${properties.join(', ')})`, async () => {
      const { violating } = await sweep(30, { mutant }, true);
      assert.equal(violating.length, 1, `${mutant} not caught`);
      const found = new Set(violating[0].violations.map((violation) => violation.property));
      assert.ok([...found].every((property) => (properties as readonly string[]).includes(property)), [...found].join(', '));
    });
  }

  it('runs a pause of the leader on each log: calls retried, each applied once', async () => {
    for (const log of ['multi-paxos', 'pmp-log', 'disk-paxos-log', 'mu']) {
      const options = { protocol: 'kv-log', seed: 2, latency: 'unit', faults: 'none' as const, pause: 'p0@6+120', log, ops: 12 };
      const report = await runScenario(options, 'off');
      assert.equal(report.ok, true, `${log}: ${JSON.stringify(report.violations)}`);
      const details = report.details as { outcomes: { ok: number }; logEntriesApplied: Record<string, number> };
      assert.equal(details.outcomes.ok, 36, log);
      // p0's calls outlived the retry timer while it was paused: the log holds some of them twice.
      assert.ok(Math.max(...Object.values(details.logEntriesApplied)) > 36, `${log}: ${JSON.stringify(details.logEntriesApplied)}`);
    }
  });

  it('takes --log from the logs it runs on, and other scenarios refuse it', () => {
    assert.equal(resolveOptions({ protocol: 'kv-log', seed: 1, latency: 'unit', faults: 'none' }).log, 'multi-paxos');
    assert.throws(() => resolveOptions({ protocol: 'kv-log', seed: 1, latency: 'unit', faults: 'none', log: 'raft' }), /--log raft: kv-log runs on multi-paxos, pmp-log, disk-paxos-log, mu/);
    assert.throws(() => resolveOptions({ protocol: 'pmp-log', seed: 1, latency: 'unit', faults: 'none', log: 'multi-paxos' }), /--log multi-paxos: pmp-log takes no log option/);
    assert.throws(() => resolveOptions({ protocol: 'kv-log', seed: 1, latency: 'unit', faults: 'none', log: 'pmp-log', memories: 0 }), /pmp-log needs at least one memory/);
    assert.throws(() => resolveOptions({ protocol: 'kv-log', seed: 1, latency: 'unit', faults: 'none', log: 'mu', n: 3, memories: 5 }), /Mu puts each replica's log in its own memory/);
  });
});
