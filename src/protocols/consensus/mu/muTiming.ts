import type { ScoreThresholds } from './muDecide.js';

/**
 * Mu's clocks (specs/mu.md, "Failure detection and election"): the main
 * loop's period and the failure detector's thresholds, in the backend's
 * time unit.
 */
export interface MuTiming {
  /** The main loop's period: heartbeat, reads of the others' counters, polling the own log, the leader's FUO push. */
  readonly heartbeat: number;
  /** How long a heartbeat read may take before it counts as "did not move". */
  readonly heartbeatReadTimeout: number;
  readonly thresholds: ScoreThresholds;
  /** How long a candidate waits for a majority of grants and prepares before it tries again. */
  readonly electionTimeout: number;
  /** Base of the randomized back-off between election attempts. */
  readonly backoff: number;
  /** A replica forwards its unapplied appends to the leader again every this many ticks. */
  readonly reforwardTicks: number;
}

/** Timings from the backend's one-way delay: a tick every 4 delays; a silent replica is suspected after 3 ticks without progress. */
export function muTimingFor(delay: number): MuTiming {
  return {
    heartbeat: 4 * delay,
    heartbeatReadTimeout: 8 * delay,
    thresholds: { max: 5, failed: 2, recovered: 4 },
    electionTimeout: 40 * delay,
    backoff: 4 * delay,
    reforwardTicks: 4,
  };
}

/**
 * Mu's failure detector on a real backend, in real time (docs/mu.md,
 * "Failure detection on real backends"). The main loop beats every
 * `heartbeatMicroseconds`; a replica whose counter did not move for
 * `thresholds.max - thresholds.failed` reads in a row (3) is suspected, so
 * the detection threshold is 3 beats, plus up to one beat of phase.
 *
 * - shm: 250 µs beats, a 750 µs threshold. Below 1 ms Node's timers cannot
 *   tick; the shm fabric runs such timers on a clock thread sleeping in
 *   `Atomics.wait` with a timeout (measured: ~320 µs p50 for a 250 µs
 *   period, 9–18 % of a core per replica; polling a monotonic clock on every
 *   event-loop turn costs 65–80 % of a core, `Atomics.waitAsync` rounds its
 *   timeout to whole milliseconds). 250 µs is the shortest period whose
 *   wake-up cost three replicas can pay on 2 cores.
 * - tcp: 2 ms beats, a 6 ms threshold. A heartbeat read crosses to another
 *   OS process (its memory is served by that replica's event loop), ~35 µs
 *   at best and milliseconds on a loaded machine; 1 ms beats are Node's
 *   grain and wake every replica 2,000 times a second per peer.
 */
export interface MuRealTimeDetector {
  readonly heartbeatMicroseconds: number;
  /** A heartbeat read that takes longer counts as "did not move". */
  readonly readTimeoutMicroseconds: number;
  /** How long a candidate waits for a majority of grants and prepares. */
  readonly electionTimeoutMicroseconds: number;
  /** Base of the randomized back-off between election attempts. */
  readonly backoffMicroseconds: number;
  /** Re-forward unapplied appends to the leader this often. */
  readonly reforwardMicroseconds: number;
}

/** The detectors chosen per real backend (see `MuRealTimeDetector`; measurements in docs/mu.md). */
export const muRealTimeDetectors: Readonly<Record<'shm' | 'tcp', MuRealTimeDetector>> = {
  shm: { heartbeatMicroseconds: 250, readTimeoutMicroseconds: 500, electionTimeoutMicroseconds: 20_000, backoffMicroseconds: 250, reforwardMicroseconds: 5_000 },
  // tcp reads time out within the beat: a paused host's co-located memory stalls with it, its heartbeat reads never
  // answer, and one read is in flight per replica — with a timeout of 2 beats each lowering of the score waited for
  // one (detection 3 timeouts, not 3 beats: measured 66–68 ms for the 30 ms load-tolerant threshold).
  tcp: { heartbeatMicroseconds: 2_000, readTimeoutMicroseconds: 1_600, electionTimeoutMicroseconds: 50_000, backoffMicroseconds: 2_000, reforwardMicroseconds: 20_000 },
};

/**
 * Detectors for a machine whose cores are shared with other jobs (load
 * average above the core count): there a thread is descheduled for 10–130 ms
 * (measured at load average 9 on 2 cores: tick gaps p99 4–17 ms, max up to
 * 140 ms), so the sub-millisecond shm threshold and the 6 ms tcp threshold
 * suspect live leaders several times a second, and each false suspicion is
 * a leader change. A 15 ms (shm) / 30 ms (tcp) threshold rode out those
 * stalls in the measurements of docs/mu.md.
 */
export const muLoadTolerantDetectors: Readonly<Record<'shm' | 'tcp', MuRealTimeDetector>> = {
  shm: { heartbeatMicroseconds: 5_000, readTimeoutMicroseconds: 10_000, electionTimeoutMicroseconds: 100_000, backoffMicroseconds: 5_000, reforwardMicroseconds: 50_000 },
  tcp: { heartbeatMicroseconds: 10_000, readTimeoutMicroseconds: 8_000, electionTimeoutMicroseconds: 200_000, backoffMicroseconds: 10_000, reforwardMicroseconds: 100_000 },
};

const realThresholds: ScoreThresholds = { max: 5, failed: 2, recovered: 4 };

/** Mu's timing from a real-time detector, in a backend's time unit (`unitMicroseconds` of real time per unit). */
export function muTimingFromDetector(detector: MuRealTimeDetector, unitMicroseconds: number): MuTiming {
  if (!(unitMicroseconds > 0)) throw new RangeError(`muTimingFromDetector: unitMicroseconds ${unitMicroseconds} (accepted: > 0)`);
  return {
    heartbeat: detector.heartbeatMicroseconds / unitMicroseconds,
    heartbeatReadTimeout: detector.readTimeoutMicroseconds / unitMicroseconds,
    thresholds: realThresholds,
    electionTimeout: detector.electionTimeoutMicroseconds / unitMicroseconds,
    backoff: detector.backoffMicroseconds / unitMicroseconds,
    reforwardTicks: Math.max(1, Math.round(detector.reforwardMicroseconds / detector.heartbeatMicroseconds)),
  };
}

/** Mu's timing on `backend` in its time unit: the chosen detector (`muRealTimeDetectors`), optionally overridden. */
export function muTimingForBackend(backend: 'shm' | 'tcp', unitMicroseconds: number, override: Partial<MuRealTimeDetector> = {}): MuTiming {
  return muTimingFromDetector({ ...muRealTimeDetectors[backend], ...override }, unitMicroseconds);
}

/** The configured detection threshold in the timing's unit: reads in a row without a move before suspicion, times the beat. */
export function detectionThreshold(timing: MuTiming): number {
  return (timing.thresholds.max - timing.thresholds.failed) * timing.heartbeat;
}
