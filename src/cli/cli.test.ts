import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capturedMain } from './_capturedMain.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const mnm = capturedMain;

const scratch = mkdtempSync(join(tmpdir(), 'mnm-cli-'));

describe('mnm CLI', () => {
  it('run --json prints exactly one JSON object with the documented fields', async () => {
    const { code, stdout } = await mnm('run', 'register', '--seed', '3', '--json');
    assert.equal(code, 0);
    assert.equal(stdout.trim().split('\n').length, 1);
    const result = JSON.parse(stdout);
    for (const field of ['protocol', 'seed', 'ok', 'violations', 'blocked', 'metrics', 'traceHash']) assert.ok(field in result, field);
    assert.equal(result.protocol, 'register');
    assert.equal(result.seed, 3);
    assert.equal(result.ok, true);
    assert.deepEqual(result.violations, []);
    assert.match(result.traceHash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.metrics.byFunction.read.delaysMedian, 2);
    assert.match(result.replay, /^mnm run register --seed 3 /);
  });

  it('the same run twice writes identical traces, and replay says so', async () => {
    const first = join(scratch, 'a.jsonl');
    const second = join(scratch, 'b.jsonl');
    assert.equal((await mnm('run', 'register', '--seed', '1', '--faults', 'all', '--latency', 'rdma', '--trace', first)).code, 0);
    assert.equal((await mnm('run', 'register', '--seed', '1', '--faults', 'all', '--latency', 'rdma', '--trace', second)).code, 0);
    assert.equal(readFileSync(first, 'utf8'), readFileSync(second, 'utf8'));
    const replay = await mnm('replay', first);
    assert.equal(replay.code, 0);
    assert.match(replay.stdout, /^identical: \d+ lines, sha256:/);
  });

  it('replay reports the first differing line of a tampered trace', async () => {
    const file = join(scratch, 'tampered.jsonl');
    await mnm('run', 'register', '--seed', '2', '--trace', file);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[5] = lines[5].replace('"t":', '"t":1000+');
    writeFileSync(file, lines.join('\n'));
    const replay = await mnm('replay', file, '--json');
    assert.equal(replay.code, 1);
    assert.equal(JSON.parse(replay.stdout).firstDifference.line, 6);
  });

  it('writes the history in the checker format', async () => {
    const file = join(scratch, 'history.jsonl');
    await mnm('run', 'register', '--seed', '4', '--history', file);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(events.length > 0);
    for (const event of events) {
      assert.deepEqual(Object.keys(event).slice(0, 4), ['process', 'type', 'f', 'value']);
      assert.ok(['invoke', 'ok', 'fail', 'info'].includes(event.type));
    }
    assert.ok(events.some((event) => event.f === 'write' && event.type === 'ok'));
  });

  it('exits 1 with the violation when a mutant breaks a property', async () => {
    let found = false;
    for (let seed = 1; seed <= 100 && !found; seed++) {
      const { code, stdout } = await mnm('run', 'register', '--seed', String(seed), '--latency', 'lan', '--mutant', 'minority-quorum', '--json');
      if (code === 1) {
        found = true;
        const result = JSON.parse(stdout);
        assert.equal(result.ok, false);
        assert.equal(result.violations[0].property, 'regularity');
      } else assert.equal(code, 0);
    }
    assert.ok(found);
  });

  it('sweep finds a mutant and its replay command reproduces the violation', async () => {
    const sweep = await mnm('sweep', 'register', '--seeds', '300', '--latency', 'lan', '--mutant', 'minority-quorum', '--stop', '--json');
    assert.equal(sweep.code, 1);
    const result = JSON.parse(sweep.stdout);
    assert.equal(result.violations, 1);
    assert.ok(result.firstViolation.seed >= 1);
    const replay = await mnm(...result.firstViolation.replay.split(' ').slice(1), '--json');
    assert.equal(replay.code, 1);
    assert.deepEqual(JSON.parse(replay.stdout).violations, result.firstViolation.violations);
  });

  it('sweep --mix draws each seed\'s configuration, and a failing seed\'s replay names every drawn value', async () => {
    const clean = await mnm('sweep', 'pmp', '--seeds', '20', '--mix', '--json');
    assert.equal(clean.code, 0);
    const summary = JSON.parse(clean.stdout);
    assert.equal(summary.mixed, true);
    assert.equal(summary.runs, 20);
    assert.equal(summary.violations, 0);
    const broken = await mnm('sweep', 'disk-paxos', '--seeds', '200', '--mix', '--mutant', 'no-final-read', '--stop', '--json');
    assert.equal(broken.code, 1);
    const { replay } = JSON.parse(broken.stdout).firstViolation;
    for (const flag of ['--latency', '--n', '--memories', '--faults', '--workload']) assert.ok(String(replay).includes(flag), `${flag} in ${replay}`);
    const again = await mnm(...String(replay).split(' ').slice(1), '--json');
    assert.equal(again.code, 1);
  });

  it('sweep of the correct register with every fault profile is clean', async () => {
    const sweep = await mnm('sweep', 'register', '--seeds', '300', '--faults', 'all', '--latency', 'rdma', '--json');
    assert.equal(sweep.code, 0, sweep.stdout);
    const result = JSON.parse(sweep.stdout);
    assert.equal(result.runs, 300);
    assert.equal(result.violations, 0);
    assert.equal(result.firstViolation, null);
  });

  it('mutants lists every mutant', async () => {
    const { code, stdout } = await mnm('mutants', '--json');
    assert.equal(code, 0);
    const rows = JSON.parse(stdout).mutants;
    assert.ok(rows.some((row: { protocol: string; mutant: string }) => row.protocol === 'register' && row.mutant === 'no-checksum'));
  });

  it('rejects bad arguments with exit 2 and one line saying what is accepted', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'nope'], /unknown protocol 'nope' \(accepted: register/],
      [['run', 'register', '--seed', 'x'], /--seed: expected a whole number, 0 or more, got 'x'\n/],
      [['run', 'register', '--seed', '-1'], /--seed: expected a whole number, 0 or more, got -1\n/],
      [['sweep', 'pmp', '--seeds', '3', '--skew', '-2.5'], /--skew: expected a number of time units, 0 or more, got -2\.5\n/],
      [['run', 'register', '--faults', 'bogus'], /accepted: none, crash, pause, net, all/],
      [['run', 'register', '--crash', 'q1'], /pN\[@TIME\] or mN\[@TIME\]/],
      [['run', 'register', '--crash', 'm9'], /no memory m9/],
      [['run', 'register', '--mutant', 'nope'], /no mutant 'nope' \(accepted: minority-quorum, no-checksum\)/],
      [['run', 'register', '--latency', 'fast'], /accepted: unit, rdma, lan/],
      [['run', 'register', '--n', '1'], /at least one reader/],
      [['run', 'register', '--bogus'], /Unknown option '--bogus'.*accepted/],
      [['run'], /expected one protocol/],
      [['replay', join(scratch, 'missing.jsonl')], /cannot read/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['sweep', 'register', '--seeds', '0'], /--seeds: expected a whole number from 1 to 100,000,000, got 0\n/],
      [['sweep', 'register', '--workers', '0'], /--workers: expected a whole number from 1 to 256, got 0\n/],
      [['sweep', 'register', '--shard', '2/2'], /--shard 2\/2: I is out of range \(accepted: 0\.\.1, counted from 0\)/],
      [['run', 'register', '--f', '1'], /sized by --memories/],
      [['run', 'pmp', '--tear', '2'], /--tear 2 is out of range \(accepted: a fraction in \(0, 1\]/],
      [['run', 'pmp', '--hold', 'p9 permission m2 until p2 note decide'], /no process p9 \(p0..p2\)/],
      [['run', 'pmp', '--hold', 'p0 jump m2 until p2 note decide'], /accepted/],
      [['run', 'pmp', '--latency', 'tail:1:2'], /tail:BASE:SLOW:P/],
      [['run', 'pmp', '--workload', 'calm'], /accepts mixed, stable, contention, storm/],
      [['sweep', 'pmp', '--seeds', '3', '--mix', '--backend', 'rdma'], /--backend: unknown value 'rdma' \(accepted: sim, shm, tcp\)/],
    ];
    for (const [args, expected] of cases) {
      const { code, stderr, stdout } = await mnm(...args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stdout, '', args.join(' '));
      assert.equal(stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, expected, args.join(' '));
    }
  });

  it('replay refuses a file that is not a trace', async () => {
    const file = join(scratch, 'not-a-trace.jsonl');
    writeFileSync(file, '{"hello": 1}\n');
    const { code, stderr } = await mnm('replay', file);
    assert.equal(code, 2);
    assert.match(stderr, /not a trace header/);
  });

  it('every command explains itself with an example', async () => {
    const overview = await mnm('--help');
    assert.equal(overview.code, 0);
    for (const command of ['tour', 'run', 'sweep', 'replay', 'mutants', 'bench']) {
      assert.match(overview.stdout, new RegExp(`\\b${command}\\b`));
      const help = await mnm(command, '--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout, /example/);
    }
  });

  it('the mnm binary runs as installed, without stack traces for user errors', () => {
    const bin = join(root, 'bin', 'mnm.js');
    const good = spawnSync(process.execPath, [bin, 'run', 'register', '--seed', '1', '--json'], { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
    assert.equal(JSON.parse(good.stdout).ok, true);
    const bad = spawnSync(process.execPath, [bin, 'run', 'register', '--n', 'many'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });

  it('table consensus measures 2 / 4 / 2 and every row reproduces by its seed', async () => {
    const { code, stdout } = await mnm('table', 'consensus', '--json');
    assert.equal(code, 0);
    const rows = JSON.parse(stdout).rows as Record<string, unknown>[];
    const delays = (algorithm: string, f: number, kase = 'stable-leader') => rows.find((row) => row.algorithm === algorithm && row.f === f && row.case === kase)?.delays;
    for (const f of [1, 2]) {
      assert.equal(delays('paxos', f), 2);
      assert.equal(delays('disk-paxos', f), 4);
      assert.equal(delays('disk-paxos-pipelined', f), 2);
      assert.equal(delays('pmp', f), 2);
      assert.ok((delays('pmp', f, 'new-leader') as number) > 2);
    }
    assert.ok(rows.every((row) => row.toleranceVerified === true));
    for (const row of rows.filter((_, index) => index % 3 === 0)) {
      const rerun = await mnm(...String(row.replay).split(' ').slice(1));
      assert.equal(JSON.parse(rerun.stdout).traceHash, row.traceHash, String(row.replay));
    }
  });
});
