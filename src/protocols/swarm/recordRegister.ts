import { forEachMemory, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { enoughHolders } from './maxCore.js';
import type { SwarmMutant } from './mutants.js';
import { copyOffset, encodeRecord, largestWrite, larger, recordRegionSize, type StoredWrite, initialWrite } from './recordCopy.js';
import { wordKey } from './word.js';

/**
 * ABD's memory layer (DM-ABD and Safe-Guess use the spec's §3 layout, swarmMemories.ts): 2f+1 memories, each holding every client's
 * record (recordCopy.ts), used as a reliable max register of words whose
 * values travel with them.
 *
 * - `scan()`, a *step*: READ the whole region at every memory until f+1
 *   answered; the largest write they hold.
 * - `publish(write)`, at one memory: make it hold ≥ key(write) by writing
 *   the write into this client's own record there — skipped when the memory
 *   is already known to hold ≥ it (a scan showed it, or an earlier publish
 *   completed), and waiting for the earlier publish instead when one with a
 *   key ≥ it is still in flight (keys written to one copy pair only rise).
 * - `spread(write)`: publish at every memory not known to hold it, until
 *   f+1 are known to (the write-back; a write's second half).
 *
 * Knowledge never goes stale: memories only ever come to hold larger keys
 * (a client's copies take rising keys, and a copy cut short leaves the
 * other one, smaller but whole), so "s holds ≥ k" stays true. Clients
 * never write each other's records, so no CAS is needed.
 */
export interface RecordRegisterConfig {
  readonly region: string;
  /** 2f+1 memories. */
  readonly memories: readonly MemoryId[];
  readonly f: number;
  /** Clients (C): each owns two record copies per memory. */
  readonly clients: number;
  /** This client (0..C−1). */
  readonly client: number;
  /** Largest value in bytes. */
  readonly valueMax: number;
  readonly mutant?: SwarmMutant;
}

export function recordRegisterRegion(config: Pick<RecordRegisterConfig, 'region' | 'memories' | 'clients' | 'valueMax'>): RegionSpec {
  return { name: config.region, size: recordRegionSize(config.clients, config.valueMax), policy: 'open', memories: [...config.memories] };
}

export function checkRecordConfig(config: RecordRegisterConfig): void {
  if (!Number.isInteger(config.f) || config.f < 0 || config.memories.length !== 2 * config.f + 1) throw new RangeError(`${config.memories.length} memories do not tolerate f = ${config.f} (accepted: 2f+1 memories)`);
  if (!Number.isInteger(config.clients) || config.clients < 1 || config.clients > 4096) throw new RangeError(`${config.clients} clients (accepted: 1..4096)`);
  if (!Number.isInteger(config.client) || config.client < 0 || config.client >= config.clients) throw new RangeError(`client ${config.client} is not one of the ${config.clients} clients`);
  if (!Number.isInteger(config.valueMax) || config.valueMax < 0 || config.valueMax % 8 !== 0) throw new RangeError(`valueMax ${config.valueMax} (accepted: a multiple of 8)`);
}

interface MemoryState {
  /** A key this memory is known to hold (≥). */
  known: bigint;
  /** The key of this client's last write there, and its completion. */
  issued: bigint;
  pending: Promise<void>;
  /** Writes issued there: the next goes to copy `writes mod 2`. */
  writes: number;
}

export class RecordRegister {
  private readonly states: MemoryState[];

  constructor(
    private readonly fabric: Fabric,
    private readonly config: RecordRegisterConfig,
  ) {
    checkRecordConfig(config);
    this.states = config.memories.map(() => ({ known: 0n, issued: 0n, pending: Promise.resolve(), writes: 0 }));
  }

  /** A step: READ every memory's region until f+1 answered; the largest write among them. */
  async scan(): Promise<StoredWrite> {
    const answers = await forEachMemory(this.indices(), this.config.f + 1, (index) => this.scanOne(index));
    return answers.reduce((best, answer) => larger(best, answer.value), initialWrite);
  }

  /**
   * Publishes `write` at every memory not known to hold it until f+1 are
   * known to: 0 round trips when they already are, else 1. `writeBack`:
   * a read's write-back (what the `write-back-to-f` mutant cuts short).
   */
  async spread(write: StoredWrite, writeBack: boolean): Promise<number> {
    const key = wordKey(write.word);
    const known = this.states.filter((state) => state.known >= key).length;
    const needed = enoughHolders(this.config.f, writeBack, this.config.mutant) - known;
    if (needed <= 0) return 0;
    const lagging = this.indices().filter((index) => this.states[index].known < key);
    await forEachMemory(lagging, needed, (index) => this.publish(index, write));
    return 1;
  }

  private async scanOne(index: number): Promise<StoredWrite> {
    const { region, clients, valueMax } = this.config;
    for (;;) {
      const bytes = await this.fabric.read({ memory: this.config.memories[index], region, offset: 0 }, recordRegionSize(clients, valueMax));
      const found = largestWrite(bytes, clients, valueMax);
      if (found === 'torn') continue;
      const state = this.states[index];
      if (wordKey(found.word) > state.known) state.known = wordKey(found.word);
      return found;
    }
  }

  private publish(index: number, write: StoredWrite): Promise<void> {
    const state = this.states[index];
    const key = wordKey(write.word);
    if (state.known >= key) return Promise.resolve();
    // Keys written to one copy pair only rise: a larger write of ours still in flight there will do.
    if (state.issued >= key) return state.pending;
    const copy = state.writes % 2;
    state.writes++;
    state.issued = key;
    const address = { memory: this.config.memories[index], region: this.config.region, offset: copyOffset(this.config.client, copy, this.config.valueMax) };
    state.pending = this.fabric.write(address, encodeRecord(write, this.config.valueMax)).then(() => {
      if (key > state.known) state.known = key;
    });
    return state.pending;
  }

  private indices(): number[] {
    return this.states.map((_, index) => index);
  }
}
