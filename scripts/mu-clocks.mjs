// Measures the clocks a Mu replica on shm could tick on (docs/mu.md, "Failure detection on real backends"):
// for each mechanism and target period, the achieved period between ticks (p50/p99/max, µs) and the CPU it
// costs (process CPU time / wall time, in % of one core). Each mechanism runs in its own child process, so
// the CPU is its own. Usage: node scripts/mu-clocks.mjs [seconds=1] [periods µs, comma-separated=100,250,1000]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadavg } from 'node:os';

const mechanisms = {
  // setTimeout with a fractional millisecond: Node rounds it to its 1 ms grain.
  setTimeout: (period, tick) => {
    const loop = () => { tick(); setTimeout(loop, period / 1000); };
    setTimeout(loop, period / 1000);
  },
  // Poll performance.now() on every event-loop turn (setImmediate): fine grain, a busy loop.
  'setImmediate+performance.now': (period, tick) => {
    let next = performance.now() + period / 1000;
    const loop = () => { const now = performance.now(); if (now >= next) { next = now + period / 1000; tick(); } setImmediate(loop); };
    setImmediate(loop);
  },
  'setImmediate+hrtime': (period, tick) => {
    const step = BigInt(period * 1000);
    let next = process.hrtime.bigint() + step;
    const loop = () => { const now = process.hrtime.bigint(); if (now >= next) { next = now + step; tick(); } setImmediate(loop); };
    setImmediate(loop);
  },
  // Atomics.waitAsync on a private word with a timeout: the event loop stays free while it waits.
  'Atomics.waitAsync timeout': (period, tick) => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const keepAlive = setInterval(() => {}, 1000);
    void keepAlive;
    const loop = () => { const r = Atomics.waitAsync(word, 0, 0, period / 1000); if (r.async) r.value.then(() => { tick(); loop(); }); else { tick(); setImmediate(loop); } };
    loop();
  },
  // A detector thread sleeping in Atomics.wait(timeout) that wakes the main thread (waitAsync on a doorbell) each period.
  'detector thread (Atomics.wait) -> main': (period, tick) => {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(`const { workerData } = require('node:worker_threads'); const w = new Int32Array(workerData.buffer); const idle = new Int32Array(new SharedArrayBuffer(4));
      for (;;) { Atomics.wait(idle, 0, 0, workerData.period / 1000); Atomics.add(w, 0, 1); Atomics.notify(w, 0); if (Atomics.load(w, 1) === 1) break; }`, { eval: true, workerData: { buffer: shared.buffer, period } });
    worker.unref();
    const keepAlive = setInterval(() => {}, 1000);
    void keepAlive;
    let seen = 0;
    const loop = () => { const r = Atomics.waitAsync(shared, 0, seen); const go = () => { seen = Atomics.load(shared, 0); tick(); loop(); }; if (r.async) r.value.then(go); else setImmediate(go); };
    loop();
  },
  // The same detector thread ticking on its own (what it could see without waking the main thread).
  'detector thread alone (Atomics.wait)': (period, tick) => {
    const idle = new Int32Array(new SharedArrayBuffer(4));
    setImmediate(function block() {
      const end = performance.now() + seconds * 1000 + 50;
      while (performance.now() < end) { Atomics.wait(idle, 0, 0, period / 1000); tick(); }
    });
  },
};

const seconds = Number(process.argv[2] ?? 1);
const periods = (process.argv[3] ?? '100,250,1000').split(',').map(Number);

if (process.env.MU_CLOCK_CHILD) {
  const [name, periodText] = process.env.MU_CLOCK_CHILD.split('|');
  const period = Number(periodText);
  const gaps = [];
  let last = -1;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tick = () => { const now = performance.now(); if (last >= 0) gaps.push((now - last) * 1000); last = now; };
  mechanisms[name](period, tick);
  const finish = () => {
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    gaps.sort((a, b) => a - b);
    const at = (f) => Math.round(gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * f))]);
    process.stdout.write(JSON.stringify({ ticks: gaps.length, p50: at(0.5), p99: at(0.99), max: Math.round(gaps[gaps.length - 1]), cpuPercent: Math.round((100 * (cpu.user + cpu.system)) / 1000 / wall) }) + '\n');
    process.exit(0);
  };
  if (name === 'detector thread alone (Atomics.wait)') setImmediate(finish); // runs after the blocking loop
  else setTimeout(finish, seconds * 1000);
} else {
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${seconds} s per case; Node ${process.version}`);
  console.log('mechanism | target µs | ticks | period p50 / p99 / max µs | CPU % of a core');
  for (const name of Object.keys(mechanisms)) for (const period of periods) {
    const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(seconds)], { env: { ...process.env, MU_CLOCK_CHILD: `${name}|${period}` }, encoding: 'utf8' });
    const r = JSON.parse(out.stdout.trim().split('\n').pop() || '{}');
    console.log(`${name} | ${period} | ${r.ticks} | ${r.p50} / ${r.p99} / ${r.max} | ${r.cpuPercent}`);
  }
}
