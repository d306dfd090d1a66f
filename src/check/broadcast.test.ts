import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NoteRecord } from '../fabric/events.js';
import { checkBroadcast } from './broadcast.js';

const broadcast = (process: number, k: number, hex: string, time = 0): NoteRecord => ({ time, process, kind: 'broadcast', detail: { s: process, k, m: '', hex } });
const deliver = (process: number, s: number, k: number, hex: string, time = 1): NoteRecord => ({ time, process, kind: 'deliver', detail: { s, k, m: '', hex, path: 'fast' } });
const finished = (process: number): NoteRecord => ({ time: 9, process, kind: 'signatures', detail: { made: 0, verified: 0, rejected: 0, malformed: 0 } });
const run = { byzantine: [3], processCount: 4, totality: true };

describe('broadcast properties (check/broadcast.ts)', () => {
  it('accept a run where every correct process delivers the correct sender’s message once', () => {
    const notes = [broadcast(0, 1, '61'), deliver(0, 0, 1, '61'), deliver(1, 0, 1, '61'), deliver(2, 0, 1, '61'), finished(0), finished(1), finished(2)];
    assert.deepEqual(checkBroadcast(notes, run), []);
  });

  it('flag validity, consistency, integrity and totality, judging correct processes only', () => {
    const properties = (notes: NoteRecord[]) => checkBroadcast(notes, run).map((violation) => violation.property);
    const alive = [finished(0), finished(1), finished(2)];
    assert.deepEqual(properties([broadcast(0, 1, '61'), deliver(0, 0, 1, '61'), deliver(1, 0, 1, '61'), ...alive]), ['totality', 'validity']);
    assert.ok(properties([deliver(0, 3, 1, '61'), deliver(1, 3, 1, '62'), deliver(2, 3, 1, '61'), ...alive]).includes('consistency'));
    assert.ok(properties([broadcast(0, 1, '61'), deliver(0, 0, 1, '61'), deliver(1, 0, 1, '61'), deliver(2, 0, 1, '61'), deliver(2, 0, 1, '61'), ...alive]).includes('integrity'));
    // A Byzantine process's own notes prove nothing.
    assert.deepEqual(properties([deliver(3, 0, 7, 'ff'), ...alive]), []);
  });

  it('report a correct process’s delivery note that does not decode', () => {
    const broken: NoteRecord = { time: 1, process: 1, kind: 'deliver', detail: { s: 0, k: 1, hex: '61' } };
    const violations = checkBroadcast([broken], run);
    assert.deepEqual(violations.map((violation) => violation.property), ['event-format']);
    assert.match(violations[0].detail, /'m' is missing, 'path' is missing/);
  });
});
