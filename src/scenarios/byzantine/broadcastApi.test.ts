import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freeCosts, runKeys } from '../../crypto/index.js';
import type { Fabric, ProcessId } from '../../fabric/index.js';
import { Simulation, latencyModel } from '../../sim/index.js';
import { BroadcastStopped, ConsistentBroadcast, EmptyMessage, MessageTooLarge, NotASender, ReliableBroadcast, SlotsExhausted, type BroadcastConfig, type Delivery } from '../../protocols/byzantine/broadcast.js';
import { BrachaBroadcast, brachaMessageCapacity } from '../../protocols/byzantine/bracha.js';
import { broadcastRegions, type BroadcastLayout } from '../../protocols/byzantine/layout.js';

/**
 * Broadcast as a call: `broadcast(bytes) → k`, deliveries in k order per
 * sender (callback and async iterator), several broadcasts in flight, a run
 * that ends when its owner stops it — on the simulator, 2f+1 = 3 processes.
 */
const capacity = 32;

function layoutOf(senders: readonly ProcessId[], messages: number): BroadcastLayout {
  return { processCount: 3, memories: [0, 1, 2], senders, messages, shape: { messageCapacity: capacity, readyCapacity: 2 } };
}

function configOf(layout: BroadcastLayout, window = 1): BroadcastConfig {
  return { layout, f: 1, signTimeout: 30, readyTimeout: 30, idleAfter: 20, idlePoll: 8, window, costs: freeCosts, keys: runKeys(7) };
}

async function simulate(seed: number, layout: BroadcastLayout, body: (fabric: Fabric) => Promise<void>, latency = 'uniform:0.5:3') {
  const simulation = new Simulation({ scenario: 'broadcast-api', seed, params: { seed }, processCount: 3, memoryCount: 3, regions: broadcastRegions(layout), latency: latencyModel(latency), horizon: 100_000 });
  for (let process = 0; process < 3; process++) simulation.spawn(process, body);
  const result = await simulation.run();
  assert.deepEqual(result.errors, []);
  return result;
}

/** Bytes drawn at run time: any value 0..255, any length 1..capacity. */
function drawnBytes(fabric: Fabric): Uint8Array {
  const length = 1 + Math.floor(fabric.random() * capacity);
  return Uint8Array.from({ length }, () => Math.floor(fabric.random() * 256));
}

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A fabric that counts the timers its user left pending (set, neither fired nor cancelled). */
function countingTimers(fabric: Fabric): { fabric: Fabric; pending: () => number } {
  let pending = 0;
  const counted = new Proxy(fabric, {
    get(target, property, receiver) {
      if (property === 'setTimer') {
        return (duration: number, callback: () => void) => {
          pending++;
          let open = true;
          const close = () => {
            if (open) pending--;
            open = false;
          };
          const cancel = target.setTimer(duration, () => {
            close();
            callback();
          });
          return () => {
            close();
            cancel();
          };
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(receiver) : value;
    },
  });
  return { fabric: counted, pending: () => pending };
}

for (const [name, Kind] of [['consistent', ConsistentBroadcast], ['reliable', ReliableBroadcast]] as const) {
  describe(`${name} broadcast as a call`, () => {
    it('several broadcasts of bytes chosen at run time in flight (window 3): k order, every process, callback and iterator', async () => {
      for (const seed of [1, 2, 3]) {
        const sent: { k: number; hex: string }[] = [];
        const byCallback = new Map<ProcessId, Delivery[]>();
        const byIterator = new Map<ProcessId, Delivery[]>();
        let mostInFlight = 0;
        const completedAt: number[] = [];
        const layout = layoutOf([0, 1], 6);
        const result = await simulate(seed, layout, async (fabric) => {
          const endpoint = new Kind(fabric, { ...configOf(layout, 3), onDeliver: (delivery) => byCallback.set(fabric.self, [...(byCallback.get(fabric.self) ?? []), delivery]) });
          const iterated = (async () => {
            const list: Delivery[] = [];
            for await (const delivery of endpoint.deliveries()) list.push(delivery);
            byIterator.set(fabric.self, list);
          })();
          if (fabric.self === 0 || fabric.self === 1) {
            let inFlight = 0;
            const calls = Array.from({ length: 6 }, () => {
              const bytes = drawnBytes(fabric);
              inFlight++;
              mostInFlight = Math.max(mostInFlight, inFlight);
              return endpoint.broadcast(bytes).then((k) => {
                inFlight--;
                if (fabric.self === 0) sent.push({ k, hex: hexOf(bytes) });
                if (fabric.self === 0) completedAt.push(fabric.now());
                return k;
              });
            });
            assert.deepEqual(await Promise.all(calls), [1, 2, 3, 4, 5, 6], 'k in call order');
          }
          assert.equal(await endpoint.finished(6), true);
          await endpoint.stop();
          await iterated;
        });
        assert.equal(result.end, 'done');
        assert.ok(mostInFlight > 1);
        const starts = result.notes.filter((note) => note.kind === 'broadcast' && note.process === 0).map((note) => note.time);
        assert.ok(starts[1] < completedAt[0], `seed ${seed}: the second broadcast started (${starts[1]}) before the first completed (${completedAt[0]})`);
        assert.deepEqual(result.history, [], 'with a window the history records no (overlapping) operations');
        for (let process = 0; process < 3; process++) {
          const fromZero = (byCallback.get(process) ?? []).filter((delivery) => delivery.sender === 0);
          assert.deepEqual(fromZero.map((delivery) => delivery.sequence), [1, 2, 3, 4, 5, 6], `seed ${seed}: p${process} delivers p0's broadcasts in k order`);
          assert.deepEqual(fromZero.map((delivery) => hexOf(delivery.message)), [...sent].sort((a, b) => a.k - b.k).map((entry) => entry.hex), `seed ${seed}: p${process} delivers the bytes p0 broadcast`);
          assert.deepEqual((byCallback.get(process) ?? []).filter((delivery) => delivery.sender === 1).map((delivery) => delivery.sequence), [1, 2, 3, 4, 5, 6]);
          assert.deepEqual(byIterator.get(process), byCallback.get(process), 'the iterator yields what the callback got');
        }
      }
    });

    it('rejects what does not fit with typed errors naming the limit, writing nothing', async () => {
      const layout = layoutOf([0], 1);
      const result = await simulate(1, layout, async (fabric) => {
        const endpoint = new Kind(fabric, configOf(layout));
        if (fabric.self === 0) {
          await assert.rejects(endpoint.broadcast(new Uint8Array(capacity + 1)), (error: unknown) => error instanceof MessageTooLarge && error.code === 'message-too-large' && error.capacity === capacity && /33 bytes exceeds .* 32 bytes/.test(error.message));
          await assert.rejects(endpoint.broadcast(new Uint8Array(0)), EmptyMessage);
          assert.equal(await endpoint.broadcast(new Uint8Array(capacity).fill(7)), 1, 'exactly the capacity fits');
          await assert.rejects(endpoint.broadcast(Uint8Array.of(1)), SlotsExhausted, "the run's one slot is used");
        } else {
          await assert.rejects(endpoint.broadcast(Uint8Array.of(1)), (error: unknown) => error instanceof NotASender && /accepted: p0/.test(error.message));
        }
        assert.equal(await endpoint.stopWhenFinished(1), true, 'every process delivered the one broadcast that fit');
      });
      const broadcasts = result.notes.filter((note) => note.kind === 'broadcast');
      assert.equal(broadcasts.length, 1, 'only the broadcast that fit was started');
    });

    it('after stop: broadcast rejects with BroadcastStopped, deliveries() ends; stop ends the run with no pending timer', async () => {
      const layout = layoutOf([0], 4);
      const pendingAtEnd: number[] = [];
      const result = await simulate(2, layout, async (plain) => {
        const { fabric, pending } = countingTimers(plain);
        const endpoint = new Kind(fabric, configOf(layout));
        if (fabric.self === 0) await endpoint.broadcast(new TextEncoder().encode('only one'));
        else {
          for await (const delivery of endpoint.deliveries()) if (delivery.sequence === 1) break;
        }
        // Let the idle polling start (nothing more comes), then stop.
        await plain.sleep(200);
        await endpoint.stop();
        await assert.rejects(endpoint.broadcast(Uint8Array.of(1)), BroadcastStopped);
        const after: Delivery[] = [];
        for await (const delivery of endpoint.deliveries()) after.push(delivery);
        assert.equal(after.length, 1, 'the iterator replays what was delivered, then ends');
        assert.equal(await endpoint.finished(4), false, 'stopped before the run could finish 4 broadcasts');
        pendingAtEnd.push(pending());
      });
      assert.deepEqual(pendingAtEnd, [0, 0, 0], 'no timer of the protocol left pending after stop');
      assert.equal(result.end, 'done');
      assert.ok(result.time < 1000, `the run ended when its owners stopped it (${result.time}), not at a give-up time`);
      assert.equal(result.notes.filter((note) => note.kind === 'signatures').length, 3, 'each process noted its final counts at stop');
      assert.equal(result.unfinished.length, 0);
    });

    it('a broadcast in flight at stop rejects with BroadcastStopped and is recorded as of unknown outcome', async () => {
      const layout = layoutOf([0], 2);
      let rejected: unknown;
      const result = await simulate(3, layout, async (fabric) => {
        const endpoint = new Kind(fabric, configOf(layout));
        if (fabric.self === 0) {
          const pending = endpoint.broadcast(Uint8Array.of(1, 2, 3)).catch((error: unknown) => (rejected = error));
          await fabric.sleep(1);
          await endpoint.stop();
          await pending;
        } else {
          await fabric.sleep(1);
          await endpoint.stop();
        }
      }, 'unit');
      assert.ok(rejected instanceof BroadcastStopped, String(rejected));
      assert.deepEqual(result.history.filter((event) => event.process === 0).map((event) => event.type), ['invoke', 'info']);
    });
  });
}

describe("Bracha's broadcast as a call (n = 3f+1, messages)", () => {
  it('broadcast(bytes) → k for runtime bytes, deliveries in k order, typed errors, stop leaves no timer', async () => {
    const sent: string[] = [];
    const delivered = new Map<ProcessId, string[]>();
    const pendingAtEnd: number[] = [];
    const simulation = new Simulation({ scenario: 'bracha-api', seed: 4, params: { seed: 4 }, processCount: 4, memoryCount: 0, regions: [], latency: latencyModel('uniform:0.5:3'), horizon: 100_000 });
    for (let process = 0; process < 4; process++) {
      simulation.spawn(process, async (plain) => {
        const { fabric, pending } = countingTimers(plain);
        const endpoint = new BrachaBroadcast(fabric, { n: 4, f: 1, sender: 0, messages: 5, onDeliver: (delivery) => delivered.set(fabric.self, [...(delivered.get(fabric.self) ?? []), `${delivery.sequence}:${hexOf(delivery.message)}`]) });
        endpoint.stopBy(50_000);
        if (fabric.self === 0) {
          await assert.rejects(endpoint.broadcast(new Uint8Array(brachaMessageCapacity + 1)), (error: unknown) => error instanceof MessageTooLarge && error.capacity === brachaMessageCapacity);
          const calls = Array.from({ length: 5 }, () => {
            const bytes = drawnBytes(fabric);
            sent.push(hexOf(bytes));
            return endpoint.broadcast(bytes);
          });
          await assert.rejects(endpoint.broadcast(Uint8Array.of(1)), SlotsExhausted);
          assert.deepEqual(await Promise.all(calls), [1, 2, 3, 4, 5]);
        } else await assert.rejects(endpoint.broadcast(Uint8Array.of(1)), NotASender);
        assert.equal(await endpoint.finished(5), true);
        await endpoint.stop();
        await assert.rejects(endpoint.broadcast(Uint8Array.of(1)), BroadcastStopped);
        pendingAtEnd.push(pending());
      });
    }
    const result = await simulation.run();
    assert.deepEqual(result.errors, []);
    assert.equal(result.end, 'done');
    assert.ok(result.time < 50_000, 'ended when its owners stopped it, not at the safety net');
    assert.deepEqual(pendingAtEnd, [0, 0, 0, 0], 'the safety-net timer is cancelled at stop');
    for (let process = 0; process < 4; process++) assert.deepEqual(delivered.get(process), sent.map((hex, index) => `${index + 1}:${hex}`), `p${process}`);
  });
});
