import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionDenied, getWord, wordBytes, type Fabric, type RegionSpec } from '../fabric/index.js';
import type { TraceEvent, TraceHeader, TraceSink } from '../trace/format.js';
import { TraceRecorder } from '../trace/recorder.js';
import { Simulation, describeHold, latencyModel, parseHolds, type Hold } from './index.js';

const cell = (memory = 0) => ({ memory, region: 'cell', offset: 0 });

/** A small world under the unit latency model (every delay 1), with its trace collected. */
function world(seed: number, holds: readonly Hold[] | string, options: { processes?: number; memories?: number; latency?: string; trace?: TraceSink; regions?: RegionSpec[] } = {}) {
  const processCount = options.processes ?? 3;
  const memoryCount = options.memories ?? 1;
  const events: TraceEvent[] = [];
  const collect: TraceSink = { header: (_header: TraceHeader) => {}, event: (event) => events.push(event) };
  const sink: TraceSink = options.trace ? { header: (header) => options.trace?.header(header), event: (event) => (collect.event(event), options.trace?.event(event)) } : collect;
  const simulation = new Simulation({
    scenario: 'holds',
    seed,
    params: {},
    processCount,
    memoryCount,
    regions: options.regions ?? [{ name: 'cell', size: 8, policy: 'open' }],
    latency: latencyModel(options.latency ?? 'unit'),
    horizon: 1000,
    trace: sink,
    holds: typeof holds === 'string' ? parseHolds(holds, { processCount, memoryCount }) : holds,
  });
  return { simulation, events };
}

const ofType = <K extends TraceEvent['type']>(events: readonly TraceEvent[], type: K) => events.filter((event): event is Extract<TraceEvent, { type: K }> => event.type === type);

/** The id of every verb.arrive, in the order they happened. */
const arrivals = (events: readonly TraceEvent[]) => ofType(events, 'verb.arrive').map((event) => event.id);

describe('holds (scripted schedules)', () => {
  it('a held verb arrives only after its until: the script wins over every seed', async () => {
    let parked = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const { simulation, events } = world(seed, 'p0 write m0 until p1 write m0');
      // Both writes arrive at time 1, in a seed-chosen order unless scripted.
      simulation.spawn(0, (fabric) => fabric.write(cell(), wordBytes(100n)));
      simulation.spawn(1, (fabric) => fabric.write(cell(), wordBytes(200n)));
      const result = await simulation.run();
      assert.equal(result.end, 'done');
      assert.equal(getWord(simulation.memory(0).snapshot('cell'), 0), 100n, `seed ${seed}: p0's held write lands last`);
      const issued = ofType(events, 'verb.issue');
      const p0 = issued.find((event) => event.p === 0)?.id;
      const p1 = issued.find((event) => event.p === 1)?.id;
      assert.deepEqual(arrivals(events), [p1, p0]);
      // When p1's write comes up first, p0's was never early: nothing to park.
      if (ofType(events, 'hold').length === 0) continue;
      parked++;
      const script = events.filter((event) => event.type === 'hold' || event.type === 'release' || event.type === 'verb.arrive').map((event) => event.type);
      assert.deepEqual(script, ['hold', 'verb.arrive', 'release', 'verb.arrive'], `seed ${seed}: the trace shows the script`);
      assert.deepEqual(ofType(events, 'hold')[0], { t: 1, type: 'hold', event: 'p0 write m0', id: p0, until: 'p1 write m0' });
      assert.deepEqual(ofType(events, 'release')[0], { t: 1, type: 'release', event: 'p0 write m0', id: p0 });
    }
    assert.ok(parked >= 3, `the seeds that would have put p0's write first parked it (${parked} of 10)`);
  });

  it('releases parked events in the order they came up, before anything else', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { simulation, events } = world(seed, 'p0 write m0 until p2 note go; p1 write m0 until p2 note go');
      simulation.spawn(0, (fabric) => fabric.write(cell(), wordBytes(1n)));
      simulation.spawn(1, (fabric) => fabric.write(cell(), wordBytes(2n)));
      simulation.spawn(2, async (fabric) => {
        await fabric.sleep(5);
        fabric.note('go');
        await fabric.read(cell(), 8);
      });
      await simulation.run();
      const held = ofType(events, 'hold').map((event) => event.id);
      const released = ofType(events, 'release').map((event) => event.id);
      assert.equal(held.length, 2);
      assert.deepEqual(released, held, `seed ${seed}`);
      assert.ok(ofType(events, 'release').every((event) => event.t === 5), 'released when the note was written');
      // The released writes arrive first (at 5), then p2's read (issued at 5, arriving at 6).
      const order = arrivals(events);
      assert.deepEqual(order.slice(0, 2), held);
      assert.equal(ofType(events, 'verb.arrive').find((event) => event.id === order[2])?.t, 6);
    }
  });

  it('keeps queue-pair order: later verbs of the lane wait behind a parked one, arrivals and completions alike', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { simulation, events } = world(seed, 'p0 write m0 until p1 note go; p0 read m0 completes until p1 note done');
      const reads: bigint[] = [];
      simulation.spawn(0, async (fabric) => {
        // Three writes in flight on one queue pair: the first is held, the others must not overtake it.
        await Promise.all([1n, 2n, 3n].map((value) => fabric.write(cell(), wordBytes(value))));
        // Two reads: the first's completion is held, the second's completes behind it.
        const words = await Promise.all([0, 1].map(() => fabric.read(cell(), 8).then((bytes) => (reads.push(getWord(bytes, 0)), getWord(bytes, 0)))));
        assert.deepEqual(words, [3n, 3n]);
      });
      simulation.spawn(1, async (fabric) => {
        await fabric.sleep(4);
        fabric.note('go');
        await fabric.sleep(4);
        fabric.note('done');
      });
      const result = await simulation.run();
      assert.deepEqual(result.errors, []);
      assert.equal(result.end, 'done');
      assert.equal(getWord(simulation.memory(0).snapshot('cell'), 0), 3n, `seed ${seed}: the last write issued lands last`);
      const writes = ofType(events, 'verb.issue').filter((event) => event.verb === 'write').map((event) => event.id);
      assert.deepEqual(arrivals(events).slice(0, 3), writes, `seed ${seed}: writes arrive in issue order`);
      const holds = ofType(events, 'hold');
      assert.deepEqual(
        holds.map((event) => [event.event, event.id, event.until ?? `behind ${event.behind}`]),
        [
          ['p0 write m0', writes[0], 'p1 note go'],
          ['p0 write m0', writes[1], `behind ${writes[0]}`],
          ['p0 write m0', writes[2], `behind ${writes[1]}`],
          ['p0 read m0 completes', writes[2] + 1, 'p1 note done'],
          ['p0 read m0 completes', writes[2] + 2, `behind ${writes[2] + 1}`],
        ],
      );
      const completions = ofType(events, 'verb.complete').map((event) => event.id);
      assert.deepEqual(completions.slice(-2), [writes[2] + 1, writes[2] + 2], 'reads complete in issue order');
      assert.ok(ofType(events, 'verb.complete').slice(-2).every((event) => event.t === 8), 'after the note at 8');
    }
  });

  it('#K holds the K-th matching event only', async () => {
    // Occurrences count events as they come up (the event side) and happenings (the until side).
    const { simulation, events } = world(1, 'msg p0->p1 #2 until p1 note got #2');
    const received: number[] = [];
    simulation.spawn(0, async (fabric) => {
      for (const round of [1, 2, 3]) {
        fabric.send(1, new Uint8Array([round]));
        await fabric.sleep(1);
      }
    });
    simulation.spawn(1, async (fabric) => {
      for (let count = 0; count < 3; count++) {
        received.push((await fabric.receive()).data[0]);
        fabric.note('got');
      }
    });
    const result = await simulation.run();
    assert.equal(result.end, 'done');
    assert.deepEqual(received, [1, 3, 2]);
    assert.deepEqual(
      ofType(events, 'hold').map((event) => [event.event, event.until]),
      [['msg p0->p1', 'p1 note got #2']],
    );
  });

  it('a note releases a hold: the Protected Memory Paxos straggler', async () => {
    // p1 holds write permission on m0; p0 asks for it (revoking p1's) at time
    // 0. Unscripted, p0's request arrives at 1 and p1's write at 4 is refused.
    // Held until p1 has decided, p0 takes the permission only after p1 wrote.
    const regions: RegionSpec[] = [{ name: 'cell', size: 8, policy: 'exclusive-writer', owner: 1 }];
    for (const script of ['', 'p0 permission m0 until p1 note decide']) {
      for (let seed = 1; seed <= 5; seed++) {
        const { simulation, events } = world(seed, script, { processes: 2, regions });
        const order: string[] = [];
        simulation.spawn(0, async (fabric) => {
          await fabric.requestPermission({ memory: 0, region: 'cell' }, 'read-write');
          order.push('p0 has permission');
        });
        simulation.spawn(1, async (fabric) => {
          await fabric.sleep(3);
          try {
            await fabric.write(cell(), wordBytes(7n));
            fabric.note('decide');
            order.push('p1 decided');
          } catch (error) {
            assert.ok(error instanceof PermissionDenied);
            order.push('p1 refused');
          }
        });
        const result = await simulation.run();
        assert.deepEqual(result.errors, []);
        if (script === '') {
          assert.deepEqual(order, ['p0 has permission', 'p1 refused'], `seed ${seed}, unscripted`);
        } else {
          assert.deepEqual(order, ['p1 decided', 'p0 has permission'], `seed ${seed}`);
          assert.deepEqual(
            ofType(events, 'release').map((event) => [event.t, event.event]),
            [[5, 'p0 permission m0']],
            'released when p1 noted its decision (write issued at 3, completed at 5)',
          );
        }
      }
    }
  });

  it('a hold whose until never happens keeps its event parked for the rest of the run', async () => {
    const { simulation, events } = world(1, 'p0 write m0 until p1 note never', { processes: 2 });
    simulation.spawn(0, (fabric) => fabric.write(cell(), wordBytes(9n)));
    simulation.spawn(1, async (fabric: Fabric) => {
      await fabric.sleep(50);
      fabric.note('something else');
    });
    const result = await simulation.run();
    assert.equal(result.end, 'idle', 'nothing left to happen but the parked write');
    assert.deepEqual(result.unfinished, [0]);
    assert.equal(getWord(simulation.memory(0).snapshot('cell'), 0), 0n, 'the write never arrived');
    assert.equal(ofType(events, 'hold').length, 1);
    assert.equal(ofType(events, 'release').length, 0);
    assert.equal(ofType(events, 'verb.arrive').length, 0);
  });

  it('is deterministic: the same holds and seed give the same trace', async () => {
    const traceOf = async (seed: number) => {
      const recorder = new TraceRecorder(true);
      const { simulation } = world(seed, 'p0 write m0 #2 until p1 read m0 completes #3; msg p1->p0 until p0 write m0 #3', { latency: 'uniform:0.5:2', trace: recorder });
      simulation.spawn(0, async (fabric) => {
        for (let round = 1n; round <= 5n; round++) await fabric.write(cell(), wordBytes(round));
        await fabric.receive();
      });
      simulation.spawn(1, async (fabric) => {
        for (let round = 0; round < 5; round++) await fabric.read(cell(), 8);
        fabric.send(0, new Uint8Array([1]));
      });
      await simulation.run();
      return recorder.text();
    };
    for (const seed of [1, 2, 3]) {
      const trace = await traceOf(seed);
      assert.equal(trace, await traceOf(seed), `seed ${seed}`);
      assert.match(trace, /"type":"release"/);
    }
  });
});

describe('parseHolds', () => {
  const worldSize = { processCount: 3, memoryCount: 3 };

  it('reads the one-line form', () => {
    const holds = parseHolds('p0 permission m2 until p2 note decide; msg p1->p0 #2 until p0 write m1 completes;p2 cas m0 arrives #3 until msg p0 -> p1', worldSize);
    assert.deepEqual(holds, [
      { event: { type: 'verb.arrive', process: 0, memory: 2, verb: 'permission' }, until: { type: 'note', process: 2, kind: 'decide' } },
      { event: { type: 'msg.deliver', from: 1, to: 0, occurrence: 2 }, until: { type: 'verb.complete', process: 0, memory: 1, verb: 'write' } },
      { event: { type: 'verb.arrive', process: 2, memory: 0, verb: 'cas', occurrence: 3 }, until: { type: 'msg.deliver', from: 0, to: 1 } },
    ]);
    assert.deepEqual(holds.map(describeHold), ['p0 permission m2 until p2 note decide', 'msg p1->p0 #2 until p0 write m1 completes', 'p2 cas m0 #3 until msg p0->p1']);
    assert.deepEqual(parseHolds(holds.map(describeHold).join('; '), worldSize), holds, 'its descriptions read back');
    assert.deepEqual(parseHolds('  ', worldSize), []);
  });

  it('rejects what it cannot read with one line saying what is accepted', () => {
    const cases: [string, RegExp][] = [
      ['p0 write m1', /needs exactly one 'until'/],
      ['p0 write m1 until p1 note a until p2 note b', /needs exactly one 'until'/],
      ['p0 store m1 until p1 note x', /unknown verb 'store'/],
      ['p2 note decide until p0 write m1', /a note cannot be held/],
      ['p0 write m1 #0 until p1 note x', /occurrence '#0'/],
      ['p7 write m1 until p1 note x', /no process p7 \(p0\.\.p2\)/],
      ['p0 write m9 until p1 note x', /no memory m9 \(m0\.\.m2\)/],
      ['msg p0 p1 until p1 note x', /is not msg pN->pM/],
      ['p0 write m1 soon until p1 note x', /neither 'arrives' nor 'completes'/],
      ['p0 note until p1 note x', /not an event or a note|not pN note KIND/],
      ['q0 write m1 until p1 note x', /'q0' is not a process/],
    ];
    for (const [text, reason] of cases) {
      assert.throws(
        () => parseHolds(text, worldSize),
        (error: Error) => {
          assert.ok(error instanceof RangeError, text);
          assert.match(error.message, reason, text);
          assert.ok(!error.message.includes('\n'), `${text}: one line`);
          if (!/no (process|memory)/.test(error.message)) assert.match(error.message, /accepted: HOLD\[; HOLD\.\.\.\] with HOLD = EVENT until WHAT/, text);
          return true;
        },
      );
    }
  });

  it('holds given as objects are checked when the simulation is built', () => {
    const base = { scenario: 'bad', seed: 1, params: {}, processCount: 2, memoryCount: 1, regions: [], latency: latencyModel('unit'), horizon: 10 };
    assert.throws(() => new Simulation({ ...base, holds: [{ event: { type: 'verb.arrive', process: 5, memory: 0, verb: 'read' }, until: { type: 'note', process: 0, kind: 'x' } }] }), /no process p5/);
    assert.throws(() => new Simulation({ ...base, holds: [{ event: { type: 'msg.deliver', from: 0, to: 1, occurrence: 0 }, until: { type: 'note', process: 0, kind: 'x' } }] }), /occurrence 0/);
  });
});
