import { Worker } from 'node:worker_threads';

/** `Atomics.waitAsync` (Node 20 has it; TypeScript's ES2022 library does not declare it). */
interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeout?: number): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

/** Int32 word indices of the shared state after the due time (a BigInt64 at bytes 0–7). */
export const timerWords = { generation: 2, stop: 3, bell: 4, booted: 5 } as const;

/**
 * Timers below Node's 1 ms grain, for one shm process (docs/mu.md, "Failure
 * detection on real backends"). `setTimeout` cannot wait less than ~1.1 ms
 * here, and `Atomics.waitAsync` rounds its timeout to whole milliseconds
 * (below 0.5 ms it returns at once: a busy loop). So a clock thread sleeps
 * in `Atomics.wait` with a timeout (a futex: the kernel's grain) until the
 * earliest due time, and rings a bell this thread waits on with
 * `Atomics.waitAsync`; the callbacks run here, on the process's own event
 * loop, like any timer. Measured (scripts/mu-clocks.mjs): a 250 µs period
 * ticks at ~320 µs p50 for 9–18 % of a core (with the wake-up of this
 * thread), where polling the clock on every turn costs 65–80 % (docs/mu.md).
 *
 * The thread is the process's own (a nested worker): it dies with the
 * process's worker (a crash terminates both).
 */
export class FineTimers {
  private readonly buffer = new SharedArrayBuffer(24);
  private readonly due = new BigInt64Array(this.buffer, 0, 1);
  private readonly words = new Int32Array(this.buffer);
  /** Pending timers, a binary heap on `at` (cancelled ones stay until they come up). */
  private readonly heap: { at: bigint; callback: () => void; cancelled: boolean }[] = [];
  private thread: Worker | undefined;
  /** A ref'd interval while timers are pending: a pending `waitAsync` does not keep the event loop alive, a timer should (as setTimeout's does). */
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private listening = false;
  private stopped = false;

  /** Calls `callback` once `nanoseconds` have passed on the monotonic clock; returns the cancel. */
  schedule(nanoseconds: bigint, callback: () => void): () => void {
    if (this.stopped) return () => undefined;
    const timer = { at: process.hrtime.bigint() + nanoseconds, callback, cancelled: false };
    this.push(timer);
    if (this.keepAlive === undefined) this.keepAlive = setInterval(() => undefined, 1 << 30);
    this.start();
    if (this.heap[0] === timer) this.arm(timer.at);
    return () => {
      timer.cancelled = true;
    };
  }

  /**
   * Starts the clock thread (the fabric does so when it is built, before the
   * run's start: a thread takes milliseconds to boot, and a replica whose
   * first heartbeat waited for it would be suspected at once).
   */
  start(): void {
    if (this.listening || this.stopped) return;
    this.thread = new Worker(new URL('./timerThread.js', import.meta.url), { workerData: { buffer: this.buffer } });
    this.listening = true;
    // The thread never keeps a process alive; its timers are what `setTimer`'s callers wait for.
    this.thread.unref();
    void this.listen();
  }

  /** Resolves once the clock thread runs (timers armed before are served as soon as it does). */
  async booted(): Promise<void> {
    this.start();
    while (Atomics.load(this.words, timerWords.booted) === 0) {
      const waiting = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.words, timerWords.booted, 0, 50);
      if (waiting.async) await waiting.value;
    }
  }

  /** Stops the clock thread (the process is ending). */
  stop(): void {
    this.stopped = true;
    this.release();
    Atomics.store(this.words, timerWords.stop, 1);
    Atomics.add(this.words, timerWords.generation, 1);
    Atomics.notify(this.words, timerWords.generation);
    Atomics.add(this.words, timerWords.bell, 1);
    Atomics.notify(this.words, timerWords.bell);
  }

  /** Tells the clock thread the earliest due time (it re-reads it when the generation moves). */
  private arm(at: bigint): void {
    Atomics.store(this.due, 0, at);
    Atomics.add(this.words, timerWords.generation, 1);
    Atomics.notify(this.words, timerWords.generation);
  }

  private async listen(): Promise<void> {
    // Callbacks run only after a wait: never synchronously inside `schedule`.
    let seen = Atomics.load(this.words, timerWords.bell);
    while (!this.stopped) {
      const waiting = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.words, timerWords.bell, seen);
      if (waiting.async) await waiting.value;
      seen = Atomics.load(this.words, timerWords.bell);
      this.fireDue();
    }
    this.release();
  }

  private release(): void {
    if (this.keepAlive === undefined) return;
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  /** Runs every timer now due, in due order, then re-arms the thread for the next one. */
  private fireDue(): void {
    const now = process.hrtime.bigint();
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const timer = this.pop();
      if (timer.cancelled) continue;
      try {
        timer.callback();
      } catch (error) {
        // As an uncaught exception in a setTimeout callback would be: reported, not swallowed.
        setImmediate(() => {
          throw error;
        });
      }
    }
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    if (this.heap.length > 0) this.arm(this.heap[0].at);
    else this.release();
  }

  private push(timer: { at: bigint; callback: () => void; cancelled: boolean }): void {
    const heap = this.heap;
    heap.push(timer);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (heap[parent].at <= heap[child].at) break;
      [heap[parent], heap[child]] = [heap[child], heap[parent]];
      child = parent;
    }
  }

  private pop(): { at: bigint; callback: () => void; cancelled: boolean } {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as (typeof heap)[number];
    if (heap.length > 0) {
      heap[0] = last;
      let parent = 0;
      for (;;) {
        const left = 2 * parent + 1;
        const right = left + 1;
        let smallest = parent;
        if (left < heap.length && heap[left].at < heap[smallest].at) smallest = left;
        if (right < heap.length && heap[right].at < heap[smallest].at) smallest = right;
        if (smallest === parent) break;
        [heap[parent], heap[smallest]] = [heap[smallest], heap[parent]];
        parent = smallest;
      }
    }
    return top;
  }
}
