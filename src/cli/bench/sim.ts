import { runScenario } from '../../scenarios/index.js';
import { Simulation, rdmaLatency, unitLatency, type LatencyModel } from '../../sim/index.js';
import { Accounting } from '../../trace/accounting.js';
import { TraceRecorder } from '../../trace/recorder.js';
import type { TraceSink } from '../../trace/format.js';
import type { BenchSuite } from './suite.js';
import { simCharts } from './charts/simCharts.js';

/**
 * How fast the simulator runs (it is the engine of every sweep), and what the
 * register costs per operation in simulated delays.
 *
 * Speed is simulated verbs per second of wall time for a tight loop of 8-byte
 * writes and reads by a few processes on one memory, with the trace off, only
 * hashed, and kept in full. The baseline measured in the same run is a bare
 * loop of awaited promises (the floor cost of one await in this Node), so the
 * ratio says how much the simulation adds over an await.
 */
async function verbLoop(totalVerbs: number, latency: LatencyModel, trace: TraceSink | undefined): Promise<{ verbs: number; seconds: number }> {
  const processes = 4;
  const perProcess = Math.ceil(totalVerbs / processes / 2);
  const simulation = new Simulation({
    scenario: 'bench-verbs',
    seed: 1,
    params: {},
    processCount: processes,
    memoryCount: 1,
    regions: [{ name: 'words', size: 64, policy: 'open' }],
    latency,
    horizon: Number.MAX_SAFE_INTEGER,
    ...(trace ? { trace } : {}),
  });
  for (let process = 0; process < processes; process++) {
    simulation.spawn(process, async (fabric) => {
      const address = { memory: 0, region: 'words', offset: process * 8 };
      const word = new Uint8Array(8);
      for (let index = 0; index < perProcess; index++) {
        word[0] = index;
        await fabric.write(address, word);
        await fabric.read(address, 8);
      }
    });
  }
  const started = process.hrtime.bigint();
  const result = await simulation.run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { verbs: result.counters.verbs, seconds };
}

async function awaitFloor(iterations: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) await new Promise<void>((resolve) => resolve());
  return iterations / (Number(process.hrtime.bigint() - started) / 1e9);
}

function best(runs: number[]): number {
  return Math.max(...runs);
}

export const simBench: BenchSuite = {
  name: 'sim',
  summary: 'simulator speed (verbs per second, trace off/hash/full) and the register cost per operation',
  async run(options) {
    const verbs = options.quick ? 200_000 : 2_000_000;
    const trials = options.quick ? 1 : 3;
    const measure = async (latency: LatencyModel, trace: () => TraceSink | undefined) => {
      const rates: number[] = [];
      for (let trial = 0; trial < trials; trial++) {
        const { verbs: done, seconds } = await verbLoop(verbs, latency, trace());
        rates.push(done / seconds);
      }
      return Math.round(best(rates));
    };
    const floor = Math.round(best(await Promise.all([awaitFloor(verbs)])));
    const unitOff = await measure(unitLatency, () => undefined);
    const unitHash = await measure(unitLatency, () => new TraceRecorder(false, new Accounting()));
    const unitFull = await measure(unitLatency, () => new TraceRecorder(true, new Accounting()));
    const rdmaOff = await measure(rdmaLatency, () => undefined);
    const register = await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none', ops: options.quick ? 20 : 100 }, 'hash');
    const read = register.metrics?.byFunction.read;
    const write = register.metrics?.byFunction.write;
    return {
      verbsPerRun: verbs,
      awaitsPerSecond: floor,
      verbsPerSecond: { unitTraceOff: unitOff, unitTraceHash: unitHash, unitTraceFull: unitFull, rdmaTraceOff: rdmaOff },
      ratios: {
        traceHashVsOff: round(unitHash / unitOff),
        traceFullVsOff: round(unitFull / unitOff),
        verbsPerAwait: round(unitOff / floor),
        rdmaVsUnit: round(rdmaOff / unitOff),
      },
      target: { verbsPerSecond: 1_000_000, met: unitOff >= 1_000_000 },
      register: {
        readDelaysMedian: read?.delaysMedian ?? null,
        writeDelaysMedian: write?.delaysMedian ?? null,
        readVerbsMean: read?.verbsMean ?? null,
        writeVerbsMean: write?.verbsMean ?? null,
        readBytesMean: read?.bytesMean ?? null,
        writeBytesMean: write?.bytesMean ?? null,
      },
    };
  },
  charts: simCharts,
  summarize(result) {
    const rates = result.verbsPerSecond as Record<string, number>;
    const ratios = result.ratios as Record<string, number>;
    const register = result.register as Record<string, number | null>;
    const target = result.target as { met: boolean };
    return [
      `simulator speed (${result.verbsPerRun} verbs per run, 4 processes, best of trials, one core):`,
      `  unit latency, trace off   ${fmt(rates.unitTraceOff)} verbs/s  ${target.met ? '(target 1,000,000 met)' : '(BELOW the 1,000,000 target)'}`,
      `  unit latency, trace hash  ${fmt(rates.unitTraceHash)} verbs/s  = ${ratios.traceHashVsOff}x of off`,
      `  unit latency, trace full  ${fmt(rates.unitTraceFull)} verbs/s  = ${ratios.traceFullVsOff}x of off`,
      `  rdma latency, trace off   ${fmt(rates.rdmaTraceOff)} verbs/s  = ${ratios.rdmaVsUnit}x of unit (no same-instant batching)`,
      `  baseline: bare awaits     ${fmt(result.awaitsPerSecond as number)} /s; one simulated verb costs ${round(1 / ratios.verbsPerAwait)} awaits`,
      `register (unit latency): read ${register.readDelaysMedian} delays, write ${register.writeDelaysMedian} delays (median);`,
      `  verbs per read ${register.readVerbsMean}, per write ${register.writeVerbsMean}; bytes per read ${register.readBytesMean}, per write ${register.writeBytesMean}`,
    ].join('\n');
  },
};

function fmt(value: number): string {
  return value.toLocaleString('en-US').padStart(11);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
