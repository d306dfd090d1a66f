import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NoteEvent } from '../../fabric/fabric.js';
import { failoverSplit, muTargets } from './mu.js';

/**
 * `mnm bench mu`: the quick run end to end (its JSON shape, every ratio a
 * number), and the fail-over split from notes. No timing is asserted: the
 * machine is shared.
 */
const main = fileURLToPath(new URL('../main.js', import.meta.url));

describe('bench mu', () => {
  it('--quick --json measures every ratio and judges every target', () => {
    const plots = mkdtempSync(join(tmpdir(), 'mnm-bench-mu-'));
    const run = spawnSync(process.execPath, [main, 'bench', 'mu', '--quick', '--json', '--plots', plots], { encoding: 'utf8', timeout: 900_000 });
    assert.equal(run.status, 0, run.stderr);
    // Its charts: the commits' CDFs on each backend and the ratios, next to mu.json.
    for (const name of ['mu.json', 'mu-commits-cdf-shm.svg', 'mu-commits-cdf-tcp.svg', 'mu-ratios.svg']) assert.ok(existsSync(join(plots, name)), name);
    rmSync(plots, { recursive: true, force: true });
    const report = JSON.parse(run.stdout) as { suite: string } & Record<string, unknown>;
    assert.equal(report.suite, 'mu');
    const shm = report.shm as Record<string, unknown>;
    const tcp = report.tcp as Record<string, unknown>;
    for (const ratio of ['commitP50VsWriteVerb', 'multiPaxosP50VsMu', 'windowedVsPipelinedWrites']) assert.equal(typeof shm[ratio], 'number', `shm.${ratio}`);
    for (const ratio of ['commitP50VsPingPong', 'putP50VsPingPong']) assert.equal(typeof tcp[ratio], 'number', `tcp.${ratio}`);
    assert.match(String(tcp.memories), /own OS process.*RDMA NIC/);
    const failover = report.failover as Record<'shm' | 'tcp', Record<'chosen' | 'loadTolerant', Record<string, unknown>>>;
    for (const backend of ['shm', 'tcp'] as const) {
      for (const which of ['chosen', 'loadTolerant'] as const) {
        const figures = failover[backend][which];
        assert.equal(typeof figures.thresholdMicroseconds, 'number');
        assert.equal(figures.publishedMicroseconds, 873);
        const counted = (figures.disturbed as number) + (figures.failed as number);
        assert.ok(counted <= (figures.trials as number));
        // Measured unless every trial was disturbed (then null, and the target says why).
        if (figures.median !== null) {
          for (const part of ['total', 'detection', 'permissionSwitch', 'catchUp']) assert.equal(typeof (figures.median as Record<string, unknown>)[part], 'number', `${backend} ${which} ${part}`);
          assert.equal(typeof figures.medianTimesThreshold, 'number');
        }
      }
    }
    const targets = report.targets as { line: string; met: boolean }[];
    assert.equal(targets.length, 8);
    for (const target of targets) assert.match(target.line, / (met|NOT met)$/);
  });

  it('splits a fail-over from the notes: pause, the winner\'s attempt, its leading, its first decide', () => {
    const note = (time: number, process: number, kind: string, ballot?: number): NoteEvent => ({ time, process, kind, ...(ballot !== undefined ? { detail: { ballot } } : {}) });
    const notes = [note(0, 0, 'leading', 1), note(5, 0, 'decide', 1), note(10, 0, 'pause'), note(11, 2, 'attempt', 3), note(13, 1, 'attempt', 2), note(16, 1, 'leading', 2), note(17, 1, 'decide', 2)];
    assert.deepEqual(failoverSplit(notes, 2), { total: 14, detection: 6, permissionSwitch: 6, catchUp: 2 });
    // An election before the pause: p0 may not have been leading when it paused.
    assert.equal(failoverSplit([note(0, 0, 'leading', 1), note(4, 1, 'attempt', 2), ...notes.slice(2)], 1), 'disturbed');
    // p0 took its leadership back before the pause: a valid trial.
    assert.notEqual(failoverSplit([note(0, 0, 'leading', 1), note(4, 1, 'attempt', 2), note(6, 0, 'leading', 4), ...notes.slice(2)], 1), 'disturbed');
    assert.equal(failoverSplit(notes.slice(0, 5), 1), undefined, 'no commit by a new leader');
  });

  it('an unmeasured fail-over target is NOT met and says why', () => {
    const figures = (value: number | null) => ({ detector: 'chosen', trials: 5, thresholdMicroseconds: 750, withoutCatchUpTimesThreshold: value }) as never;
    const verdicts = muTargets({ shm: { commitP50VsWriteVerb: 1.5, multiPaxosP50VsMu: 6 }, tcp: { commitP50VsPingPong: 2, putP50VsPingPong: 2 }, failover: { shm: { chosen: figures(null), loadTolerant: figures(1.5) }, tcp: { chosen: figures(3), loadTolerant: figures(1) } } });
    assert.deepEqual(
      verdicts.map((verdict) => verdict.met),
      [true, true, false, true, false, false, true, true],
    );
    assert.match(verdicts[4].line, /not measured \(all 5 trials disturbed or failed\) NOT met/);
  });
});
