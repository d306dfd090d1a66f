import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceEvent, TraceHeader } from '../trace/format.js';
import { buildViewModel, describeVerb, laneOfTarget, modelCounts } from './viewModel.js';
import { layOutLanes, noFilter } from './layout.js';

const header: TraceHeader = { type: 'header', version: 1, scenario: 'test', seed: 1, backend: 'sim', params: {}, processes: 2, memories: 2, latency: 'unit', regions: [] };

/** p0 writes to m0 (ok) and m1 (refused), reads m1 (torn), a verb to m0 is lost; p1 messages p0 (delivered) and p0 (dropped); faults; two operations. */
const events: TraceEvent[] = [
  { t: 0, type: 'op.invoke', p: 0, op: 0, f: 'write', value: 3 },
  { t: 0, type: 'op.invoke', p: 1, op: 1, f: 'read', value: null },
  { t: 0, type: 'verb.issue', id: 0, p: 0, m: 0, verb: 'write', region: 'r', offset: 0, len: 8, data: '03', op: 0 },
  { t: 0, type: 'verb.issue', id: 1, p: 0, m: 1, verb: 'write', region: 'r', offset: 0, len: 8, data: '03', op: 0 },
  { t: 0, type: 'msg.send', id: 0, from: 1, to: 0, len: 4, data: '00' },
  { t: 1, type: 'verb.arrive', id: 0, m: 0, ok: true },
  { t: 1, type: 'verb.arrive', id: 1, m: 1, ok: false, error: 'permission-denied' },
  { t: 1, type: 'msg.deliver', id: 0, to: 0 },
  { t: 1, type: 'perm.change', m: 1, region: 'r', p: 1, access: 'r,rw', revoked: [0] },
  { t: 2, type: 'verb.complete', id: 0, p: 0, ok: true },
  { t: 2, type: 'verb.complete', id: 1, p: 0, ok: false, error: 'permission-denied' },
  { t: 2, type: 'verb.issue', id: 2, p: 0, m: 1, verb: 'read', region: 'r', offset: 0, len: 8 },
  { t: 2, type: 'msg.send', id: 1, from: 1, to: 0, len: 4, data: '00' },
  { t: 2, type: 'fault', fault: 'partition', target: 'p1,m1', until: 5 },
  { t: 2, type: 'msg.drop', id: 1, reason: 'partition' },
  { t: 3, type: 'verb.arrive', id: 2, m: 1, ok: true, data: '02', torn: 1 },
  { t: 3, type: 'fault', fault: 'crash', target: 'm0' },
  { t: 3, type: 'verb.issue', id: 3, p: 0, m: 0, verb: 'cas', region: 'r', offset: 0, len: 8, expected: '0', desired: '1' },
  { t: 4, type: 'verb.complete', id: 2, p: 0, ok: true },
  { t: 4, type: 'verb.lost', id: 3, m: 0 },
  { t: 4, type: 'op.ok', p: 0, op: 0, f: 'write', value: 3 },
  { t: 4, type: 'op.invoke', p: 0, op: 2, f: 'read', value: null },
  { t: 5, type: 'fault', fault: 'heal', target: 'network' },
  { t: 6, type: 'end', reason: 'done', events: 23 },
];

describe('view model', () => {
  const model = buildViewModel(header, events);

  it('has a lane per process, then per memory', () => {
    assert.deepEqual(model.lanes.map((lane) => lane.name), ['p0', 'p1', 'm0', 'm1']);
  });

  it('follows each verb from issue to completion, with its outcome', () => {
    const byId = new Map(model.verbs.map((verb) => [verb.id, verb]));
    assert.deepEqual([byId.get(0)!.issueT, byId.get(0)!.arriveT, byId.get(0)!.completeT, byId.get(0)!.status], [0, 1, 2, 'ok']);
    assert.equal(byId.get(1)!.status, 'refused');
    assert.equal(byId.get(1)!.error, 'permission-denied');
    assert.equal(byId.get(2)!.torn, 1);
    assert.equal(byId.get(3)!.status, 'lost');
    assert.equal(byId.get(3)!.lostT, 4);
    assert.match(describeVerb(byId.get(1)!), /^write #1 p0 → m1 .*REFUSED \(permission-denied\)/);
    assert.match(describeVerb(byId.get(2)!), /TORN \(1 words\)/);
  });

  it('pairs messages with their delivery or drop', () => {
    assert.deepEqual(
      model.messages.map((message) => [message.id, message.deliverT, message.dropT, message.dropReason]),
      [
        [0, 1, undefined, undefined],
        [1, undefined, 2, 'partition'],
      ],
    );
  });

  it('marks grants on the memory, revocations on the process that lost access, faults on their target', () => {
    const marks = model.marks.map((mark) => [mark.kind, mark.lane, mark.t, mark.until]);
    assert.deepEqual(marks, [
      ['grant', 3, 1, undefined],
      ['revoke', 0, 1, undefined],
      ['partition', 1, 2, 5],
      ['partition', 3, 2, 5],
      ['crash', 2, 3, undefined],
      ['heal', -1, 5, undefined],
      ['end', -1, 6, undefined],
    ]);
  });

  it('draws operations as bars per client, an unreturned one running to the end, overlapping ones on further rows', () => {
    const bars = model.operations.map((bar) => [bar.op, bar.p, bar.startT, bar.endT, bar.outcome, bar.row]);
    assert.deepEqual(bars, [
      [0, 0, 0, 4, 'ok', 0],
      [1, 1, 0, 6, 'pending', 0],
      [2, 0, 4, 6, 'pending', 1],
    ]);
    assert.deepEqual(model.operationRows, [2, 1]);
  });

  it('counts what it holds by kind', () => {
    const counts = modelCounts(model);
    assert.deepEqual(counts.verbs, { write: 2, read: 1, cas: 1 });
    assert.deepEqual([counts.lanes, counts.refused, counts.lost, counts.torn, counts.messages, counts.dropped, counts.operations], [4, 1, 1, 1, 2, 1, 3]);
    assert.deepEqual(counts.marks, { grant: 1, revoke: 1, partition: 2, crash: 1, heal: 1, end: 1 });
    assert.deepEqual(model.times, [0, 1, 2, 3, 4, 5, 6]);
  });

  it('marks the operations a non-linearizable check could not place, and numbers the prefix', () => {
    const checked = buildViewModel(header, events, { check: { verdict: 'not-linearizable', model: 'register', operationIds: 'trace op id', witness: { prefix: [0], unplaced: [1], state: 3 } } });
    assert.deepEqual(checked.operations.filter((bar) => bar.unplaced).map((bar) => bar.op), [1]);
    assert.equal(checked.operations[0].order, 0);
    assert.match(checked.linearization!.explanation, /NOT linearizable \(register\): the longest linearizable prefix found has 1 operations, leaving the state 3, and none of these can take effect next: op 1 p1 read/);
  });

  it('numbers the operations in the linearization found', () => {
    const checked = buildViewModel(header, events, { check: { verdict: 'linearizable', model: 'register', operationIds: 'trace op id', witness: { linearization: [1, 0] } } });
    assert.deepEqual(checked.operations.map((bar) => bar.order), [1, 0, undefined]);
    assert.equal(checked.operations.filter((bar) => bar.unplaced).length, 0);
  });

  it('does not map a check whose operations are named by line', () => {
    const checked = buildViewModel(header, events, { check: { verdict: 'not-linearizable', operationIds: 'line of the call', witness: { prefix: [], unplaced: [2] } } });
    assert.equal(checked.operations.filter((bar) => bar.unplaced).length, 0);
    assert.match(checked.linearization!.unmapped!, /line of the call/);
  });

  it('links a run violation to the events of the operations involved', () => {
    const linked = buildViewModel(header, events, { report: { violations: [{ property: 'regularity', detail: 'read by p1 returned 2', involved: { processes: [1], operations: [1, 0] } }] } });
    assert.deepEqual(linked.violations[0].events, [0, 1, 20]);
    assert.deepEqual([linked.violations[0].startT, linked.violations[0].endT], [0, 6]);
    assert.deepEqual(linked.operations.map((bar) => bar.violations), [[0], [0], []]);
    const named = buildViewModel(header, events, { report: { violations: [{ property: 'agreement', detail: 'p0 decided 1, p1 decided 2' }] } });
    assert.deepEqual(named.violations[0].processes, [0, 1]);
  });

  it('finds a target lane by name', () => {
    assert.deepEqual(['p1', 'm0', 'msg p1->p0', 'p0 write m1', 'network', 'p7', 'h0'].map((target) => laneOfTarget(header, target)), [1, 2, 1, 0, -1, -1, -1]);
  });
});

describe('lane layout', () => {
  const model = buildViewModel(header, events);
  it('stacks the visible lanes with their operation rows, and leaves hidden ones out', () => {
    const all = layOutLanes(model, noFilter);
    assert.ok(all.laneY.every((y) => y > 0));
    assert.ok(all.laneY[0] < all.operationsY[0] && all.operationsY[0] < all.laneY[1] && all.laneY[1] < all.laneY[2] && all.laneY[2] < all.laneY[3]);
    const hidden = layOutLanes(model, { hiddenProcesses: new Set([0]), hiddenMemories: new Set([1]), hiddenVerbs: new Set() });
    assert.deepEqual([hidden.laneY[0], hidden.operationsY[0], hidden.laneY[3]], [-1, -1, -1]);
    assert.ok(hidden.heightPx < all.heightPx);
  });
});
