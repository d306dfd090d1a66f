import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsyncFileSink } from './fsyncSink.js';

describe('a sink file written with fdatasync', () => {
  it('appends each write in call order, after what the file held, and counts them', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mnm-sink-'));
    try {
      const path = join(directory, 'kv.log');
      await writeFile(path, new Uint8Array([7]));
      const sink = await FsyncFileSink.open(path);
      // Not awaited one by one: the sink keeps call order by itself.
      await Promise.all([sink.write(new Uint8Array([1, 2])), sink.write(new Uint8Array([3])), sink.write(new Uint8Array(100_000).fill(9))]);
      assert.deepEqual([sink.writes, sink.bytes], [3, 100_003]);
      await sink.close();
      const contents = new Uint8Array(await readFile(path));
      assert.deepEqual([...contents.subarray(0, 4)], [7, 1, 2, 3]);
      assert.equal(contents.length, 100_004);
      assert.ok(contents.subarray(4).every((byte) => byte === 9));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses a write after close(), naming the file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mnm-sink-'));
    try {
      const sink = await FsyncFileSink.open(join(directory, 'kv.log'));
      await sink.close();
      await sink.close();
      await assert.rejects(sink.write(new Uint8Array([1])), /kv\.log.*after close\(\)/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
