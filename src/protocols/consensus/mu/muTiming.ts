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
