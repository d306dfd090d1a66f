import { forEachMemory, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { afterCas, bufferMax, enoughHolders, holders, maxOf, type MemoryCache } from './maxCore.js';
import type { MaxRegisterMutant } from './mutants.js';

/**
 * Max registers (spec swarm.md §2, the lecture's "Fast memory replication").
 *
 * **One memory.** T buffers `meta[0..T−1]` (u64, initially 0); client c
 * writes only `meta[c mod T]`; the register's value is the largest buffer.
 * `write(v)`: nothing if the cache already knows the memory holds ≥ v (0
 * round trips); else CAS its buffer from the value it believes is there to
 * v, learning the buffer's value from a failed CAS, and retry *only while*
 * that value is below v (replacing a value ≥ v would lower the register).
 * `read()`: one READ of every buffer, the largest.
 *
 * Why it is a max register: buffers only grow (every CAS replaces a value by
 * a larger one, since the loop only retries from an r < v), so a READ issued
 * after a write(v) returned sees a buffer ≥ v (write–read monotonicity) and a
 * READ issued after another READ returned sees at least the buffer that one
 * took (read–read); every buffer value was written (validity). A READ longer
 * than a word may tear — each buffer word is atomic, so a torn READ returns a
 * value some buffer held at some instant during the READ, ≥ everything that
 * landed before the READ was issued: the three properties hold, but not
 * linearizability (B raises 2→4, then A 1→3: a READ concurrent with both
 * that read B's buffer early and A's late returns 3, though write(4) returned
 * before write(3) began). With T = C no CAS of c's can fail (c alone writes
 * its buffer); T < C makes writes lock-free only. A client's operations on
 * one memory run one at a time, so one CAS loop at a time updates its cache
 * of that memory; `known` only ever comes from a READ or a CAS result, and
 * buffers only grow, so it never overstates what the memory holds.
 *
 * **Reliable** over 2f+1 memories, f of which may crash. `write(v)` runs the
 * one-memory write at every memory and returns once f+1 are known to hold
 * ≥ v (0 round trips when the caches already know it; otherwise 1, plus CAS
 * retries when T < C). `read()`: a step (a READ at every memory, until f+1
 * answered), m := their largest; if f+1 memories are known to hold ≥ m,
 * return m (1 round trip), else write m back — the one-memory write of m at
 * *every* memory not known to hold it (a responder lagging behind may crash,
 * so the others are asked too) until f+1 are known to — and return m (2).
 * Safety: a returned write or read leaves ≥ its value on f+1 memories
 * (write: its CASes or its cache; read: checked or written back); buffers
 * only grow; any later step's f+1 responders meet those f+1 memories, so its
 * maximum is ≥ that value — both monotonicity properties; validity as above.
 * Without the write-back a read returns a maximum that may sit on one memory
 * only, and a later read's step can miss it (`no-write-back`). Not
 * linearizable (spec §2): a read's torn READ can still return 3 while B's
 * write(4) completed before A's write(3) began — both writes ran during the
 * read, so no property forbids it, but no sequential order explains it. So
 * the runs are checked for the three properties (check/maxRegisterProperties.ts),
 * not against the `max-register` model.
 */
export interface MaxRegisterConfig {
  readonly region: string;
  /** The memories holding the register: 2f+1 of them for the reliable one. */
  readonly memories: readonly MemoryId[];
  /** T: buffers per memory. T = C (clients) makes every CAS succeed; T < C shares buffers. */
  readonly buffers: number;
  /** This client's id: it writes buffer `client mod T`. */
  readonly client: number;
  /** Memory crashes tolerated (f), with memories = 2f+1. */
  readonly f: number;
  readonly mutant?: MaxRegisterMutant;
}

/** The region each memory holds: T buffers of one word, written with CAS by everyone. */
export function maxRegisterRegion(config: Pick<MaxRegisterConfig, 'region' | 'memories' | 'buffers'>): RegionSpec {
  if (!Number.isInteger(config.buffers) || config.buffers < 1) throw new RangeError(`a max register needs at least one buffer per memory (got ${config.buffers})`);
  return { name: config.region, size: 8 * config.buffers, policy: 'open', memories: [...config.memories] };
}

/** The largest value a max register accepts: a buffer is one unsigned 64-bit word. */
export const maxRegisterValueMax = (1n << 64n) - 1n;

/** A max register on one memory, with this client's cache of it. */
export class OneMemoryMaxRegister {
  private cache: MemoryCache = { mine: 0n, known: 0n };
  /** Operations on this memory run one after another (a new write waits for a straggling one). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fabric: Fabric,
    private readonly region: string,
    private readonly memory: MemoryId,
    private readonly buffers: number,
    private readonly buffer: number,
    private readonly mutant?: MaxRegisterMutant,
  ) {}

  /** A value this client knows the memory holds (≥). */
  get known(): bigint {
    return this.cache.known;
  }

  /** Makes the memory hold ≥ `value`; resolves with the round trips it took (0 when already known). */
  write(value: bigint): Promise<number> {
    checkValue(value);
    return this.serial(async () => {
      let roundTrips = 0;
      if (this.cache.known >= value) return 0;
      for (;;) {
        const returned = await this.fabric.cas({ memory: this.memory, region: this.region, offset: 8 * this.buffer }, this.cache.mine, value);
        roundTrips++;
        const step = afterCas(this.cache, value, returned, this.mutant);
        this.cache = { mine: step.mine, known: step.known };
        if (step.done) return roundTrips;
      }
    });
  }

  /** One READ of every buffer: their largest (and the cache learns it). */
  read(): Promise<bigint> {
    return this.serial(async () => {
      const bytes = await this.fabric.read({ memory: this.memory, region: this.region, offset: 0 }, 8 * this.buffers);
      const max = bufferMax(bytes);
      const mine = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(8 * this.buffer, true);
      this.cache = { mine: maxOf(this.cache.mine, mine), known: maxOf(this.cache.known, max) };
      return max;
    });
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The reliable max register over 2f+1 memories (see the header). */
export class ReliableMaxRegister {
  private readonly copies: OneMemoryMaxRegister[];
  private roundTrips = 0;

  constructor(fabric: Fabric, private readonly config: MaxRegisterConfig) {
    if (config.memories.length !== 2 * config.f + 1) throw new RangeError(`a reliable max register over ${config.memories.length} memories tolerates no f (accepted: 2f+1 memories, got f = ${config.f})`);
    const buffer = config.client % config.buffers;
    this.copies = config.memories.map((memory) => new OneMemoryMaxRegister(fabric, config.region, memory, config.buffers, buffer, config.mutant));
  }

  /** Round trips on the critical path of the last operation. */
  get lastRoundTrips(): number {
    return this.roundTrips;
  }

  async write(value: bigint): Promise<void> {
    checkValue(value);
    this.roundTrips = await this.raise(value, false);
  }

  async read(): Promise<bigint> {
    const read = await forEachMemory(this.indices(), this.config.f + 1, (index) => this.copies[index].read());
    let max = 0n;
    for (const answer of read) max = maxOf(max, answer.value);
    this.roundTrips = 1;
    const responders = this.config.mutant === 'write-back-to-responders-only' ? read.map((answer) => answer.memory) : undefined;
    if (this.config.mutant !== 'no-write-back') this.roundTrips += await this.raise(max, true, responders);
    return max;
  }

  /**
   * Makes f+1 memories known to hold ≥ value, writing it at every memory not
   * known to — not only at the step's responders (`only`, the mutant): one
   * of them may crash — and returns the round trips it took.
   */
  private async raise(value: bigint, writeBack: boolean, only?: readonly number[]): Promise<number> {
    const needed = enoughHolders(this.config.f, writeBack, this.config.mutant) - holders(this.copies.map((copy) => copy.known), value);
    if (needed <= 0) return 0;
    const lagging = this.indices().filter((index) => this.copies[index].known < value && (only === undefined || only.includes(index)));
    const done = await forEachMemory(lagging, needed, (index) => this.copies[index].write(value));
    return Math.max(...done.map((answer) => answer.value));
  }

  private indices(): number[] {
    return this.copies.map((_, index) => index);
  }
}

function checkValue(value: bigint): void {
  if (value < 0n || value > maxRegisterValueMax) throw new RangeError(`a max register holds unsigned 64-bit values, got ${value}`);
}
