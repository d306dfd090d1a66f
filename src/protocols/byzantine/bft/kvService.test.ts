import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKvCommand } from '../../kv/kvCommand.js';
import { KvService } from './kvService.js';

const op = (operation: 'get' | 'put' | 'append', client: number, sequence: number, key: string, value = '') => encodeKvCommand({ operation, client, sequence, floor: 0, key, value });

describe('bft KV service', () => {
  it("accepts only ops that name the request's own (c, s)", () => {
    const service = new KvService();
    assert.equal(service.validOp(op('put', 4, 1, 'x', 'a'), 4, 1), true);
    assert.equal(service.validOp(op('put', 4, 1, 'x', 'a'), 5, 1), false, 'another client');
    assert.equal(service.validOp(op('put', 4, 1, 'x', 'a'), 4, 2), false, 'another s');
    assert.equal(service.validOp(Uint8Array.of(1, 2, 3), 4, 1), false, 'not a command');
  });

  it('applies every command it is given (deduplication is the replica’s) and returns get results as bytes', () => {
    const service = new KvService();
    assert.deepEqual(service.apply(op('put', 4, 1, 'x', 'a')), new Uint8Array());
    service.apply(op('append', 4, 2, 'x', 'b'));
    service.apply(op('append', 4, 2, 'x', 'b'));
    assert.equal(new TextDecoder().decode(service.apply(op('get', 4, 3, 'x'))), 'abb');
    assert.deepEqual(service.pairs(), [['x', 'abb']]);
  });

  it('installs a snapshot\'s pairs; the digest covers the pairs alone, so installing and executing the same prefix agree', () => {
    const ran = new KvService();
    ran.apply(op('put', 4, 1, 'x', 'a'));
    ran.apply(op('append', 4, 2, 'x', 'b'));
    const installed = new KvService([['y', 'old']]);
    installed.install(ran.pairs());
    assert.deepEqual(installed.pairs(), [['x', 'ab']]);
    assert.equal(installed.digest(), ran.digest());
    installed.apply(op('append', 4, 3, 'x', 'c'));
    assert.notEqual(installed.digest(), ran.digest());
  });
});
