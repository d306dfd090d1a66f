import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizability } from './linearizability.js';
import { HistoryFileError, readHistories, type HistorySource } from './mergeHistories.js';
import { models } from './models/index.js';

/** An mnm history line with its time, as `mnm run --history` writes them. */
function event(process: number, type: string, f: string, value: unknown, time?: number): string {
  return JSON.stringify({ process, type, f, value, ...(time === undefined ? {} : { time }) });
}

function source(name: string, ...lines: string[]): HistorySource {
  return { name, text: lines.join('\n') + '\n' };
}

function refuses(sources: HistorySource[], file: string, message: RegExp): void {
  assert.throws(
    () => readHistories(sources),
    (error: unknown) => error instanceof HistoryFileError && error.file === file && message.test(error.message),
    `expected '${file}': ${message.source}`,
  );
}

describe('several history files merged by time', () => {
  // p1's read of null starts after p0's write of 1 returned: a violation, but only in time order (the files list the read first).
  const reader = source('reader.jsonl', event(1, 'invoke', 'read', null, 25), event(1, 'ok', 'read', null, 30));
  const writer = source('writer.jsonl', event(0, 'invoke', 'write', 1, 10), event(0, 'ok', 'write', 1, 20));

  it('orders events by time across files, keeping each file in its order', () => {
    const { operations, operationIds } = readHistories([reader, writer]);
    assert.deepEqual(
      operations.map((operation) => [operation.id, operation.process, operation.f, operation.called, operation.returned, operation.callLine]),
      [
        [1, 0, 'write', 0, 1, 1],
        [2, 1, 'read', 2, 3, 1],
      ],
    );
    assert.equal(operationIds, 'call order in the merged history');
    assert.equal(checkLinearizability(operations, models.register).verdict, 'not-linearizable');
  });

  it('on equal times puts calls before returns: touching operations are concurrent, not ordered', () => {
    const touching = source('reader.jsonl', event(1, 'invoke', 'read', null, 20), event(1, 'ok', 'read', null, 30));
    const { operations } = readHistories([writer, touching]);
    assert.ok(operations[1].called < operations[0].returned);
    assert.equal(checkLinearizability(operations, models.register).verdict, 'linearizable');
  });

  it('one file reads as it does alone', () => {
    const { operations, operationIds } = readHistories([writer]);
    assert.deepEqual(
      operations.map((operation) => operation.id),
      [1],
    );
    assert.equal(operationIds, 'line of the call');
  });

  it('refuses a process in two files, events without times, times going backwards, mixed formats', () => {
    refuses([writer, source('again.jsonl', event(0, 'invoke', 'read', null, 40))], 'again.jsonl', /line 1: process 0 also appears in 'writer.jsonl'/);
    refuses([writer, source('untimed.jsonl', event(2, 'invoke', 'read', null))], 'untimed.jsonl', /line 1: this event has no time/);
    refuses([writer, source('backwards.jsonl', event(2, 'invoke', 'read', null, 40), event(2, 'ok', 'read', 1, 39))], 'backwards.jsonl', /line 2: time goes backwards \(39 after 40\)/);
    refuses([writer, source('kv.edn', '{:process 2, :type :invoke, :f :get, :key "0", :value nil}')], 'kv.edn', /is porcupine-kv but 'writer.jsonl' is mnm/);
  });

  it("names the file of a file's own mistake", () => {
    refuses([writer, source('broken.jsonl', event(2, 'ok', 'read', 1, 40))], 'broken.jsonl', /line 1: ok of read without a call/);
    refuses([source('alone.jsonl', '{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0,')], 'alone.jsonl', /line 2: not JSON/);
  });
});
