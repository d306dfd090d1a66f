import { HistoryRecorder, type Fabric, type Message, type OperationValue, type ProcessId } from '../../fabric/index.js';
import { findScenario, type ResolvedOptions } from '../../scenarios/index.js';

/**
 * Decisions of a single-decree consensus scenario, many in a row in one
 * cluster — the stand-in for a replicated log until the logs exist (then
 * `logDecisions.ts` measures `append()` instead; the report keeps its shape).
 *
 * Each process runs instances 0, 1, 2, … of the scenario's body, each on its
 * own view of the fabric (regions `r:i`, messages tagged with `i`). First
 * `warmup` instances to warm the code up (not measured), then
 * `sequential` instances one at a time, then `windowed` instances with up to
 * `window` of them open at once. A process moves on as soon as its instance
 * decided or learned the value — not when the scenario body returns (that
 * lingers 40 delays so that others learn) — and the finished instance is
 * retired at once: its timers and sends stop, so idle heartbeats of finished
 * instances do not compete with the next decision for the cores, and its
 * lingering body is left to be dropped with the worker.
 *
 * p0 leads (the `stable` workload); it returns, per decision, the latency
 * from its attempt's start to its decision (µs), and the wall time of each
 * phase, from which the rates come.
 */
export interface InstanceArgs {
  readonly options: ResolvedOptions;
  readonly warmup: number;
  readonly sequential: number;
  readonly windowed: number;
  readonly window: number;
  readonly unitMicroseconds: number;
}

export interface InstanceResult {
  /** Latency of each decision of the sequential phase, in µs, in instance order. */
  readonly sequential: number[];
  readonly sequentialSeconds: number;
  /** Latency of each decision of the windowed phase, in µs. */
  readonly windowed: number[];
  readonly windowedSeconds: number;
}

/** The region name of instance `instance`'s copy of region `name`. */
export function instanceRegion(name: string, instance: number): string {
  return `${name}:${instance}`;
}

interface Router {
  readonly inboxes: Map<number, Message[]>;
  readonly handlers: Map<number, (message: Message) => void>;
  readonly retired: Set<number>;
}

/**
 * One instance's view of a process's fabric: regions `r` become `r:i`,
 * messages carry the instance number, and after `retire()` its timers never
 * fire and its sends are dropped. `finished` resolves when the instance
 * decided or learned; `onDecide` gets each decision's latency (time units).
 */
function instanceFabric(fabric: Fabric, instance: number, router: Router, onDecide: (latency: number) => void): { view: Fabric; finished: Promise<void>; retire(): void } {
  let retired = false;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // Each instance sees its own clock from 0, as in a fresh run (Ω trusts p0 from the start of its instance).
  const start = fabric.now();
  const region = <T extends { region: string }>(address: T): T => ({ ...address, region: instanceRegion(address.region, instance) });
  const suffix = `:${instance}`;
  const waiting: ((message: Message) => void)[] = [];
  const view: Fabric = {
    self: fabric.self,
    processCount: fabric.processCount,
    memoryCount: fabric.memoryCount,
    // Computed on demand: a scan of every instance's regions per instance would grow with the square of the count.
    get regions() {
      return fabric.regions.filter((spec) => spec.name.endsWith(suffix)).map((spec) => ({ ...spec, name: spec.name.slice(0, -suffix.length) }));
    },
    read: (address, length, options) => fabric.read(region(address), length, options),
    write: (address, data, options) => fabric.write(region(address), data, options),
    cas: (address, expected, desired, options) => fabric.cas(region(address), expected, desired, options),
    faa: (address, delta, options) => fabric.faa(region(address), delta, options),
    requestPermission: (target, access, options) => fabric.requestPermission(region(target), access, options),
    send(to, data) {
      if (retired) return;
      const tagged = new Uint8Array(data.length + 4);
      new DataView(tagged.buffer).setUint32(0, instance, true);
      tagged.set(data, 4);
      fabric.send(to, tagged);
    },
    onMessage(handler) {
      router.handlers.set(instance, handler);
      const queued = router.inboxes.get(instance);
      router.inboxes.delete(instance);
      for (const message of queued ?? []) handler(message);
    },
    receive() {
      const queued = router.inboxes.get(instance)?.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => waiting.push(resolve));
    },
    now: () => fabric.now() - start,
    clock: () => fabric.clock() - start,
    sleep: (duration) => new Promise((resolve) => view.setTimer(duration, resolve)),
    setTimer: (duration, callback) => fabric.setTimer(duration, () => (retired ? undefined : callback())),
    random: () => fabric.random(),
    // Each instance records its own operation (instances overlap); the bench judges no history, so it is dropped.
    history: new HistoryRecorder(fabric.self, () => instance, () => fabric.now() - start, () => undefined),
    note(kind: string, detail?: Readonly<Record<string, OperationValue>>) {
      if (kind === 'decide' && detail && !detail.late) onDecide(fabric.now() - start - Number(detail.started));
      // The proposer sends its announcement right after this note, in the same turn: finish after it.
      if (kind === 'decide' || kind === 'learn') queueMicrotask(finish);
    },
    compute: (duration) => fabric.compute(duration),
  };
  // Messages for this instance that no handler takes wait for receive().
  router.handlers.set(instance, (message) => {
    const receiver = waiting.shift();
    if (receiver) receiver(message);
    else (router.inboxes.get(instance) ?? router.inboxes.set(instance, []).get(instance))?.push(message);
  });
  return {
    view,
    finished,
    retire() {
      retired = true;
      router.retired.add(instance);
      router.handlers.delete(instance);
      router.inboxes.delete(instance);
    },
  };
}

/** The body every process runs: instances in a row, then a window of them; p0 returns an `InstanceResult`. */
export function instanceDecisionsBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { options, warmup, sequential, windowed, window, unitMicroseconds } = args as InstanceArgs;
  const scenario = findScenario(options.protocol);
  if (!scenario) throw new Error(`unknown protocol '${options.protocol}'`);
  return async (fabric) => {
    const router: Router = { inboxes: new Map(), handlers: new Map(), retired: new Set() };
    fabric.onMessage((message) => {
      const instance = new DataView(message.data.buffer, message.data.byteOffset, 4).getUint32(0, true);
      if (router.retired.has(instance)) return; // a late heartbeat or announcement of a finished instance
      const inner = { from: message.from, data: message.data.subarray(4) };
      const handler = router.handlers.get(instance);
      if (handler) handler(inner);
      else (router.inboxes.get(instance) ?? router.inboxes.set(instance, []).get(instance))?.push(inner);
    });
    const clock = () => Number(globalThis.process.hrtime.bigint()) / 1000;
    let next = 0;
    /** Runs instances [next, end) with `lanes` of them open at once; returns the decisions' latencies (µs) and the wall time. */
    const phase = async (count: number, lanes: number): Promise<{ latencies: number[]; seconds: number }> => {
      const end = next + count;
      const latencies: number[] = [];
      const started = clock();
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          while (next < end) {
            const instance = next++;
            const { view, finished, retire } = instanceFabric(fabric, instance, router, (latency) => latencies.push(latency * unitMicroseconds));
            const body = scenario.body(options, process);
            if (!body) return;
            const ended = body(view);
            await Promise.race([finished, ended]);
            retire();
          }
        }),
      );
      return { latencies, seconds: (clock() - started) / 1e6 };
    };
    await phase(warmup, 1); // cold code: not measured
    const first = await phase(sequential, 1);
    const second = await phase(windowed, window);
    if (process !== 0) return null;
    const result: InstanceResult = { sequential: first.latencies, sequentialSeconds: first.seconds, windowed: second.latencies, windowedSeconds: second.seconds };
    return result;
  };
}
