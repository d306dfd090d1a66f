/**
 * A compact summary of latency samples that a CDF can be drawn from: the
 * sample at every whole percent, 0 to 100 (index = percent; 0 is the
 * minimum, 100 the maximum), nearest rank. 101 numbers whatever the sample
 * count, so a bench's JSON can carry one per measured series.
 */
export function percentiles(samples: readonly number[], digits = 2): number[] {
  if (samples.length === 0) throw new RangeError('percentiles of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const scale = 10 ** digits;
  return Array.from({ length: 101 }, (_, percent) => {
    const rank = Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1);
    return Math.round(sorted[Math.min(sorted.length - 1, rank)] * scale) / scale;
  });
}
