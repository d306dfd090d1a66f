import type { RealRunConfig, RealRunResult } from '../realtime/realRun.js';
export type { CrashFault, RealRunResult } from '../realtime/realRun.js';
import { Worker } from 'node:worker_threads';
import type { MemoryId, ProcessId } from '../fabric/index.js';
import { validateRegionSpec } from '../fabric/index.js';
import { crashedBy, realBackendFaults } from '../fabric/faults.js';
import { Journal } from './journal.js';
import { mergeJournals, type JournalRecord } from '../realtime/operationJournal.js';
import { controlIndex, createSharedWorld } from './sharedWorld.js';
import type { WorkerInput, WorkerReport } from './worker.js';

/** A run on worker threads: the real-run config as it is. */
export type ShmRunConfig = RealRunConfig;

/**
 * Runs one world on the shm backend: one worker thread per process, one
 * SharedArrayBuffer per region of each memory. Every worker loads its body
 * first; then all start at once (a shared epoch), crashes are injected on
 * the wall clock (a memory: its crashed word is set and later verbs never
 * complete; a process: its worker is terminated, then marked dead so that
 * nothing waits for it; a host: both, its memory first, in one timer
 * callback), and the run ends when every live body returned or
 * at the deadline. Every worker is terminated before this resolves, also on
 * failure.
 */
export async function runShm(config: ShmRunConfig): Promise<RealRunResult> {
  const { processCount, memoryCount } = config;
  for (const spec of config.regions) validateRegionSpec(spec, processCount, memoryCount);
  const faults = realBackendFaults(config.faults ?? [], 'shm');
  const world = createSharedWorld({ processCount, memoryCount, regions: config.regions });
  const control = new Int32Array(world.control);
  const index = controlIndex(world);
  const unitMicroseconds = config.unitMicroseconds ?? 1;
  const workers: Worker[] = [];
  const results: Record<ProcessId, unknown> = {};
  const errors: { process: ProcessId; message: string }[] = [];
  const idle = new Set<ProcessId>();
  const finished = new Set<ProcessId>();
  const crashedProcesses = new Set<ProcessId>();
  const crashedMemories = new Set<MemoryId>(config.crashedMemories ?? []);
  const timers: ReturnType<typeof setTimeout>[] = [];
  let epoch = process.hrtime.bigint();
  let wake: () => void = () => {};
  const changed = () => wake();

  try {
    const ready = new Set<ProcessId>();
    for (let self = 0; self < processCount; self++) {
      const input: WorkerInput = { world, self, seed: config.seed, unitMicroseconds, body: config.body };
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: input });
      workers.push(worker);
      worker.on('message', (report: WorkerReport) => {
        if (report.type === 'ready') {
          ready.add(self);
          if (report.idle) idle.add(self);
        } else if (report.type === 'done') {
          results[self] = report.result;
          finished.add(self);
        } else {
          errors.push({ process: self, message: report.message });
          finished.add(self);
          ready.add(self);
        }
        changed();
      });
      worker.on('error', (error) => {
        if (crashedProcesses.has(self)) return;
        errors.push({ process: self, message: error.stack ?? error.message });
        finished.add(self);
        ready.add(self);
        changed();
      });
    }
    await until(() => ready.size === processCount, config.startupMilliseconds ?? 60_000, (fn) => (wake = fn));
    if (ready.size < processCount) throw new Error(`shm: only ${ready.size} of ${processCount} workers became ready`);
    for (const memory of crashedMemories) Atomics.store(control, index.memoryCrashed(memory), 1);
    epoch = process.hrtime.bigint();
    for (const worker of workers) worker.postMessage({ type: 'start', epoch: epoch.toString() });
    for (const fault of faults) {
      const delay = (fault.at * unitMicroseconds) / 1000;
      timers.push(
        setTimeout(() => {
          const crashed = crashedBy(fault);
          // A host's memory stops answering at the instant its worker is told to stop (memory first: nothing
          // the dying thread still does reaches its own memory), as one crash of one machine.
          for (const memory of crashed.memories) {
            crashedMemories.add(memory);
            Atomics.store(control, index.memoryCrashed(memory), 1);
          }
          for (const victim of crashed.processes) {
            if (crashedProcesses.has(victim)) continue;
            crashedProcesses.add(victim);
            void workers[victim].terminate().then(() => {
              // Only now can the thread store nothing more: revokers may stop waiting for it.
              Atomics.store(control, index.processDead(victim), 1);
              Atomics.notify(control, index.processDead(victim));
              changed();
            });
          }
          changed();
        }, delay),
      );
    }
    const live = () => Array.from({ length: processCount }, (_, process) => process).filter((process) => !idle.has(process) && !crashedProcesses.has(process));
    const allDone = () => live().every((process) => finished.has(process));
    await until(allDone, config.deadlineMilliseconds, (fn) => (wake = fn));
    const time = Number(process.hrtime.bigint() - epoch) / 1000 / unitMicroseconds;
    const end = allDone() ? 'done' : 'deadline';
    const unfinished = live().filter((process) => !finished.has(process));
    await Promise.all(workers.map((worker) => worker.terminate()));
    const records = world.journals.flatMap((buffer) => new Journal(buffer).records() as JournalRecord[]);
    const { history, notes } = mergeJournals(records);
    return {
      end,
      time,
      results,
      errors,
      history,
      notes,
      crashedProcesses: [...crashedProcesses].sort((a, b) => a - b),
      crashedMemories: [...crashedMemories].sort((a, b) => a - b),
      unfinished,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Resolves when `condition()` holds (re-checked whenever `subscribe`'s callback fires) or after `milliseconds`. */
function until(condition: () => boolean, milliseconds: number, subscribe: (callback: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (condition()) return resolve();
    const timer = setTimeout(finish, milliseconds);
    function finish() {
      clearTimeout(timer);
      subscribe(() => {});
      resolve();
    }
    subscribe(() => {
      if (condition()) finish();
    });
  });
}
