import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkLinearizability, models, readHistory } from '../../check/index.js';
import { percentiles } from '../plots/index.js';
import type { BenchSuite } from './suite.js';
import { checkCharts } from './charts/checkCharts.js';

/**
 * The linearizability checker on Porcupine's own suite (fixtures/porcupine:
 * 102 Jepsen etcd logs as cas-register, 6 kv histories split by key), timed
 * in one process: parsing and checking, every file, with its verdict
 * verified against expected.json (a wrong verdict fails the bench).
 *
 * The bar is Porcupine itself, but Go is not on this machine, so its figures
 * are the reference measured elsewhere on this kind of machine (BASELINES.md:
 * 0.9 s for the suite, 0.63 s etcd, 0.25 s kv), not in this run. The
 * baseline measured in this run is the same checker with its pruning off
 * (the plain search of Porcupine and Knossos), which shows what it is worth.
 */
const fixtures = fileURLToPath(new URL('../../../fixtures/porcupine/', import.meta.url));

const reference = {
  source: 'Porcupine (Go), from BASELINES.md: measured elsewhere on this kind of machine, not in this run',
  wholeMs: 900,
  etcdMs: 630,
  kvMs: 250,
};
const target = { ratio: 1.5, perFileMs: 500 };

interface SuiteFile {
  readonly file: string;
  readonly text: string;
  readonly linearizable: boolean;
  readonly model: string;
}

interface FileTime {
  readonly file: string;
  readonly linearizable: boolean;
  readonly ms: number;
  /** The slowest of the trials (the first, cold one, as a rule). */
  readonly worstMs?: number;
}

function loadSuite(): SuiteFile[] {
  const expected = JSON.parse(readFileSync(`${fixtures}expected.json`, 'utf8')) as { linearizable: Record<string, boolean> };
  return Object.entries(expected.linearizable).map(([file, linearizable]) => ({
    file,
    text: readFileSync(`${fixtures}${file}`, 'utf8'),
    linearizable,
    model: file.startsWith('kv/') ? 'kv' : 'cas-register',
  }));
}

function timeSuite(files: readonly SuiteFile[], pruning: boolean): FileTime[] {
  return files.map((entry) => {
    const started = process.hrtime.bigint();
    const { operations } = readHistory(entry.text);
    const result = checkLinearizability(operations, models[entry.model], { pruning });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const wanted = entry.linearizable ? 'linearizable' : 'not-linearizable';
    if (result.verdict !== wanted) throw new Error(`bench check: ${entry.file} got ${result.verdict}, expected ${wanted}`);
    return { file: entry.file, linearizable: entry.linearizable, ms };
  });
}

const sum = (times: readonly FileTime[]) => times.reduce((total, time) => total + time.ms, 0);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function totals(times: readonly FileTime[]) {
  return {
    wholeMs: round(sum(times)),
    etcdMs: round(sum(times.filter((time) => time.file.startsWith('jepsen/')))),
    kvMs: round(sum(times.filter((time) => time.file.startsWith('kv/')))),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const checkBench: BenchSuite = {
  name: 'check',
  summary: "linearizability checker on Porcupine's suite (etcd + kv): wall time, per file, vs Porcupine's reference",
  async run(options, io) {
    const files = loadSuite();
    const trials = options.quick ? 1 : 5;
    const runs: FileTime[][] = [];
    for (let trial = 0; trial < trials; trial++) {
      if (!options.quiet) io.stderr(`bench check: trial ${trial + 1}/${trials}\n`);
      runs.push(timeSuite(files, true));
    }
    if (!options.quiet) io.stderr('bench check: the same search without pruning (baseline)\n');
    const plain = timeSuite(files, false);

    // First run: cold (includes the JIT warming up), as a one-off `mnm check` loop would see; best: the fastest whole run.
    const first = totals(runs[0]);
    const best = totals(runs.reduce((fastest, run) => (sum(run) < sum(fastest) ? run : fastest)));
    const perFile: FileTime[] = files.map((entry, index) => ({
      file: entry.file,
      linearizable: entry.linearizable,
      ms: round(median(runs.map((run) => run[index].ms)), 2),
      worstMs: round(Math.max(...runs.map((run) => run[index].ms)), 2),
    }));
    const slowest = perFile.reduce((worst, time) => (time.ms > worst.ms ? time : worst));
    const slowestWorst = perFile.reduce((worst, time) => ((time.worstMs ?? 0) > (worst.worstMs ?? 0) ? time : worst));
    const group = (linearizable: boolean) => {
      const chosen = perFile.filter((time) => time.linearizable === linearizable);
      return { files: chosen.length, ms: round(sum(chosen)), slowest: chosen.reduce((worst, time) => (time.ms > worst.ms ? time : worst)) };
    };
    const ratio = (value: typeof first) => ({
      whole: round(value.wholeMs / reference.wholeMs, 2),
      etcd: round(value.etcdMs / reference.etcdMs, 2),
      kv: round(value.kvMs / reference.kvMs, 2),
    });
    return {
      trials,
      reference,
      target,
      first,
      best,
      ratioToReference: { first: ratio(first), best: ratio(best) },
      meetsTarget: first.wholeMs <= target.ratio * reference.wholeMs && (slowestWorst.worstMs ?? 0) <= target.perFileMs,
      slowest,
      slowestWorst,
      linearizable: group(true),
      notLinearizable: group(false),
      /** `percentiles`: the per-file times (ms) at each percent 0..100, for the CDF next to `files`. */
      plainSearch: { ...totals(plain), slowerThanBestBy: round(sum(plain) / best.wholeMs, 2), percentiles: percentiles(plain.map((time) => time.ms)) },
      files: perFile,
    };
  },
  charts: checkCharts,
  summarize(result) {
    const r = result as {
      trials: number;
      reference: typeof reference;
      first: { wholeMs: number; etcdMs: number; kvMs: number };
      best: { wholeMs: number; etcdMs: number; kvMs: number };
      ratioToReference: { first: { whole: number; etcd: number; kv: number }; best: { whole: number; etcd: number; kv: number } };
      meetsTarget: boolean;
      slowest: FileTime;
      slowestWorst: FileTime;
      linearizable: { files: number; ms: number; slowest: FileTime };
      notLinearizable: { files: number; ms: number; slowest: FileTime };
      plainSearch: { wholeMs: number; slowerThanBestBy: number };
      files: FileTime[];
    };
    const row = (label: string, ms: number, referenceMs: number, ratio: number) => `  ${label.padEnd(22)} ${`${ms} ms`.padStart(10)}   Porcupine ${`${referenceMs} ms`.padStart(7)}   ratio ${ratio}`;
    const slowest = [...r.files].sort((a, b) => b.ms - a.ms).slice(0, 5);
    return [
      `Porcupine suite (102 etcd logs + 6 kv files), parse + check in one process, ${r.trials} trial(s):`,
      row('whole, first run', r.first.wholeMs, r.reference.wholeMs, r.ratioToReference.first.whole),
      row('whole, best run', r.best.wholeMs, r.reference.wholeMs, r.ratioToReference.best.whole),
      row('etcd (best run)', r.best.etcdMs, r.reference.etcdMs, r.ratioToReference.best.etcd),
      row('kv by key (best run)', r.best.kvMs, r.reference.kvMs, r.ratioToReference.best.kv),
      `  reference: ${r.reference.source}`,
      `  per file: slowest (median of trials) ${r.slowest.file} ${r.slowest.ms} ms; slowest in any trial ${r.slowestWorst.file} ${r.slowestWorst.worstMs} ms`,
      `  target (first run within ${target.ratio}x of Porcupine's whole suite, no file above ${target.perFileMs} ms in any trial): ${r.meetsTarget ? 'met' : 'NOT met'}`,
      `  linearizable:     ${r.linearizable.files} files, ${r.linearizable.ms} ms (slowest ${r.linearizable.slowest.file} ${r.linearizable.slowest.ms} ms)`,
      `  not linearizable: ${r.notLinearizable.files} files, ${r.notLinearizable.ms} ms (slowest ${r.notLinearizable.slowest.file} ${r.notLinearizable.slowest.ms} ms)`,
      `  slowest files: ${slowest.map((time) => `${time.file} ${time.ms} ms`).join(', ')}`,
      `  baseline in this run: the same search without pruning takes ${r.plainSearch.wholeMs} ms (${r.plainSearch.slowerThanBestBy}x the best run)`,
    ].join('\n');
  },
};
