import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capturedMain } from '../_capturedMain.js';

const mnm = capturedMain;

interface RunJson {
  readonly violations: readonly { property: string }[];
  readonly faults: readonly string[];
  readonly params: { readonly ops: number; readonly n: number; readonly memories: number; readonly f?: number };
}

/** A run's sizes as `mnm run --json` reports them: what shrinking may only lower. */
function sizes(run: RunJson): Record<string, number> {
  return { ops: run.params.ops, n: run.params.n, memories: run.params.memories, f: run.params.f ?? 0, faults: run.faults.length };
}

describe('mnm shrink', () => {
  it('shrinks a failing mutant run to a smaller command that still violates the same property', async () => {
    const original = ['run', 'register', '--seed', '2', '--latency', 'lan', '--mutant', 'minority-quorum', '--faults', 'crash', '--ops', '20'];
    const before = await mnm(...original, '--json');
    assert.equal(before.code, 1, 'the run to shrink fails');
    const shrink = await mnm('shrink', 'mnm', ...original, '--json');
    assert.equal(shrink.code, 1, shrink.stdout + shrink.stderr);
    const result = JSON.parse(shrink.stdout) as { shrunk: string; property: string; runs: number; steps: { outcome: string }[] };
    assert.equal(result.property, 'regularity');
    assert.ok(result.runs <= 200 && result.steps.length >= result.runs - 1);
    assert.match(result.shrunk, /^mnm run register /);
    const after = await mnm(...result.shrunk.split(' ').slice(1), '--json');
    assert.equal(after.code, 1, `${result.shrunk} still fails`);
    const [originalRun, shrunkRun] = [JSON.parse(before.stdout) as RunJson, JSON.parse(after.stdout) as RunJson];
    assert.ok(shrunkRun.violations.some((violation) => violation.property === result.property), 'the same property');
    const [large, small] = [sizes(originalRun), sizes(shrunkRun)];
    for (const axis of Object.keys(large)) assert.ok(small[axis] <= large[axis], `${axis}: ${small[axis]} <= ${large[axis]}`);
    assert.ok(Object.keys(large).some((axis) => small[axis] < large[axis]), `smaller on some axis: ${JSON.stringify(small)} vs ${JSON.stringify(large)}`);
  });

  it('stops at the run budget', async () => {
    const shrink = await mnm('shrink', 'register', '--seed', '2', '--latency', 'lan', '--mutant', 'minority-quorum', '--faults', 'crash', '--ops', '20', '--max-runs', '2', '--json');
    assert.equal(shrink.code, 1);
    assert.equal(JSON.parse(shrink.stdout).runs, 2);
  });

  it('says there is nothing to shrink when the run passes, and refuses real backends', async () => {
    const passing = await mnm('shrink', 'register', '--seed', '1');
    assert.equal(passing.code, 0);
    assert.match(passing.stdout, /nothing to shrink/);
    const real = await mnm('shrink', 'register', '--backend', 'shm');
    assert.equal(real.code, 2);
    assert.match(real.stderr, /simulator/);
  });
});
