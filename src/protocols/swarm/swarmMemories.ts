import { getWord, quorum, type Address, type Fabric } from '../../fabric/index.js';
import { decodeEntry, encodeEntry, validValue, type ChecksumId } from './entry.js';
import { swarmLayout, type SwarmLayout } from './layout.js';
import type { MemorySet, OperationFetches, Scan, StoredEntry, SwarmClientConfig } from './memorySet.js';
import { checkOwnedCas, decodeScan, fetchTargetKey, fetchTargets, nextSlot, publishPlan, type FetchTarget } from './swarmMemoriesDecide.js';
import { isVerified, wordId, wordKey, withSlot } from './word.js';

/**
 * SWARM's memory layer (spec swarm.md §3) for one client: the `MemorySet`
 * contract (memorySet.ts) over the layout of layout.ts.
 *
 * **Verbs are issued when a method is called**, before its promise is
 * returned: the fabric posts a verb synchronously (the simulator's
 * `VerbTransport.post` runs inside the call), so `publish(j, s, …)` followed
 * by `scan(j, s)` without an await in between is one batch [entry; IP; CAS;
 * READ] on s's queue pair, and the scan sees the CAS (a unit test on the
 * simulator shows it).
 *
 * **Caches** per (record, memory): `last` (the word this client last issued
 * into its buffer there, updated at issue: the next CAS expects it, and the
 * queue pair puts the two CASes in that order), `slot` (e_s), `known` (the
 * largest key s is known to hold, raised by scans and completed CASes — a
 * memory's keys only grow, so knowledge never goes stale), `pending` (the
 * last CAS issued there: a publish skipped because `last` covers it waits
 * for it), and per writer the notif value last read or CASed.
 *
 * An owned CAS that does not find `last` means the invariant broke: the
 * publish rejects with that Error (a background one keeps it and every later
 * call rejects with it), never acted on.
 */
interface MemoryCache {
  last: bigint;
  slot: number;
  known: bigint;
  pending: Promise<void>;
  readonly notif: Map<number, bigint>;
}

export class SwarmMemories implements MemorySet {
  readonly f: number;
  readonly size: number;
  readonly client: number;
  readonly layout: SwarmLayout;
  private readonly caches = new Map<number, MemoryCache[]>();
  private broken: Error | undefined;
  /** What the entries' checksums name: the id (correct) or, for Safe-Guess's `checksum-without-ts` mutant only, the writer. */
  private readonly checksumId: ChecksumId;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: SwarmClientConfig,
    mutant?: { readonly checksumWithoutTs?: boolean },
  ) {
    this.checksumId = mutant?.checksumWithoutTs ? 'writer' : 'id';
    this.layout = swarmLayout(config);
    if (!Number.isInteger(config.client) || config.client < 0 || config.client >= config.clients) throw new RangeError(`client ${config.client} is not one of the ${config.clients} writers`);
    if (!(config.fetchTimeout > 0)) throw new RangeError(`fetchTimeout ${config.fetchTimeout} (accepted: a positive duration)`);
    this.f = config.f;
    this.size = config.memories.length;
    this.client = config.client;
  }

  step<T>(perMemory: (memory: number) => Promise<T>): Promise<ReadonlyMap<number, T>> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      const results = new Map<number, T>();
      let settled = false;
      for (let memory = 0; memory < this.size; memory++) {
        let promise: Promise<T>;
        try {
          promise = perMemory(memory);
        } catch (error) {
          promise = Promise.reject(error);
        }
        promise.then(
          (value) => {
            if (settled) return;
            results.set(memory, value);
            if (results.size === this.f + 1) {
              settled = true;
              resolve(results);
            }
          },
          (error: unknown) => {
            // Steps issue no verb with a timeout and every memory grants what the layout needs: any failure is a bug, never a fault.
            const failure = error instanceof Error ? error : new Error(String(error));
            if (!settled) {
              settled = true;
              reject(failure);
            } else this.broken ??= failure;
          },
        );
      }
    });
  }

  scan(record: number, memory: number): Promise<Scan> {
    if (this.broken) return Promise.reject(this.broken);
    const cache = this.cache(record, memory);
    return this.fabric.read(this.recordAddress(memory, this.layout.metaOffset(record, 0)), this.layout.scanLength).then((bytes) => {
      const scan = decodeScan(bytes, this.layout, memory);
      if (wordKey(scan.max) > cache.known) cache.known = wordKey(scan.max);
      return scan;
    });
  }

  publish(record: number, memory: number, word: bigint, value: Uint8Array): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (value.length > this.config.valueMax) return Promise.reject(new RangeError(`value of ${value.length} bytes exceeds valueMax ${this.config.valueMax}`));
    const cache = this.cache(record, memory);
    const plan = publishPlan(cache.last, cache.known, word);
    if (plan === 'skip') return cache.known >= wordKey(word) ? Promise.resolve() : cache.pending;
    let stored: bigint;
    const issued: Promise<unknown>[] = [];
    if (plan === 'promote') {
      stored = withSlot(word, Number(cache.last & 0x7ffn));
    } else {
      cache.slot = nextSlot(cache.slot, this.config.entries);
      stored = withSlot(word, cache.slot);
      const address = { memory: this.config.memories[memory], region: this.layout.logRegion(this.client), offset: this.layout.entryOffset(record, cache.slot) };
      issued.push(this.fabric.write(address, encodeEntry(stored, record, value, this.config.valueMax, this.checksumId)));
    }
    // Every VERIFIED publish writes IP before its CAS (in place): a reader that sees the word may take IP's value, if still valid.
    if (this.config.inPlace && isVerified(stored)) {
      issued.push(this.fabric.write(this.recordAddress(memory, this.layout.inPlaceOffset(record)), encodeEntry(stored, record, value, this.config.valueMax, this.checksumId)));
    }
    const expected = cache.last;
    cache.last = stored;
    const key = wordKey(stored);
    const cas = this.fabric.cas(this.recordAddress(memory, this.layout.metaOffset(record, this.client)), expected, stored).then((returned) => {
      checkOwnedCas(expected, returned, `record ${record}, memory m${this.config.memories[memory]}, writer ${this.client}`);
      if (key > cache.known) cache.known = key;
    });
    const done = Promise.all([...issued, cas]).then(() => undefined);
    cache.pending = done;
    return done;
  }

  async writeBack(record: number, word: bigint, value: Uint8Array): Promise<number> {
    const needed = this.f + 1 - this.knownHolders(record, word);
    if (needed <= 0) return 0;
    const key = wordKey(word);
    // Every memory not known to hold it, not just the last step's responders: a lagging responder may crash.
    const lagging = Array.from({ length: this.size }, (_, memory) => memory).filter((memory) => this.cache(record, memory).known < key);
    await quorum(
      lagging.map((memory) => () => this.publish(record, memory, word, value)),
      needed,
    );
    return 1;
  }

  publishInBackground(record: number, word: bigint, value: Uint8Array): void {
    for (let memory = 0; memory < this.size; memory++) {
      this.publish(record, memory, word, value).catch((error: unknown) => {
        this.broken ??= error instanceof Error ? error : new Error(String(error));
      });
    }
  }

  knownHolders(record: number, word: bigint): number {
    const key = wordKey(word);
    let holders = 0;
    for (let memory = 0; memory < this.size; memory++) if (this.cache(record, memory).known >= key) holders++;
    return holders;
  }

  readNotif(record: number, memory: number, writer: number): Promise<bigint> {
    if (this.broken) return Promise.reject(this.broken);
    const cache = this.cache(record, memory);
    return this.fabric.read(this.recordAddress(memory, this.layout.notifOffset(record, writer)), 8).then((bytes) => {
      const value = getWord(bytes, 0);
      cache.notif.set(writer, value);
      return value;
    });
  }

  casNotif(record: number, memory: number, writer: number, expected: bigint, desired: bigint): Promise<bigint> {
    if (this.broken) return Promise.reject(this.broken);
    const cache = this.cache(record, memory);
    return this.fabric.cas(this.recordAddress(memory, this.layout.notifOffset(record, writer)), expected, desired).then((found) => {
      cache.notif.set(writer, found === expected ? desired : found);
      return found;
    });
  }

  cachedNotif(record: number, memory: number, writer: number): bigint {
    return this.cache(record, memory).notif.get(writer) ?? 0n;
  }

  validValue(record: number, word: bigint, entry: StoredEntry | null): Uint8Array | null {
    return validValue(record, word, entry, this.config.valueMax, this.checksumId);
  }

  operation(): OperationFetches {
    return new FetchBook({
      validValue: (record, word, entry) => this.validValue(record, word, entry),
      // No timeout on the READ itself: a late answer still counts in a later call.
      readEntry: (record, target) => {
        const address = { memory: this.config.memories[target.memory], region: this.layout.logRegion(target.holder), offset: this.layout.entryOffset(record, target.slot) };
        return this.fabric.read(address, this.layout.entrySize).then((bytes) => decodeEntry(bytes, this.config.valueMax));
      },
      timer: (callback) => this.fabric.setTimer(this.config.fetchTimeout, callback),
    });
  }

  /** For tests and reports: this client's cache of (record, memory). */
  cacheOf(record: number, memory: number): Readonly<Omit<MemoryCache, 'pending'>> {
    return this.cache(record, memory);
  }

  private recordAddress(memory: number, offset: number): Address {
    return { memory: this.config.memories[memory], region: this.layout.recordRegion, offset };
  }

  private cache(record: number, memory: number): MemoryCache {
    if (!Number.isInteger(memory) || memory < 0 || memory >= this.size) throw new RangeError(`memory index ${memory} (accepted: 0..${this.size - 1})`);
    let perMemory = this.caches.get(record);
    if (!perMemory) {
      // Checks the record index once (layout offsets throw on a bad one).
      this.layout.metaOffset(record, 0);
      // slot E−1: the first new word takes entry 0.
      perMemory = Array.from({ length: this.size }, () => ({ last: 0n, slot: this.config.entries - 1, known: 0n, pending: Promise.resolve(), notif: new Map<number, bigint>() }));
      this.caches.set(record, perMemory);
    }
    return perMemory[memory];
  }
}

/** What a fetch book needs of the layer: validation, one entry READ, a timer of `fetchTimeout`. */
interface FetchVerbs {
  validValue(record: number, word: bigint, entry: StoredEntry | null): Uint8Array | null;
  readEntry(record: number, target: FetchTarget): Promise<StoredEntry>;
  timer(callback: () => void): () => void;
}

/** One fetch sent by an operation: its answer once it came (the value, or null when invalid). */
interface SentFetch {
  readonly record: number;
  readonly id: bigint;
  answer: Uint8Array | null | undefined;
}

/**
 * An operation's fetches (spec §3): at most one per (id, memory, entry);
 * one that timed out stays outstanding, and its late valid answer counts
 * in a later call for the same write.
 */
class FetchBook implements OperationFetches {
  private readonly sent = new Map<string, SentFetch>();
  private readonly waiting = new Set<() => void>();

  constructor(private readonly memories: FetchVerbs) {}

  fetch(record: number, word: bigint, scans: readonly Scan[]): Promise<Uint8Array | null> {
    if (word === 0n) return Promise.reject(new RangeError('fetch of ⊥ (word 0): the initial value needs no fetch'));
    for (const scan of scans) {
      const inPlace = this.memories.validValue(record, word, scan.inPlace);
      if (inPlace) return Promise.resolve(inPlace);
    }
    const id = wordId(word);
    // Issued now, before any await: the READs join this client's queue pairs in call order.
    for (const target of fetchTargets(record, word, scans, new Set(this.sent.keys()))) {
      const fetch: SentFetch = { record, id, answer: undefined };
      this.sent.set(fetchTargetKey(record, word, target), fetch);
      this.memories.readEntry(record, target).then(
        (entry) => {
          fetch.answer = this.memories.validValue(record, word, entry);
          for (const wake of [...this.waiting]) wake();
        },
        () => {
          fetch.answer = null;
          for (const wake of [...this.waiting]) wake();
        },
      );
    }
    const mine = () => [...this.sent.values()].filter((fetch) => fetch.record === record && fetch.id === id);
    const decided = (): Uint8Array | null | undefined => {
      const fetches = mine();
      const valid = fetches.find((fetch) => fetch.answer);
      if (valid) return valid.answer;
      return fetches.every((fetch) => fetch.answer === null) ? null : undefined;
    };
    const now = decided();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const finish = (value: Uint8Array | null) => {
        this.waiting.delete(wake);
        cancel();
        resolve(value);
      };
      const wake = () => {
        const answer = decided();
        if (answer !== undefined) finish(answer);
      };
      this.waiting.add(wake);
      const cancel = this.memories.timer(() => finish(decided() ?? null));
    });
  }
}
