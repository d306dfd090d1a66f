import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etcdBinary, redisBinary } from '../../peers/binaries.js';
import { peersBench } from './peers.js';

const missing = [etcdBinary().missing, redisBinary().missing].filter((why): why is string => why !== undefined);

describe('mnm bench peers --quick', () => {
  it('measures each installed peer against the same-run floor and names what it skipped', async () => {
    const stderr: string[] = [];
    const result = await peersBench.run({ quick: true, quiet: true }, { stdout: () => {}, stderr: (text) => stderr.push(text), stderrIsTerminal: false });
    assert.deepEqual(stderr, [], 'quiet: no progress');
    const rows = result.rows as { system: string; variant: string; p50Us: number; p99Us: number; perSecond: number; p50VsFloor: number }[];
    assert.deepEqual(result.skipped, missing);
    const expected = [...(etcdBinary().missing ? [] : ['etcd fsync', 'etcd no fsync']), ...(redisBinary().missing ? [] : ['redis no persistence', 'redis appendfsync always'])];
    assert.deepEqual(
      rows.map((row) => `${row.system} ${row.variant}`),
      expected,
    );
    for (const row of rows) {
      assert.ok(row.p50Us > 0 && row.p50Us <= row.p99Us, `${row.system} ${row.variant}: 0 < p50 ≤ p99`);
      assert.ok(row.perSecond > 0 && row.p50VsFloor > 0);
    }
    const versions = result.versions as { etcd: string | null; redis: string | null };
    if (!etcdBinary().missing) assert.match(versions.etcd ?? '', /^\d+\.\d+/);
    if (!redisBinary().missing) assert.match(versions.redis ?? '', /^\d+\.\d+/);
    const text = peersBench.summarize(result);
    assert.match(text, /floor: 64-byte loopback TCP ping-pong/);
    for (const name of expected) assert.ok(text.includes(name), name);
    for (const why of missing) assert.ok(text.includes(`skipped: ${why}`));
  });
});
