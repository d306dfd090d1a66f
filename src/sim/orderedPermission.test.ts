import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceEvent, TraceHeader, TraceSink } from '../trace/format.js';
import { Simulation, latencyModel } from './index.js';

/** p0 and then p1 request write access to an ordered region and a plain one, each with a proposal number. */
async function permissionTrace(seed: number) {
  const events: TraceEvent[] = [];
  const sink: TraceSink = { header: (_header: TraceHeader) => {}, event: (event) => events.push(event) };
  const simulation = new Simulation({
    scenario: 'ordered-permission',
    seed,
    params: {},
    processCount: 2,
    memoryCount: 1,
    regions: [
      { name: 'log', size: 8, policy: 'ordered-exclusive-writer' },
      { name: 'plain', size: 8, policy: 'exclusive-writer' },
    ],
    latency: latencyModel('uniform:0.5:3'),
    horizon: 1000,
    trace: sink,
  });
  const outcomes: string[] = [];
  simulation.spawn(0, async (fabric) => {
    await fabric.requestPermission({ memory: 0, region: 'log' }, 'read-write', { proposal: 5n });
    await fabric.requestPermission({ memory: 0, region: 'plain' }, 'read-write', { proposal: 5n });
    fabric.send(1, new Uint8Array([1]));
  });
  simulation.spawn(1, async (fabric) => {
    await fabric.receive();
    for (const region of ['log', 'plain']) {
      await fabric.requestPermission({ memory: 0, region }, 'read-write', { proposal: 4n }).then(
        () => outcomes.push(`${region} granted`),
        (error: Error) => outcomes.push(`${region}: ${error.message}`),
      );
    }
  });
  const outcome = await simulation.run();
  assert.equal(outcome.end, 'done');
  return { events, outcomes, highest: simulation.memory(0).highestGrantedOf('log') };
}

describe('ordered-exclusive-writer on the simulator', () => {
  it('the trace shows the proposal on the request and on the change; other policies keep their old events', async () => {
    const { events, outcomes, highest } = await permissionTrace(1);
    const changes = events.filter((event) => event.type === 'perm.change');
    assert.deepEqual(
      changes.map((event) => ({ region: event.region, p: event.p, proposal: event.proposal })),
      [
        { region: 'log', p: 0, proposal: '5' },
        { region: 'plain', p: 0, proposal: undefined },
        { region: 'plain', p: 1, proposal: undefined },
      ],
    );
    const issued = events.filter((event) => event.type === 'verb.issue' && event.verb === 'permission');
    assert.deepEqual(issued.map((event) => (event.type === 'verb.issue' ? event.proposal : undefined)), ['5', '5', '4', '4']);
    assert.match(outcomes[0], /^log: permission denied: p1 may not requestPermission region 'log' on m0 \(p1's proposal 4 is lower than 5/);
    assert.equal(outcomes[1], 'plain granted');
    assert.equal(highest, 5n, 'the refused request left the number where it was');
  });

  it('is deterministic: the same seed gives the same events', async () => {
    assert.deepEqual((await permissionTrace(7)).events, (await permissionTrace(7)).events);
  });
});
