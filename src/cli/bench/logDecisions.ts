import { forEachMemory, majority, type Fabric, type ProcessId, type RegionSpec } from '../../fabric/index.js';
import type { LogEntry, ReplicatedLog } from '../../protocols/common/replicatedLog.js';

/**
 * Decisions of a replicated log on a real backend: p0 (the stable leader)
 * times `append()` one at a time and with a window of appends in flight;
 * every other process follows the log until it has seen every entry, or
 * until p0 raised the bench's done flag (a log whose followers learn lazily
 * must not keep the run alive), then closes it.
 *
 * The log under test is named by data, so the body can be loaded inside a
 * worker or OS process: a module URL and the name of an export that is a
 * `LogBenchTarget`. Pointing the bench at a new log is one such export:
 *
 *     export const protectedPaxosLogTarget: LogBenchTarget = {
 *       name: 'pmp-log',
 *       regions: (processCount, memoryCount) => protectedPaxosLogRegions(…),
 *       open: (fabric) => new ProtectedPaxosLog(fabric, { … }),
 *     };
 */
export interface LogBenchTarget {
  /** The name in the report. */
  readonly name: string;
  /** The regions the log needs, for a cluster of this shape. */
  regions(processCount: number, memoryCount: number): RegionSpec[];
  /** Opens this process's replica of the log on its fabric. */
  open(fabric: Fabric): ReplicatedLog;
}

/** Where a `LogBenchTarget` is exported: a module URL and the export's name. */
export interface LogTargetReference {
  readonly module: string;
  readonly export: string;
}

export interface LogArgs {
  readonly target: LogTargetReference;
  readonly warmup: number;
  readonly sequential: number;
  readonly windowed: number;
  readonly window: number;
  readonly valueBytes: number;
  /** Followers check p0's done flag this often (time units): rarely, since each check wakes them and memory 0. */
  readonly donePollEvery: number;
}

export interface LogResult {
  readonly sequential: number[];
  readonly sequentialSeconds: number;
  readonly windowed: number[];
  readonly windowedSeconds: number;
}

/** The bench's own region: p0's done flag, on memory 0 (absent when the cluster has no memory). */
export const doneRegion = 'log-bench-done';

export function logBenchRegions(target: LogBenchTarget, processCount: number, memoryCount: number): RegionSpec[] {
  return [...target.regions(processCount, memoryCount), ...(memoryCount > 0 ? [{ name: doneRegion, size: 8, policy: 'open' as const, memories: [0] }] : [])];
}

export async function loadLogTarget(reference: LogTargetReference): Promise<LogBenchTarget> {
  const module = (await import(reference.module)) as Record<string, unknown>;
  const target = module[reference.export] as LogBenchTarget | undefined;
  if (!target || typeof target.open !== 'function' || typeof target.regions !== 'function') throw new Error(`module ${reference.module} exports no LogBenchTarget '${reference.export}'`);
  return target;
}

export function logDecisionsBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { target: reference, warmup, sequential, windowed, window, valueBytes, donePollEvery } = args as LogArgs;
  // Loaded while the run starts up, not after its start: a replica that opened its log tens of
  // milliseconds after the others (loading the module on a busy machine) was suspected by them,
  // and the bench then timed a leader that had lost its pre-prepared ballot at its first append.
  const loading = loadLogTarget(reference);
  loading.catch(() => undefined);
  return async (fabric) => {
    const target = await loading;
    const log = target.open(fabric);
    const total = warmup + sequential + windowed;
    if (process !== 0) {
      await Promise.race([followUntil(log, total), doneRaised(fabric, donePollEvery)]);
      await log.close();
      return null;
    }
    const clock = () => Number(globalThis.process.hrtime.bigint()) / 1000;
    let appended = 0;
    const indices = new Set<number>();
    const value = () => {
      const bytes = new Uint8Array(valueBytes);
      new DataView(bytes.buffer).setUint32(0, appended++, true);
      return bytes;
    };
    for (let index = 0; index < warmup; index++) indices.add(await log.append(value()));
    const run = async (count: number, lanes: number): Promise<{ latencies: number[]; seconds: number }> => {
      const latencies: number[] = [];
      let issued = 0;
      const started = clock();
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          while (issued < count) {
            issued++;
            const before = clock();
            indices.add(await log.append(value()));
            latencies.push(clock() - before);
          }
        }),
      );
      return { latencies, seconds: (clock() - started) / 1e6 };
    };
    const first = await run(sequential, 1);
    const second = await run(windowed, window);
    // A bench that timed a broken log would print noise as numbers: every append got its own index, and the decided prefix holds them all.
    const decided = log.decided;
    if (indices.size !== total) throw new Error(`log '${target.name}': ${total} appends returned ${indices.size} distinct indices`);
    if (decided.length < total || decided.some((entry, position) => entry.index !== position)) throw new Error(`log '${target.name}': the decided prefix is not 0..${total - 1} in order`);
    if (fabric.memoryCount > 0) await fabric.write({ memory: 0, region: doneRegion, offset: 0 }, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
    await log.close();
    const result: LogResult = { sequential: first.latencies, sequentialSeconds: first.seconds, windowed: second.latencies, windowedSeconds: second.seconds };
    return result;
  };
}

async function followUntil(log: ReplicatedLog, total: number): Promise<void> {
  if (total === 0) return;
  for await (const entry of log.entries()) if (entry.index >= total - 1) return;
}

/** Resolves once p0's done flag is set (never without memories: then followers follow the log to its end). */
async function doneRaised(fabric: Fabric, every: number): Promise<void> {
  if (fabric.memoryCount === 0) return new Promise(() => {});
  // Measured: polling every millisecond on tcp (two followers waking memory 0 each time) made the
  // leader's appends several times slower on a 2-core machine; tens of milliseconds cost nothing.
  while ((await fabric.read({ memory: 0, region: doneRegion, offset: 0 }, 8))[0] !== 1) await fabric.sleep(every);
}

/**
 * A measuring stick, not a protocol: p0 writes entry i into slot i mod
 * `slots` on every memory, and the append completes when a majority
 * acknowledged — exactly the floor plus the plumbing of a log (values,
 * an ordered decided list, `entries()`). No ballots, no permissions, no
 * recovery: it is correct only with one writer that never fails, which is
 * all the bench runs. Followers learn nothing (they end on the done flag).
 * It separates what a log's shell costs from what its protocol costs.
 */
export const leaderWriteSlots = 1024;
export const leaderWriteSlotBytes = 64;

export const leaderWriteLogTarget: LogBenchTarget = {
  name: 'leader-write',
  regions: () => [{ name: 'leader-write', size: leaderWriteSlots * leaderWriteSlotBytes, policy: 'open' }],
  open: (fabric) => new LeaderWriteLog(fabric),
};

class LeaderWriteLog implements ReplicatedLog {
  private readonly entriesDecided: LogEntry[] = [];
  /** Decisions that completed ahead of a lower index, until the gap closes. */
  private readonly ahead = new Map<number, Uint8Array>();
  private readonly listeners = new Set<() => void>();
  private nextIndex = 0;
  private closed = false;
  private readonly memories: number[];
  private readonly needed: number;

  constructor(private readonly fabric: Fabric) {
    this.memories = Array.from({ length: fabric.memoryCount }, (_, memory) => memory);
    this.needed = majority(this.memories.length);
  }

  get decided(): readonly LogEntry[] {
    return this.entriesDecided;
  }

  async append(value: Uint8Array): Promise<number> {
    if (this.closed) throw new Error('append after close');
    if (value.length > leaderWriteSlotBytes - 4) throw new RangeError(`append: ${value.length} bytes exceed the slot's ${leaderWriteSlotBytes - 4}`);
    const index = this.nextIndex++;
    const slot = new Uint8Array(leaderWriteSlotBytes);
    new DataView(slot.buffer).setUint32(0, value.length, true);
    slot.set(value, 4);
    const offset = (index % leaderWriteSlots) * leaderWriteSlotBytes;
    await forEachMemory(this.memories, this.needed, (memory) => this.fabric.write({ memory, region: 'leader-write', offset }, slot));
    this.ahead.set(index, value);
    while (this.ahead.has(this.entriesDecided.length)) {
      const at = this.entriesDecided.length;
      this.entriesDecided.push({ index: at, value: this.ahead.get(at) as Uint8Array });
      this.ahead.delete(at);
    }
    for (const listener of this.listeners) listener();
    return index;
  }

  async *entries(): AsyncIterable<LogEntry> {
    let position = 0;
    for (;;) {
      while (position < this.entriesDecided.length) yield this.entriesDecided[position++];
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const listener = () => {
          this.listeners.delete(listener);
          resolve();
        };
        this.listeners.add(listener);
      });
    }
  }

  close(): Promise<void> {
    this.closed = true;
    for (const listener of [...this.listeners]) listener();
    return Promise.resolve();
  }
}
