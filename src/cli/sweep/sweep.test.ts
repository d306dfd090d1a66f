import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandIO } from '../command.js';
import { main } from '../main.js';
import { interruptedExitCode } from './interrupt.js';
import { parseShard, shardSlice } from './seedSlice.js';
import { addOutcome, emptyTally, sortedByProperty } from './sweepTally.js';
import { textFailuresShown } from './sweepReport.js';
import type { SeedOutcome } from './seedRun.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mnm-sweep-'));

async function mnm(args: string[], stderrIsTerminal = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), stderrIsTerminal };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A sweep's JSON without what depends on the machine and the run (time, threads). */
function withoutTiming(stdout: string): Record<string, unknown> {
  const { elapsedMs, workers, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(typeof elapsedMs, 'number');
  assert.equal(typeof workers, 'number');
  return rest;
}

// The register with a minority quorum fails on about one seed in five (latency uniform:0.5:6): a range with many failing seeds.
const mutantSweep = ['sweep', 'register', '--latency', 'uniform:0.5:6', '--mutant', 'minority-quorum', '--first-seed', '3', '--seeds', '120', '--json'];

describe('sweep seed slices (--shard I/N)', () => {
  it('the slices of 0/N … N-1/N are contiguous, disjoint and together exactly the range', () => {
    for (const [count, of] of [[10, 3], [7, 7], [3, 5], [1000, 8], [1, 1]]) {
      const range = { first: 5, count };
      let next = range.first;
      for (let index = 0; index < of; index++) {
        const slice = shardSlice(range, { index, of });
        assert.equal(slice.first, next, `slice ${index}/${of} of ${count} starts where the previous ended`);
        assert.ok(slice.count >= Math.floor(count / of) && slice.count <= Math.ceil(count / of));
        next += slice.count;
      }
      assert.equal(next, range.first + count, `the slices of ${count} seeds in ${of} end at the range's end`);
    }
  });

  it('parses I/N counted from 0 and refuses the rest with what is accepted', () => {
    assert.deepEqual(parseShard('3/8'), { index: 3, of: 8 });
    assert.throws(() => parseShard('8/8'), /I is out of range \(accepted: 0..7, counted from 0\)/);
    assert.throws(() => parseShard('1/0'), /N is out of range/);
    assert.throws(() => parseShard('half'), /is not I\/N/);
  });
});

describe('sweep tally', () => {
  it('does not depend on the order in which seeds finished, and keeps the lowest failing seeds', () => {
    const outcome = (seed: number): SeedOutcome =>
      seed % 3 === 0
        ? { seed, ok: false, blocked: false, failure: { seed, replay: `mnm run x --seed ${seed}`, violations: [{ property: seed % 2 === 0 ? 'b-property' : 'a-property', detail: 'd' }] } }
        : { seed, ok: true, blocked: seed % 5 === 0 };
    const seeds = Array.from({ length: 40 }, (_, index) => index + 1);
    const ascending = emptyTally(4);
    const descending = emptyTally(4);
    for (const seed of seeds) addOutcome(ascending, outcome(seed));
    for (const seed of [...seeds].reverse()) addOutcome(descending, outcome(seed));
    assert.deepEqual(JSON.stringify({ ...descending, byProperty: sortedByProperty(descending) }), JSON.stringify({ ...ascending, byProperty: sortedByProperty(ascending) }));
    assert.deepEqual(descending.failures.map((failure) => failure.seed), [3, 6, 9, 12]);
    assert.equal(descending.violations, 13);
    assert.equal(descending.blocked, 6);
  });
});

describe('mnm sweep on worker threads', () => {
  it('2 workers print the same JSON as 1 (violations, failing seeds, replay commands), and every failing seed replays', async () => {
    const one = await mnm([...mutantSweep, '--workers', '1']);
    const two = await mnm([...mutantSweep, '--workers', '2']);
    assert.equal(one.code, 1);
    assert.equal(two.code, 1);
    assert.equal(JSON.parse(two.stdout).workers, 2);
    const summary = withoutTiming(one.stdout);
    assert.deepEqual(withoutTiming(two.stdout), summary);
    const failures = summary.failures as { seed: number; replay: string; violations: unknown[] }[];
    assert.ok(failures.length > 2, `a range with several failing seeds (${failures.length})`);
    assert.equal(failures.length, summary.violations);
    assert.deepEqual(failures.map((failure) => failure.seed), [...failures.map((failure) => failure.seed)].sort((a, b) => a - b));
    assert.deepEqual(summary.firstViolation, failures[0]);
    const last = failures[failures.length - 1];
    const replay = await mnm([...last.replay.split(' ').slice(1), '--json']);
    assert.equal(replay.code, 1);
    assert.deepEqual(JSON.parse(replay.stdout).violations, last.violations);
  });

  it('--stop with 2 workers stops at the same seed as with 1, and counts the same seeds', async () => {
    const one = await mnm([...mutantSweep, '--stop', '--workers', '1']);
    const two = await mnm([...mutantSweep, '--stop', '--workers', '2']);
    assert.equal(two.code, 1);
    const summary = withoutTiming(one.stdout);
    assert.deepEqual(withoutTiming(two.stdout), summary);
    assert.equal(summary.violations, 1);
    assert.equal(summary.stoppedAt, (summary.firstViolation as { seed: number }).seed);
    assert.equal(summary.runs, (summary.stoppedAt as number) - 3 + 1);
  });

  it('--json lists at most --max-failures failing seeds (the lowest), and the text lists them with their replay commands', async () => {
    const capped = await mnm([...mutantSweep, '--max-failures', '2']);
    const all = JSON.parse((await mnm(mutantSweep)).stdout) as { failures: { seed: number; replay: string }[] };
    assert.deepEqual(JSON.parse(capped.stdout).failures, all.failures.slice(0, 2));
    const text = await mnm(mutantSweep.filter((arg) => arg !== '--json'));
    assert.ok(all.failures.length > textFailuresShown, 'more failing seeds than the text shows');
    assert.ok(text.stdout.includes(`failing seeds (lowest ${textFailuresShown} of ${all.failures.length}; --json lists up to 100):\n`), text.stdout);
    for (const [index, failure] of all.failures.entries()) assert.equal(text.stdout.includes(`    ${failure.replay}\n`), index < textFailuresShown, `text lists seed ${failure.seed}'s replay iff it is among the lowest ${textFailuresShown}`);
  });

  it('a user scenario module runs in the workers too, with the same failing seeds', async () => {
    const module = join(scratch, 'probe.js');
    // Fails exactly on the seeds divisible by 3, so the expected failures are known.
    writeFileSync(
      module,
      `export default {
  name: 'sweep-probe', defaults: { n: 2, memories: 1, ops: 2 },
  tolerance: (options) => ({ processes: options.n - 1, memories: 0 }),
  regions: () => [{ name: 'cell', size: 8, policy: 'open' }],
  body: () => async (fabric) => { await fabric.faa({ memory: 0, region: 'cell', offset: 0 }, 1n); },
  check: (history, options) => (options.seed % 3 === 0 ? [{ property: 'probe', detail: 'seed ' + options.seed }] : []),
};
`,
    );
    const args = ['sweep', '--scenario', module, '--seeds', '12', '--json'];
    const one = await mnm([...args, '--workers', '1']);
    const two = await mnm([...args, '--workers', '2']);
    assert.equal(two.code, 1, two.stderr);
    assert.deepEqual(withoutTiming(two.stdout), withoutTiming(one.stdout));
    const failures = JSON.parse(two.stdout).failures as { seed: number; replay: string }[];
    assert.deepEqual(failures.map((failure) => failure.seed), [3, 6, 9, 12]);
    assert.ok(failures[0].replay.includes(`--scenario ${module}`), failures[0].replay);
  });

  it('runs 100 seeds on the machine\'s cores when --seeds and --workers are not given', async () => {
    const result = await mnm(['sweep', 'register', '--json']);
    assert.equal(result.code, 0);
    assert.equal(JSON.parse(result.stdout).runs, 100);
    assert.equal(JSON.parse(result.stdout).workers, Math.min(availableParallelism(), 100));
  });
});

describe('mnm sweep --shard and merge', () => {
  it('the merged shards print what the unsharded sweep prints', async () => {
    const whole = await mnm([...mutantSweep, '--workers', '1']);
    const files: string[] = [];
    let runs = 0;
    for (let index = 0; index < 3; index++) {
      const shard = await mnm([...mutantSweep, '--shard', `${index}/3`, '--workers', '2']);
      assert.ok(shard.code === 0 || shard.code === 1, shard.stderr);
      runs += JSON.parse(shard.stdout).runs as number;
      files.push(join(scratch, `shard-${index}.json`));
      writeFileSync(files[index], shard.stdout);
    }
    assert.equal(runs, 120);
    const merged = await mnm(['sweep', 'merge', files[2], files[0], files[1], '--json']);
    assert.equal(merged.code, 1, merged.stderr);
    assert.deepEqual(withoutTiming(merged.stdout), withoutTiming(whole.stdout));
    const text = await mnm(['sweep', 'merge', ...files]);
    assert.match(text.stdout, /^sweep register: 120 runs \(seeds 3\.\.122\)/);
  });

  it('refuses overlapping shards, another protocol or options, missing shards and non-sweep input (exit 2, one line)', async () => {
    const shardOf = async (args: string[], name: string): Promise<string> => {
      const file = join(scratch, name);
      writeFileSync(file, (await mnm(args)).stdout);
      return file;
    };
    const first = await shardOf(['sweep', 'register', '--seeds', '20', '--shard', '0/2', '--json'], 'r0.json');
    const second = await shardOf(['sweep', 'register', '--seeds', '20', '--shard', '1/2', '--json'], 'r1.json');
    const otherProtocol = await shardOf(['sweep', 'pmp', '--seeds', '20', '--shard', '1/2', '--json'], 'p1.json');
    const otherOptions = await shardOf(['sweep', 'register', '--seeds', '20', '--shard', '1/2', '--latency', 'lan', '--json'], 'l1.json');
    const edited = (name: string, change: Record<string, unknown>): string => {
      const file = join(scratch, name);
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(second, 'utf8')), ...change }));
      return file;
    };
    const interrupted = edited('interrupted.json', { interrupted: true, runs: 4 });
    const stopped = edited('stopped.json', { stoppedAt: 14, runs: 4 });
    const short = edited('short.json', { runs: 9 });
    const otherVersion = edited('other-version.json', { mnmVersion: '0.0.0-other' });
    const notSweep = join(scratch, 'not-sweep.json');
    writeFileSync(notSweep, '{"protocol":"register"}\n');
    const cases: [string[], RegExp][] = [
      [[first, first], /both hold shard 0\/2 \(overlapping seeds 1\.\.10\)/],
      [[first, otherProtocol], /sweeps pmp, but .* sweeps register/],
      [[first, otherOptions], /with different options/],
      [[second], /missing shard 0\/2/],
      [[first, notSweep], /not a sweep's JSON/],
      [[first, interrupted], /interrupted\.json was interrupted after 4 of 10 runs/],
      [[first, stopped], /stopped at seed 14 \(--stop\) before the end of its seeds 11\.\.20/],
      [[first, short], /short\.json ran 9 of its 10 seeds 11\.\.20/],
      [[first, otherVersion], /other-version\.json was written by mnm 0\.0\.0-other, .*r0\.json by mnm \d/],
      [[join(scratch, 'absent.json')], /cannot read/],
    ];
    for (const [files, message] of cases) {
      const result = await mnm(['sweep', 'merge', ...files]);
      assert.equal(result.code, 2, files.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    }
    assert.equal((await mnm(['sweep', 'merge', first, second])).code, 0);
  });
});

describe('mnm sweep interrupted', () => {
  it('SIGINT stops a child sweep: one JSON object with "interrupted": true and the failing seeds so far, exit 130', async () => {
    const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'sweep', 'register', '--latency', 'lan', '--mutant', 'minority-quorum', '--seeds', '1000000', '--workers', '2', '--progress', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => void (stdout += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Interrupt once the progress shows a violation found: the partial summary then has something to say.
    await new Promise<void>((done) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (/\d+ violating/.test(stderr)) done();
      });
    });
    child.kill('SIGINT');
    assert.equal(await exited, interruptedExitCode);
    assert.equal(stdout.trim().split('\n').length, 1, 'one JSON object');
    const summary = JSON.parse(stdout);
    assert.equal(summary.interrupted, true);
    assert.ok(summary.runs > 0 && summary.runs < 1_000_000);
    assert.ok(summary.violations > 0);
    assert.equal(summary.failures.length, Math.min(summary.violations, 100));
    for (const failure of summary.failures) assert.match(failure.replay, new RegExp(`^mnm run register --seed ${failure.seed} `));
  });

  it('an interrupt clears the progress line and prints the partial summary in words', async () => {
    // The signal's listener is what a real SIGINT calls; emitting it here interrupts the sweep in this process.
    const running = mnm(['sweep', 'register', '--seeds', '1000000', '--workers', '1'], true);
    await new Promise((done) => setTimeout(done, 300));
    process.emit('SIGINT', 'SIGINT');
    const result = await running;
    assert.equal(result.code, interruptedExitCode);
    assert.ok(result.stderr.includes('\r'), 'a progress bar was drawn');
    assert.match(result.stderr, /\r {79}\r$/, 'and cleared at the end');
    assert.match(result.stdout, /^sweep register: (\d+) runs \(\1 of seeds 1\.\.1000000 finished\)/);
    assert.match(result.stdout, /INTERRUPTED \(SIGINT\): partial summary; no violation so far\n$/);
  });
});

describe('sweeps on a real backend (--backend shm|tcp)', () => {
  it('runs each seed for real with faults the backend injects, and reports the backend', async () => {
    const { code, stdout, stderr } = await mnm(['sweep', 'mu', '--backend', 'shm', '--seeds', '3', '--mix', '--json']);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout) as { runs: number; violations: number; workers: number; plan: { base: { backend: string } } };
    assert.equal(summary.runs, 3);
    assert.equal(summary.violations, 0);
    assert.equal(summary.workers, 1, 'real runs go one at a time unless --workers says otherwise');
    assert.equal(summary.plan.base.backend, 'shm');
  });

  it('a mixed draw the backend cannot inject becomes crashes; an explicit one is refused in one line', async () => {
    const { seedOptions, sweepPlanOf } = await import('./seedRun.js');
    const plan = sweepPlanOf({ protocol: 'mu', seed: 1, latency: 'unit', faults: 'crash', backend: 'tcp' }, {});
    for (let seed = 1; seed <= 40; seed++) {
      const options = seedOptions(plan, seed);
      assert.ok(['none', 'crash', 'clocks'].includes(options.faults as string), `seed ${seed}: ${options.faults}`);
      assert.equal(options.latency, 'unit');
      assert.equal(options.tear, undefined);
    }
    const refused = await mnm(['sweep', 'mu', '--backend', 'shm', '--faults', 'pause', '--seeds', '2']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /accepted with --backend shm: none, crash, clocks/);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
  });
});
