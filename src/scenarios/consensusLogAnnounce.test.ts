import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fabric, Message } from '../fabric/index.js';
import { Simulation, unitLatency } from '../sim/index.js';
import { logMessages, logTimingFor, type LogOptions } from '../protocols/consensus/consensusLog.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../protocols/consensus/protectedPaxosLog.js';
import { unpackDecided } from '../protocols/consensus/logEntry.js';
import { fromNumber } from '../protocols/consensus/numberValue.js';

/** What one follower saw: the virtual times at which decisions reached it (by `decided` or in a heartbeat), and the messages it sent by kind. */
interface FollowerView {
  decidedArrivals: number[];
  sent: Map<string, number>;
  log: number[];
}

/** A fabric that records the follower's log traffic and passes everything through. */
function watched(fabric: Fabric, view: FollowerView): Fabric {
  return new Proxy(fabric, {
    get(target, property, receiver) {
      if (property === 'onMessage') {
        return (handler: (message: Message) => void) =>
          target.onMessage((message) => {
            const decoded = logMessages.decode(message.data);
            if (decoded?.kind === 'decided') view.decidedArrivals.push(target.now());
            if (decoded?.kind === 'heartbeat') for (let k = 0; k < (unpackDecided(decoded.value) ?? []).length; k++) view.decidedArrivals.push(target.now());
            handler(message);
          });
      }
      if (property === 'send') {
        return (to: number, data: Uint8Array) => {
          const kind = logMessages.decode(data)?.kind ?? 'other';
          view.sent.set(kind, (view.sent.get(kind) ?? 0) + 1);
          target.send(to, data);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** p0 appends `count` values one after another on a PMP log; p1 follows. Returns p0's finish time and p1's view. */
async function run(announce: LogOptions['announce'], count: number, timing = logTimingFor(1), lingerBeforeClose = 40): Promise<{ finished: number; follower: FollowerView; leaderLog: number[] }> {
  const config = { capacity: 8, entries: 64, window: 1, timing, region: 'log', memories: [0, 1, 2], ...(announce ? { announce } : {}) };
  const simulation = new Simulation({ scenario: 'announce-test', seed: 1, params: {}, processCount: 3, memoryCount: 3, regions: protectedPaxosLogRegions(config, 3), latency: unitLatency, horizon: 2000 });
  const follower: FollowerView = { decidedArrivals: [], sent: new Map(), log: [] };
  const leaderLog: number[] = [];
  let finished = 0;
  const read = (value: Uint8Array) => Number(new DataView(value.buffer, value.byteOffset).getBigUint64(0, true));
  simulation.spawn(0, async (fabric) => {
    const log = new ProtectedPaxosLog(fabric, config);
    for (let value = 1; value <= count; value++) await log.append(fromNumber(value));
    finished = fabric.now();
    leaderLog.push(...log.decided.map((entry) => read(entry.value)));
    if (lingerBeforeClose > 0) await fabric.sleep(lingerBeforeClose);
    await log.close();
  });
  simulation.spawn(1, async (fabric) => {
    const log = new ProtectedPaxosLog(watched(fabric, follower), config);
    for await (const entry of log.entries()) {
      follower.log.push(read(entry.value));
      if (entry.index === count - 1) break;
    }
    await log.close();
  });
  const result = await simulation.run();
  assert.deepEqual(result.errors, []);
  return { finished, follower, leaderLog };
}

describe('consensus logs: announcing decisions', () => {
  it("'heartbeat' batches a period's decisions into one burst: the leader is as fast, the follower learns all of them without fetching", async () => {
    const count = 20;
    const each = await run(undefined, count);
    const batched = await run('heartbeat', count);
    assert.equal(batched.finished, each.finished, "the leader's appends do not wait for announcements");
    assert.deepEqual(each.follower.log, each.leaderLog);
    assert.deepEqual(batched.follower.log, batched.leaderLog);
    assert.equal(batched.leaderLog.length, count);
    // Every decision reached the follower by an announcement (its own message, or carried by a heartbeat), none by a fetch.
    assert.equal(each.follower.decidedArrivals.length, count);
    assert.equal(batched.follower.decidedArrivals.length, count);
    assert.equal(each.follower.sent.get('fetch') ?? 0, 0);
    assert.equal(batched.follower.sent.get('fetch') ?? 0, 0);
    // One arrival time per decision at once; a few bursts (one per heartbeat period) when batched.
    assert.equal(new Set(each.follower.decidedArrivals).size, count);
    const bursts = new Set(batched.follower.decidedArrivals).size;
    assert.ok(bursts <= Math.ceil(batched.finished / logTimingFor(1).heartbeat) + 1, `${bursts} bursts in ${batched.finished} time units`);
    assert.ok(bursts < count, `${bursts} bursts for ${count} decisions`);
  });

  it("'heartbeat': closing sends what was decided since the last beat (a closed log answers no fetch)", async () => {
    // No beat falls inside the run and no one suspects p0: the follower can learn the entries only from the beat close() sends.
    const quiet = { ...logTimingFor(1), heartbeat: 10_000, suspectAfter: { base: 10_000, cap: 10_000, adaptive: false } };
    const { follower, leaderLog } = await run('heartbeat', 5, quiet, 0);
    assert.equal(leaderLog.length, 5);
    assert.deepEqual(follower.log, leaderLog);
    assert.equal(follower.sent.get('fetch') ?? 0, 0);
  });
});
