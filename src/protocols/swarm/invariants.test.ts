import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord, setWord, wordBytes } from '../../fabric/index.js';
import { encodeEntry } from './entry.js';
import { swarmMemoryWatcher, type InvariantFinding } from './invariants.js';
import { swarmLayout, swarmRegions } from './layout.js';
import type { SwarmLayoutConfig } from './memorySet.js';
import { packWord, verifiedWord, withSlot, wordId } from './word.js';

const config: SwarmLayoutConfig = { region: 's', memories: [0, 1, 2], f: 1, clients: 3, records: 2, entries: 2, valueMax: 16, keyMax: 8, inPlace: true };
const layout = swarmLayout(config);

/**
 * One memory's SWARM regions as bytes, with every change run through the
 * watcher the way the simulator does (before, after, the live regions):
 * crafted before/after states without a simulation.
 */
class WatchedMemory {
  readonly regions = new Map<string, Uint8Array>();
  readonly findings: InvariantFinding[] = [];
  private readonly watcher = swarmMemoryWatcher(config);

  constructor() {
    for (const spec of swarmRegions(config)) this.regions.set(spec.name, new Uint8Array(spec.size));
  }

  write(region: string, offset: number, data: Uint8Array): InvariantFinding[] {
    const bytes = this.regions.get(region);
    assert.ok(bytes, region);
    const before = bytes.slice(offset, offset + data.length);
    bytes.set(data, offset);
    const found = this.watcher({ region, offset, length: data.length, before, after: bytes.subarray(offset, offset + data.length), regionBytes: (name) => this.regions.get(name) });
    this.findings.push(...found);
    return found;
  }

  /** A CAS that swaps (the simulator tells watchers of swapping CASes only). */
  cas(region: string, offset: number, expected: bigint, desired: bigint): InvariantFinding[] {
    const bytes = this.regions.get(region);
    assert.ok(bytes);
    assert.equal(getWord(bytes, offset), expected, `CAS at ${region}+${offset} expects ${expected}`);
    return this.write(region, offset, wordBytes(desired));
  }

  word(region: string, offset: number): bigint {
    return getWord(this.regions.get(region) as Uint8Array, offset);
  }

  /** publish(w) by `holder` with entry `slot` (spec §3): [entry; IP if VERIFIED; CAS meta[holder]]. */
  publish(record: number, holder: number, word: bigint, slot: number, value: Uint8Array): InvariantFinding[] {
    const named = withSlot(word, slot);
    const found = [...this.write(`s.log.${holder}`, layout.entryOffset(record, slot), encodeEntry(named, record, value, config.valueMax))];
    if ((named >> 11n) & 1n) found.push(...this.write('s.rec', layout.inPlaceOffset(record), encodeEntry(named, record, value, config.valueMax)));
    found.push(...this.cas('s.rec', layout.metaOffset(record, holder), this.word('s.rec', layout.metaOffset(record, holder)), named));
    return found;
  }
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const properties = (findings: readonly InvariantFinding[]) => findings.map((finding) => finding.property);

describe('SWARM memory invariants (swarm.md §9: checked after every verb)', () => {
  it('a legit run passes: entries, CASes, promotion, copies, notif raised, entries reused after E writes', () => {
    const memory = new WatchedMemory();
    const x = packWord({ timestamp: 5n, writer: 0, verified: false });
    memory.publish(0, 0, x, 0, bytes(1));
    // Promotion: [IP; CAS] keeping the slot.
    memory.write('s.rec', layout.inPlaceOffset(0), encodeEntry(withSlot(verifiedWord(x), 0), 0, bytes(1), config.valueMax));
    memory.cas('s.rec', layout.metaOffset(0, 0), withSlot(x, 0), withSlot(verifiedWord(x), 0));
    // A copy of x by writer 1, in its own log.
    memory.publish(0, 1, verifiedWord(x), 0, bytes(1));
    // A reader notifies writer 2's GUESSED write, then a later one.
    const z = packWord({ timestamp: 7n, writer: 2, verified: false });
    memory.cas('s.rec', layout.notifOffset(0, 2), 0n, wordId(z));
    memory.cas('s.rec', layout.notifOffset(0, 2), wordId(z), wordId(z) + (1n << 12n));
    // Writer 0 publishes E more writes and more: its entries are reused once its buffer moved on.
    // e := (e + 1) mod E: x took entry 0, so ts 6 takes 1, ts 7 takes 0 again, and so on.
    for (let ts = 6n; ts < 12n; ts++) memory.publish(0, 0, packWord({ timestamp: ts, writer: 0 }), Number((ts - 5n) % 2n), bytes(Number(ts)));
    // Another record, and the KEY loaded over zeros.
    memory.publish(1, 2, packWord({ timestamp: 3n, writer: 2 }), 1, bytes(9, 9));
    memory.write('s.rec', layout.keyOffset(1), bytes(1, 0, 0, 0, 0, 0, 0, 0, 107));
    assert.deepEqual(memory.findings, []);
  });

  it('a buffer that shrinks: a lower id, or a VERIFIED word back to GUESSED', () => {
    const memory = new WatchedMemory();
    const y = packWord({ timestamp: 9n, writer: 1 });
    memory.publish(0, 1, y, 0, bytes(2));
    const x = packWord({ timestamp: 8n, writer: 1 });
    const lower = memory.publish(0, 1, x, 1, bytes(3));
    assert.deepEqual(properties(lower), ['buffers-only-grow']);
    assert.match(lower[0].detail, /meta\[1\] of record 0 went from \(ts 9, w1, V, slot 0\) down to \(ts 8, w1, V, slot 1\)/);
    const memory2 = new WatchedMemory();
    const g = packWord({ timestamp: 4n, writer: 0, verified: false });
    memory2.publish(0, 0, verifiedWord(g), 0, bytes(1));
    assert.deepEqual(properties(memory2.cas('s.rec', layout.metaOffset(0, 0), withSlot(verifiedWord(g), 0), withSlot(g, 0))), ['buffers-only-grow']);
  });

  it('notif that decreases', () => {
    const memory = new WatchedMemory();
    const id = wordId(packWord({ timestamp: 20n, writer: 1 }));
    memory.cas('s.rec', layout.notifOffset(1, 1), 0n, id);
    const found = memory.cas('s.rec', layout.notifOffset(1, 1), id, id - (1n << 12n));
    assert.deepEqual(properties(found), ['notif-never-decreases']);
    assert.match(found[0].detail, /notif\[1\] of record 1 went from \(ts 20, w1\) down to \(ts 19, w1\)/);
    // A write of the whole record that puts notif back to 0 is caught too.
    const wipe = memory.write('s.rec', layout.metaOffset(1, 0), new Uint8Array(layout.recordSize));
    assert.deepEqual(properties(wipe), ['notif-never-decreases']);
  });

  it('notif changed by anything but a CAS, even upward', () => {
    const watcher = swarmMemoryWatcher(config);
    const rec = new Uint8Array(2 * layout.recordSize);
    const offset = layout.notifOffset(0, 2);
    const id = wordId(packWord({ timestamp: 3n, writer: 2 }));
    rec.set(wordBytes(id), offset);
    const change = (kind: string) => watcher({ region: 's.rec', offset, length: 8, before: new Uint8Array(8), after: rec.subarray(offset, offset + 8), regionBytes: (name) => (name === 's.rec' ? rec : undefined), kind });
    assert.deepEqual(change('cas'), []);
    assert.deepEqual(properties(change('write')), ['notif-only-cased']);
    assert.deepEqual(properties(change('faa')), ['notif-only-cased']);
  });

  it('fields out of range: writer ≥ C, slot ≥ E, ts 0 in a buffer; a notif of another writer or past 2^52', () => {
    const memory = new WatchedMemory();
    const meta = layout.metaOffset(0, 0);
    assert.deepEqual(properties(memory.cas('s.rec', meta, 0n, packWord({ timestamp: 3n, writer: 3 }))), ['fields-in-range']);
    assert.deepEqual(properties(memory.cas('s.rec', layout.metaOffset(0, 1), 0n, packWord({ timestamp: 3n, writer: 1, slot: 2 }))), ['fields-in-range']);
    assert.deepEqual(properties(memory.cas('s.rec', layout.metaOffset(1, 2), 0n, 1n << 12n)), ['fields-in-range']);
    assert.match(memory.findings[2].detail, /ts 0/);
    assert.deepEqual(properties(memory.cas('s.rec', layout.notifOffset(0, 0), 0n, wordId(packWord({ timestamp: 3n, writer: 2 })))), ['fields-in-range']);
    assert.match(memory.findings[3].detail, /an id of writer 2, not 0/);
    assert.deepEqual(properties(memory.cas('s.rec', layout.notifOffset(0, 1), 0n, (1n << 52n) | 1n)), ['fields-in-range']);
  });

  it('Invariant D on a CAS: the buffer names an entry that was never written, holds another write, or has a bad checksum', () => {
    const memory = new WatchedMemory();
    const x = packWord({ timestamp: 5n, writer: 0 });
    const missing = memory.cas('s.rec', layout.metaOffset(0, 0), 0n, withSlot(x, 1));
    assert.deepEqual(properties(missing), ['invariant-d']);
    assert.match(missing[0].detail, /entry \(0, 1\) of log\.0 holds nothing/);
    // Entry 0 holds another write's data.
    const other = packWord({ timestamp: 4n, writer: 0 });
    memory.write('s.log.0', layout.entryOffset(0, 0), encodeEntry(other, 0, bytes(1), config.valueMax));
    assert.deepEqual(properties(memory.cas('s.rec', layout.metaOffset(0, 0), withSlot(x, 1), verifiedWord(withSlot(x, 0)) + (1n << 24n))), ['invariant-d']);
    // Bad checksum: the right word, the sum of record 1 (the checksum covers j).
    const memory2 = new WatchedMemory();
    memory2.write('s.log.2', layout.entryOffset(0, 0), encodeEntry(x, 1, bytes(1), config.valueMax));
    const wrongRecord = memory2.cas('s.rec', layout.metaOffset(0, 2), 0n, x);
    assert.deepEqual(properties(wrongRecord), ['invariant-d']);
    assert.match(wrongRecord[0].detail, /with a bad checksum or length/);
    // The data is looked up in the holder's log, not the word's writer's: a copy needs the copier's entry.
    const memory3 = new WatchedMemory();
    memory3.write('s.log.0', layout.entryOffset(0, 0), encodeEntry(x, 0, bytes(1), config.valueMax));
    assert.deepEqual(properties(memory3.cas('s.rec', layout.metaOffset(0, 1), 0n, x)), ['invariant-d']);
  });

  it('Invariant D on an entry write: rewriting or tearing the entry a buffer still names', () => {
    const memory = new WatchedMemory();
    const x = packWord({ timestamp: 5n, writer: 1 });
    memory.publish(1, 1, x, 0, bytes(1, 2, 3));
    // Writing the other entry is free; rewriting the named one (E = 1 behaviour) is not.
    assert.deepEqual(memory.write('s.log.1', layout.entryOffset(1, 1), encodeEntry(packWord({ timestamp: 6n, writer: 1, slot: 1 }), 1, bytes(4), config.valueMax)), []);
    const reused = memory.write('s.log.1', layout.entryOffset(1, 0), encodeEntry(packWord({ timestamp: 7n, writer: 1 }), 1, bytes(5), config.valueMax));
    assert.deepEqual(properties(reused), ['invariant-d']);
    assert.match(reused[0].detail, /entry \(1, 0\) of log\.1 changed under meta\[1\] of record 1 = \(ts 5, w1, V, slot 0\)/);
    // One word of the entry put back by a crash (a cut): the value no longer matches its checksum.
    const memory2 = new WatchedMemory();
    memory2.publish(0, 2, x, 1, bytes(1, 2, 3));
    const valueWord = layout.entryOffset(0, 1) + 24;
    assert.deepEqual(properties(memory2.write('s.log.2', valueWord, new Uint8Array(8))), ['invariant-d']);
    // The same entry offset in another record's part of the log is another entry.
    assert.deepEqual(memory2.write('s.log.2', layout.entryOffset(1, 1), new Uint8Array(8).fill(9)), []);
  });

  it('KEY is read-only once loaded; regions of other deployments are not watched', () => {
    const memory = new WatchedMemory();
    assert.deepEqual(memory.write('s.rec', layout.keyOffset(0), bytes(2, 0, 0, 0, 0, 0, 0, 0, 104, 105)), []);
    assert.deepEqual(properties(memory.write('s.rec', layout.keyOffset(0) + 8, bytes(106))), ['key-read-only']);
    const watcher = swarmMemoryWatcher(config);
    const before = wordBytes(5n);
    const after = wordBytes(1n);
    assert.deepEqual(watcher({ region: 't.rec', offset: 0, length: 8, before, after, regionBytes: () => undefined }), []);
  });

  it('checks every word of a write spanning records, and an unaligned write by the word it touches', () => {
    const memory = new WatchedMemory();
    const x = packWord({ timestamp: 5n, writer: 0 });
    const y = packWord({ timestamp: 6n, writer: 0 });
    memory.publish(0, 0, y, 0, bytes(1));
    memory.publish(1, 0, y, 0, bytes(1));
    // One write over both records, lowering both buffers.
    const whole = new Uint8Array(2 * layout.recordSize);
    whole.set(memory.regions.get('s.rec') as Uint8Array);
    setWord(whole, layout.metaOffset(0, 0), withSlot(x, 0));
    setWord(whole, layout.metaOffset(1, 0), withSlot(x, 0));
    assert.deepEqual(properties(memory.write('s.rec', 0, whole)), ['buffers-only-grow', 'invariant-d', 'buffers-only-grow', 'invariant-d']);
    // One byte of a buffer: its top byte is 0 already (no change); its second byte zeroed clears V (y is writer 0's, slot 0): the
    // word is lower, but it is still y's id, whose data the entry holds.
    const memory2 = new WatchedMemory();
    memory2.publish(0, 1, y, 0, bytes(1));
    assert.deepEqual(properties(memory2.write('s.rec', layout.metaOffset(0, 1) + 7, bytes(0))), []);
    assert.deepEqual(properties(memory2.write('s.rec', layout.metaOffset(0, 1) + 1, bytes(0))), ['buffers-only-grow']);
    // Its fourth byte (ts's low bits) zeroed leaves ts 0 with V set: out of range.
    const memory3 = new WatchedMemory();
    memory3.publish(0, 1, y, 0, bytes(1));
    assert.deepEqual(properties(memory3.write('s.rec', layout.metaOffset(0, 1) + 3, bytes(0))), ['buffers-only-grow', 'fields-in-range']);
  });
});
