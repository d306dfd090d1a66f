import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from './index.js';

/**
 * The PMP straggler as a scripted schedule on the log (docs/schedules.md;
 * schedules.test.ts has the single-decree version): p0 is paused, p1 and p2
 * duel; p1's phase 1 completes on {m0, m1} while its permission request to
 * m2 is held; p2 decides on {m1, m2}; only then does p1's request land on m2,
 * with p1's phase-2 write right behind it. The log keeps agreement at every
 * index; the mutant that counts phase-2 writes on any memory breaks it on
 * every seed.
 */
const base = { protocol: 'pmp-log', n: 3, memories: 3, latency: 'unit', faults: 'none', workload: 'storm', pause: 'p0@0+600' } as const;
const straggler = [
  'p1 permission m2 until p2 note decide',
  'p2 permission m1 until p1 read m1',
  'p1 write m1 #2 until p2 permission m1',
  'p2 permission m0 until p1 note decide',
].join('; ');

describe('scripted schedules: the straggler in PMP-log', () => {
  it('a late grant never lets a phase-2 write count, at any index', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      for (const ops of [1, 4]) {
        const report = await runScenario({ ...base, seed, ops, hold: straggler }, 'full');
        assert.deepEqual(report.violations, [], `seed ${seed}, ops ${ops}`);
        // The interleaving happened: p2 decided before p1's request reached m2.
        const lines = String(report.trace).trim().split('\n').slice(1).map((line) => JSON.parse(line) as { t: number; type: string; p?: number; kind?: string; event?: string });
        const decided = lines.find((line) => line.type === 'note' && line.p === 2 && line.kind === 'decide')?.t ?? Infinity;
        const released = lines.find((line) => line.type === 'release' && line.event === 'p1 permission m2')?.t ?? Infinity;
        assert.ok(decided <= released && released < Infinity, `seed ${seed}: p2 decided at ${decided}, p1's request released at ${released}`);
      }
    }
  });

  it('the same schedule breaks the phase2-any-memory mutant on every seed', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      for (const ops of [1, 4]) {
        const report = await runScenario({ ...base, seed, ops, hold: straggler, mutant: 'phase2-any-memory' }, 'off');
        assert.ok(report.violations.some((violation) => violation.property === 'agreement'), `seed ${seed}, ops ${ops}: ${JSON.stringify(report.violations)}`);
      }
    }
  });
});
