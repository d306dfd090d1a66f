import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageRing } from './messageRing.js';
import { runShm } from './runShm.js';
import { createSharedWorld, controlIndex } from './sharedWorld.js';
import { ShmRegion } from './shmMemory.js';

const bodies = new URL('./_stressBodies.js', import.meta.url).href;

describe('shm memory', () => {
  it('stress: concurrent 64-byte writes may tear between words, never inside one (counted)', async (t) => {
    const outcome = await runShm({
      processCount: 2,
      memoryCount: 1,
      regions: [{ name: 'record', size: 64, policy: 'open' }],
      body: { module: bodies, export: 'tearing', args: { reads: 20_000 } },
      seed: 1,
      deadlineMilliseconds: 120_000,
    });
    assert.deepEqual(outcome.errors, []);
    const reader = outcome.results[1] as { whole: number; torn: number; broken: number };
    const writer = outcome.results[0] as { writes: number };
    t.diagnostic(`${writer.writes} writes; reads: ${reader.whole} whole, ${reader.torn} torn between words, ${reader.broken} with a broken word`);
    assert.equal(reader.broken, 0, 'every word is atomic');
    assert.equal(reader.whole + reader.torn, 20_000);
  });

  it('a writer terminated in the middle of its verbs wedges nothing: the revoke completes and none of its writes lands after', async () => {
    const outcome = await runShm({
      processCount: 2,
      memoryCount: 1,
      regions: [{ name: 'guarded', size: 4096, policy: 'exclusive-writer', owner: 0 }],
      body: { module: bodies, export: 'deadWriter', args: null },
      seed: 1,
      // Time unit 1 µs: p0 is terminated 50 ms after the start, mid-loop; p1 requests at 200 ms.
      faults: [{ kind: 'crash-process', at: 50_000, process: 0 }],
      deadlineMilliseconds: 60_000,
    });
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.end, 'done');
    assert.deepEqual(outcome.crashedProcesses, [0]);
    assert.deepEqual(outcome.results[1], { seen: [0x11], deniedAfter: 0 });
  });

  it('a permission lock and a writing flag left by a dead thread are broken, not waited on forever', () => {
    const world = createSharedWorld({ processCount: 2, memoryCount: 1, regions: [{ name: 'guarded', size: 16, policy: 'exclusive-writer', owner: 0 }] });
    const control = new Int32Array(world.control);
    const index = controlIndex(world);
    const region = world.regionBuffers[0].guarded;
    const words = new Int32Array(region.control);
    words[0] = 1; // p0 holds the permission lock
    words[1 + 2 + 0] = 1; // p0 is inside a write
    Atomics.store(control, index.processDead(0), 1);
    const view = new ShmRegion(region, 2, (process) => Atomics.load(control, index.processDead(process)) === 1);
    const outcome = view.requestPermission(1, 'read-write');
    assert.deepEqual(outcome, { ok: true, value: { revoked: [0] } });
    assert.equal(view.accessOf(0), 'read');
    assert.equal(view.accessOf(1), 'read-write');
    assert.equal(words[0], 0, 'the lock was released by its new holder');
    assert.deepEqual(view.write(0, 0, new Uint8Array(8).fill(1)), { ok: false, reason: 'write needs read-write access, held: read' });
  });

  it('ordered-exclusive-writer: racing requests from every thread leave only the highest proposal writing', async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const processCount = 4;
      const outcome = await runShm({
        processCount,
        memoryCount: 1,
        regions: [{ name: 'log', size: 8 * processCount, policy: 'ordered-exclusive-writer' }],
        body: { module: bodies, export: 'orderedRace', args: null },
        seed,
        deadlineMilliseconds: 60_000,
      });
      assert.deepEqual(outcome.errors, []);
      const results = outcome.results as Record<number, { granted: boolean; wrote: boolean }>;
      assert.deepEqual(results[processCount - 1], { granted: true, wrote: true }, 'the highest proposal is always granted');
      for (let process = 0; process < processCount - 1; process++) assert.equal(results[process].wrote, false, `p${process} (proposal ${process + 1}) still writes`);
    }
  });

  it('ordered-exclusive-writer: a lower request changes neither the access list nor the number', () => {
    const world = createSharedWorld({ processCount: 2, memoryCount: 1, regions: [{ name: 'log', size: 16, policy: 'ordered-exclusive-writer' }] });
    const view = new ShmRegion(world.regionBuffers[0].log, 2, () => false);
    assert.equal(view.highestGrantedNow(), 0n);
    assert.deepEqual(view.requestPermission(0, 'read-write', 7n), { ok: true, value: { revoked: [] } });
    assert.equal(view.highestGrantedNow(), 7n);
    const refused = view.requestPermission(1, 'read-write', 6n);
    assert.ok(!refused.ok);
    assert.match(refused.reason, /proposal 6 is lower than 7/);
    assert.equal(view.highestGrantedNow(), 7n);
    assert.deepEqual([view.accessOf(0), view.accessOf(1)], ['read-write', 'read']);
    assert.equal(new Int32Array(world.regionBuffers[0].log.control)[0], 0, 'the request lock was released after the refusal');
    assert.deepEqual(view.requestPermission(1, 'read-write', 7n), { ok: true, value: { revoked: [0] } });
  });

  it('writes at unaligned offsets merge into the words around them', () => {
    const world = createSharedWorld({ processCount: 1, memoryCount: 1, regions: [{ name: 'bytes', size: 24, policy: 'open' }] });
    const view = new ShmRegion(world.regionBuffers[0].bytes, 1, () => false);
    assert.equal(view.write(0, 0, new Uint8Array(24).fill(9)).ok, true);
    assert.equal(view.write(0, 5, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 10, 11])).ok, true);
    const read = view.read(0, 0, 24);
    assert.ok(read.ok);
    assert.deepEqual([...read.value], [9, 9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    const middle = view.read(0, 3, 5);
    assert.ok(middle.ok);
    assert.deepEqual([...middle.value], [9, 9, 1, 2, 3]);
  });
});

describe('shm message ring', () => {
  it('keeps order across wrap-arounds and refuses when full', () => {
    const ring = new MessageRing(new SharedArrayBuffer(16 + 256));
    const received: number[] = [];
    let sent = 0;
    for (let round = 0; round < 200; round++) {
      let pushed = 0;
      while (ring.push(new Uint8Array(1 + ((sent * 7) % 40)).fill(sent % 256))) {
        sent++;
        pushed++;
      }
      assert.ok(pushed > 0, 'an empty ring takes at least one message');
      ring.drain((payload) => {
        assert.equal(payload.length, 1 + ((received.length * 7) % 40));
        assert.ok(payload.every((byte) => byte === received.length % 256));
        received.push(received.length);
      });
      assert.ok(ring.isEmpty());
    }
    assert.equal(received.length, sent);
    assert.ok(sent > 1000);
  });
});
