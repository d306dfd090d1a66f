import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../sim/prng.js';
import { zipfianCumulative } from './kvWorkload.js';
import { loadCalls, nextSwarmKvCall, parseSwarmKvWorkload, swarmKvValue, swarmKvWorkloads, type SwarmKvWorkload } from './swarmKvWorkload.js';

function draw(name: string, count: number): ReturnType<typeof nextSwarmKvCall>[] {
  const workload = parseSwarmKvWorkload(name) as SwarmKvWorkload;
  const random = new Prng(3, 'calls');
  const cumulative = zipfianCumulative(16);
  return Array.from({ length: count }, (_, call) => nextSwarmKvCall(random, workload, cumulative, 1, call, 64));
}

describe('the swarm-kv workload', () => {
  it('parses every listed workload and refuses others with what is accepted', () => {
    for (const name of swarmKvWorkloads) assert.equal(typeof parseSwarmKvWorkload(name), 'object', name);
    assert.deepEqual(parseSwarmKvWorkload('ycsb-b/contention+load'), { mix: { name: 'ycsb-b', readFraction: 0.95 }, pace: 'contention', load: true });
    assert.match(parseSwarmKvWorkload('ycsb-z') as string, /unknown mix \(accepted: ycsb-a, ycsb-b, hot-key\)/);
    assert.match(parseSwarmKvWorkload('ycsb-a/storm') as string, /unknown pace/);
    assert.match(parseSwarmKvWorkload('ycsb-a+append') as string, /unknown suffix/);
  });

  it('draws YCSB-A as half gets, the updates nine puts to one delete, no append; values of 64 bytes, all distinct', () => {
    const calls = draw('ycsb-a', 4000);
    const share = (operation: string) => calls.filter((call) => call.operation === operation).length / calls.length;
    assert.ok(Math.abs(share('get') - 0.5) < 0.03, `gets ${share('get')}`);
    assert.ok(Math.abs(share('delete') - 0.05) < 0.015, `deletes ${share('delete')}`);
    assert.ok(calls.every((call) => ['get', 'put', 'delete'].includes(call.operation)));
    const values = calls.filter((call) => call.operation === 'put').map((call) => call.value);
    assert.ok(values.every((value) => value.length === 64));
    assert.equal(new Set(values).size, values.length);
    // Zipfian: k0 is the hottest key.
    const k0 = calls.filter((call) => call.key === 'k0').length;
    assert.ok(calls.every((call) => call.key === 'k0' || calls.filter((other) => other.key === call.key).length <= k0));
  });

  it('puts every call of hot-key on k0; YCSB-B is 95 % gets', () => {
    assert.ok(draw('hot-key', 200).every((call) => call.key === 'k0'));
    const calls = draw('ycsb-b', 4000);
    assert.ok(Math.abs(calls.filter((call) => call.operation === 'get').length / calls.length - 0.95) < 0.015);
  });

  it('splits the load phase among the clients: every key put once, by client j mod C', () => {
    const puts = [0, 1, 2].flatMap((client) => loadCalls(client, 3, 16, 64).map((call) => ({ client, ...call })));
    assert.deepEqual(puts.map((put) => put.key).sort(), Array.from({ length: 16 }, (_, rank) => `k${rank}`).sort());
    assert.ok(puts.every((put) => put.operation === 'put' && Number(put.key.slice(1)) % 3 === put.client && put.value.startsWith(`p${put.client}.load`)));
    assert.throws(() => swarmKvValue(12, 345, 4), /cannot name call 345 of client 12/);
  });
});
