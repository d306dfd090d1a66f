import type { Fabric } from '../../fabric/index.js';
import type { DmAbdMutant } from './mutants.js';
import { RecordRegister, type RecordRegisterConfig } from './recordRegister.js';
import { timestampMax, packWord, unpackWord } from './word.js';

/**
 * DM-ABD (spec swarm.md §4): the classic multi-writer atomic register on the
 * reliable max register, the baseline SWARM's one-round-trip writes improve
 * on. Over 2f+1 memories, any client reads and writes.
 *
 * - WRITE(v): a step scan; y := (maxSeen + 1, me) — a *fresh* timestamp,
 *   above every one this client has seen, the scan's included; publish y
 *   with v at every memory until f+1 hold it: 2 round trips.
 * - READ(): a step scan; m := its largest word; unless f+1 memories are
 *   known to hold ≥ m, write m (with its value) back at every memory not
 *   known to hold it until f+1 do; return m's value: 1 round trip, 2 with
 *   the write-back.
 *
 * The words (word.ts) are `ts | writer` keys: distinct writers never write
 * the same key, and one writer's keys rise (maxSeen counts its own). Values
 * travel in place with their word, in the publisher's own record
 * (recordCopy.ts): the spec's In-n-Out build, without its separate log
 * entries and CAS on meta buffers (docs/swarm.md says why that is the same
 * max register).
 *
 * Why it is linearizable: order by key, writes before reads of their key.
 * F1: a memory's largest key never decreases (own records, rising keys; a
 * copy cut short leaves the other, smaller one whole), and any two sets of
 * f+1 memories meet, so a scan issued after a key ≥ w sat on f+1 memories
 * returns ≥ w. F2: a returned operation leaves ≥ its key on f+1 memories
 * (a write: its publish; a read: checked or written back). So if P returned
 * before Q began, Q's scan sees ≥ key(P): a read Q returns a key ≥ key(P),
 * a write Q takes a fresh timestamp above it, so key(Q) > key(P). A read
 * returns the value published with its word: each record's checksum covers
 * word and value, so a torn copy is never taken (its other copy stands).
 * `write-without-scan` takes maxSeen + 1 from the cache alone and can land
 * below a completed write; `no-write-back` breaks F2 for reads.
 */
export interface DmAbdConfig extends Omit<RecordRegisterConfig, 'mutant'> {
  readonly mutant?: DmAbdMutant;
}

/** The operation would need a timestamp beyond 40 bits: the client stops (spec §3: fail-stop, never wrap). */
export class TimestampsExhausted extends Error {
  constructor() {
    super('ts-exhausted: the next timestamp would not fit in 40 bits; redeploy with fresh regions');
    this.name = 'TimestampsExhausted';
  }
}

export class DmAbdRegister {
  private readonly records: RecordRegister;
  /** The largest timestamp this client read or issued. */
  private maxSeen = 0n;
  private roundTrips = 0;

  constructor(fabric: Fabric, private readonly config: DmAbdConfig) {
    this.records = new RecordRegister(fabric, config);
  }

  get lastRoundTrips(): number {
    return this.roundTrips;
  }

  async write(value: Uint8Array): Promise<void> {
    if (value.length > this.config.valueMax) throw new RangeError(`value of ${value.length} bytes exceeds the register's ${this.config.valueMax}`);
    let roundTrips = 0;
    if (this.config.mutant !== 'write-without-scan') {
      this.see((await this.records.scan()).word);
      roundTrips++;
    }
    if (this.maxSeen + 1n > timestampMax) throw new TimestampsExhausted();
    this.maxSeen += 1n;
    roundTrips += await this.records.spread({ word: packWord({ timestamp: this.maxSeen, writer: this.config.client }), value }, false);
    this.roundTrips = roundTrips;
  }

  async read(): Promise<Uint8Array | null> {
    const latest = await this.records.scan();
    this.see(latest.word);
    this.roundTrips = 1;
    if (latest.word !== 0n && this.config.mutant !== 'no-write-back') this.roundTrips += await this.records.spread(latest, true);
    return latest.value;
  }

  private see(word: bigint): void {
    const { timestamp } = unpackWord(word);
    if (timestamp > this.maxSeen) this.maxSeen = timestamp;
  }
}
