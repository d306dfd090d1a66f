import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HistoryEvent } from '../../fabric/index.js';
import type { ResolvedOptions, Scenario } from '../../scenarios/index.js';
import { capturedMain } from '../_capturedMain.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const example = join(root, 'examples', 'scenario-counter.js');
const scratch = mkdtempSync(join(tmpdir(), 'mnm-scenario-'));

const mnm = capturedMain;

describe('mnm run --scenario FILE (a user scenario module)', () => {
  it('runs the example on the simulator, and its replay command runs it again identically', async () => {
    const first = await mnm('run', '--scenario', example, '--n', '4', '--faults', 'crash', '--seed', '3', '--json');
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assert.equal(report.protocol, 'counter');
    assert.equal(report.params.scenarioModule, pathToFileURL(example).href);
    assert.ok(report.faults.length > 0, 'seed 3 draws crashes');
    assert.match(report.replay, /^mnm run --scenario \S+scenario-counter\.js --seed 3 /);
    const again = await mnm(...report.replay.split(' ').slice(1), '--json');
    assert.equal(JSON.parse(again.stdout).traceHash, report.traceHash);
  });

  it("replays a user scenario's trace (the header names its module)", async () => {
    const trace = join(scratch, 'counter-trace.jsonl');
    const run = await mnm('run', '--scenario', example, '--seed', '5', '--trace', trace, '--json');
    assert.equal(run.code, 0, run.stderr);
    // In a fresh process, where only the trace header can say where the scenario lives.
    const replayed = spawnSync(process.execPath, [join(root, 'bin', 'mnm.js'), 'replay', trace, '--json'], { encoding: 'utf8' });
    assert.equal(replayed.status, 0, replayed.stderr);
    assert.equal(JSON.parse(replayed.stdout).identical, true);
  });

  it('runs it on the shm backend, where every worker loads the same module', async () => {
    const historyFile = join(scratch, 'shm-history.jsonl');
    const { code, stdout, stderr } = await mnm('run', '--scenario', example, '--backend', 'shm', '--n', '3', '--ops', '4', '--history', historyFile, '--json');
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.end, 'done');
    assert.equal(report.details.backend, 'shm');
    // Every process's adds are in the history: the workers built their bodies from the user's module.
    const returns = readFileSync(historyFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { process: number; type: string; value: number }).filter((event) => event.type === 'ok');
    assert.deepEqual([...new Set(returns.map((event) => event.process))].sort(), [0, 1, 2]);
    assert.deepEqual(returns.map((event) => event.value).sort((a, b) => a - b), Array.from({ length: 12 }, (_, index) => index));
  });

  it('sweeps it with mixed configurations', async () => {
    const { code, stdout } = await mnm('sweep', '--scenario', example, '--seeds', '30', '--mix', '--json');
    assert.equal(code, 0);
    const summary = JSON.parse(stdout);
    assert.equal(summary.protocol, 'counter');
    assert.equal(summary.runs, 30);
    assert.equal(summary.violations, 0);
  });

  it("the example's check can fail: duplicate or impossible previous values are violations", async () => {
    const scenario = ((await import(pathToFileURL(example).href)) as { default: Scenario }).default;
    const event = (process: number, type: HistoryEvent['type'], value: number): HistoryEvent => ({ process, type, f: 'add', value, time: 0, op: 0 });
    const options = { n: 2, memories: 1, ops: 1 } as ResolvedOptions;
    assert.deepEqual(scenario.check([event(0, 'invoke', 1), event(1, 'invoke', 1), event(0, 'ok', 0), event(1, 'ok', 1)], options, []), []);
    assert.equal(scenario.check([event(0, 'invoke', 1), event(1, 'invoke', 1), event(0, 'ok', 0), event(1, 'ok', 0)], options, []).length, 1);
    assert.equal(scenario.check([event(0, 'invoke', 1), event(0, 'ok', 5)], options, []).length, 1);
  });

  it('refuses a missing file, a module without a scenario and a scenario without its required fields, in one line each (exit 2)', async () => {
    const none = join(scratch, 'none.js');
    writeFileSync(none, 'export const unrelated = 1;\n');
    const half = join(scratch, 'half.js');
    writeFileSync(half, "export const scenario = { name: 'half', defaults: { n: 2, memories: 0, ops: 1 }, body: () => undefined };\n");
    const cases: [string[], RegExp][] = [
      [['run', '--scenario', join(scratch, 'missing.js')], /^mnm run: --scenario \S+missing\.js: no such file/],
      [['run', '--scenario', none], /the module exports no scenario \(accepted: a default export or a named export 'scenario'/],
      [['sweep', '--scenario', half, '--seeds', '2'], /the scenario lacks 'tolerance', 'regions', 'check' \(required: name, defaults, tolerance, regions, body, check/],
      [['run', 'pmp', '--scenario', example], /runs its scenario 'counter': give no protocol, or 'counter' \(got pmp\)/],
    ];
    for (const [args, expected] of cases) {
      const { code, stderr } = await mnm(...args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, expected);
    }
  });
});

describe('mnm run/sweep --skew T --drift PPM', () => {
  it('refuses negative, non-numeric and impossible bounds in one line (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'register', '--skew=-1'], /^mnm run: --skew: expected a number of time units, 0 or more, got -1$/],
      [['run', 'register', '--skew', '-1'], /^mnm run: --skew: expected a number of time units, 0 or more, got -1$/],
      [['run', 'register', '--drift', 'fast'], /^mnm run: --drift: expected a number of parts per million, 0 or more, got 'fast'$/],
      [['sweep', 'register', '--seeds', '2', '--skew', 'x'], /^mnm sweep: --skew: expected a number of time units, 0 or more, got 'x'$/],
      [['run', 'register', '--drift', '1000000'], /--drift 1000000 is out of range \(accepted: parts per million in \[0, 1000000\)/],
    ];
    for (const [args, expected] of cases) {
      const { code, stderr } = await mnm(...args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr.trim(), expected);
    }
  });

  it('records the bounds in the report and the replay command, and sweeps with them', async () => {
    const { code, stdout } = await mnm('run', 'pmp', '--skew', '2.5', '--drift', '50', '--json');
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.deepEqual([report.params.skew, report.params.drift], [2.5, 50]);
    assert.match(report.replay, / --skew 2\.5 --drift 50( |$)/);
    const clocks = await mnm('run', 'register', '--faults', 'clocks');
    assert.match(clocks.stdout, /faults=clocks skew=10 drift=100ppm/);
    const sweep = await mnm('sweep', 'register', '--seeds', '3', '--faults', 'clocks', '--json');
    assert.equal(JSON.parse(sweep.stdout).violations, 0);
  });
});
