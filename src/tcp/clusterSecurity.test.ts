import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCluster } from './clusterFile.js';
import { clusterSecurity, nodeKeyPair } from './clusterSecurity.js';
import { generateKeyPair } from './identity.js';

const processKey = generateKeyPair().publicKey;
const memoryKey = generateKeyPair().publicKey;

function cluster(memoryHost: string, options: { tls?: boolean; memoryKey?: boolean } = {}) {
  return parseCluster(
    {
      processes: [{ id: 'p0', publicKey: processKey, address: '127.0.0.1:7100' }],
      memories: [{ id: 'm0', address: `${memoryHost}:7000`, ...(options.memoryKey === false ? {} : { publicKey: memoryKey }) }],
      regions: [{ name: 'r', size: 8, policy: 'open' }],
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    },
    '/c.json',
  );
}

describe('cluster security', () => {
  it('tls is off on loopback unless asked for, and on for any other address', () => {
    assert.deepEqual(clusterSecurity(cluster('127.0.0.1')), { tls: false, memoryKeys: [memoryKey] });
    assert.equal(clusterSecurity(cluster('127.0.0.1', { tls: true })).tls, true);
    assert.equal(clusterSecurity(cluster('10.0.0.2')).tls, true);
    assert.equal(clusterSecurity(cluster('localhost')).tls, false);
  });

  it('refuses "tls": false when a node is not on loopback', () => {
    assert.throws(() => clusterSecurity(cluster('10.0.0.2', { tls: false })), /\/c\.json: "tls": false, but m0 is at 10\.0\.0\.2:7000, not loopback/);
  });

  it('an old file without memory keys still runs on loopback, and says what is missing when tls is required', () => {
    assert.deepEqual(clusterSecurity(cluster('127.0.0.1', { memoryKey: false })), { tls: false, memoryKeys: [undefined] });
    assert.throws(() => clusterSecurity(cluster('10.0.0.2', { memoryKey: false })), /m0 is at 10\.0\.0\.2, not loopback, so tls is required, and tls needs every memory node's key: m0 has no "publicKey"/);
    assert.throws(() => clusterSecurity(cluster('127.0.0.1', { tls: true, memoryKey: false })), /the file asks for tls, .*m0 has no "publicKey"/);
  });

  it('checks the cluster file fields', () => {
    assert.throws(() => cluster('127.0.0.1', { tls: 'yes' as unknown as boolean }), /tls must be true or false/);
    assert.throws(() => parseCluster({ processes: [{ id: 'p0', publicKey: processKey, address: '127.0.0.1:1' }], memories: [{ id: 'm0', publicKey: 'abc', address: '127.0.0.1:2' }], regions: [] }, '/c.json'), /memories\[0\]: publicKey must be the base64/);
  });

  it('a node key pair must belong together', () => {
    const pair = generateKeyPair();
    assert.deepEqual(nodeKeyPair('m0', pair.publicKey, pair.privateKey), pair);
    assert.throws(() => nodeKeyPair('m0', memoryKey, pair.privateKey), /m0: the private key given does not belong to m0's publicKey/);
  });
});
