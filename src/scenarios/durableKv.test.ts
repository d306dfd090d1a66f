import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSinkFrames } from '../protocols/kv/appendSink.js';
import { decodeKvCommand } from '../protocols/kv/kvCommand.js';
import { runShm } from '../shm/runShm.js';
import type { DurableKvResult } from './durableKvBody.js';

describe('the store on a real backend with its log files written with fdatasync', () => {
  it('answers once entries are on disk: every replica file holds the same applied log, in order', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mnm-kv-'));
    try {
      const puts = 5;
      const result = await runShm({
        processCount: 3,
        memoryCount: 0,
        regions: [],
        body: { module: new URL('./durableKvBody.js', import.meta.url).href, export: 'durableKvBody', args: { directory, puts } },
        seed: 1,
        unitMicroseconds: 250,
        deadlineMilliseconds: 60_000,
      });
      assert.equal(result.end, 'done', JSON.stringify(result.errors));
      const results = Object.values(result.results) as DurableKvResult[];
      assert.equal(results.length, 3);
      assert.equal(new Set(results.map((one) => one.digest)).size, 1, 'equal states');
      const files = await Promise.all([0, 1, 2].map(async (process) => decodeSinkFrames(new Uint8Array(await readFile(join(directory, `p${process}.kvlog`))))));
      for (const [process, file] of files.entries()) {
        assert.equal(file.tornBytes, 0);
        // A replica's file holds at least what it applied, indices in order from 0.
        assert.ok(file.entries.length >= results[process].applied, `p${process}: ${file.entries.length} entries on disk, ${results[process].applied} applied`);
        assert.deepEqual(file.entries.map((entry) => entry.index), file.entries.map((_, index) => index));
      }
      const shortest = Math.min(...files.map((file) => file.entries.length));
      const describe = (entry: { value: Uint8Array }) => JSON.stringify(decodeKvCommand(entry.value));
      for (const file of files) assert.deepEqual(file.entries.slice(0, shortest).map(describe), files[0].entries.slice(0, shortest).map(describe));
      const keys = files[0].entries.map((entry) => decodeKvCommand(entry.value)?.key);
      for (const key of ['k0', 'k1', 'k2']) assert.ok(keys.filter((candidate) => candidate === key).length >= puts, `${key} in ${keys.join(',')}`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
