import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Accounting, quantile, type FunctionMetrics } from './accounting.js';
import type { TraceEvent } from './format.js';

/** A small seeded generator (mulberry32): the same events every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A random trace: operations called and returned (ok, fail, info, or never), verbs and messages charged to open, returned and unknown operations. */
function randomEvents(seed: number): TraceEvent[] {
  const next = random(seed);
  const events: TraceEvent[] = [];
  const open: number[] = [];
  let operations = 0;
  let t = 0;
  for (let step = 0; step < 400; step++) {
    t += Math.floor(next() * 3) + next();
    const roll = next();
    if (roll < 0.2 || open.length === 0) {
      const op = operations++;
      open.push(op);
      events.push({ t, type: 'op.invoke', p: op % 3, op, f: next() < 0.5 ? 'read' : 'write', value: null });
    } else if (roll < 0.4) {
      const [op] = open.splice(Math.floor(next() * open.length), 1);
      const outcome = next();
      events.push({ t, type: outcome < 0.7 ? 'op.ok' : outcome < 0.85 ? 'op.fail' : 'op.info', p: op % 3, op, f: 'ignored', value: null });
    } else {
      // Charged to any operation called so far (returned ones too: stragglers), or to an id never called, or to none.
      const op = next() < 0.1 ? undefined : Math.floor(next() * (operations + 2));
      const len = Math.floor(next() * 64);
      if (next() < 0.7) events.push({ t, type: 'verb.issue', id: step, p: 0, m: 0, verb: 'read', region: 'r', offset: 0, len, ...(op === undefined ? {} : { op }) });
      else events.push({ t, type: 'msg.send', id: step, from: 0, to: 1, len, data: '', ...(op === undefined ? {} : { op }) });
    }
  }
  events.push({ t, type: 'end', reason: 'done', events: events.length });
  return events;
}

/** The summary computed the direct way, from every operation's costs (what the running totals replace). */
function referenceByFunction(accounting: Accounting, unit: boolean): Record<string, FunctionMetrics> {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
  const done = accounting.operations().filter((cost) => cost.outcome === 'ok');
  const byFunction: Record<string, FunctionMetrics> = {};
  for (const f of [...new Set(done.map((cost) => cost.f))].sort()) {
    const costs = done.filter((cost) => cost.f === f);
    const latencies = costs.map((cost) => cost.latency).sort((a, b) => a - b);
    const median = quantile(latencies, 0.5);
    byFunction[f] = {
      count: costs.length,
      delaysMedian: unit ? median : null,
      delaysMax: unit ? latencies[latencies.length - 1] : null,
      roundTripsMedian: unit ? Math.ceil(median / 2) : null,
      latencyMedian: round(median),
      latencyP99: round(quantile(latencies, 0.99)),
      latencyMax: round(latencies[latencies.length - 1]),
      verbsMean: round(mean(costs.map((cost) => cost.verbs))),
      messagesMean: round(mean(costs.map((cost) => cost.messages))),
      bytesMean: round(mean(costs.map((cost) => cost.bytes))),
    };
  }
  return byFunction;
}

describe('accounting', () => {
  it('running totals give the summary computed from every operation, stragglers included', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const listed = new Accounting();
      const totals = new Accounting({ perOperation: false });
      const unit = seed % 2 === 0;
      const header = { type: 'header', version: 1, scenario: 's', seed, backend: 'sim', params: {}, processes: 3, memories: 1, latency: unit ? 'unit' : 'lan', regions: [] } as const;
      listed.header(header);
      totals.header(header);
      for (const event of randomEvents(seed)) {
        listed.event(event);
        totals.event(event);
      }
      const summary = totals.summary();
      assert.deepEqual(summary, listed.summary(), `seed ${seed}`);
      assert.deepEqual(summary.byFunction, referenceByFunction(listed, unit), `seed ${seed}`);
      assert.ok(summary.operations > 20, `seed ${seed}: ${summary.operations} operations completed`);
    }
    assert.throws(() => new Accounting({ perOperation: false }).operations(), /not kept/);
  });
});
