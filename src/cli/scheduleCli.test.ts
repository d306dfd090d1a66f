import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capturedMain } from './_capturedMain.js';

const mnm = capturedMain;

/** A schedule whose runs are short (a few hundred time units): the CLI's plumbing is what is under test here. */
const schedule = 'no-dedupe';

describe('mnm run|sweep bft --schedule', () => {
  it('sweeps a §6 schedule over seeds: the mutant is caught in each, its replay names the schedule and fails again; correct code is clean', async () => {
    const broken = await mnm('sweep', 'bft', '--schedule', schedule, '--mutant', schedule, '--seeds', '2', '--workers', '1', '--json');
    assert.equal(broken.code, 1, broken.stderr);
    const result = JSON.parse(broken.stdout);
    assert.equal(result.runs, 2);
    assert.equal(result.violations, 2);
    const replay = String(result.firstViolation.replay);
    assert.match(replay, new RegExp(`^mnm run bft --schedule ${schedule} --seed 1 `));
    const again = await mnm(...replay.split(' ').slice(1), '--json');
    assert.equal(again.code, 1, again.stdout);
    const correct = await mnm('sweep', 'bft', '--schedule', schedule, '--seeds', '2', '--workers', '1', '--json');
    assert.equal(correct.code, 0, correct.stdout);
    assert.equal(JSON.parse(correct.stdout).violations, 0);
  });

  it('a bft mutant sweep without a violation names the mutant\'s schedule on stderr', async () => {
    const { code, stdout, stderr } = await mnm('sweep', 'bft', '--mutant', schedule, '--seeds', '1', '--ops', '1', '--faults', 'none', '--workers', '1', '--json');
    assert.equal(code, 0, stdout);
    assert.equal(JSON.parse(stdout).violations, 0);
    assert.match(stderr, new RegExp(`its §6 interleaving is a schedule: mnm sweep bft --schedule ${schedule} --mutant ${schedule}`));
  });

  it('refuses what a schedule cannot take, in one line with what is accepted (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'bft', '--schedule', 'nope'], /--schedule: no schedule 'nope' \(accepted: .*no-dedupe/],
      [['run', 'cb', '--schedule', schedule], /--schedule: only bft has scripted schedules, not cb/],
      [['run', 'bft', '--schedule', schedule, '--backend', 'shm'], /--schedule runs on the simulator only/],
      [['sweep', 'bft', '--schedule', schedule, '--mix'], /--schedule fixes the run it scripts: sweep it over seeds without --mix/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await mnm(...args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
    }
  });

  it('mnm mutants names the schedule of each bft mutant that has one', async () => {
    const { code, stdout } = await mnm('mutants', '--json');
    assert.equal(code, 0);
    const rows: { protocol: string; mutant: string; schedule: string | null }[] = JSON.parse(stdout).mutants;
    assert.equal(rows.find((row) => row.protocol === 'bft' && row.mutant === schedule)?.schedule, schedule);
    assert.ok(rows.filter((row) => row.protocol !== 'bft').every((row) => row.schedule === null));
  });
});
