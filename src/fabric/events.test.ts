import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEvent, decodeEvents, decodeOperation, emit, eventKinds, eventProblem, eventsOf, type EmittedEvent, type EventValue, type NoteRecord, type NoteSink } from './events.js';
import type { Fabric, NoteEvent } from './fabric.js';

// Protocols emit into their Fabric, and backends' notes decode: checked when this file compiles.
const fabricIsASink = (fabric: Fabric): NoteSink => fabric;
const noteIsARecord = (note: NoteEvent): NoteRecord => note;
void fabricIsASink;
void noteIsARecord;

/** One event of every kind, with every field (optional ones too). */
const samples: EmittedEvent[] = [
  { kind: 'attempt', ballot: 4, from: 3 },
  { kind: 'decide', value: 7, ballot: 4, index: 2, late: true, started: 1.5, verbs: 6, messages: 0, bytes: 96, permissionRequests: 1 },
  { kind: 'learn', value: 7, from: 1, index: 2 },
  { kind: 'commit', index: 1, value: 7, instance: 2 },
  { kind: 'snapshot', index: 4, instance: 6, digest: 'cbf29ce484222325', from: 1 },
  { kind: 'leading', ballot: 4, commitPoint: 3, settled: 1 },
  { kind: 'deposed', ballot: 4 },
  { kind: 'kv-state', applied: 16, digest: 'cbf29ce484222325', final: true },
  { kind: 'broadcast', s: 0, k: 1, m: 'hi', hex: '6869' },
  { kind: 'deliver', s: 0, k: 1, m: 'hi', hex: '6869', path: 'fast' },
  { kind: 'cb-deliver', s: 0, k: 1, m: 'hi', hex: '6869', path: 'slow' },
  { kind: 'sign', purpose: 'echo', s: 0, k: 1 },
  { kind: 'signatures', made: 1, verified: 2, rejected: 0, malformed: 0 },
  { kind: 'adversary-effect', adversary: 'split', reason: 'two values' },
  { kind: 'equivocation-proof', owner: 3, fields: 'value,signature' },
  { kind: 'give-up', s: 1, k: 2 },
  { kind: 'conflict', s: 1, k: 2 },
  { kind: 'rejected', owner: 2, signer: 3, purpose: 'ready', s: 1, k: 2 },
  { kind: 'op-cost', f: 'read', roundTrips: 2 },
  { kind: 'ts-exhausted', timestamp: '1099511627776' },
  { kind: 'bft-decide', v: 0, i: 3, h: 'ab12', path: 'fast' },
  { kind: 'bft-execute', i: 3, c: 4, s: 2 },
  { kind: 'bft-suspect', v: 0, reason: 'Tdecide' },
  { kind: 'bft-sizing', verdict: 'stream-full' },
  { kind: 'bft-counters', messages: 10, replies: 1, broadcasts: 1, made: 0, verified: 1, streamMade: 0, streamVerified: 0, viewChangeMessages: 2, viewChangeMade: 2 },
  { kind: 'bft-seal-start', u: 0, trigger: 'suspicion' },
  { kind: 'bft-seal', u: 0 },
  { kind: 'bft-new-view', w: 1, start: 0, end: 2 },
  { kind: 'bft-enter', v: 1, start: 0, end: 2 },
  { kind: 'bft-skip', from: 3, to: 7 },
  { kind: 'bft-fetch', next: 8, to: 1 },
  { kind: 'bft-state-refused', from: 2, next: 8, reason: 'the snapshot does not hash to CP(8)s digest' },
  { kind: 'bft-script-view', v: 1, executed: 3 },
  { kind: 'bft-script-batch', name: 'A', h: 'ab12' },
  { kind: 'pbft-propose', v: 0, i: 2 },
  { kind: 'pbft-view-change', v: 1, prepared: 3 },
  { kind: 'pbft-new-view', v: 1, chosen: 3 },
  { kind: 'pbft-bad-new-view', v: 1, from: 1 },
  { kind: 'pbft-counters', messages: 24, replies: 4, made: 0, verified: 1, views: 0, viewMessages: 0 },
  { kind: 'round', round: 9 },
  { kind: 'go' },
  { kind: 'got' },
  { kind: 'done' },
];

/** A note sink that keeps notes as a backend would (time and process added). */
function recorder(process: number): { notes: NoteRecord[]; note(kind: string, detail?: Readonly<Record<string, EventValue>>): void } {
  const notes: NoteRecord[] = [];
  return { notes, note: (kind, detail) => notes.push({ time: notes.length, process, kind, ...(detail ? { detail } : {}) }) };
}

describe('event catalogue', () => {
  it('has a sample of every kind, and every emitted event decodes back to itself', () => {
    assert.deepEqual(samples.map((sample) => sample.kind).sort(), [...eventKinds].sort());
    const sink = recorder(2);
    for (const sample of samples) emit(sink, sample);
    sink.notes.forEach((note, index) => assert.deepEqual(decodeEvent(note), { ...samples[index], time: index, process: 2 }));
  });

  it('decodes with only the required fields, and drops fields outside the schema', () => {
    assert.deepEqual(decodeEvent({ time: 1, process: 0, kind: 'decide', detail: { value: 'x', extra: 1 } }), { kind: 'decide', value: 'x', time: 1, process: 0 });
    assert.deepEqual(decodeEvent({ time: 1, process: 0, kind: 'go' }), { kind: 'go', time: 1, process: 0 });
  });

  it('refuses a note whose fields do not match its kind, saying why', () => {
    const missing: NoteRecord = { time: 3, process: 1, kind: 'deliver', detail: { s: 0, k: 1, m: 'a', hex: '61' } };
    const wrong: NoteRecord = { time: 3, process: 1, kind: 'attempt', detail: { ballot: '4' } };
    assert.equal(decodeEvent(missing), undefined);
    assert.equal(eventProblem(missing), "p1's 'deliver' note at 3: 'path' is missing");
    assert.equal(decodeEvent(wrong), undefined);
    assert.equal(eventProblem(wrong), `p1's 'attempt' note at 3: 'ballot' is "4", not a number`);
    assert.deepEqual(decodeEvents([missing, wrong, { time: 0, process: 0, kind: 'unknown-kind' }]).malformed.length, 2);
    assert.equal(decodeEvent({ time: 0, process: 0, kind: 'unknown-kind' }), undefined);
    assert.equal(eventProblem({ time: 0, process: 0, kind: 'unknown-kind' }), undefined);
  });

  it('picks the events of one kind', () => {
    const notes: NoteRecord[] = [
      { time: 0, process: 0, kind: 'broadcast', detail: { s: 0, k: 1, m: 'a', hex: '61' } },
      { time: 1, process: 1, kind: 'deliver', detail: { s: 0, k: 1, m: 'a', hex: '61', path: 'fast' } },
    ];
    assert.deepEqual(
      eventsOf(notes, 'deliver').map((event) => [event.process, event.s, event.path]),
      [[1, 0, 'fast']],
    );
  });

  it('reads operation invocations and returns from a history', () => {
    assert.deepEqual(decodeOperation({ process: 1, type: 'invoke', f: 'propose', value: 3, time: 0, op: 5 }), { kind: 'invoke', process: 1, f: 'propose', value: 3, time: 0, op: 5 });
    assert.deepEqual(decodeOperation({ process: 1, type: 'info', f: 'write', value: null, key: 'x' }), { kind: 'return', outcome: 'info', process: 1, f: 'write', value: null, key: 'x' });
    assert.equal(decodeOperation({ process: 1, type: 'begin', f: 'write', value: null }), undefined);
  });

  it('catalogues every note kind the protocols and scenarios emit', () => {
    // Tests run from dist/; read the sources beside it. Scenarios note what the protocols'
    // APIs hand them (e.g. a broadcast's deliveries), so both are scanned.
    const sources = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : name.endsWith('.ts') && !name.endsWith('.test.ts') ? [join(dir, name)] : []));
    const noted = new Set<string>();
    for (const file of [...walk(join(sources, 'protocols')), ...walk(join(sources, 'scenarios'))]) for (const match of readFileSync(file, 'utf8').matchAll(/\bnote\(\s*'([^']+)'/g)) noted.add(match[1]);
    assert.ok(noted.has('decide') && noted.has('deliver'), `found the notes (${[...noted].join(', ')})`);
    assert.deepEqual([...noted].filter((kind) => !(eventKinds as string[]).includes(kind)), []);
  });
});
