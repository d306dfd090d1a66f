import type { MemorySet, OperationFetches, Scan } from './memorySet.js';
import type { SafeGuessMutant } from './mutants.js';
import { casOutcome, fenceWord, largestWord, lockOutcome, lockPlan, notifWatched, readAction, skipsLock, standsFast, stoodByLock, wordsAbove, type LockAnswer, type LockOutcome, type SeenWrite } from './safeGuessDecide.js';
import { TimestampClock, TimestampsExhausted, type TimestampClockConfig } from './timestampClock.js';
import { packWord, timestampOf, verifiedWord, wordId, wordKey, writerOf } from './word.js';

/**
 * Safe-Guess (spec swarm.md §4): a multi-writer atomic register over 2f+1
 * memories whose writes usually take one round trip — the writer *guesses*
 * its timestamp from its clock, publishes and scans in one batch, and stands
 * at the guess when no responder shows a larger id — and whose reads take one
 * when the max is VERIFIED and in place. Written against `MemorySet`
 * (memorySet.ts); the decisions are the pure functions of safeGuessDecide.ts.
 * Every operation names its record j (`record`, default 0): SWARM-KV reuses
 * the register per key, and every cache (last_s, e_s, known_s, n_s) lives
 * per record in the layer.
 *
 * WRITE(v) by c: W1 x := (guess, c, GUESSED); step [publish(x, v); scan];
 * FAST if no responder shows an id above id(x) (then x|V in the background);
 * else m := the largest word, its value (IP or fetch; on failure rescan:
 * FAST again, or the largest word above x whose value arrives). W2
 * tryLock(x, WRITE): step [publish(copy of m); READ notif[c]]; x stands if a
 * responder has notif[c] = id(x). W3 y := (fresh, c, VERIFIED); step publish(y, v).
 *
 * READ(): scan (helping the last new GUESSED max by publishing a copy of it
 * and reading its writer's notif); VERIFIED max: write back, return; GUESSED
 * max: a later GUESSED word of a writer seen before returns that earlier
 * write (it returned); seen by two consecutive scans: tryLock(m, READ) —
 * at each memory establish notif[c] = id(m) (CAS upward only) and then scan;
 * ok iff every responder's counted scan has max id id(m).
 *
 * **Why it is linearizable** (§5; keep it true). Final word: of a write, x
 * (FAST or W2 notified) or y (W3); of a read, its write's. Order by final
 * id, writes before the reads of their id.
 * - Ids: a writer's ids rise with its operations (guess > last, last counts
 *   y's, no wrap: TimestampClock), so an id names one write and a GUESSED
 *   word of c above id(x) is a later operation's — x's write returned.
 * - F1: buffers only grow and f+1-sets meet: a scan issued after a key ≥ w
 *   sat on f+1 memories has max ≥ w.
 * - F2: a returning operation leaves a key ≥ its final word on f+1: FAST —
 *   W1's responders (CAS before scan in one batch); W2 notified — the fence
 *   m > x; W3 — y; VERIFIED read — checked or written back; won lock — the
 *   counted scans; same-writer and *later* exits — that write returned.
 * - F3: two consecutive scans both with max x certify x > final(P) for every
 *   P returned before x's write began; one scan does not (`notify-on-first-sight`).
 * - F4: a won tryLock(x, READ) and a W2 of x finding no notification never
 *   both happen: at a shared responder the reader establishes notif[c] =
 *   id(x) before its counted scan and the writer's fence (> x) precedes its
 *   notif READ; notif never decreases (only CASed upward) and stays ≤ id(x)
 *   while x's write runs, so either the writer reads id(x) or the reader's
 *   scan sees more than x.
 * So if P returned before Q began, final(P) ≤ final(Q) (< for writes), and a
 * read returns the value of its final word's write: VERIFIED words come only
 * from FAST writers, lock winners, W3 and copies; a GUESSED x is returned
 * only by a lock winner (F4) or an exit naming a returned write (Ids).
 *
 * Liveness: a step needs f+1 memories; owned CASes never fail; a redo means
 * another reader raised notif[c] below id(x). A READ takes ≤ 2C+2 steps and
 * C+1 fetches, a WRITE ≤ 3 steps and 1 fetch, plus a rescan per failed fetch.
 */
export interface SafeGuessConfig extends Omit<TimestampClockConfig, 'wraps'> {
  readonly mutant?: SafeGuessMutant;
}

/** What one operation did (the last one's is `lastOperation`): for op-cost notes. */
export interface OperationCounters {
  /** Steps, fetches and write-back rounds on the critical path (a lock step counts 1 + its longest redo chain). */
  roundTrips: number;
  /** Steps (batches to every memory ending at f+1 responders: W1, rescans, W2, W3; a read's scans and lock steps), write-back rounds apart: §5's step count. */
  steps: number;
  /** Fetch rounds sent (one per round however many entries it READs); 0 when IP or reuse gave the value. */
  fetches: number;
  /** Fetch rounds without a valid answer. */
  failedFetches: number;
  /** Steps taken after a failed fetch (write) or as a read's next scan. */
  rescans: number;
  /** tryLock(·, READ) calls. */
  locks: number;
  /** CAS redos inside locks (another reader raised notif below the id). */
  redos: number;
  /** A write that stood at x after W1 (or a rescan). */
  fast: boolean;
  /** A write that stood at x because a reader had locked it (W2). */
  notified: boolean;
  /** A write that went to W3. */
  freshWrite: boolean;
  /** A write whose guess the Δ cap made lower than the clock. */
  staleGuess: boolean;
}

function emptyCounters(): OperationCounters {
  return { roundTrips: 0, steps: 0, fetches: 0, failedFetches: 0, rescans: 0, locks: 0, redos: 0, fast: false, notified: false, freshWrite: false, staleGuess: false };
}

interface LockResult {
  readonly outcome: LockOutcome;
  /** The counted scans (what the READ loop continues with on *retry*). */
  readonly scans: readonly Scan[];
}

export class SafeGuessRegister {
  private readonly timestamps: TimestampClock;
  private counters = emptyCounters();
  /** `notif-any-key` only: n_s per (memory, writer) whatever the record, as the mutant keeps it. */
  private readonly notifAnyRecord = new Map<string, bigint>();
  /** The ids this operation fetched (for `fetch-id-once`; the layer's fetch book keeps the correct rule). */
  private readonly fetchedIds = new Set<bigint>();

  constructor(
    private readonly memories: MemorySet,
    localClock: () => number,
    private readonly config: SafeGuessConfig,
  ) {
    this.timestamps = new TimestampClock(localClock, { ...config, wraps: config.mutant === 'ts-wraps' });
  }

  get lastRoundTrips(): number {
    return this.counters.roundTrips;
  }

  get lastOperation(): Readonly<OperationCounters> {
    return this.counters;
  }

  /** The client's timestamps (last, maxSeen, clock) for tests and notes. */
  get clock(): TimestampClock {
    return this.timestamps;
  }

  async write(value: Uint8Array, record = 0): Promise<void> {
    const counters = (this.counters = emptyCounters());
    const fetches = this.memories.operation();
    this.fetchedIds.clear();
    // W1. The guess comes first: ts-exhausted stops the client before any verb.
    const guess = this.timestamps.guess();
    counters.staleGuess = guess.stale;
    const x = packWord({ timestamp: guess.timestamp, writer: this.memories.client, verified: false });
    const firstScans = await this.step((memory) => {
      // One batch: [entry; CAS meta[c]] then the scan, which sees the CAS (or, when the publish is skipped, more than x).
      const published = this.memories.publish(record, memory, x, value);
      const scanned = this.scan(record, memory);
      return published.then(() => scanned);
    });
    let scans = firstScans;
    if (standsFast(x, scans)) return this.standFast(record, x, value);
    let m = largestWord(scans);
    let mValue = await this.valueOf(record, m, scans, fetches);
    while (mValue === null) {
      // Every holder of m's data answered invalid or timed out (a crash, a slow memory, E newer publishes): rescan.
      scans = await this.step((memory) => this.scan(record, memory));
      counters.rescans++;
      if (standsFast(x, scans)) return this.standFast(record, x, value);
      const candidates = wordsAbove(x, scans.map((scan) => scan.buffers));
      const values = await this.valuesOf(record, candidates, scans, fetches);
      const arrived = values.findIndex((candidate) => candidate !== null);
      if (arrived < 0) continue;
      m = candidates[arrived];
      mValue = values[arrived];
    }
    // W2: fence x with a copy of m, then read notif[c] in the same batch.
    if (!skipsLock(x, firstScans, this.config.mutant)) {
      let fenceValue = mValue;
      const fence = fenceWord(x, m, () => {
        fenceValue = value;
        return this.freshWord(true);
      }, this.config.mutant);
      const watched = notifWatched(x, m, this.config.mutant);
      const notifs = await this.step((memory) => {
        const published = this.memories.publish(record, memory, fence, fenceValue);
        const notif = this.readNotif(record, memory, watched.writer);
        return published.then(() => notif);
      });
      if (stoodByLock([...notifs.values()], watched.locked)) {
        counters.notified = true;
        return;
      }
    }
    // W3: x is abandoned; a fresh VERIFIED y above everything seen (m included).
    counters.freshWrite = true;
    const y = this.freshWord(true);
    await this.step((memory) => this.memories.publish(record, memory, y, value));
  }

  /** FAST: x is the write's final word; promote it to x|V in the background (readers then return it in one round trip). */
  private standFast(record: number, x: bigint, value: Uint8Array): void {
    this.counters.fast = true;
    this.memories.publishInBackground(record, verifiedWord(x), value);
  }

  async read(record = 0): Promise<Uint8Array | null> {
    const counters = (this.counters = emptyCounters());
    const fetches = this.memories.operation();
    this.fetchedIds.clear();
    const mutant = this.config.mutant;
    const seen = new Map<number, SeenWrite>();
    /** Values this operation already has, by key (reused, never fetched twice). */
    const known = new Map<bigint, Uint8Array>();
    let prev = 0n;
    let help: SeenWrite | null = null;
    let scans = await this.readStep(record, help);
    for (;;) {
      const m = largestWord(scans);
      let value = known.get(wordId(m)) ?? null;
      let action = readAction(m, prev, seen, value, mutant);
      if (action.kind === 'value') {
        value = await this.valueOf(record, m, scans, fetches);
        if (value === null) {
          scans = await this.readStep(record, help);
          counters.rescans++;
          continue;
        }
        known.set(wordId(m), value);
        action = readAction(m, prev, seen, value, mutant);
      }
      switch (action.kind) {
        case 'initial':
          return null;
        case 'same-writer':
          return action.value;
        case 'value':
          throw new Error(`read of record ${record}: no decision for ${m} with its value`);
        case 'write-back':
          // F2 for reads: the value returned sits on f+1 memories before the read returns.
          if (mutant !== 'read-without-write-back') counters.roundTrips += await this.memories.writeBack(record, m, value as Uint8Array);
          return value;
        case 'lock': {
          const lock = await this.tryLock(record, m);
          if (lock.outcome === 'ok') {
            this.memories.publishInBackground(record, verifiedWord(m), value as Uint8Array);
            return value;
          }
          // c has a later GUESSED id: m's write returned, and m was seen twice (F3).
          if (lock.outcome === 'later') return value;
          prev = m;
          scans = lock.scans;
          continue;
        }
        case 'help':
          if (!seen.has(writerOf(m))) seen.set(writerOf(m), { word: m, value: value as Uint8Array });
          prev = m;
          // Help publishes m before the next scan, so the read's maxima never decrease (liveness with crashed writers).
          help = mutant === 'read-without-write-back' ? null : { word: m, value: value as Uint8Array };
          scans = await this.readStep(record, help);
          counters.rescans++;
          continue;
      }
    }
  }

  /**
   * tryLock(x, READ): at each memory establish notif[c] = id(x) (CAS upward
   * from n_s; a redo from a larger r below id(x)) and then scan in the same
   * batch, so the establishment precedes the counted scan (F4).
   */
  private async tryLock(record: number, x: bigint): Promise<LockResult> {
    const counters = this.counters;
    counters.locks++;
    const writer = writerOf(x);
    const id = wordId(x);
    // Some n_s > id(x): c issued a later GUESSED id, x's write returned: *later*, no verb.
    for (let memory = 0; memory < this.memories.size; memory++) {
      if (lockPlan(this.cachedNotif(record, memory, writer), x, this.config.mutant) === 'later') return { outcome: 'later', scans: [] };
    }
    let ended = false;
    const answers = await this.memories.step(async (memory): Promise<LockAnswer & { readonly scan?: Scan; readonly redos: number }> => {
      let expected = this.cachedNotif(record, memory, writer);
      let redos = 0;
      for (;;) {
        const plan = lockPlan(expected, x, this.config.mutant);
        if (plan === 'later') return { kind: 'later', redos };
        if (plan === 'scan') {
          const scan = await this.scan(record, memory);
          return { kind: 'counted', max: scan.max, scan, redos };
        }
        const swapped = this.casNotif(record, memory, writer, expected, id);
        const scanned = this.scan(record, memory);
        const [found, scan] = await Promise.all([swapped, scanned]);
        const outcome = casOutcome(found, expected, x);
        if (outcome === 'established') return { kind: 'counted', max: scan.max, scan, redos };
        if (outcome === 'later') return { kind: 'later', redos };
        // Redo chains stop when the step ends (this memory is no responder then).
        if (ended) return { kind: 'later', redos };
        expected = found;
        redos++;
      }
    });
    ended = true;
    const responders = [...answers.values()];
    const redos = Math.max(...responders.map((answer) => answer.redos));
    counters.redos += responders.reduce((sum, answer) => sum + answer.redos, 0);
    counters.roundTrips += 1 + redos;
    counters.steps++;
    const outcome = lockOutcome(responders, x);
    return { outcome, scans: responders.flatMap((answer) => (answer.scan ? [answer.scan] : [])) };
  }

  /** A read's step: [publish(help) if any; scan; READ notif[writer(help)] if any] at every memory. */
  private readStep(record: number, help: SeenWrite | null): Promise<readonly Scan[]> {
    return this.step((memory) => {
      if (help === null) return this.scan(record, memory);
      const published = this.memories.publish(record, memory, help.word, help.value);
      const scanned = this.scan(record, memory);
      const notif = this.readNotif(record, memory, writerOf(help.word));
      return Promise.all([published, scanned, notif]).then(([, scan]) => scan);
    });
  }

  /** A step (f+1 responders): one round trip. */
  private async step<T>(perMemory: (memory: number) => Promise<T>): Promise<T[]> {
    const results = await this.memories.step(perMemory);
    this.counters.roundTrips++;
    this.counters.steps++;
    return [...results.values()];
  }

  private async scan(record: number, memory: number): Promise<Scan> {
    const scan = await this.memories.scan(record, memory);
    // maxSeen and catch-up: the scan's largest ts (the max word has it).
    if (scan.max !== 0n) this.timestamps.see(timestampOf(scan.max));
    return scan;
  }

  /**
   * m's value: a valid IP among the scans (0 round trips), else a fetch
   * (1). `fetch-id-once`: a second fetch of an id in one operation sends
   * nothing new (only earlier fetches' late answers count).
   */
  private async valueOf(record: number, m: bigint, scans: readonly Scan[], fetches: OperationFetches): Promise<Uint8Array | null> {
    return (await this.valuesOf(record, [m], scans, fetches))[0];
  }

  /** The values of several words, fetched in parallel (one round trip if any needs a fetch). */
  private async valuesOf(record: number, words: readonly bigint[], scans: readonly Scan[], fetches: OperationFetches): Promise<(Uint8Array | null)[]> {
    const inPlace = words.map((word) => this.inPlaceValue(record, word, scans));
    if (inPlace.every((value) => value !== null)) return inPlace;
    this.counters.fetches++;
    this.counters.roundTrips++;
    const values = await Promise.all(
      words.map((word, index) => {
        if (inPlace[index] !== null) return inPlace[index];
        const fetchedBefore = this.fetchedIds.has(wordId(word));
        this.fetchedIds.add(wordId(word));
        return fetches.fetch(record, word, this.config.mutant === 'fetch-id-once' && fetchedBefore ? [] : scans);
      }),
    );
    if (values.every((value) => value === null)) this.counters.failedFetches++;
    return values;
  }

  private inPlaceValue(record: number, word: bigint, scans: readonly Scan[]): Uint8Array | null {
    if (word === 0n) return null;
    for (const scan of scans) {
      const value = this.memories.validValue(record, word, scan.inPlace);
      if (value !== null) return value;
    }
    return null;
  }

  /** A fresh word (maxSeen + 1). Past 40 bits the write's outcome is unknown: x may already be out. */
  private freshWord(verified: boolean): bigint {
    let timestamp: bigint;
    try {
      timestamp = this.timestamps.fresh();
    } catch (error) {
      if (error instanceof TimestampsExhausted) throw new TimestampsExhausted(error.timestamp, true);
      throw error;
    }
    return packWord({ timestamp, writer: this.memories.client, verified });
  }

  private cachedNotif(record: number, memory: number, writer: number): bigint {
    // notif-any-key: another record's notif stands in for this one's.
    if (this.config.mutant === 'notif-any-key') return this.notifAnyRecord.get(`${memory}:${writer}`) ?? 0n;
    return this.memories.cachedNotif(record, memory, writer);
  }

  private async readNotif(record: number, memory: number, writer: number): Promise<bigint> {
    const notif = await this.memories.readNotif(record, memory, writer);
    this.notifAnyRecord.set(`${memory}:${writer}`, notif);
    return notif;
  }

  private async casNotif(record: number, memory: number, writer: number, expected: bigint, desired: bigint): Promise<bigint> {
    const found = await this.memories.casNotif(record, memory, writer, expected, desired);
    this.notifAnyRecord.set(`${memory}:${writer}`, found === expected ? desired : found);
    return found;
  }
}
