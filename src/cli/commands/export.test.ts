import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capturedMain } from '../_capturedMain.js';
import { shivizRegex } from '../../trace/exports/shiviz.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mnm-export-'));
const trace = join(scratch, 'a.jsonl');

describe('mnm export', () => {
  before(async () => {
    assert.equal((await capturedMain('run', 'register', '--seed', '7', '--trace', trace)).code, 0);
  });

  it('--format perfetto writes Chrome trace JSON to stdout, and the same to --out', async () => {
    const printed = await capturedMain('export', '--format', 'perfetto', trace);
    assert.equal(printed.code, 0, printed.stderr);
    const chrome = JSON.parse(printed.stdout) as { traceEvents: { ph: string; cat?: string }[] };
    const verbs = readFileSync(trace, 'utf8').split('\n').filter((line) => line.includes('"type":"verb.issue"')).length;
    assert.ok(verbs > 0);
    assert.equal(chrome.traceEvents.filter((event) => event.ph === 'X' && event.cat === 'verb').length, verbs);
    const out = join(scratch, 'a.json');
    const written = await capturedMain('export', '--format', 'perfetto', trace, '--out', out);
    assert.equal(written.code, 0);
    assert.equal(written.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), printed.stdout);
  });

  it('--format shiviz starts with the parser regex', async () => {
    const { code, stdout } = await capturedMain('export', '--format', 'shiviz', trace);
    assert.equal(code, 0);
    assert.deepEqual(stdout.split('\n').slice(0, 2), [shivizRegex, '']);
    assert.match(stdout.split('\n')[2], /^p\d+ \{"p\d+":1\}$/);
  });

  const history = join(scratch, 'history.jsonl');
  const bad: [string, () => string[], RegExp][] = [
    ['an unknown format', () => ['--format', 'svg', trace], /--format: unknown value 'svg' \(accepted: perfetto, shiviz\)/],
    ['no format', () => [trace], /--format is required \(accepted: perfetto, shiviz\)/],
    ['no file', () => ['--format', 'perfetto'], /expected one trace file/],
    ['a missing file', () => ['--format', 'shiviz', join(scratch, 'missing.jsonl')], /cannot read '.*missing\.jsonl': no such file/],
    ['a history, not a trace', () => ['--format', 'perfetto', history], /history\.jsonl' is not a trace \(docs\/trace\.md\): line 1: not a trace header/],
    ['an unwritable --out', () => ['--format', 'perfetto', trace, '--out', join(scratch, 'no', 'dir.json')], /--out: cannot write .* does not exist/],
  ];
  for (const [what, args, message] of bad) {
    it(`exits 2 with one line for ${what}`, async () => {
      writeFileSync(history, '{"process":0,"type":"invoke","f":"read","value":null}\n');
      const { code, stdout, stderr } = await capturedMain('export', ...args());
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    });
  }

  it('the installed binary exports to stdout, and refuses a non-trace without a stack trace', () => {
    const bin = join(root, 'bin', 'mnm.js');
    const good = spawnSync(process.execPath, [bin, 'export', '--format', 'shiviz', trace], { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
    assert.ok(good.stdout.startsWith(`${shivizRegex}\n\n`));
    const bad = spawnSync(process.execPath, [bin, 'export', '--format', 'perfetto', join(root, 'package.json')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /package\.json' is not a trace/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });

  it('--help shows an example', async () => {
    const { code, stdout } = await capturedMain('export', '--help');
    assert.equal(code, 0);
    assert.match(stdout, /mnm run register --seed 7 --trace a\.jsonl && mnm export --format perfetto a\.jsonl --out a\.json/);
  });
});
