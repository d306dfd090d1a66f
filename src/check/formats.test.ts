import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectFormat } from './formats/index.js';
import { HistoryError } from './history.js';
import { checkLinearizability } from './linearizability.js';
import { models } from './models/index.js';
import { readHistory } from './readHistory.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function rejects(text: string, line: number, message: RegExp, format?: string): void {
  assert.throws(
    () => readHistory(text, format),
    (error: unknown) => error instanceof HistoryError && error.line === line && message.test(error.message),
    `expected line ${line}: ${message.source}`,
  );
}

describe('mnm history format', () => {
  it('pairs calls with returns by process; line order is real time; extra fields are ignored', () => {
    const text = [
      '{"process": 0, "type": "invoke", "f": "write", "value": 1, "time": 5}',
      '{"process": 1, "type": "invoke", "f": "read", "value": null}',
      '',
      '{"process": 1, "type": "ok", "f": "read", "value": 1}',
      '{"process": 0, "type": "ok", "f": "write", "value": 1}',
    ].join('\n');
    const { format, operations } = readHistory(text);
    assert.equal(format.name, 'mnm');
    assert.deepEqual(
      operations.map((operation) => [operation.process, operation.f, operation.outcome, operation.called, operation.returned, operation.callLine, operation.returnLine]),
      [
        [0, 'write', 'ok', 0, 3, 1, 5],
        [1, 'read', 'ok', 1, 2, 2, 4],
      ],
    );
    assert.equal(operations[1].output, 1);
  });

  it('a call with no return is pending: unknown outcome, returned at infinity', () => {
    const { operations } = readHistory('{"process": 0, "type": "invoke", "f": "write", "value": 1}');
    assert.equal(operations[0].outcome, 'pending');
    assert.equal(operations[0].returned, Infinity);
  });

  it('rejects malformed input with the line', () => {
    rejects('{"process": 0, "type": "invoke", "f": "read", "value": null}\n{"process": 0, "type": "ok"', 2, /not JSON/);
    rejects('[1, 2]', 1, /JSON object/, 'mnm');
    rejects('{"process": "a", "type": "invoke", "f": "read"}', 1, /"process" must be an integer/);
    rejects('{"process": 0, "type": "done", "f": "read"}', 1, /"type" must be one of/);
    rejects('{"process": 0, "type": "invoke"}', 1, /"f" must be/);
    rejects('{"process": 0, "type": "ok", "f": "read", "value": 1}', 1, /without a call/);
    rejects('{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0, "type": "invoke", "f": "read"}', 2, /still outstanding/);
    rejects('{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0, "type": "ok", "f": "write", "value": 1}', 2, /answers a call of read/);
    rejects('{"process": 0, "type": "invoke", "f": "get", "key": "a"}\n{"process": 0, "type": "ok", "f": "get", "key": "b", "value": ""}', 2, /key/);
  });
});

describe('porcupine-etcd format', () => {
  it('reads Jepsen log lines (tabs or spaces), skips other lines, and maps timeouts', () => {
    const text = [
      '2017-01-01 INFO  jepsen.core - Running test',
      'INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]',
      'INFO  jepsen.util - 12  :invoke :read   nil',
      'INFO  jepsen.util - 0\t:fail\t:cas\t[1 2]',
      'INFO  jepsen.util - 12  :fail   :read   :timed-out',
      'INFO  jepsen.util - 3\t:invoke\t:write\t4',
      'INFO  jepsen.util - 3\t:info\t:write\t:timed-out',
    ].join('\n');
    const { format, operations } = readHistory(text);
    assert.equal(format.name, 'porcupine-etcd');
    assert.deepEqual(
      operations.map((operation) => [operation.process, operation.f, operation.input, operation.outcome]),
      [
        [0, 'cas', [1, 2], 'fail'],
        [12, 'read', null, 'fail'],
        [3, 'write', 4, 'info'],
      ],
    );
  });

  it('rejects a client line of another shape', () => {
    rejects('INFO  jepsen.util - 0\t:invoke\t:frob\t1', 1, /Jepsen client event/, 'porcupine-etcd');
    rejects('INFO  jepsen.util - 0\t:ok\t:read\t:timed-out', 1, /not a value for :ok/, 'porcupine-etcd');
  });
});

describe('porcupine-kv format', () => {
  it('reads EDN maps, in the usual layout and others', () => {
    const text = [
      '{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}',
      '{:type :ok :process 9 :f :append :key "0" :value "x 9 0 y"}',
      '{:process 2, :type :invoke, :f :get, :key "0", :value nil}',
      '{:process 2, :type :ok, :f :get, :key "0", :value "say \\"hi\\""}',
    ].join('\n');
    const { format, operations } = readHistory(text);
    assert.equal(format.name, 'porcupine-kv');
    assert.deepEqual(
      operations.map((operation) => [operation.process, operation.f, operation.key, operation.input, operation.output]),
      [
        [9, 'append', '0', 'x 9 0 y', 'x 9 0 y'],
        [2, 'get', '0', null, 'say "hi"'],
      ],
    );
  });

  it('rejects what it cannot read exactly', () => {
    rejects('{:process 1, :type :invoke, :f :get, :key "0", :value [1 2}', 1, /EDN: unexpected '\}'/, 'porcupine-kv');
    rejects('{:process 1, :type :invoke, :f :get, :key "0", :value}', 1, /key and value pairs/, 'porcupine-kv');
    rejects('{:process :other, :type :info, :f :start}', 1, /:process must be an integer/, 'porcupine-kv');
    rejects('{:process 1, :type :invoke, :f :get, :key 0, :value nil}', 1, /:key must be a string/, 'porcupine-kv');
  });
});

describe('jepsen-edn format', () => {
  /** Writes an mnm history (JSON lines) as Knossos writes its test data: one EDN vector of operation maps, one per line. */
  function knossosEdn(jsonLines: string): string {
    const edn = (value: unknown): string => (value === null ? 'nil' : Array.isArray(value) ? `[${value.map(edn).join(' ')}]` : JSON.stringify(value));
    const maps = jsonLines
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { process: number; type: string; f: string; value: unknown })
      .map((event) => `{:process ${event.process}, :type :${event.type}, :f :${event.f}, :value ${edn(event.value)}}`);
    return `[${maps.join('\n ')}]\n`;
  }

  it("reads Knossos' cas-register histories (cas values are vectors) exactly as their JSON twins, with the known verdicts", () => {
    const expected = JSON.parse(readFileSync(`${fixtures}knossos/expected.json`, 'utf8')) as { files: Record<string, { model: string; linearizable: boolean }> };
    const casFiles = Object.entries(expected.files).filter(([, entry]) => entry.model === 'cas-register');
    assert.ok(casFiles.length >= 10);
    let casOperations = 0;
    for (const [name, entry] of casFiles) {
      const json = readFileSync(`${fixtures}knossos/${name}`, 'utf8');
      const fromEdn = readHistory(knossosEdn(json));
      assert.equal(fromEdn.format.name, 'jepsen-edn', name);
      casOperations += fromEdn.operations.filter((operation) => operation.f === 'cas' && Array.isArray(operation.input)).length;
      const fromJson = readHistory(json, 'mnm');
      const shape = (history: typeof fromJson) => history.operations.map((operation) => [operation.process, operation.f, operation.input, operation.output, operation.outcome, operation.called, operation.returned, operation.callLine]);
      assert.deepEqual(shape(fromEdn), shape(fromJson), name);
      const verdict = checkLinearizability(fromEdn.operations, models['cas-register']).verdict;
      assert.equal(verdict, entry.linearizable ? 'linearizable' : 'not-linearizable', name);
    }
    assert.ok(casOperations > 100, `cas [A B] operations read: ${casOperations}`);
  });

  it('reads what Jepsen writes: keywords, negative numbers, strings, maps, sets, comments; skips the nemesis; keeps :time', () => {
    const text = [
      '; history.edn',
      '{:index 0, :time 100, :type :invoke, :process 0, :f :write, :value -3}',
      '{:index 1, :time 150, :type :info, :process :nemesis, :f :start, :value nil}',
      '#jepsen.history.Op{:index 2, :time 200, :type :ok, :process 0, :f :write, :value -3}',
      '{:type :invoke, :process 1, :f :write, :value {:a [1 2], "b" #{:x :y}}, :time 300}',
      '{:type :fail, :process 1, :f :write, :value {:a [1 2], "b" #{:y :x}}, :error :timed-out, :time 310}',
      '{:type :invoke, :process 2, :f :read, :value nil}',
      '{:type :ok, :process 2, :f :read, :value :done}',
    ].join('\n');
    const { format, operations } = readHistory(text);
    assert.equal(format.name, 'jepsen-edn');
    assert.deepEqual(
      operations.map((operation) => [operation.process, operation.f, operation.input, operation.output, operation.outcome, operation.callLine]),
      [
        [0, 'write', -3, -3, 'ok', 2],
        [1, 'write', { ':a': [1, 2], '"b"': { '#{}': [':x', ':y'] } }, undefined, 'fail', 5],
        [2, 'read', null, ':done', 'ok', 7],
      ],
    );
    assert.deepEqual(
      format.parse(text).map((event) => event.time),
      [100, 200, 300, 310, undefined, undefined],
    );
  });

  it('a cas history with vector values gets its verdict against cas-register', () => {
    const history = (lastRead: number) =>
      readHistory(
        [
          '{:process 0, :type :invoke, :f :write, :value 3}',
          '{:process 0, :type :ok, :f :write, :value 3}',
          '{:process 1, :type :invoke, :f :cas, :value [3 4]}',
          '{:process 2, :type :invoke, :f :cas, :value [3 5]}',
          '{:process 1, :type :ok, :f :cas, :value [3 4]}',
          '{:process 2, :type :fail, :f :cas, :value [3 5]}',
          '{:process 0, :type :invoke, :f :read, :value nil}',
          `{:process 0, :type :ok, :f :read, :value ${lastRead}}`,
        ].join('\n'),
      ).operations;
    assert.equal(checkLinearizability(history(4), models['cas-register']).verdict, 'linearizable');
    assert.equal(checkLinearizability(history(3), models['cas-register']).verdict, 'not-linearizable');
    assert.equal(checkLinearizability(history(5), models['cas-register']).verdict, 'not-linearizable', 'a failed cas did not take effect');
  });

  it('reads a txn history, which a register model then refuses by name', () => {
    const { operations } = readHistory('{:process 0, :type :invoke, :f :txn, :value [[:append 1 2] [:r 2 nil]]}\n{:process 0, :type :ok, :f :txn, :value [[:append 1 2] [:r 2 [1 2]]]}');
    assert.deepEqual(operations[0].input, [[':append', 1, 2], [':r', 2, null]]);
    assert.deepEqual(operations[0].output, [[':append', 1, 2], [':r', 2, [1, 2]]]);
    assert.throws(
      () => checkLinearizability(operations, models['cas-register']),
      (error: unknown) => error instanceof HistoryError && error.line === 1 && /unknown function 'txn' for model cas-register/.test(error.message),
    );
  });

  it('refuses two operations on one line, and what is not an operation', () => {
    rejects('[{:process 0, :type :invoke, :f :read} {:process 0, :type :ok, :f :read}]', 1, /two operations on one line/);
    rejects('{:process 0, :type :invoke, :f :read}\n[1 2]', 2, /expected an operation map/, 'jepsen-edn');
    rejects('{:process 0, :type :call, :f :read}', 1, /:type must be/, 'jepsen-edn');
    rejects('{:process 0, :type :invoke, :f "read"}', 1, /:f must be a keyword/, 'jepsen-edn');
    rejects('{:process 0, :type :invoke, :f :read, :time "now"}', 1, /:time must be a number/, 'jepsen-edn');
    rejects('{:process 0, :type :invoke, :f :read, :value [1 2}', 1, /EDN: unexpected/, 'jepsen-edn');
  });
});

describe('mnm-node format', () => {
  it("takes a cluster node's operations with their times and op ids, and skips its notes and last line", () => {
    const text = [
      '{"type":"history","event":{"process":1,"type":"invoke","f":"write","value":7,"time":1.5,"op":1}}',
      '{"type":"note","note":{"time":1.6,"process":1,"kind":"round","detail":{"round":1}}}',
      '{"type":"history","event":{"process":1,"type":"ok","f":"write","value":7,"time":2.5,"op":1}}',
      '{"type":"history","event":{"process":1,"type":"invoke","f":"read","value":null,"time":3,"op":3}}',
      '{"type":"done"}',
    ].join('\n');
    const { format, operations } = readHistory(text);
    assert.equal(format.name, 'mnm-node');
    assert.deepEqual(
      operations.map((operation) => [operation.id, operation.process, operation.f, operation.outcome]),
      [
        [1, 1, 'write', 'ok'],
        [3, 1, 'read', 'pending'],
      ],
    );
    assert.deepEqual(
      format.parse(text).map((event) => event.time),
      [1.5, 2.5, 3],
    );
  });

  it('rejects lines a node does not write', () => {
    rejects('{"type":"progress"}', 1, /of type "history", "note", "done" or "error"/, 'mnm-node');
    rejects('{"type":"history"}', 1, /needs its "event"/, 'mnm-node');
    rejects('{"type":"history","event":{"process":0,"type":"invoke","f":"read","value":null,"op":0}}', 1, /"time" must be a number/, 'mnm-node');
    rejects('{"type":"history","event":{"process":0,"type":"invoke","f":"read","value":null,"time":0}}', 1, /needs "op"/, 'mnm-node');
  });
});

describe('trace format', () => {
  const header = '{"type":"header","version":1,"scenario":"register","seed":1}';
  it('takes the op.* lines, pairs them by operation id, and skips the rest', () => {
    const text = [
      header,
      '{"t":0,"type":"op.invoke","p":0,"op":7,"f":"write","value":1}',
      '{"t":0,"type":"verb.issue","id":1,"p":0,"m":0,"verb":"write"}',
      '{"t":1,"type":"op.invoke","p":1,"op":8,"f":"read","value":null}',
      '{"t":2,"type":"op.ok","p":1,"op":8,"f":"read","value":1}',
      '{"t":3,"type":"op.info","p":0,"op":7,"f":"write","value":1}',
      '{"t":4,"type":"end","reason":"done","events":6}',
    ].join('\n');
    const { format, operations } = readHistory(text);
    assert.equal(format.name, 'trace');
    assert.deepEqual(
      operations.map((operation) => [operation.id, operation.process, operation.f, operation.outcome, operation.callLine]),
      [
        [7, 0, 'write', 'info', 2],
        [8, 1, 'read', 'ok', 4],
      ],
    );
  });

  it('rejects a trace without its header, a return for an unknown id, or a line that is not JSON', () => {
    rejects('{"t":0,"type":"op.invoke","p":0,"op":7,"f":"write","value":1}', 1, /header/, 'trace');
    rejects(`${header}\n{"t":2,"type":"op.ok","p":1,"op":8,"f":"read","value":1}`, 2, /without a call/);
    rejects(`${header}\n{"t":0,"type":"op.invoke","p":0,"op":7,"f":"write","value":1}\n{"t":1,"type":"op.ok","p":1,"op":7,"f":"write","value":1}`, 3, /called by process 0/);
    rejects(`${header}\nnot json`, 2, /not JSON/);
    rejects(`${header}\n{"t":0,"type":"op.invoke","p":0,"f":"write","value":1}`, 2, /"op"/);
  });
});

describe('format detection', () => {
  it('tells the formats apart from their first lines', () => {
    assert.equal(detectFormat('{"process": 0, "type": "invoke", "f": "read"}').name, 'mnm');
    assert.equal(detectFormat('{"type":"header","version":1}\n').name, 'trace');
    assert.equal(detectFormat('{:process 0, :type :invoke, :f :get, :key "0"}').name, 'porcupine-kv');
    assert.equal(detectFormat('{:process 0, :type :invoke}').name, 'jepsen-edn');
    assert.equal(detectFormat('; a comment first\n[{:process 0, :type :invoke, :f :cas, :value [1 2]}').name, 'jepsen-edn');
    assert.equal(detectFormat('[\n{:process 0}]').name, 'jepsen-edn');
    assert.equal(detectFormat('#jepsen.history.Op{:index 0, :process 0}').name, 'jepsen-edn');
    assert.equal(detectFormat('{"type":"history","event":{"process":0}}').name, 'mnm-node');
    assert.equal(detectFormat('{"type":"done"}').name, 'mnm-node');
    assert.equal(detectFormat('INFO  jepsen.util - 0\t:invoke\t:read\tnil').name, 'porcupine-etcd');
    assert.equal(detectFormat('').name, 'mnm');
    assert.throws(() => detectFormat('hello\nworld'), HistoryError);
  });
});
