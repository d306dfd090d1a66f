import { workerData } from 'node:worker_threads';
import { timerWords } from './fineTimers.js';

/**
 * The clock thread of one shm process (fineTimers.ts): it sleeps in
 * `Atomics.wait` with a timeout until the earliest due time the process
 * armed, then rings the process's timer bell and waits to be re-armed.
 * `Atomics.wait` sleeps on a futex with a nanosecond timeout, so its grain
 * is the kernel's (~60 µs late at p50 here), not Node's 1 ms timer grain.
 * It runs no protocol code and touches no memory of the fabric.
 */
const buffer = (workerData as { buffer: SharedArrayBuffer }).buffer;
const due = new BigInt64Array(buffer, 0, 1);
const words = new Int32Array(buffer);

Atomics.store(words, timerWords.booted, 1);
Atomics.notify(words, timerWords.booted);

for (;;) {
  if (Atomics.load(words, timerWords.stop) === 1) break;
  const generation = Atomics.load(words, timerWords.generation);
  const at = Atomics.load(due, 0);
  if (at === 0n) {
    Atomics.wait(words, timerWords.generation, generation);
    continue;
  }
  const now = process.hrtime.bigint();
  if (now >= at) {
    // Disarm only what fired: the process may have armed an earlier time meanwhile.
    Atomics.compareExchange(due, 0, at, 0n);
    Atomics.add(words, timerWords.bell, 1);
    Atomics.notify(words, timerWords.bell);
    continue;
  }
  Atomics.wait(words, timerWords.generation, generation, Number(at - now) / 1e6);
}
