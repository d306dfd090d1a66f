import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEvent } from '../fabric/index.js';
import { runScenario } from './index.js';
import { checkRawValidity, decodeRawValue, encodeRawValue } from './rawRegister.js';

const event = (process: number, type: HistoryEvent['type'], f: string, value: HistoryEvent['value'], time: number, op: number): HistoryEvent => ({ process, type, f, value, time, op });

describe('raw: the unreplicated store', () => {
  it('encodes a value word by word and decodes it whole, torn, or as the initial value', () => {
    const bytes = encodeRawValue(1003, 32);
    assert.equal(decodeRawValue(bytes), 1003);
    const torn = bytes.slice();
    torn.set(encodeRawValue(2001, 32).slice(16), 16);
    assert.equal(decodeRawValue(torn), 'torn:1003,1003,2001,2001');
    const halfInitial = bytes.slice();
    halfInitial.fill(0, 8);
    assert.equal(decodeRawValue(halfInitial), 'torn:1003,0,0,0');
    assert.equal(decodeRawValue(null), null);
  });

  it('its check accepts torn reads of written words, and flags a word no write had invoked before the read returned', () => {
    const good = [event(0, 'invoke', 'write', 1001, 0, 1), event(1, 'invoke', 'read', null, 1, 2), event(1, 'ok', 'read', 'torn:1001,0', 2, 2), event(0, 'ok', 'write', 1001, 3, 1)];
    assert.deepEqual(checkRawValidity(good), { violations: [], tornReads: 1 });
    // The read returned before the write of 1002 was invoked: a value from the future.
    const future = [event(1, 'invoke', 'read', null, 0, 1), event(1, 'ok', 'read', 1002, 1, 1), event(0, 'invoke', 'write', 1002, 2, 2), event(0, 'ok', 'write', 1002, 3, 2)];
    const result = checkRawValidity(future);
    assert.equal(result.violations.length, 1);
    assert.equal(result.violations[0].property, 'validity');
    assert.match(result.violations[0].detail, /word 1002/);
    // A garbled value that is no encoding at all.
    assert.equal(checkRawValidity([event(1, 'invoke', 'read', null, 0, 1), event(1, 'ok', 'read', 'garbage', 1, 1)]).violations.length, 1);
  });

  it('runs every operation in one round trip (one verb), under contention too, with --clients and --value-bytes', async () => {
    const report = await runScenario({ protocol: 'raw', seed: 3, latency: 'unit', faults: 'none', clients: 4, ops: 30, workload: 'contention', valueBytes: 32 });
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(report.params.n, 4);
    const roundTrips = report.details.roundTrips as Record<string, { count: number; p99: number; oneRoundTrip: number }>;
    assert.equal(roundTrips.read.count + roundTrips.write.count, 120);
    for (const f of ['read', 'write']) assert.deepEqual([roundTrips[f].p99, roundTrips[f].oneRoundTrip], [1, 1], f);
    assert.equal(report.metrics?.verbs, 120);
    assert.equal(report.metrics?.bytes, 120 * (8 + 32));
  });

  it('blocks, never passes silently, when its one memory crashes', async () => {
    const report = await runScenario({ protocol: 'raw', seed: 1, latency: 'unit', faults: 'none', crash: 'm0@3' });
    assert.equal(report.blocked, true);
    assert.equal(report.withinTolerance, false);
  });
});
