import type { Fabric } from '../../fabric/index.js';
import type { AbdMutant } from './mutants.js';
import { RecordRegister, type RecordRegisterConfig } from './recordRegister.js';
import { packWord, unpackWord } from './word.js';

/**
 * ABD (Attiya, Bar-Noy, Dolev) with one writer, over 2f+1 memories: the
 * lecture's naive replicated register (src/protocols/register/) plus the
 * read's write-back that makes it atomic — the lecture's exercise, done.
 *
 * - write(v): the writer's next timestamp t; write (t, v) into its record at
 *   every memory, return once f+1 hold it (1 round trip).
 * - read(): a step (READ every memory's records until f+1 answered); m :=
 *   the write with the largest timestamp among them; unless f+1 memories are
 *   known to hold ≥ m already, write m back into the reader's own record at
 *   every memory not known to hold it until f+1 do (recordRegister.ts);
 *   return m's value (1 round trip, or 2 with the write-back).
 *
 * Why it is linearizable: order operations by the timestamp they wrote or
 * returned, writes before the reads of their timestamp. (1) A returned
 * operation leaves ≥ its timestamp on f+1 memories (the write's own f+1; a
 * read's check or write-back). (2) A memory's largest timestamp never
 * decreases (each client writes its own two copies with rising keys; a copy
 * cut short by a crash leaves the other one, holding that client's previous,
 * smaller write, whole — and a scan only ever needs "≥"). (3) Any step's f+1
 * responders meet those f+1 memories. So an operation that starts after P
 * returned sees ≥ P's timestamp, and a write then takes a larger one (one
 * writer: its timestamps rise): the order respects real time, and a read
 * returns the value of the write with its timestamp. Without the write-back
 * (`no-write-back`), (1) fails for reads: a read may return a value present
 * on one memory only, and a later read's step miss it — the new/old
 * inversion of a regular register. Torn reads: every record is checksummed;
 * a torn copy is ignored (its other copy holds the client's previous write),
 * so a READ racing a write sees it as not yet landed, never as garbage.
 */
export interface AbdConfig extends Omit<RecordRegisterConfig, 'mutant'> {
  /** The one writer (a client id). */
  readonly writer: number;
  readonly mutant?: AbdMutant;
}

export class AbdRegister {
  private readonly records: RecordRegister;
  private timestamp = 0n;
  private roundTrips = 0;

  constructor(fabric: Fabric, private readonly config: AbdConfig) {
    this.records = new RecordRegister(fabric, config);
  }

  /** Round trips on the critical path of the last operation. */
  get lastRoundTrips(): number {
    return this.roundTrips;
  }

  async write(value: Uint8Array): Promise<void> {
    if (this.config.client !== this.config.writer) throw new Error(`client ${this.config.client} is not the register's writer (${this.config.writer})`);
    this.timestamp += 1n;
    this.roundTrips = await this.records.spread({ word: packWord({ timestamp: this.timestamp, writer: this.config.client }), value }, false);
  }

  /** The value of the latest write, or null before any. */
  async read(): Promise<Uint8Array | null> {
    const latest = await this.records.scan();
    this.roundTrips = 1;
    if (this.config.client === this.config.writer && unpackWord(latest.word).timestamp > this.timestamp) this.timestamp = unpackWord(latest.word).timestamp;
    if (latest.word !== 0n && this.config.mutant !== 'no-write-back') this.roundTrips += await this.records.spread(latest, true);
    return latest.value;
  }
}
