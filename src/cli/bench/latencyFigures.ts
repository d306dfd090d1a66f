import { percentiles } from '../plots/percentiles.js';

/**
 * Latency samples (µs) reduced to the figures the backend bench reports, and
 * the ratios to the floor. Pure, so the arithmetic is tested apart from any
 * timing.
 */
export interface LatencyFigures {
  readonly p50: number;
  readonly p99: number;
  /** Operations completed per second, one after the other (each awaited before the next). */
  readonly perSecond: number;
  /** The sample at each percent 0..100 (index = percent; 0 the minimum, 100 the maximum): the CDF the charts draw. */
  readonly percentiles?: readonly number[];
}

/** The sample at `fraction` of the sorted samples (nearest rank, never past the last). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/** p50/p99 of `samples` (sorted here), the rate `samples.length / seconds`, and the 101 percentiles for a CDF. */
export function latencyFigures(samples: number[], seconds: number): LatencyFigures {
  samples.sort((a, b) => a - b);
  return { p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)), perSecond: Math.round(samples.length / seconds), percentiles: percentiles(samples) };
}

/** Two decimals: the bench's noise is percent-level, more digits would be noise. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A cost as a multiple of the floor (`× floor`): 1 means the floor itself. */
export function timesFloor(cost: number, floor: number): number {
  return round(cost / floor);
}

/** A performance target as a printed verdict: what was asked, what was reached, met or not. */
export interface TargetVerdict {
  readonly name: string;
  readonly met: boolean;
  readonly line: string;
}

/** `reached <= limit` (a cost, lower is better), in `unit` (e.g. 'x floor'). */
export function atMost(name: string, reached: number, limit: number, unit = 'x floor'): TargetVerdict {
  const met = reached <= limit;
  return { name, met, line: `${name}: ${reached} ${unit} (target <= ${limit} ${unit}) ${met ? 'met' : 'NOT met'}` };
}

/** `reached >= limit` (higher is better), by default a rate as a percentage of the floor's. */
export function atLeast(name: string, reached: number, limit: number, unit = '%'): TargetVerdict {
  const met = reached >= limit;
  const sep = unit === '%' ? '' : ' ';
  return { name, met, line: `${name}: ${reached}${sep}${unit} (target >= ${limit}${sep}${unit}) ${met ? 'met' : 'NOT met'}` };
}

/** Microseconds on the monotonic clock (a bench body's stopwatch). */
export function microseconds(): number {
  return Number(globalThis.process.hrtime.bigint()) / 1000;
}

/**
 * Times `operation` the way every floor is measured: warm up (up to 2,000
 * calls), then `count` calls each awaited before the next (latency
 * figures), then `4 × count` calls with `window` in flight (the rate). The
 * operation gets its lane (0 when sequential) so that in-flight calls can
 * use distinct slots.
 */
export async function sequentialThenPipelined(operation: (lane: number) => Promise<unknown>, count: number, window: number): Promise<{ sequential: LatencyFigures; pipelinedPerSecond: number }> {
  for (let index = 0; index < Math.min(2000, count); index++) await operation(0);
  const samples: number[] = [];
  const started = microseconds();
  for (let index = 0; index < count; index++) {
    const before = microseconds();
    await operation(0);
    samples.push(microseconds() - before);
  }
  const sequential = latencyFigures(samples, (microseconds() - started) / 1e6);
  const total = count * 4;
  let issued = 0;
  const pipelinedStart = microseconds();
  await Promise.all(
    Array.from({ length: window }, async (_, lane) => {
      while (issued < total) {
        issued++;
        await operation(lane);
      }
    }),
  );
  return { sequential, pipelinedPerSecond: Math.round(total / ((microseconds() - pipelinedStart) / 1e6)) };
}
