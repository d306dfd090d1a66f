import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './main.js';
import type { CommandIO } from './command.js';

/**
 * Issue 12, item 3: files named on the command line and numbers. Output
 * paths are checked before the run, `-` is stdin or stdout, numbers are
 * refused with their accepted range in words, and an I/O error is one line
 * and exit 2, never a stack trace.
 */

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function mnm(args: string[], extra: Partial<CommandIO> = {}): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), stderrIsTerminal: false, ...extra };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Exit 2, nothing on stdout, one line on stderr matching `expected`. */
function assertRefused(outcome: Outcome, expected: RegExp, what: string): void {
  assert.equal(outcome.code, 2, `${what}: ${outcome.stderr}`);
  assert.equal(outcome.stdout, '', what);
  assert.equal(outcome.stderr.trim().split('\n').length, 1, `${what}: ${outcome.stderr}`);
  assert.doesNotMatch(outcome.stderr, /\n\s+at /, what);
  assert.match(outcome.stderr.trimEnd(), expected, what);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mnm-io-'));

/** A user scenario that counts how often its bodies are built: zero means the run never started. */
const countingScenario = join(scratch, 'counting.js');
writeFileSync(
  countingScenario,
  `export default {
  name: 'counting',
  defaults: { n: 1, memories: 1, ops: 1 },
  tolerance: () => ({ processes: 0, memories: 0 }),
  regions: () => [{ name: 'cell', size: 8, policy: 'open' }],
  body: () => {
    globalThis.countingBodiesBuilt = (globalThis.countingBodiesBuilt ?? 0) + 1;
    return async (fabric) => {
      const operation = fabric.history.invoke('add', 1);
      await fabric.faa({ memory: 0, region: 'cell', offset: 0 }, 1n);
      fabric.history.ok(operation, 0);
    };
  },
  check: () => [],
};
`,
);
const bodiesBuilt = () => (globalThis as { countingBodiesBuilt?: number }).countingBodiesBuilt ?? 0;

describe('mnm files: output paths checked first, - for stdin/stdout, I/O errors in one line', () => {
  it('refuses an unwritable --trace or --history before the run starts (exit 2, one line)', async () => {
    const aFile = join(scratch, 'plain.txt');
    writeFileSync(aFile, 'x');
    const before = bodiesBuilt();
    const cases: [string[], RegExp][] = [
      [['--trace', '/nonexistent/dir/a.jsonl'], /^mnm run: --trace: cannot write '\/nonexistent\/dir\/a\.jsonl': directory '\/nonexistent\/dir' does not exist \(accepted: .*- for stdout\)$/],
      [['--history', '/nonexistent/dir/h.jsonl'], /^mnm run: --history: cannot write .*does not exist/],
      [['--trace', scratch], /--trace: cannot write '.*': it is a directory/],
      [['--history', join(aFile, 'h.jsonl')], /--history: cannot write .*(not a directory|ENOTDIR)/],
      [['--trace=', '--history', join(scratch, 'h.jsonl')], /--trace: cannot write '': the path is empty/],
      [['--trace', '-', '--history', '-'], /--trace - and --history - would both write to stdout/],
    ];
    for (const [extra, expected] of cases) assertRefused(await mnm(['run', '--scenario', countingScenario, ...extra]), expected, extra.join(' '));
    assert.equal(bodiesBuilt(), before, 'no run started');
    assert.equal(existsSync(join(scratch, 'h.jsonl')), false);
  });

  it('--trace - writes the trace to stdout and the summary to stderr; --history - the history', async () => {
    const traced = await mnm(['run', 'register', '--seed', '4', '--trace', '-']);
    assert.equal(traced.code, 0, traced.stderr);
    const lines = traced.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines[0].type, 'header');
    assert.equal(lines.at(-1).type, 'end');
    assert.match(traced.stderr, /^mnm run register {2}seed 4/);
    assert.match(traced.stderr, /PASSED {3}replay: mnm run register --seed 4 /);
    assert.equal(existsSync('-'), false, 'no file named -');
    const file = join(scratch, 'same.jsonl');
    await mnm(['run', 'register', '--seed', '4', '--trace', file]);
    assert.equal(traced.stdout, readFileSync(file, 'utf8'), 'stdout carries exactly the trace file');

    const history = await mnm(['run', 'register', '--seed', '4', '--history', '-', '--json']);
    assert.equal(history.code, 0);
    assert.ok(history.stdout.trim().split('\n').every((line) => ['invoke', 'ok'].includes(JSON.parse(line).type)));
    assert.equal(JSON.parse(history.stderr).seed, 4, 'the JSON report goes to stderr when stdout carries the history');
  });

  it('mnm check - and mnm replay - read standard input', async () => {
    const file = join(scratch, 'stdin.jsonl');
    await mnm(['run', 'register', '--seed', '6', '--trace', file]);
    const text = readFileSync(file, 'utf8');
    const check = await mnm(['check', '-', '--model', 'register'], { readStdin: () => text });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^-: linearizable \(register, trace, 30 operations/);
    const replay = await mnm(['replay', '-'], { readStdin: () => text });
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, /^identical: /);
    assertRefused(await mnm(['replay', '-'], { readStdin: () => '{"hello":1}\n' }), /'standard input' line 1 is not a trace header/, 'replay of a non-trace on stdin');
  });

  it('an unreadable input is one line with the reason (exit 2)', async () => {
    // (A directory is an input now: the per-node histories of a cluster run. A path through a file is not.)
    const notADirectory = join(scratch, 'plain-file');
    writeFileSync(notADirectory, 'x');
    assertRefused(await mnm(['check', join(notADirectory, 'h.jsonl'), '--model', 'register']), new RegExp(`^mnm check: cannot read '${notADirectory}/h\\.jsonl': .*\\(ENOTDIR\\)$`), 'check a path through a file');
    assertRefused(await mnm(['replay', join(scratch, 'missing.jsonl')]), /^mnm replay: cannot read '.*missing\.jsonl': no such file or directory \(ENOENT\)$/, 'replay a missing file');
  });

  it('a write that fails after the run (a full disk) is one line, exit 2', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
    assertRefused(await mnm(['run', 'register', '--trace', '/dev/full']), /^mnm run: --trace: cannot write '\/dev\/full': no space left on the device \(ENOSPC\)$/, 'trace to /dev/full');
    // stdout itself on a full disk: the installed command, its stdout redirected there.
    const full = openSync('/dev/full', 'w');
    try {
      const redirected = spawnSync(process.execPath, [join(root, 'bin', 'mnm.js'), 'mutants'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      assert.equal(redirected.status, 2, redirected.stderr);
      assert.equal(redirected.stderr, 'mnm: cannot write to stdout: no space left on the device (ENOSPC)\n');
    } finally {
      closeSync(full);
    }
  });

  it('main turns a system error nobody caught into one line and exit 2', async () => {
    const brokenPipe = Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE', syscall: 'write' });
    const outcome = await mnm(['mutants'], {
      stdout: () => {
        throw brokenPipe;
      },
    });
    assert.equal(outcome.code, 2);
    assert.equal(outcome.stderr, 'mnm mutants: write failed: the reader closed the pipe (EPIPE)\n');
    // Other errors are bugs and keep their stack trace.
    await assert.rejects(
      mnm(['mutants'], {
        stdout: () => {
          throw new TypeError('a bug');
        },
      }),
      /a bug/,
    );
  });
});

describe('mnm numbers: every numeric option says what it accepts, in words', () => {
  it('refuses bad numbers in one line: the option, the range in words, what it got', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'register', '--horizon=-1'], /^mnm run: --horizon: expected a positive number of time units, got -1$/],
      [['run', 'register', '--horizon', '0'], /--horizon: expected a positive number of time units, got 0$/],
      [['run', 'register', '--horizon', 'soon'], /--horizon: expected a positive number of time units, got 'soon'$/],
      [['run', 'register', '--seed', '1.5'], /--seed: expected a whole number, 0 or more, got 1\.5$/],
      [['run', 'register', '--seed', '-3'], /--seed: expected a whole number, 0 or more, got -3$/],
      [['run', 'register', '--n', '0'], /--n: expected a whole number of processes from 1 to 1,024, got 0$/],
      [['run', 'register', '--memories', '2000'], /--memories: expected a whole number of memories from 0 to 1,024, got 2000$/],
      [['run', 'register', '--ops', '0'], /--ops: expected a whole number of operations from 1 to 1,000,000, got 0$/],
      [['run', 'pmp', '--f', '-1'], /--f: expected a whole number of tolerated faults from 0 to 64, got -1$/],
      [['run', 'pmp', '--tear', '0'], /--tear: expected a positive number, got 0$/],
      [['run', 'register', '--skew', '-1'], /--skew: expected a number of time units, 0 or more, got -1$/],
      [['run', 'register', '--drift', 'NaN'], /--drift: expected a number of parts per million, 0 or more, got 'NaN'$/],
      [['sweep', 'register', '--seeds', '1e9'], /--seeds: expected a whole number from 1 to 100,000,000, got 1e9$/],
      [['sweep', 'register', '--seeds', '2', '--first-seed', '-1'], /--first-seed: expected a whole number, 0 or more, got -1$/],
      [['check', '-', '--model', 'register', '--timeout', '-5'], /--timeout: expected a number of seconds, 0 or more, got -5$/],
    ];
    for (const [args, expected] of cases) assertRefused(await mnm(args), expected, args.join(' '));
  });
});
