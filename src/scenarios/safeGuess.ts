import type { Fabric, HistoryEvent, NoteEvent, OperationValue } from '../fabric/index.js';
import { swarmRegions } from '../protocols/swarm/layout.js';
import type { SwarmClientConfig, SwarmLayoutConfig } from '../protocols/swarm/memorySet.js';
import { safeGuessMutants, type SafeGuessMutant } from '../protocols/swarm/mutants.js';
import { SafeGuessRegister, type OperationCounters } from '../protocols/swarm/safeGuess.js';
import { SwarmMemories } from '../protocols/swarm/swarmMemories.js';
import { TimestampsExhausted } from '../protocols/swarm/timestampClock.js';
import { latencyModel } from '../sim/latency.js';
import type { Prng } from '../sim/prng.js';
import { checkRunLinearizable, linearizableVerdict } from './linearizable.js';
import type { ResolvedOptions, Scenario, Violation } from './scenario.js';
import { beforeOperation, decodeRegisterValue, encodeRegisterValue, roundTripSummary, roundTripTime, soloHorizon, swarmClientOptions, valueBytesOf } from './swarm.js';
import { swarmMemoryWatcher } from '../protocols/swarm/invariants.js';
import { isRealBackend, timeUnitMicroseconds, type RealBackend } from './realTime.js';

/**
 * `safe-guess` (spec swarm.md §4, docs/swarm.md "Safe-Guess"): the
 * one-round-trip atomic register over 2f+1 memories (`--memories`, or `--f`
 * with 3 clients), clients = the `--n` processes, each a writer id. Every
 * client runs `--ops` operations, half writes (values name writer and
 * operation) and half reads, after think times (`uniform`), none
 * (`contention`: everyone at once on the one register), in turns (`solo`:
 * client p's k-th operation starts at true time ((k−1)·n + p)·10 RTT, so
 * operations do not overlap — the uncontended case of §7), or after long
 * idle spells (`idle`: longer than Δ ticks, so guesses go stale), or with
 * every clock 64 ticks short of 2^40 and Δ = 2^38 (`far-clocks`, the spec's
 * `ts-wrap` schedule: guesses climb to the clock within four writes and pass
 * 2^40 some 20 RTT into the run, so clients stop with ts-exhausted; uniform
 * think times otherwise), or on three records at once (`keys`: each
 * operation a put or get of a random key k0..k2, one register per record,
 * no think time; checked with the `kv` model, per key). Clocks skew and drift
 * as the run says (`--skew`, `--drift`, the `clocks` fault profile).
 *
 * Checks: the `register` model (linearizability); a write that hit
 * ts-exhausted after its first verbs is recorded with an unknown outcome.
 * Notes: `op-cost` per operation with its round trips and what it did
 * (path: fast | notified | fresh for writes; fetches, rescans, locks, redos,
 * stale guess, steps); `details` sums them up (p50/p99 and 1-RTT share per
 * kind, the writes' paths, stale guesses) and holds each operation's steps
 * and fetches against §5's wait-freedom bounds (`waitFree`).
 */
/** E: per-(writer, record) log entries. Runs stay far below 2048 publishes per client, so fetches only fail on crashes (§9 wait-freedom). */
const entries = 2048;
const workloads = ['uniform', 'contention', 'solo', 'idle', 'far-clocks', 'keys'] as const;
/** Records of the `keys` workload (one register per key, as SWARM-KV will use them). */
const keyCount = 3;


function faultsTolerated(options: ResolvedOptions): number {
  return (options.memories - 1) / 2;
}

/** The deployment's layout, shared by every client and the regions. */
export function safeGuessLayout(options: ResolvedOptions): SwarmLayoutConfig {
  return { region: 'safe-guess', memories: Array.from({ length: options.memories }, (_, memory) => memory), f: faultsTolerated(options), clients: options.n, records: options.workload === 'keys' ? keyCount : 1, entries, valueMax: valueBytesOf(options), keyMax: 0, inPlace: true };
}


function thinkTime(options: ResolvedOptions): number {
  if (options.workload === 'contention' || options.workload === 'keys') return 0;
  // idle: about 2000 RTT = 6000 ticks between operations, well past Δ = 1024: a client's maxSeen goes stale.
  if (options.workload === 'idle') return 4000 * roundTripTime(options);
  return latencyModel(options.latency).minimum * 4;
}

/**
 * Spec §3: on real backends a tick is given in ns of real time — about a
 * third of a round trip as the clients see it there — not derived from the
 * run's time unit (250 / 500 µs per delay, sized for timers on a loaded
 * machine, docs/backends.md). A raw verb takes ~1–3 µs on shm and ~30–60 µs
 * on tcp, but an operation's round trip includes waking its thread or
 * process: 0.1–0.5 ms on the 2-core build machine. Measured there
 * (`mnm run safe-guess --backend B --n 4 --ops 30`, contention and uniform):
 * a 1 µs tick made nearly every guess stale on both backends (Δ = 1024
 * ticks is then 1 ms, less than a client's gap between operations) and
 * cost a fifth to a third of the fast writes; from 20 µs up stale guesses
 * were rare and 90–100 % of the writes took one round trip.
 */
export const realTickNanoseconds: Readonly<Record<RealBackend, number>> = { shm: 50_000, tcp: 100_000 };

/** Time units per tick: RTT/3 of the latency model on the simulator, `realTickNanoseconds` of real time on shm and tcp. */
export function tickOf(options: ResolvedOptions): number {
  if (!isRealBackend(options)) return roundTripTime(options) / 3;
  return realTickNanoseconds[options.backend as RealBackend] / 1000 / timeUnitMicroseconds(options);
}

/** One client's register, built inside its own process. */
export function safeGuessClient(fabric: Fabric, options: ResolvedOptions, process: number): SafeGuessRegister {
  const rtt = roundTripTime(options);
  const config: SwarmClientConfig = { ...safeGuessLayout(options), client: process, fetchTimeout: 4 * rtt };
  const tick = tickOf(options);
  // far-clocks: every clock 64 ticks short of 2^40 at the start; guesses climb by Δ = 2^38 to the clock, then follow it past 2^40.
  const farClocks = options.workload === 'far-clocks' ? { delta: 1n << 38n, epoch: -(2 ** 40 - 64) * tick } : {};
  // checksum-without-ts lives in the memory layer (entry.ts's checksum): the one mutant the register passes down.
  const memories = new SwarmMemories(fabric, config, { checksumWithoutTs: options.mutant === 'checksum-without-ts' });
  return new SafeGuessRegister(memories, () => fabric.clock(), { tick, ...farClocks, ...(options.mutant ? { mutant: options.mutant as SafeGuessMutant } : {}) });
}

/** What an op-cost note carries beyond the round trips. */
function costFields(counters: Readonly<OperationCounters>, f: 'read' | 'write'): Record<string, OperationValue> {
  const fields: Record<string, OperationValue> = { f, roundTrips: counters.roundTrips, steps: counters.steps, fetches: counters.fetches, failedFetches: counters.failedFetches, rescans: counters.rescans, locks: counters.locks, redos: counters.redos };
  if (f === 'write') {
    fields.path = counters.fast ? 'fast' : counters.notified ? 'notified' : 'fresh';
    fields.staleGuess = counters.staleGuess;
  }
  return fields;
}

/**
 * One client's calls: a write (value 1000·(client+1) + index, unique in the
 * run) or a read, each recorded in the history and noted with its cost. A
 * ts-exhausted write stops the client (fail-stop): failed before any verb,
 * unknown outcome after.
 */
async function clientLoop(fabric: Fabric, register: SafeGuessRegister, options: ResolvedOptions, process: number): Promise<void> {
  const think = thinkTime(options);
  for (let index = 1; index <= options.ops; index++) {
    // solo: the turns swarm.ts's DM-ABD and ABD take too (no two operations overlap); else a think time.
    await beforeOperation(fabric, options, process, index, think);
    // keys: a random record, recorded as a kv put/get of key k<record>; else the one register.
    const record = options.workload === 'keys' ? Math.floor(fabric.random() * keyCount) : 0;
    const keyed = options.workload === 'keys';
    if (fabric.random() < 0.5) {
      const value = 1000 * (process + 1) + index;
      const recorded = keyed ? String(value) : value;
      const op = keyed ? fabric.history.invoke('put', recorded, `k${record}`) : fabric.history.invoke('write', recorded);
      try {
        await register.write(encodeRegisterValue(value, valueBytesOf(options)), record);
      } catch (error) {
        if (!(error instanceof TimestampsExhausted)) throw error;
        if (error.outcomeUnknown) fabric.history.info(op, recorded);
        else fabric.history.fail(op, recorded);
        fabric.note('ts-exhausted', { timestamp: String(error.timestamp) });
        return;
      }
      fabric.history.ok(op, recorded);
      fabric.note('op-cost', costFields(register.lastOperation, 'write'));
    } else {
      const op = keyed ? fabric.history.invoke('get', null, `k${record}`) : fabric.history.invoke('read', null);
      const read = decodeRegisterValue(await register.read(record), valueBytesOf(options));
      fabric.history.ok(op, keyed ? (read === null ? '' : String(read)) : read);
      fabric.note('op-cost', costFields(register.lastOperation, 'read'));
    }
  }
}

/**
 * Spec §5's wait-freedom bounds on one operation's own work with C writers:
 * a READ ≤ 2C+2 steps and C+1 fetches, a WRITE ≤ 3 steps and 1 fetch, plus
 * per failed fetch a rescan (a step) and the fetch it retries. They assume
 * no holder publishes E words to the key during the operation (the
 * scenario's E = 2048 is far above any run's publishes).
 */
export function waitFreeBound(f: 'read' | 'write', clients: number, failedFetches: number): { readonly steps: number; readonly fetches: number } {
  return f === 'read' ? { steps: 2 * clients + 2 + failedFetches, fetches: clients + 1 + failedFetches } : { steps: 3 + failedFetches, fetches: 1 + failedFetches };
}

/** An operation over §5's bounds (details.waitFree.overBound). */
export interface OverBound {
  readonly process: number;
  readonly time: number;
  readonly f: string;
  readonly steps: number;
  readonly fetches: number;
  readonly failedFetches: number;
  readonly bound: { readonly steps: number; readonly fetches: number };
}

/**
 * The operations' steps and fetches against §5's bounds (`waitFreeBound`,
 * C = `clients`): the worst per kind (steps and fetches beyond the failed
 * fetches' allowance) and the operations over a bound (the first 10, and
 * how many).
 */
export function waitFreeSummary(notes: readonly NoteEvent[], clients: number): { worst: Record<string, { steps: number; fetches: number }>; overBound: OverBound[]; overBoundCount: number } {
  const worst: Record<string, { steps: number; fetches: number }> = { read: { steps: 0, fetches: 0 }, write: { steps: 0, fetches: 0 } };
  const overBound: OverBound[] = [];
  let overBoundCount = 0;
  for (const note of notes) {
    if (note.kind !== 'op-cost' || !note.detail) continue;
    const f = note.detail.f === 'write' ? 'write' : 'read';
    const steps = Number(note.detail.steps);
    const fetches = Number(note.detail.fetches);
    const failedFetches = Number(note.detail.failedFetches);
    worst[f].steps = Math.max(worst[f].steps, steps - failedFetches);
    worst[f].fetches = Math.max(worst[f].fetches, fetches - failedFetches);
    const bound = waitFreeBound(f, clients, failedFetches);
    if (steps > bound.steps || fetches > bound.fetches) {
      overBoundCount++;
      if (overBound.length < 10) overBound.push({ process: note.process, time: note.time, f, steps, fetches, failedFetches, bound });
    }
  }
  return { worst, overBound, overBoundCount };
}

/** The round trips' summary (swarm.ts), plus the writes' paths, stale guesses and the reads' and writes' extra work; with `clients`, §5's bounds (`waitFree`). */
export function safeGuessSummary(history: readonly HistoryEvent[], notes: readonly NoteEvent[], clients?: number): Record<string, unknown> {
  const paths: Record<string, number> = { fast: 0, notified: 0, fresh: 0 };
  const work = { fetches: 0, rescans: 0, locks: 0, redos: 0, staleGuesses: 0, writes: 0, reads: 0 };
  const sums: Record<string, number> = { read: 0, write: 0 };
  // §5's bounds hold while no fetch fails and no lock redoes: the worst such operation per kind.
  const worstClean: Record<string, number> = { read: 0, write: 0 };
  for (const note of notes) {
    if (note.kind !== 'op-cost' || !note.detail) continue;
    const detail = note.detail;
    if (detail.f === 'write') {
      work.writes++;
      paths[String(detail.path)] = (paths[String(detail.path)] ?? 0) + 1;
      if (detail.staleGuess === true) work.staleGuesses++;
    } else work.reads++;
    sums[String(detail.f)] += Number(detail.roundTrips);
    if (Number(detail.failedFetches ?? 0) === 0 && Number(detail.redos ?? 0) === 0) worstClean[String(detail.f)] = Math.max(worstClean[String(detail.f)], Number(detail.roundTrips));
    work.fetches += Number(detail.fetches ?? 0);
    work.rescans += Number(detail.rescans ?? 0);
    work.locks += Number(detail.locks ?? 0);
    work.redos += Number(detail.redos ?? 0);
  }
  const meanRoundTrips = { read: work.reads > 0 ? sums.read / work.reads : 0, write: work.writes > 0 ? sums.write / work.writes : 0 };
  return { ...roundTripSummary(history, notes), meanRoundTrips, worstClean, writePaths: paths, work, exhausted: notes.filter((note) => note.kind === 'ts-exhausted').length, ...(clients === undefined ? {} : { waitFree: waitFreeSummary(notes, clients) }) };
}

function linearizable(history: readonly HistoryEvent[], options: ResolvedOptions): Violation[] {
  const result = checkRunLinearizable(history, options.workload === 'keys' ? 'kv' : 'register');
  if (result.verdict !== 'not-linearizable') return [];
  return [{ property: 'linearizability', detail: result.explanation }];
}

export const safeGuessScenario: Scenario = {
  ...swarmClientOptions,
  name: 'safe-guess',
  summary: 'Safe-Guess: the atomic register with guessed timestamps over 2f+1 memories (1-round-trip writes and reads without contention; notif locks, W3 otherwise)',
  mutants: safeGuessMutants,
  workloads,
  // Entries and IP span several words: a crash mid-write leaves them torn for good, which the checksums must catch.
  cutShortWrites: true,
  defaults: { n: 3, memories: 3, ops: 10 },
  sizeFor: (f) => ({ n: 3, memories: 2 * f + 1 }),
  mixSizes(random: Prng) {
    const f = 1 + random.int(2);
    return { n: 2 + random.int(4), memories: 2 * f + 1 };
  },
  mixWorkload: (random: Prng) => (random.chance(0.5) ? 'contention' : random.chance(0.6) ? 'uniform' : random.chance(0.8) ? (random.chance(0.5) ? 'solo' : 'idle') : 'far-clocks'),
  validate(options) {
    if (options.adversary !== undefined) throw new Error('--adversary: safe-guess tolerates crashes only (no Byzantine adversaries)');
    if (options.memories < 1 || options.memories % 2 === 0) throw new Error(`--memories ${options.memories}: safe-guess runs on 2f+1 memories (accepted: an odd number, 1 or more)`);
    if (options.n < 1 || options.n > 4096) throw new Error(`--n ${options.n}: safe-guess needs 1 to 4096 clients`);
    if (options.ops < 1 || options.ops > 999) throw new Error(`--ops ${options.ops} (accepted: 1..999 per client)`);
    if (!(workloads as readonly string[]).includes(options.workload ?? '')) throw new Error(`--workload ${options.workload}: unknown (accepted: ${workloads.join(', ')})`);
  },
  tolerance(options) {
    return { processes: options.n - 1, memories: faultsTolerated(options) };
  },
  minimumHorizon(options) {
    // Idle clients sleep long: leave room for every operation's think time.
    if (options.workload === 'solo') return soloHorizon(options);
    return options.workload === 'idle' ? (options.ops + 2) * thinkTime(options) : 0;
  },
  regions: (options) => swarmRegions(safeGuessLayout(options)),
  // Spec §9: after every verb, buffers only grow, notif never decreases, Invariant D, fields in range.
  memoryWatcher: (options) => swarmMemoryWatcher(safeGuessLayout(options)),
  body(options, process) {
    return (fabric) => clientLoop(fabric, safeGuessClient(fabric, options, process), options, process);
  },
  check: linearizable,
  linearizable: (history, options) => linearizableVerdict(history, options.workload === 'keys' ? 'kv' : 'register'),
  details(history, options, notes) {
    return safeGuessSummary(history, notes, options.n);
  },
};
