import { latencyCdf, ratioBars, type Chart } from '../../plots/index.js';

/**
 * `mnm bench check`: the time to parse and check each file of Porcupine's
 * suite, with pruning (median of the trials) and without (the in-run
 * baseline), as CDFs; the whole suite's time against Porcupine's reference.
 */
export function checkCharts(result: Record<string, unknown>): Chart[] {
  const files = result.files as { ms: number }[];
  const plain = result.plainSearch as { percentiles?: number[] };
  const ratio = result.ratioToReference as Record<'first' | 'best', Record<'whole' | 'etcd' | 'kv', number>>;
  return [
    {
      name: 'files-cdf',
      spec: latencyCdf({
        title: "Checking Porcupine's suite: time per file",
        subtitle: `${files.length} files, parse + check; with pruning: median of ${String(result.trials)} trial(s), the first cold (JIT); without: one run after them`,
        unit: 'ms',
        counted: 'files',
        seriesTitle: 'search',
        series: [{ name: 'with pruning', samples: files.map((file) => file.ms) }, ...(plain.percentiles ? [{ name: 'without pruning (baseline)', percentiles: plain.percentiles }] : [])],
      }),
    },
    {
      name: 'vs-porcupine',
      spec: ratioBars({
        title: "Checking Porcupine's suite, against Porcupine (Go)",
        subtitle: "Porcupine's times are a reference measured elsewhere on this kind of machine (BASELINES.md), not in this run",
        baseline: "Porcupine's time",
        groupTitle: 'run',
        bars: [
          { name: 'whole suite, first run', ratio: ratio.first.whole, group: 'first (cold)' },
          { name: 'whole suite, best run', ratio: ratio.best.whole, group: 'best' },
          { name: 'etcd logs, best run', ratio: ratio.best.etcd, group: 'best' },
          { name: 'kv histories, best run', ratio: ratio.best.kv, group: 'best' },
        ],
      }),
    },
  ];
}
