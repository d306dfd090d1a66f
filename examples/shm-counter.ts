/**
 * Real parallelism: four worker threads increment one shared word with
 * fetch-and-add (the fabric's `faa` verb, an Atomics operation on a
 * SharedArrayBuffer). No increment is lost, so the last one sees exactly
 * processes × increments. The bodies live in shm-counter-body.ts, which each
 * worker loads by URL. Run the same config with `runTcp` for OS processes
 * over TCP.
 *
 *   node shm-counter.js [increments]
 */
import { runShm } from 'mnm';

const processCount = 4;
const increments = Number(process.argv[2] ?? 1000);

const result = await runShm({
  processCount,
  memoryCount: 1,
  regions: [{ name: 'counter', size: 8, policy: 'open' }],
  body: { module: new URL('./shm-counter-body.js', import.meta.url).href, export: 'counterBody', args: { increments } },
  seed: 1,
  deadlineMilliseconds: 60_000,
});

const counts = Object.values(result.results) as number[];
const highest = Math.max(...counts);
console.log(`end: ${result.end}; each process's last count: ${counts.join(', ')}`);
console.log(`final count ${highest} of ${processCount} × ${increments} = ${processCount * increments}`);
if (result.errors.length > 0) console.error(result.errors.map((error) => `p${error.process}: ${error.message}`).join('\n'));
if (result.end !== 'done' || result.errors.length > 0 || highest !== processCount * increments) process.exitCode = 1;
