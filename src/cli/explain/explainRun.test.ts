import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../scenarios/index.js';
import type { TraceEvent } from '../../trace/format.js';
import { eventLine } from './eventLine.js';
import { traceEvents, traceFacts } from './traceFacts.js';
import { explainViolations, explanationText, involvementOf } from './explainRun.js';

describe('mnm run --explain', () => {
  it("lists the deciding events of the processes that disagree (paxos mutant accept-lower-ballot, seed 3)", async () => {
    const report = await runScenario({ protocol: 'paxos', seed: 3, n: 3, memories: 0, latency: 'unit', faults: 'crash', ops: 1, mutant: 'accept-lower-ballot', workload: 'contention' }, 'full');
    const agreement = report.violations.find((violation) => violation.property === 'agreement');
    assert.ok(agreement, JSON.stringify(report.violations));
    // Every decision the trace holds for the processes the violation names must be in its explanation, in words.
    const decisions = traceEvents(report.trace ?? '').filter((event) => event.type === 'note' && event.kind === 'decide');
    assert.ok(decisions.length >= 2, 'two decisions');
    const explanation = explainViolations(report).find((candidate) => candidate.property === 'agreement');
    assert.ok(explanation);
    for (const decision of decisions) {
      if (decision.type !== 'note') continue;
      const value = (decision.detail as { value: unknown }).value;
      assert.ok(
        explanation.events.some((event) => event.t === decision.t && event.line.includes(`p${decision.p} decided ${JSON.stringify(value)}`)),
        `p${decision.p}'s decision of ${JSON.stringify(value)} at ${decision.t} in\n${explanation.events.map((event) => event.line).join('\n')}`,
      );
    }
    assert.ok(explanation.events.some((event) => /decided \d+ .*— disagrees with p\d's \d+/.test(event.line)), 'the disagreeing decision is marked');
    const times = explanation.events.map((event) => event.t);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'in trace order');
    assert.match(explanationText(report), /^explain agreement: /m);
  });

  it("shows a stale register read with the writes it should have seen (register mutant minority-quorum, seed 2)", async () => {
    const report = await runScenario({ protocol: 'register', seed: 2, latency: 'lan', faults: 'none', mutant: 'minority-quorum' }, 'full');
    const violation = report.violations[0];
    assert.equal(violation?.property, 'regularity');
    const { operations } = involvementOf(violation, report.params.n);
    assert.ok(operations.length >= 2, 'the read and the writes of the values involved');
    const [explanation] = explainViolations(report);
    for (const op of operations) assert.ok(explanation.events.some((event) => event.line.includes(`[op ${op}]`)), `op ${op}`);
    assert.ok(explanation.events.some((event) => / read m\d register\[/.test(event.line)), 'the read verbs of the stale read');
  });

  it('names the processes of a violation from its detail when the checker gives none, else every process', () => {
    assert.deepEqual(involvementOf({ property: 'agreement', detail: 'p0,p2 decided 1; p1 decided 2' }, 3).processes, [0, 1, 2]);
    assert.deepEqual(involvementOf({ property: 'integrity', detail: 'p2 decided 100 and 102' }, 3).processes, [2]);
    assert.deepEqual(involvementOf({ property: 'x', detail: 'nobody named' }, 2).processes, [0, 1]);
    assert.deepEqual(involvementOf({ property: 'x', detail: 'p1', involved: { processes: [0], operations: [4] } }, 2), { processes: [0], operations: [4] });
  });

  it('says there is nothing to explain for a run that passes', async () => {
    const report = await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none' }, 'full');
    assert.match(explanationText(report), /nothing to explain/);
  });
});

describe('event lines of the ordered permission and host crashes', () => {
  it('name the proposal of an ordered grant, and the host of a crash', () => {
    const events: TraceEvent[] = [
      { t: 4, type: 'perm.change', m: 1, region: 'log', p: 2, access: 'r,r,rw', revoked: [0], proposal: '7' },
      { t: 4, type: 'perm.change', m: 1, region: 'plain', p: 2, access: 'r,r,rw', revoked: [] },
      { t: 5, type: 'fault', fault: 'crash', target: 'm1', detail: 'host h1' },
    ];
    const facts = traceFacts(events);
    assert.deepEqual(
      events.map((event) => eventLine(event, facts)),
      [
        "t=4        m1 log: p2's permission request with proposal 7 took effect (access r,r,rw; revoked p0)",
        "t=4        m1 plain: p2's permission request took effect (access r,r,rw)",
        't=5        m1 crashed (host h1)',
      ],
    );
  });
});
