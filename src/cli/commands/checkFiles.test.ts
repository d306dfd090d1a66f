import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationJournal, type JournalRecord } from '../../realtime/operationJournal.js';
import { capturedMain } from '../_capturedMain.js';

const scratch = mkdtempSync(join(tmpdir(), 'mnm-check-files-'));

const mnm = (...args: string[]) => capturedMain('check', ...args);

/**
 * A cluster's state directory as `mnm cluster up` leaves it: one
 * `pN.history.jsonl` per process, written as `mnm node` writes it (its
 * operation journal's records as JSON lines, then `done` unless the node was
 * stopped), next to files that are not histories. Times are scripted: each
 * step of `script` is [process, time, action].
 */
function clusterDirectory(name: string, processCount: number, script: readonly [number, number, (journal: OperationJournal) => void][], finished: readonly number[]): string {
  const directory = join(scratch, name);
  mkdirSync(directory);
  writeFileSync(join(directory, 'pids.json'), '{"nodes":[]}\n');
  writeFileSync(join(directory, 'm0.log'), 'm0: listening\n');
  let now = 0;
  const journals = Array.from({ length: processCount }, (_, process) => {
    const file = join(directory, `p${process}.history.jsonl`);
    writeFileSync(file, '');
    const record = (line: JournalRecord | { type: 'done' }) => appendFileSync(file, JSON.stringify(line) + '\n');
    return { journal: new OperationJournal(process, processCount, () => now, record), record };
  });
  for (const [process, time, action] of script) {
    now = time;
    action(journals[process].journal);
  }
  for (const process of finished) journals[process].record({ type: 'done' });
  return directory;
}

/** p0 writes 1 in [1, 2]; p1 then reads `read` in [3, 4]; p2 starts a write of 2 at 5 and is stopped before it returns. */
function registerRun(name: string, read: number | null): string {
  let write = 0;
  let readOp = 0;
  return clusterDirectory(
    name,
    3,
    [
      [0, 1, (journal) => void (write = journal.invoke('write', 1))],
      [1, 1.5, (journal) => journal.note('round', { round: 1 })],
      [0, 2, (journal) => journal.ok(write, 1)],
      [1, 3, (journal) => void (readOp = journal.invoke('read', null))],
      [1, 4, (journal) => journal.ok(readOp, read)],
      [2, 5, (journal) => void journal.invoke('write', 2)],
    ],
    [0, 1],
  );
}

describe('mnm check of a cluster run (per-node history files)', () => {
  it('a directory is its *.history.jsonl files, merged by time: verdicts and exit codes', async () => {
    const good = registerRun('good', 1);
    const fine = await mnm(good, '--model', 'register', '--json');
    assert.equal(fine.code, 0, fine.stderr);
    const output = JSON.parse(fine.stdout);
    assert.equal(output.format, 'mnm-node');
    assert.equal(output.operations, 3);
    assert.equal(output.operationIds, 'operation id');
    assert.deepEqual(output.witness.linearization, [0, 1], "p2's write never returned and need not have taken effect");

    const stale = registerRun('stale', null);
    const violation = await mnm(stale, '--model', 'register');
    assert.equal(violation.code, 1);
    assert.match(violation.stdout, /NOT linearizable \(register, mnm-node, 3 operations/);
    assert.match(violation.stdout, /p1 read -> null/);
  });

  it('several files name the processes of one run; a process in two files is refused in one line', async () => {
    const stale = join(scratch, 'stale');
    const files = [0, 1, 2].map((process) => join(stale, `p${process}.history.jsonl`));
    assert.equal((await mnm(...files, '--model', 'register')).code, 1);
    assert.equal((await mnm(files[1], '--model', 'register')).code, 0, 'the read alone is fine: the violation needs the merge');
    const twice = await mnm(files[0], join(scratch, 'good', 'p0.history.jsonl'), '--model', 'register');
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /good\/p0\.history\.jsonl' line 1: process 0 also appears in '.*stale\/p0\.history\.jsonl'/);
    assert.equal(twice.stderr.trim().split('\n').length, 1);
  });

  it('a directory without history files, or no file at all, is a usage error', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const none = await mnm(empty, '--model', 'register');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /is a directory without history files/);
    assert.equal((await mnm('--model', 'register')).code, 2);
  });
});
