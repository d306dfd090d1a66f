import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from '../../scenarios/index.js';
import type { TraceEvent, TraceHeader } from '../format.js';
import { assignLanes, memoryPid, processPid, toChromeTrace, type ChromeTraceEvent } from './perfetto.js';
import { shivizRegex, toShivizLog } from './shiviz.js';
import { TraceTextError, parseTraceText, type ParsedTrace } from './traceText.js';

/** Real simulator runs: verbs with faults (crashes lose verbs); two-sided messages; permission verbs and changes, notes, holds. */
const runs: Record<string, RunOptions> = {
  'register with every fault': { protocol: 'register', seed: 1, latency: 'rdma', faults: 'all' },
  'paxos over messages, crashes': { protocol: 'paxos', seed: 3, n: 3, memories: 0, latency: 'lan', faults: 'crash' },
  'pmp: permissions, messages, a pause and a scripted schedule': {
    protocol: 'pmp',
    seed: 1,
    latency: 'unit',
    faults: 'none',
    workload: 'storm',
    pause: 'p0@0+600',
    hold: 'p1 permission m2 until p2 note decide; p2 permission m1 until p1 read m1',
  },
};

const traces = new Map<string, ParsedTrace>();
before(async () => {
  for (const [name, options] of Object.entries(runs)) {
    const report = await runScenario(options, 'full');
    assert.ok(report.trace, `${name}: a full trace`);
    traces.set(name, parseTraceText(report.trace));
  }
});

function count<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const ofType = <K extends TraceEvent['type']>(events: readonly TraceEvent[], ...types: K[]) => events.filter((event): event is Extract<TraceEvent, { type: K }> => (types as string[]).includes(event.type));

describe('Perfetto (Chrome trace-event JSON) export', () => {
  for (const name of Object.keys(runs)) {
    it(`${name}: parses, one complete slice per verb and per operation, every host named`, () => {
      const { header, events } = traces.get(name)!;
      const chrome = JSON.parse(JSON.stringify(toChromeTrace(header, events))) as { traceEvents: ChromeTraceEvent[]; displayTimeUnit: string };
      assert.ok(Array.isArray(chrome.traceEvents));
      assert.ok(['ms', 'ns'].includes(chrome.displayTimeUnit));
      const slices = chrome.traceEvents.filter((event) => event.ph === 'X');
      for (const slice of slices) {
        assert.equal(typeof slice.ts, 'number');
        assert.ok(Number.isFinite(slice.dur) && (slice.dur as number) >= 0, `${slice.name}: dur ${slice.dur}`);
      }

      // Verbs: one slice per verb.issue, by kind and by id, on the issuer's track, issue to completion.
      const issues = ofType(events, 'verb.issue');
      const verbSlices = slices.filter((slice) => slice.cat === 'verb');
      assert.deepEqual(count(verbSlices, (slice) => slice.name), count(issues, (issue) => issue.verb));
      const sliceById = new Map(verbSlices.map((slice) => [slice.args?.id as number, slice]));
      assert.equal(sliceById.size, issues.length, 'each verb id once');
      const completions = new Map(ofType(events, 'verb.complete').map((event) => [event.id, event]));
      const last = Math.max(...events.map((event) => event.t));
      for (const issue of issues) {
        const slice = sliceById.get(issue.id)!;
        assert.equal(slice.pid, processPid(issue.p));
        assert.equal(slice.ts, issue.t);
        assert.equal((slice.ts as number) + (slice.dur as number), completions.get(issue.id)?.t ?? last, `verb ${issue.id} ends at its completion`);
        assert.equal(slice.args?.memory, `m${issue.m}`);
      }

      // Operations: one slice per invoke; the completed ones end at their return.
      const returns = new Map(ofType(events, 'op.ok', 'op.fail', 'op.info').map((event) => [event.op, event]));
      const operationSlices = slices.filter((slice) => slice.cat === 'operation');
      const invokes = ofType(events, 'op.invoke');
      assert.ok(invokes.length > 0);
      assert.equal(operationSlices.length, invokes.length);
      assert.equal(operationSlices.filter((slice) => slice.args?.outcome !== 'no return when the trace ended').length, returns.size);
      for (const slice of operationSlices) {
        const ret = returns.get(slice.args?.op as number);
        if (ret) assert.equal((slice.ts as number) + (slice.dur as number), ret.t);
      }

      // Slices on one thread never partly overlap (Perfetto needs them nested; lanes keep them disjoint).
      for (const [, onThread] of groupBy(slices, (slice) => `${slice.pid}/${slice.tid}`)) {
        const sorted = [...onThread].sort((a, b) => (a.ts as number) - (b.ts as number));
        for (let index = 1; index < sorted.length; index++) {
          assert.ok((sorted[index].ts as number) >= (sorted[index - 1].ts as number) + (sorted[index - 1].dur as number), `overlap on ${sorted[index].pid}/${sorted[index].tid}`);
        }
      }
      // Every thread with slices is named, and every process and memory has a named track.
      const threadNames = new Set(chrome.traceEvents.filter((event) => event.ph === 'M' && event.name === 'thread_name').map((event) => `${event.pid}/${event.tid}`));
      for (const slice of slices) assert.ok(threadNames.has(`${slice.pid}/${slice.tid}`), `thread ${slice.pid}/${slice.tid} named`);
      const processNames = new Map(chrome.traceEvents.filter((event) => event.ph === 'M' && event.name === 'process_name').map((event) => [event.pid, event.args?.name]));
      for (let p = 0; p < header.processes; p++) assert.equal(processNames.get(processPid(p)), `p${p}`);
      for (let m = 0; m < header.memories; m++) assert.equal(processNames.get(memoryPid(header, m)), `m${m}`);
      // A thread id belongs to one pid only and is never 0 (Perfetto keys threads by tid; tid 0 is its idle thread).
      const pidOfTid = new Map<number, number>();
      for (const event of chrome.traceEvents) {
        assert.ok(event.tid > 0, `${event.ph} ${event.name} on tid ${event.tid}`);
        assert.equal(pidOfTid.get(event.tid) ?? event.pid, event.pid, `tid ${event.tid} in one pid`);
        pidOfTid.set(event.tid, event.pid);
      }
      // Every event is on a named track, and none on pid 0 (Perfetto's idle process).
      for (const event of chrome.traceEvents) assert.ok(processNames.has(event.pid) && event.pid > 0, `${event.ph} ${event.name} on pid ${event.pid}`);
      assert.ok(chrome.traceEvents.some((event) => event.ph === 'i' && event.cat === 'fault'), 'faults shown');

      // Arrivals are instants on the memory's track; each flow starts once and finishes once.
      const arrivals = ofType(events, 'verb.arrive');
      assert.equal(chrome.traceEvents.filter((event) => event.ph === 'i' && event.cat === 'verb' && event.pid > header.processes).length, arrivals.length + ofType(events, 'verb.lost').length);
      const flows = chrome.traceEvents.filter((event) => event.ph === 's' || event.ph === 'f');
      // Perfetto reads a string flow id as hexadecimal: ids are whole numbers, told apart by (cat, name).
      for (const flow of flows) assert.ok(Number.isSafeInteger(flow.id) && (flow.id as number) >= 0, `flow id ${flow.id}`);
      const flowKey = (event: ChromeTraceEvent) => `${event.cat} ${event.name} ${event.id}`;
      const flowStarts = count(flows.filter((event) => event.ph === 's'), flowKey);
      const flowEnds = count(flows.filter((event) => event.ph === 'f'), flowKey);
      assert.deepEqual(flowStarts, flowEnds);
      const completedIds = new Set(ofType(events, 'verb.complete').map((event) => event.id));
      const replies = arrivals.filter((arrival) => completedIds.has(arrival.id)).length;
      assert.equal(flowStarts.size, arrivals.length + replies + ofType(events, 'msg.deliver').length);
      for (const [, times] of flowStarts) assert.equal(times, 1);
      // Perfetto binds a flow event to the slice on top of its track, taking events at one time in file
      // order: each comes right after the slice or instant it belongs to (same verb or message id).
      let previous: ChromeTraceEvent | undefined;
      for (const event of chrome.traceEvents) {
        if (event.ph === 'M') continue;
        if (event.ph !== 's' && event.ph !== 'f') {
          previous = event;
          continue;
        }
        assert.ok(previous && previous.pid === event.pid && previous.tid === event.tid, `flow ${event.name} ${event.id} after its slice`);
        assert.equal(previous.args?.id, event.id, `flow ${event.name} ${event.id} after the slice of the same id`);
        assert.ok((event.ts as number) >= (previous.ts as number) && (event.ts as number) <= (previous.ts as number) + (previous.dur ?? 0), `flow ${event.name} ${event.id} within its slice`);
      }
    });
  }

  it('the runs exercise what the export shows: every verb kind they use, lost verbs, messages, drops, faults, notes, holds', () => {
    const all = [...traces.values()].flatMap((trace) => trace.events);
    for (const type of ['verb.issue', 'verb.lost', 'msg.send', 'msg.deliver', 'msg.drop', 'fault', 'op.ok', 'perm.change', 'note', 'hold', 'release'] as const) assert.ok(ofType(all, type).length > 0, type);
    assert.deepEqual(new Set(ofType(all, 'verb.issue').map((issue) => issue.verb)), new Set(['read', 'write', 'permission']));
  });

  it("scales a real backend's times by its header's timeUnitMicroseconds", () => {
    const header = { type: 'header', version: 1, scenario: 'register', seed: 1, backend: 'shm', replayable: false, timeUnitMicroseconds: 1000, params: {}, processes: 1, memories: 1, latency: 'unit', regions: [] } as TraceHeader;
    const events: TraceEvent[] = [
      { t: 2, type: 'op.invoke', p: 0, op: 0, f: 'read', value: null },
      { t: 5, type: 'op.ok', p: 0, op: 0, f: 'read', value: 3 },
    ];
    const slice = toChromeTrace(header, events).traceEvents.find((event) => event.ph === 'X')!;
    assert.equal(slice.ts, 2000);
    assert.equal(slice.dur, 3000);
  });

  it('lanes: an interval goes to the first lane free at its start', () => {
    assert.deepEqual(assignLanes([{ start: 0, end: 4 }, { start: 1, end: 2 }, { start: 2, end: 3 }, { start: 3, end: 9 }, { start: 4, end: 5 }]), [0, 1, 1, 1, 0]);
  });
});

describe('ShiViz export', () => {
  for (const name of Object.keys(runs)) {
    it(`${name}: parses with its own regular expression; vector clocks tick by one and receives dominate sends`, () => {
      const { header, events } = traces.get(name)!;
      const log = toShivizLog(header, events);
      const lines = log.split('\n');
      assert.equal(lines[0], shivizRegex);
      assert.equal(lines[1], '', 'no delimiter between executions');
      const body = lines.slice(2).join('\n');
      assert.equal(lines[lines.length - 1], '');
      const eventCount = (lines.length - 3) / 2;
      assert.ok(Number.isInteger(eventCount) && eventCount > 0);
      const parsed = [...body.matchAll(new RegExp(shivizRegex, 'g'))].map((match) => ({ host: match.groups!.host, clock: JSON.parse(match.groups!.clock) as Record<string, number>, event: match.groups!.event }));
      assert.equal(parsed.length, eventCount, 'every event matched');

      const hosts = new Set([...Array(header.processes).keys()].map((p) => `p${p}`).concat([...Array(header.memories).keys()].map((m) => `m${m}`)));
      const latest = new Map<string, Record<string, number>>();
      for (const { host, clock } of parsed) {
        assert.ok(hosts.has(host), host);
        for (const [other, value] of Object.entries(clock)) {
          assert.ok(hosts.has(other) && Number.isInteger(value) && value > 0, `${other}: ${value}`);
        }
        const before = latest.get(host) ?? {};
        assert.equal(clock[host], (before[host] ?? 0) + 1, `${host} ticks by one`);
        assert.ok(dominates(clock, before), `${host}'s clock never goes back`);
        latest.set(host, clock);
      }

      // Each receive's clock dominates (and exceeds) its send's.
      const clockOf = new Map<string, Record<string, number>>();
      for (const { clock, event } of parsed) {
        const match = /^(issue|execute|complete) verb (\d+)|^(send|deliver) message (\d+)/.exec(event);
        if (match) clockOf.set(match[1] ? `${match[1]} ${match[2]}` : `${match[3]} ${match[4]}`, clock);
      }
      const pairs: [string, string, number][] = [
        ['issue', 'execute', ofType(events, 'verb.arrive').length],
        ['execute', 'complete', ofType(events, 'verb.complete').length],
        ['send', 'deliver', ofType(events, 'msg.deliver').length],
      ];
      for (const [send, receive, expected] of pairs) {
        const received = [...clockOf.keys()].filter((key) => key.startsWith(`${receive} `));
        assert.equal(received.length, expected, `${receive} events`);
        for (const key of received) {
          const sent = clockOf.get(`${send} ${key.slice(receive.length + 1)}`);
          assert.ok(sent, `${key} has its ${send}`);
          const clock = clockOf.get(key)!;
          assert.ok(dominates(clock, sent) && !dominates(sent, clock), `${key} happens after its ${send}`);
        }
      }
      assert.equal([...clockOf.keys()].filter((key) => key.startsWith('issue ')).length, ofType(events, 'verb.issue').length);
    });
  }
});

describe('reading a trace', () => {
  it('refuses what is not a trace, naming the line', () => {
    assert.throws(() => parseTraceText(''), TraceTextError);
    assert.throws(() => parseTraceText('{"process":0,"type":"invoke","f":"read","value":null}\n'), /line 1: not a trace header/);
    assert.throws(() => parseTraceText('{"type":"header","processes":1,"memories":0}\nnot json\n'), /line 2: not JSON/);
    assert.throws(() => parseTraceText('{"type":"header","processes":1,"memories":0}\n{"type":"note"}\n'), /line 2: not a trace event/);
    assert.throws(() => parseTraceText('{"type":"header","memories":0}\n'), /"processes"/);
    const header = '{"type":"header","processes":2,"memories":1}\n';
    assert.throws(() => parseTraceText(`${header}{"t":1,"type":"verb.issue","id":0,"p":0,"m":1,"verb":"read"}\n`), /line 2: verb\.issue: "m" is 1, but the header has 1 memories \(m0 to m0\)/);
    assert.throws(() => parseTraceText(`${header}{"t":1,"type":"msg.send","id":0,"from":0}\n`), /line 2: msg\.send: "to" is missing/);
    assert.throws(() => parseTraceText(`${header}{"t":1,"type":"op.ok","op":"1","p":0}\n`), /"op" is "1", expected a whole number/);
    // Unknown event types pass through untouched (readers ignore them).
    assert.equal(parseTraceText(`${header}{"t":1,"type":"future.thing","p":99}\n`).events.length, 1);
  });
});

function dominates(a: Record<string, number>, b: Record<string, number>): boolean {
  return Object.entries(b).every(([host, value]) => (a[host] ?? 0) >= value);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return groups;
}
