import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capturedMain } from './_capturedMain.js';

/**
 * Issue 12, item 4: traces and JSON outputs say which mnm and which trace
 * format wrote them; replay refuses another version instead of reporting a
 * difference; a real-backend run's trace is its journal, marked as not
 * replayable, and no replay command is printed for it.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

const mnm = capturedMain;

const scratch = mkdtempSync(join(tmpdir(), 'mnm-provenance-'));

describe('mnm provenance: versions in traces and JSON, replay across versions', () => {
  it('the trace header names the mnm version right after the format version', async () => {
    const file = join(scratch, 'a.jsonl');
    assert.equal((await mnm('run', 'register', '--seed', '2', '--trace', file)).code, 0);
    const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]);
    assert.deepEqual(Object.keys(header).slice(0, 3), ['type', 'version', 'mnmVersion']);
    assert.equal(header.version, 1);
    assert.equal(header.mnmVersion, packageVersion);
  });

  it('every --json output carries mnmVersion and traceVersion', async () => {
    const trace = join(scratch, 'for-check.jsonl');
    await mnm('run', 'register', '--seed', '3', '--trace', trace);
    const outputs: [string, string[]][] = [
      ['run', ['run', 'register', '--json']],
      ['sweep', ['sweep', 'register', '--seeds', '2', '--json']],
      ['check', ['check', trace, '--model', 'register', '--json']],
      ['replay', ['replay', trace, '--json']],
      ['mutants', ['mutants', '--json']],
    ];
    for (const [name, args] of outputs) {
      const { code, stdout } = await mnm(...args);
      assert.equal(code, 0, name);
      const json = JSON.parse(stdout);
      assert.equal(json.mnmVersion, packageVersion, name);
      assert.equal(json.traceVersion, 1, name);
    }
  });

  it('replay of a trace from another mnm or another format version says so, naming both (exit 2)', async () => {
    const file = join(scratch, 'original.jsonl');
    await mnm('run', 'register', '--seed', '5', '--trace', file);
    const [headerLine, ...rest] = readFileSync(file, 'utf8').split('\n');
    const header = JSON.parse(headerLine);
    const variant = (name: string, changed: Record<string, unknown>) => {
      const path = join(scratch, name);
      writeFileSync(path, [JSON.stringify({ ...header, ...changed }), ...rest].join('\n'));
      return path;
    };
    const cases: [string, RegExp][] = [
      [variant('other-mnm.jsonl', { mnmVersion: '0.0.1-elsewhere' }), new RegExp(`was written by mnm 0\\.0\\.1-elsewhere; this is mnm ${packageVersion.replace(/\./g, '\\.')}`)],
      [variant('other-format.jsonl', { version: 2 }), new RegExp(`is in trace format version 2; this mnm ${packageVersion.replace(/\./g, '\\.')} writes and replays format version 1`)],
      [variant('no-mnm.jsonl', { mnmVersion: undefined }), /written by an mnm that does not name its version/],
    ];
    for (const [path, expected] of cases) {
      const { code, stdout, stderr } = await mnm('replay', path);
      assert.equal(code, 2, `${path}: ${stdout}${stderr}`);
      assert.equal(stdout, '', path);
      assert.doesNotMatch(stderr, /DIFFERENT/);
      assert.match(stderr.trim(), expected, path);
    }
  });

  it('a real-backend run records its journal as a not-replayable trace and prints no replay command', async () => {
    const file = join(scratch, 'shm.jsonl');
    const run = await mnm('run', 'register', '--backend', 'shm', '--seed', '3', '--trace', file);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /replay: mnm run/);
    assert.match(run.stdout, /not replayable \(real backend\); same options on the simulator: mnm run register --seed 3 /);
    assert.doesNotMatch(run.stdout, /--backend/, 'the simulator command has no --backend');
    assert.match(run.stdout, /the operation journal \(\d+ events, wall-clock times; not replayable\) written to /);

    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines[0].type, 'header');
    assert.equal(lines[0].backend, 'shm');
    assert.equal(lines[0].replayable, false);
    assert.equal(lines[0].mnmVersion, packageVersion);
    const operations = lines.slice(1, -1);
    assert.ok(operations.length >= 60, `${operations.length} journal events (3 processes × 10 operations, a call and a return each)`);
    assert.ok(operations.every((event) => event.type.startsWith('op.')));
    assert.ok(operations.every((event, index) => index === 0 || event.t >= operations[index - 1].t), 'journal events in time order');
    assert.equal(lines.at(-1).type, 'end');

    const check = await mnm('check', file, '--model', 'register');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const replay = await mnm('replay', file);
    assert.equal(replay.code, 2);
    assert.match(replay.stderr, /recorded on backend 'shm' .*only simulator traces replay/);

    const json = JSON.parse((await mnm('run', 'register', '--backend', 'shm', '--json')).stdout);
    assert.equal(json.replay, null);
    assert.match(json.sameOptionsOnSimulator, /^mnm run register --seed 1 /);
    assert.doesNotMatch(json.sameOptionsOnSimulator, /--backend/);
  });
});
