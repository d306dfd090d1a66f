import { checkLinearizability, models, readHistory } from '../../check/index.js';
import { runScenario } from '../../scenarios/index.js';
import { generateHistory } from './generatedHistory.js';
import type { BenchSuite } from './suite.js';
import { longCharts } from './charts/longCharts.js';

/**
 * Long runs: whether the cost per operation stays flat as runs grow. In one
 * process, for 10k, 100k and 1M operations (1k, 10k, 100k with --quick):
 *
 * - `mnm run register` on the simulator (1 writer, 3 readers, 3 memories,
 *   unit latency, the trace hashed as it streams by, the metrics accumulated,
 *   and regularity checked on the whole history), as `mnm run` does it;
 * - `mnm check` of a generated linearizable history (parse and check): one
 *   register, and a kv store of 10 keys (checked per key), 5 clients.
 *
 * Reported per operation, in CPU time of this process (the machine may be
 * shared: wall time is printed too, but CPU time is what the ratio uses),
 * with the ratio of the largest size's cost per operation to the
 * smallest's; the target is at most 1.5. A small run first warms the JIT up
 * so that the smallest size is not charged for compiling.
 */
const target = { ratio: 1.5 };

interface SizeCost {
  readonly operations: number;
  readonly cpuMicrosecondsPerOperation: number;
  readonly wallMicrosecondsPerOperation: number;
  /** The process's heap in use just after (MB): what the run still holds, plus garbage not yet collected. */
  readonly heapUsedMb: number;
}

interface Series {
  readonly sizes: SizeCost[];
  /** Cost per operation at the largest size over that at the smallest (CPU time): the target's figure. */
  readonly ratio: number;
  /** The same over the middle size, where start-up costs weigh less than at the smallest. */
  readonly ratioToMiddle: number;
  readonly met: boolean;
}

async function measure(operations: number, work: () => Promise<void> | void): Promise<SizeCost> {
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  await work();
  const wallMicroseconds = Number(process.hrtime.bigint() - wallBefore) / 1e3;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    operations,
    cpuMicrosecondsPerOperation: round((cpu.user + cpu.system) / operations),
    wallMicrosecondsPerOperation: round(wallMicroseconds / operations),
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
}

function series(sizes: SizeCost[]): Series {
  const largest = sizes[sizes.length - 1].cpuMicrosecondsPerOperation;
  const ratio = round(largest / sizes[0].cpuMicrosecondsPerOperation);
  return { sizes, ratio, ratioToMiddle: round(largest / sizes[Math.floor(sizes.length / 2)].cpuMicrosecondsPerOperation), met: ratio <= target.ratio };
}

/** `operations` register operations: 4 processes doing operations / 4 each. */
async function registerRun(operations: number): Promise<void> {
  const report = await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none', n: 4, memories: 3, ops: operations / 4 }, 'hash');
  if (!report.ok) throw new Error(`bench long: the register run of ${operations} operations failed: ${report.violations.map((violation) => violation.detail).join('; ')}`);
  if (report.metrics?.operations !== operations) throw new Error(`bench long: expected ${operations} operations, the run completed ${report.metrics?.operations}`);
}

function historyText(model: 'register' | 'kv', operations: number): string {
  const lines: string[] = [];
  generateHistory({ model, operations, processes: 5, keys: 10, seed: 1 }, (line) => lines.push(line));
  return lines.join('');
}

function checkHistory(model: 'register' | 'kv', text: string, operations: number): void {
  const history = readHistory(text, 'mnm');
  const result = checkLinearizability(history.operations, models[model]);
  if (result.verdict !== 'linearizable' || result.operations !== operations) {
    throw new Error(`bench long: a generated ${model} history of ${operations} operations got ${result.verdict} (${result.operations} operations); it is linearizable by construction`);
  }
}

export const longRunsBench: BenchSuite = {
  name: 'long',
  summary: 'long runs: cost per operation of mnm run register and mnm check (register, kv) at 10k, 100k and 1M operations',
  async run(options, io) {
    const sizes = options.quick ? [1_000, 10_000, 100_000] : [10_000, 100_000, 1_000_000];
    const say = (text: string) => {
      if (!options.quiet && io.stderrIsTerminal) io.stderr(`\r${text}`.padEnd(79).slice(0, 120));
    };
    // Warm-up at the smallest size, untimed: otherwise the smallest size pays for compiling and looks slow.
    await registerRun(sizes[0]);
    checkHistory('register', historyText('register', sizes[0]), sizes[0]);
    checkHistory('kv', historyText('kv', sizes[0]), sizes[0]);
    const run: SizeCost[] = [];
    for (const size of sizes) {
      say(`long: mnm run register, ${size} operations`);
      run.push(await measure(size, () => registerRun(size)));
    }
    const checks: Record<'register' | 'kv', SizeCost[]> = { register: [], kv: [] };
    for (const model of ['register', 'kv'] as const) {
      for (const size of sizes) {
        say(`long: mnm check ${model}, ${size} operations`);
        // Generating the history is not the checker's work: only parsing and checking are timed.
        const text = historyText(model, size);
        checks[model].push(await measure(size, () => checkHistory(model, text, size)));
      }
    }
    if (!options.quiet && io.stderrIsTerminal) io.stderr(`\r${' '.repeat(79)}\r`);
    return {
      sizes,
      target,
      run: series(run),
      checkRegister: series(checks.register),
      checkKv: series(checks.kv),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1e3),
    };
  },
  charts: longCharts,
  summarize(result) {
    const line = (name: string, value: Series) =>
      [
        `  ${name.padEnd(22)} ${value.sizes.map((size) => `${String(size.cpuMicrosecondsPerOperation).padStart(7)} µs`).join('  ')}   ratio ${value.ratio} ${value.met ? `(target <= ${target.ratio} met)` : `(ABOVE the ${target.ratio} target)`}; to the middle size ${value.ratioToMiddle}`,
        `  ${'  wall'.padEnd(22)} ${value.sizes.map((size) => `${String(size.wallMicrosecondsPerOperation).padStart(7)} µs`).join('  ')}`,
        `  ${'  heap after'.padEnd(22)} ${value.sizes.map((size) => `${String(size.heapUsedMb).padStart(7)} MB`).join('  ')}`,
      ].join('\n');
    const sizes = result.sizes as number[];
    return [
      `long runs: CPU time per operation at ${sizes.map((size) => size.toLocaleString('en-US')).join(', ')} operations, ratio largest/smallest:`,
      line('mnm run register', result.run as Series),
      line('mnm check register', result.checkRegister as Series),
      line('mnm check kv (10 keys)', result.checkKv as Series),
      `  peak resident memory of the whole bench: ${result.peakRssMb} MB`,
    ].join('\n');
  },
};

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
