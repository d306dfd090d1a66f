import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wordBytes } from '../fabric/index.js';
import type { TraceEvent, TraceHeader, TraceSink } from '../trace/format.js';
import { Prng, Simulation, describeFault, drawFaults, latencyModel, parseCrashes, withinTolerance, type Fault, type FaultProfile } from './index.js';

/**
 * p0 pipelines five one-word writes to each of three memories (each write to
 * its own word, so the memory shows which arrived), and crashes at time 3,
 * while many are still on their way (delays between 0.5 and 6).
 */
async function crashWhileWriting(seed: number, crash: string) {
  const events: TraceEvent[] = [];
  const sink: TraceSink = { header: (_header: TraceHeader) => {}, event: (event) => events.push(event) };
  const simulation = new Simulation({
    scenario: 'mid-write',
    seed,
    params: {},
    processCount: 2,
    memoryCount: 3,
    regions: [{ name: 'copy', size: 40, policy: 'open' }],
    latency: latencyModel('uniform:0.5:6'),
    horizon: 1000,
    trace: sink,
    faults: parseCrashes(crash, { processCount: 2, memoryCount: 3 }),
  });
  simulation.spawn(0, async (fabric) => {
    const writes: Promise<void>[] = [];
    for (let index = 0; index < 5; index++) {
      for (let memory = 0; memory < 3; memory++) writes.push(fabric.write({ memory, region: 'copy', offset: index * 8 }, wordBytes(BigInt(index + 1))));
    }
    await Promise.all(writes);
  });
  // Keeps the run going after p0's crash (a run ends when every body has returned or crashed), so what is in flight lands.
  simulation.spawn(1, (fabric) => fabric.sleep(100));
  const result = await simulation.run();
  const issued = events.filter((event): event is Extract<TraceEvent, { type: 'verb.issue' }> => event.type === 'verb.issue');
  const arrived = new Set(events.flatMap((event) => (event.type === 'verb.arrive' ? [event.id] : [])));
  const lost = events.filter((event): event is Extract<TraceEvent, { type: 'verb.lost' }> => event.type === 'verb.lost');
  // Per memory, in issue order: true = arrived.
  const lanes = [0, 1, 2].map((memory) => issued.filter((event) => event.m === memory).map((event) => arrived.has(event.id)));
  return { simulation, result, events, lanes, lost };
}

describe('mid-write crashes', () => {
  it('lose a suffix of each queue pair: never a verb behind one that arrived', async () => {
    const suffixes = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      const { simulation, lanes, lost, events } = await crashWhileWriting(seed, 'p0@3!');
      assert.ok(
        events.some((event) => event.type === 'fault' && event.target === 'p0' && event.detail === 'mid-write'),
        'the crash is traced as mid-write',
      );
      for (const [memory, lane] of lanes.entries()) {
        const firstLost = lane.indexOf(false);
        const lostCount = firstLost === -1 ? 0 : lane.length - firstLost;
        assert.ok(lane.slice(firstLost === -1 ? lane.length : firstLost).every((arrivedHere) => !arrivedHere), `seed ${seed}, m${memory}: ${lane} is not a prefix of arrivals`);
        suffixes.add(lostCount);
        // The memory holds exactly the words of the verbs that arrived.
        const snapshot = simulation.memory(memory).snapshot('copy');
        for (let index = 0; index < 5; index++) assert.equal(snapshot[index * 8], lane[index] ? index + 1 : 0, `seed ${seed}, m${memory}, word ${index}`);
      }
      assert.equal(lost.length, lanes.flat().filter((arrivedHere) => !arrivedHere).length, 'every lost verb is traced');
      assert.ok(lost.every((event) => event.reason === 'sender crashed mid-write' && event.t === 3));
    }
    // Across seeds: some lanes lose nothing, some everything not yet arrived, some a part.
    assert.ok(suffixes.has(0), 'an empty suffix');
    assert.ok([...suffixes].some((count) => count >= 3), 'long suffixes');
    assert.ok([...suffixes].some((count) => count === 1 || count === 2), 'short suffixes');
  });

  it('leaves some copies never sent: memories end up different', async () => {
    let differing = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const { simulation } = await crashWhileWriting(seed, 'p0@3!');
      const copies = new Set([0, 1, 2].map((memory) => Buffer.from(simulation.memory(memory).snapshot('copy')).toString('hex')));
      if (copies.size > 1) differing++;
    }
    assert.ok(differing > 0);
  });

  it('without ! a crashed process loses nothing already issued', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { lanes, lost, result } = await crashWhileWriting(seed, 'p0@3');
      assert.deepEqual(lanes, [0, 1, 2].map(() => [true, true, true, true, true]), `seed ${seed}`);
      assert.deepEqual(lost, []);
      assert.deepEqual(result.crashedProcesses, [0]);
    }
  });

  it('are deterministic', async () => {
    for (const seed of [1, 2, 3]) {
      const first = await crashWhileWriting(seed, 'p0@3!');
      const again = await crashWhileWriting(seed, 'p0@3!');
      assert.deepEqual(again.events, first.events);
    }
  });

  it('parseCrashes reads the mark, describeFault shows it, and a memory cannot take it', () => {
    const world = { processCount: 3, memoryCount: 2 };
    assert.deepEqual(parseCrashes('p2@5!,p1!,m1@4,p0', world), [
      { kind: 'crash-process', at: 5, process: 2, midWrite: true },
      { kind: 'crash-process', at: 0, process: 1, midWrite: true },
      { kind: 'crash-memory', at: 4, memory: 1 },
      { kind: 'crash-process', at: 0, process: 0 },
    ]);
    assert.equal(describeFault({ kind: 'crash-process', at: 5, process: 2, midWrite: true }), 'crash p2@5 mid-write');
    assert.equal(describeFault({ kind: 'crash-process', at: 5, process: 2 }), 'crash p2@5');
    assert.throws(() => parseCrashes('m1@4!', world), /only a process crashes mid-write/);
    assert.throws(() => parseCrashes('p1@!', world), (error: Error) => /pN\[@TIME\]\[!\]/.test(error.message) && !error.message.includes('\n'));
  });
});

describe('drawn faults', () => {
  const tolerance = { processes: 1, memories: 1 };
  const world = { processCount: 3, memoryCount: 3, window: 100, outageMax: 40 };
  const draw = (profile: FaultProfile, seed: number, longOutage?: number) =>
    drawFaults(profile, tolerance, longOutage === undefined ? world : { ...world, longOutage }, new Prng(seed, 'faults'));

  it('crash profiles make about half of the process crashes mid-write', () => {
    let crashes = 0;
    let midWrite = 0;
    for (const profile of ['crash', 'all'] as const) {
      for (let seed = 1; seed <= 200; seed++) {
        for (const fault of draw(profile, seed)) {
          if (fault.kind !== 'crash-process') continue;
          crashes++;
          if (fault.midWrite) midWrite++;
        }
      }
    }
    assert.ok(crashes > 100);
    assert.ok(midWrite > crashes * 0.35 && midWrite < crashes * 0.65, `${midWrite} of ${crashes}`);
  });

  it('with a long outage, pausing profiles add, half of the time, one pause between outageMax and it; the other faults stay', () => {
    const isLong = (fault: Fault) => fault.kind === 'pause' && fault.duration > 40;
    for (const profile of ['none', 'crash', 'net'] as const) {
      for (let seed = 1; seed <= 50; seed++) assert.deepEqual(draw(profile, seed, 500), draw(profile, seed), `${profile}, seed ${seed}`);
    }
    for (const profile of ['pause', 'all'] as const) {
      let long = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const plain = draw(profile, seed);
        const drawn = draw(profile, seed, 500);
        assert.ok(!plain.some(isLong), 'ordinary pauses stay within outageMax');
        const extra = drawn.filter(isLong);
        assert.ok(extra.length <= 1);
        if (extra.length === 1) {
          long++;
          const pause = extra[0] as Extract<Fault, { kind: 'pause' }>;
          assert.ok(pause.duration <= 500 && pause.at < 100);
          assert.deepEqual(drawn.filter((fault) => fault !== pause), plain, `${profile}, seed ${seed}: the other faults are the same`);
        } else {
          assert.deepEqual(drawn, plain);
        }
      }
      assert.ok(long > 70 && long < 130, `${profile}: ${long} of 200 drew a long pause`);
    }
  });

  it('rejects a long outage not longer than the ordinary ones', () => {
    assert.throws(() => draw('pause', 1, 40), (error: Error) => error instanceof RangeError && /long outage 40 is not accepted \(accepted: a finite number longer than .* 40\)/.test(error.message));
    assert.throws(() => draw('pause', 1, Number.NaN), RangeError);
  });

  it('are deterministic with every option', () => {
    for (const profile of ['crash', 'pause', 'net', 'all'] as const) {
      for (let seed = 1; seed <= 20; seed++) assert.deepEqual(draw(profile, seed, 300), draw(profile, seed, 300));
    }
  });

  it('pausing profiles draw, half of the time, one or two slow links (process to memory) within the outage bound', () => {
    let withSlow = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const slow = draw('all', seed).filter((fault) => fault.kind === 'slow-link');
      if (slow.length > 0) withSlow++;
      assert.ok(slow.length <= 2);
      for (const fault of slow) assert.ok(fault.kind === 'slow-link' && fault.duration <= 40 && fault.memory < 3 && fault.process < 3);
      assert.deepEqual(draw('crash', seed).filter((fault) => fault.kind === 'slow-link'), [], 'only pausing profiles');
    }
    assert.ok(withSlow > 70 && withSlow < 130, `${withSlow} of 200 drew slow links`);
  });
});

describe('host crashes', () => {
  /** Host h1 = p1 and m1. p1 bumps a counter on m0 every time unit; p0 reads m1 before and after the crash at 5. */
  async function hostCrash(crash: string) {
    const events: TraceEvent[] = [];
    const sink: TraceSink = { header: (_header: TraceHeader) => {}, event: (event) => events.push(event) };
    const world = { processCount: 2, memoryCount: 2 };
    const simulation = new Simulation({
      scenario: 'host-crash',
      seed: 1,
      params: {},
      ...world,
      regions: [{ name: 'cell', size: 8, policy: 'open' }],
      latency: latencyModel('unit'),
      horizon: 1000,
      trace: sink,
      faults: parseCrashes(crash, world),
    });
    const reads: string[] = [];
    simulation.spawn(0, async (fabric) => {
      for (const at of [2, 8]) {
        await fabric.sleep(at - fabric.now());
        await fabric.read({ memory: 1, region: 'cell', offset: 0 }, 8, { timeout: 10 }).then(
          () => reads.push(`read m1 at ${at}: answered`),
          (error: Error) => reads.push(`read m1 at ${at}: ${error.name}`),
        );
      }
    });
    simulation.spawn(1, async (fabric) => {
      for (;;) {
        await fabric.faa({ memory: 0, region: 'cell', offset: 0 }, 1n);
        await fabric.sleep(1);
      }
    });
    const result = await simulation.run();
    return { result, events, reads, counter: simulation.memory(0).snapshot('cell')[0] };
  }

  it('stops the process and its memory at the same instant, and the trace shows both', async () => {
    const { result, events, reads, counter } = await hostCrash('h1@5');
    assert.deepEqual(result.crashedProcesses, [1]);
    assert.deepEqual(result.crashedMemories, [1]);
    assert.deepEqual(reads, ['read m1 at 2: answered', 'read m1 at 8: TimedOut']);
    const faults = events.filter((event) => event.type === 'fault');
    assert.deepEqual(
      faults.map((event) => (event.type === 'fault' ? { t: event.t, target: event.target, detail: event.detail } : {})),
      [
        { t: 5, target: 'm1', detail: 'host h1' },
        { t: 5, target: 'p1', detail: 'host h1' },
      ],
    );
    // p1 bumped m0 every 3 units (a round trip, then a sleep of 1) until 5: at 2 and 5 its faa were in flight or done, nothing after.
    const bumpsAfterCrash = events.filter((event) => event.type === 'verb.issue' && event.p === 1 && event.t >= 5);
    assert.deepEqual(bumpsAfterCrash, [], 'the crashed process issues nothing more');
    assert.ok(counter >= 1 && counter <= 2, `counter ${counter}`);
  });

  it('mid-write (!) is traced on the process', async () => {
    const { events } = await hostCrash('h1@5!');
    assert.ok(events.some((event) => event.type === 'fault' && event.target === 'p1' && event.detail === 'host h1, mid-write'));
  });

  it('parseCrashes reads hN@T, and refuses a host without its process or its memory', () => {
    assert.deepEqual(parseCrashes('h1@5,h0!', { processCount: 2, memoryCount: 2 }), [
      { kind: 'crash-host', at: 5, host: 1 },
      { kind: 'crash-host', at: 0, host: 0, midWrite: true },
    ]);
    assert.throws(() => parseCrashes('h1@5', { processCount: 3, memoryCount: 1 }), /host h1 needs memory m1, and there is none \(m0\.\.m0\)/);
    assert.throws(() => parseCrashes('h1@5', { processCount: 3, memoryCount: 0 }), /needs memory m1, and there is none \(no memories\)/);
    assert.throws(() => parseCrashes('h1@5', { processCount: 1, memoryCount: 3 }), /host h1 needs process p1, and there is none \(p0\.\.p0\)/);
    assert.throws(() => parseCrashes('h@5', { processCount: 2, memoryCount: 2 }), /hN\[@TIME\]\[!\]/);
    assert.equal(describeFault({ kind: 'crash-host', at: 5, host: 1 }), 'crash h1@5');
    assert.equal(describeFault({ kind: 'crash-host', at: 5, host: 1, midWrite: true }), 'crash h1@5 mid-write');
  });

  it('counts as a process crash and a memory crash in the tolerance', () => {
    const host: Fault = { kind: 'crash-host', at: 1, host: 1 };
    assert.equal(withinTolerance([host], { processes: 1, memories: 1 }), true);
    assert.equal(withinTolerance([host], { processes: 1, memories: 0 }), false, 'its memory is one crash too many');
    assert.equal(withinTolerance([host], { processes: 0, memories: 1 }), false, 'its process is one crash too many');
    assert.equal(withinTolerance([host, { kind: 'crash-memory', at: 2, memory: 1 }], { processes: 1, memories: 1 }), true, 'the same memory twice is one crash');
    assert.equal(withinTolerance([host], { processes: 1, memories: 1, crashable: [0] }), false, 'a host whose process may not crash');
  });

  it('co-located tolerances make the crash profiles crash hosts, within the fewer of the two bounds', () => {
    const world = { processCount: 5, memoryCount: 5, window: 100 };
    const tolerance = { processes: 2, memories: 2, colocated: true } as const;
    const counts = new Set<number>();
    for (let seed = 1; seed <= 100; seed++) {
      for (const profile of ['crash', 'all'] as const) {
        const faults = drawFaults(profile, tolerance, world, new Prng(seed, 'faults'));
        assert.ok(faults.every((fault) => fault.kind !== 'crash-process' && fault.kind !== 'crash-memory'), 'no separate crashes');
        assert.ok(withinTolerance(faults, tolerance), `seed ${seed}: ${faults.map(describeFault)}`);
        counts.add(faults.filter((fault) => fault.kind === 'crash-host').length);
      }
    }
    assert.deepEqual([...counts].sort(), [0, 1, 2]);
    const narrower = { processes: 2, memories: 1, colocated: true } as const;
    for (let seed = 1; seed <= 50; seed++) assert.ok(drawFaults('crash', narrower, world, new Prng(seed, 'faults')).filter((fault) => fault.kind === 'crash-host').length <= 1);
  });
});
