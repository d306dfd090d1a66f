import type { Fabric, Message, ProcessId } from '../../fabric/index.js';
import { AppendOutcomeUnknown, MuLog, muLayoutOf } from '../../protocols/consensus/mu/muLog.js';
import { muRegions } from '../../protocols/consensus/mu/muLayout.js';
import { muTimingForBackend, type MuRealTimeDetector, type MuTiming } from '../../protocols/consensus/mu/muTiming.js';
import type { RegionSpec } from '../../fabric/index.js';

/**
 * The bodies of `mnm bench mu` (mu.ts), run inside the workers / OS
 * processes of a real backend through the library API: a `MuLog` per
 * replica (replica i = process pi, its log in memory mi), timed in real
 * time by `muTimingForBackend`.
 *
 * - `commit`: p0 (the first leader) appends `warmup` values, then
 *   `sequential` one at a time (leader-side commit: `append()` resolves once
 *   a majority of logs holds the entry and p0 applied it), then `windowed`
 *   with `window` in flight (the rate). Then p1 is a client of the leader:
 *   it sends `puts` values to p0 one at a time in a message, p0 appends each
 *   and answers once it committed — client → leader → followers → client.
 * - `failover`: p0 leads and appends; p1 and p2 keep one append each in
 *   flight (forwarded to the leader). At `pauseAt` p0 notes `pause` and
 *   blocks its thread for `pauseMilliseconds` (a paused leader, as in Mu's
 *   measurement): its heartbeat stops; p1 detects it, takes every log's
 *   permission and commits. The notes (`pause`; `attempt`, `leading`,
 *   `decide` from muLog.ts) give the split. p0 then closes its log.
 */
export interface MuBenchArgs {
  readonly mode: 'commit' | 'failover';
  readonly backend: 'shm' | 'tcp';
  readonly unitMicroseconds: number;
  readonly slots: number;
  readonly window: number;
  readonly warmup: number;
  readonly sequential: number;
  readonly windowed: number;
  readonly puts: number;
  /** failover: when p0 pauses (time units after the start; it appends until then). */
  readonly pauseAt: number;
  readonly pauseMilliseconds: number;
  /** failover: how long p1 and p2 keep appending after the pause (time units). */
  readonly trail: number;
  /** failover: the pause between one replica's appends (time units). */
  readonly pace: number;
  /** Overrides of the backend's detector (`muRealTimeDetectors`), e.g. to measure false suspicions by period. */
  readonly detector?: Partial<MuRealTimeDetector>;
}

export interface MuCommitResult {
  readonly sequential: number[];
  readonly sequentialSeconds: number;
  readonly windowed: number[];
  readonly windowedSeconds: number;
}

export const muBenchCapacity = 8;

export function muBenchRegions(slots: number, replicas: number): RegionSpec[] {
  return muRegions(muLayoutOf({ capacity: muBenchCapacity, slots }), replicas);
}

export function muTimingOf(args: Pick<MuBenchArgs, 'backend' | 'unitMicroseconds' | 'detector'>): MuTiming {
  return muTimingForBackend(args.backend, args.unitMicroseconds, args.detector);
}

/** Bench messages are shorter than any of Mu's (25-byte header) and start with this byte. */
const benchTag = 0xee;
const kinds = { put: 1, ok: 2, go: 3, end: 4 } as const;

function benchMessage(kind: number, value = 0): Uint8Array {
  const bytes = new Uint8Array(10);
  bytes[0] = benchTag;
  bytes[1] = kind;
  new DataView(bytes.buffer).setFloat64(2, value, true);
  return bytes;
}

/** The fabric as Mu sees it (its own messages only) and the bench's channel beside it, on one fabric handler. */
function split(fabric: Fabric): { mu: Fabric; onBench: (handler: (from: ProcessId, kind: number, value: number) => void) => void } {
  let muHandler: ((message: Message) => void) | undefined;
  let benchHandler: ((from: ProcessId, kind: number, value: number) => void) | undefined;
  const early: Message[] = [];
  fabric.onMessage((message) => {
    if (message.data.length === 10 && message.data[0] === benchTag) {
      const value = new DataView(message.data.buffer, message.data.byteOffset, 10).getFloat64(2, true);
      if (benchHandler) benchHandler(message.from, message.data[1], value);
      else early.push(message);
    } else muHandler?.(message);
  });
  // A plain object whose methods are the fabric's, bound once: no allocation and no proxy trap per verb on the
  // commit path being measured. Data properties (self, processCount, …) are read through the prototype; every
  // method, wherever it is on the prototype chain, is an own bound property, so no call ever runs with `this`
  // = this object (a method assigning a field would otherwise create it here).
  const mu = Object.create(fabric) as Fabric;
  Object.defineProperty(mu, 'onMessage', { value: (handler: (message: Message) => void) => (muHandler = handler), writable: true, configurable: true });
  for (let proto: object | null = fabric; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor' || Object.prototype.hasOwnProperty.call(mu, key)) continue;
      const value = Reflect.get(fabric, key) as unknown;
      if (typeof value === 'function') Object.defineProperty(mu, key, { value: (value as (...args: unknown[]) => unknown).bind(fabric), writable: true, configurable: true });
    }
  }
  return {
    mu,
    onBench: (handler) => {
      benchHandler = handler;
      for (const message of early.splice(0)) handler(message.from, message.data[1], new DataView(message.data.buffer, message.data.byteOffset, 10).getFloat64(2, true));
    },
  };
}

function value8(n: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, n, true);
  return bytes;
}

const microseconds = () => Number(globalThis.process.hrtime.bigint()) / 1000;

export function muBenchBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const options = args as MuBenchArgs;
  return options.mode === 'commit' ? commitBody(options, process) : failoverBody(options, process);
}

function openLog(fabric: Fabric, options: MuBenchArgs): MuLog {
  return new MuLog(fabric, { capacity: muBenchCapacity, slots: options.slots, window: options.window, timing: muTimingOf(options) });
}

function commitBody(options: MuBenchArgs, process: ProcessId): (fabric: Fabric) => Promise<unknown> {
  return async (fabric) => {
    const { mu, onBench } = split(fabric);
    const log = openLog(mu, options);
    let counter = process * 1e9;
    const next = () => value8(counter++);
    if (process === 0) {
      // The leader serves the client's puts: append, answer once committed.
      onBench((from, kind, value) => {
        if (kind === kinds.put) void log.append(value8(value)).then(() => fabric.send(from, benchMessage(kinds.ok, value)));
      });
      for (let index = 0; index < options.warmup; index++) await log.append(next());
      const run = async (count: number, lanes: number) => {
        const latencies: number[] = [];
        let issued = 0;
        const started = microseconds();
        await Promise.all(
          Array.from({ length: lanes }, async () => {
            while (issued < count) {
              issued++;
              const before = microseconds();
              await log.append(next());
              latencies.push(microseconds() - before);
            }
          }),
        );
        return { latencies, seconds: (microseconds() - started) / 1e6 };
      };
      const first = await run(options.sequential, 1);
      const second = await run(options.windowed, options.window);
      // The client's turn: p1 puts, then says `end`; everyone stops.
      const ended = new Promise<void>((resolve) => onBench((from, kind, value) => {
        if (kind === kinds.put) void log.append(value8(value)).then(() => fabric.send(from, benchMessage(kinds.ok, value)));
        if (kind === kinds.end) resolve();
      }));
      fabric.send(1, benchMessage(kinds.go));
      await ended;
      for (let other = 1; other < fabric.processCount; other++) if (other !== 1) fabric.send(other, benchMessage(kinds.end));
      const decided = log.decided.length;
      await log.close();
      const result: MuCommitResult & { decided: number } = { sequential: first.latencies, sequentialSeconds: first.seconds, windowed: second.latencies, windowedSeconds: second.seconds, decided };
      return result;
    }
    // Followers (and p1, the client, when told to go).
    const waiters = new Map<number, () => void>();
    let go: () => void = () => undefined;
    let end: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (go = resolve));
    const ended = new Promise<void>((resolve) => (end = resolve));
    onBench((_from, kind, value) => {
      if (kind === kinds.ok) waiters.get(value)?.();
      if (kind === kinds.go) go();
      if (kind === kinds.end) end();
    });
    if (process !== 1) {
      await ended;
      await log.close();
      return null;
    }
    await started;
    const latencies: number[] = [];
    const begun = microseconds();
    for (let index = 0; index < options.puts; index++) {
      const value = counter++;
      const before = microseconds();
      await new Promise<void>((resolve) => {
        waiters.set(value, resolve);
        fabric.send(0, benchMessage(kinds.put, value));
      });
      waiters.delete(value);
      latencies.push(microseconds() - before);
    }
    const seconds = (microseconds() - begun) / 1e6;
    fabric.send(0, benchMessage(kinds.end));
    await log.close();
    return { puts: latencies, putsSeconds: seconds };
  };
}

function failoverBody(options: MuBenchArgs, process: ProcessId): (fabric: Fabric) => Promise<unknown> {
  return async (fabric) => {
    const log = openLog(fabric, options);
    let counter = process * 1e9;
    if (process === 0) {
      // Paced (one append per millisecond or so): the log must not fill before the pause (no recycling yet), and a
      // new leader's prepare reads the whole log, so `slots` stays small.
      while (fabric.now() < options.pauseAt) {
        // A false suspicion deposes p0 for a while (the bench counts such trials as disturbed): its append's outcome is unknown.
        await log.append(value8(counter++)).catch((error: unknown) => {
          if (!(error instanceof AppendOutcomeUnknown)) throw error;
        });
        await fabric.sleep(options.pace);
      }
      fabric.note('pause', { milliseconds: options.pauseMilliseconds });
      // The leader stops dead: no timer, no handler, no verb runs on this thread (on tcp its co-located memory stops answering too).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, options.pauseMilliseconds);
      await log.close();
      return null;
    }
    // One append in flight each, forwarded to whoever leads, until the trail after the pause has passed.
    const until = options.pauseAt + options.trail;
    let committed = 0;
    while (fabric.now() < until) {
      const pending = log.append(value8(counter++));
      const outcome = await Promise.race([pending.then(() => 'ok' as const, (error: unknown) => (error instanceof AppendOutcomeUnknown ? ('unknown' as const) : Promise.reject(error))), fabric.sleep(until - fabric.now()).then(() => 'late' as const)]);
      if (outcome === 'ok') committed++;
      if (outcome === 'late') pending.catch(() => undefined);
      else await fabric.sleep(options.pace);
    }
    await log.close();
    return { committed };
  };
}
