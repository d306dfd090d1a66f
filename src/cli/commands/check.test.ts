import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capturedMain } from '../_capturedMain.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'mnm-check-'));

const mnm = (...args: string[]) => capturedMain('check', ...args);

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe('mnm check', () => {
  it('exit 0 and a linearization for a linearizable history (format and model from the file)', async () => {
    const { code, stdout } = await mnm(`${fixtures}porcupine/jepsen/etcd_005.log`, '--json');
    assert.equal(code, 0);
    const output = JSON.parse(stdout);
    assert.deepEqual(Object.keys(output), ['file', 'format', 'model', 'verdict', 'operations', 'elapsedMs', 'operationIds', 'witness', 'mnmVersion', 'traceVersion']);
    assert.equal(output.verdict, 'linearizable');
    assert.equal(output.model, 'cas-register');
    assert.ok(Array.isArray(output.witness.linearization) && output.witness.linearization.length > 0);
    assert.equal(stdout.trim().split('\n').length, 1);
  });

  it('exit 1 and a prefix with the unplaced operations for a violation; text explains it', async () => {
    const path = file('bad.jsonl', ['{"process":0,"type":"invoke","f":"write","value":1}', '{"process":0,"type":"ok","f":"write","value":1}', '{"process":1,"type":"invoke","f":"read","value":null}', '{"process":1,"type":"ok","f":"read","value":2}'].join('\n'));
    const json = await mnm(path, '--model', 'register', '--json');
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout).witness, { prefix: [1], unplaced: [3], state: 1 });
    const text = await mnm(path, '--model', 'register');
    assert.equal(text.code, 1);
    assert.match(text.stdout, /NOT linearizable/);
    assert.match(text.stdout, /line 3 {2}p1 read -> 2/);
  });

  it('kv witnesses are per key', async () => {
    const { code, stdout } = await mnm(`${fixtures}porcupine/kv/c01-ok.txt`, '--json');
    assert.equal(code, 0);
    const witness = JSON.parse(stdout).witness;
    assert.equal(witness.keys['0'].verdict, 'linearizable');
    assert.ok(Array.isArray(witness.keys['0'].linearization));
  });

  it('exit 3 when undecided within --timeout', async () => {
    const { code, stdout } = await mnm(`${fixtures}porcupine/kv/c50-ok.txt`, '--timeout', '0', '--json');
    assert.equal(code, 3);
    assert.equal(JSON.parse(stdout).verdict, 'unknown');
  });

  it('exit 2 with a one-line message naming the line for bad input, and for bad arguments', async () => {
    const path = file('broken.jsonl', '{"process":0,"type":"invoke","f":"read","value":null}\n{"process":0,"type":"invoke","f":"read","value":null}\n');
    const broken = await mnm(path, '--model', 'register', '--json');
    assert.equal(broken.code, 2);
    assert.equal(broken.stdout, '');
    assert.match(broken.stderr, /line 2: process 0 calls read while its read from line 1 is still outstanding/);
    assert.equal(broken.stderr.trim().split('\n').length, 1);
    assert.equal((await mnm(path)).code, 2, '--model is required for mnm histories');
    assert.equal((await mnm(path, '--model', 'nope')).code, 2);
    assert.equal((await mnm(path, '--model', 'register', '--format', 'nope')).code, 2);
    assert.equal((await mnm(path, '--model', 'register', '--timeout', 'soon')).code, 2);
    assert.equal((await mnm(join(scratch, 'missing.jsonl'), '--model', 'register')).code, 2);
    const unknownFunction = await mnm(file('f.jsonl', '{"process":0,"type":"invoke","f":"frob","value":1}\n'), '--model', 'cas-register');
    assert.match(unknownFunction.stderr, /line 1: unknown function 'frob'/);
  });

  it('checks the application operations of a trace', async () => {
    const trace = [
      '{"type":"header","version":1,"scenario":"register","seed":1,"backend":"sim","params":{},"processes":2,"memories":1,"latency":"unit","regions":[]}',
      '{"t":0,"type":"op.invoke","p":0,"op":0,"f":"write","value":1}',
      '{"t":0,"type":"verb.issue","id":0,"p":0,"m":0,"verb":"write","region":"r","offset":0,"len":8}',
      '{"t":1,"type":"op.invoke","p":1,"op":1,"f":"read","value":null}',
      '{"t":2,"type":"op.ok","p":0,"op":0,"f":"write","value":1}',
      '{"t":3,"type":"op.ok","p":1,"op":1,"f":"read","value":null}',
    ].join('\n');
    const { code, stdout } = await mnm(file('trace.jsonl', trace), '--model', 'register', '--json');
    assert.equal(code, 0);
    const output = JSON.parse(stdout);
    assert.equal(output.format, 'trace');
    assert.deepEqual(output.witness.linearization, [1, 0]);
  });
});
