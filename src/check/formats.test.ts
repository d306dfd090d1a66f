import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat } from './formats/index.js';
import { HistoryError } from './history.js';
import { readHistory } from './readHistory.js';

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
    rejects('{:process 1, :type :invoke, :f :get, :key "0", :value [1 2]}', 1, /cannot read EDN/, 'porcupine-kv');
    rejects('{:process 1, :type :invoke, :f :get, :key "0", :value}', 1, /flat EDN map/, 'porcupine-kv');
    rejects('{:process :nemesis, :type :info, :f :start}', 1, /:process must be an integer/, 'porcupine-kv');
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
    assert.equal(detectFormat('{:process 0, :type :invoke}').name, 'porcupine-kv');
    assert.equal(detectFormat('INFO  jepsen.util - 0\t:invoke\t:read\tnil').name, 'porcupine-etcd');
    assert.equal(detectFormat('').name, 'mnm');
    assert.throws(() => detectFormat('hello\nworld'), HistoryError);
  });
});
