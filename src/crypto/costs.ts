import { createHmac } from 'node:crypto';
import { Signer, runKeys } from './signer.js';
import type { Statement } from './statement.js';

/** What signing and verifying cost, in microseconds of CPU (charged as virtual time in the simulator). */
export interface SignatureCosts {
  readonly sign: number;
  readonly verify: number;
}

/**
 * Ed25519 with node:crypto on the project's machine (2 cores, Node 20),
 * 64-byte statements, key objects made once: median of `mnm bench broadcast`
 * runs. Runs charge these constants, not a live measurement, so that a seed
 * gives the same trace on every machine; the bench measures afresh and
 * passes its own figures.
 */
export const measuredCosts: SignatureCosts = { sign: 38, verify: 80 };

/** Signatures cost nothing (the `unit` latency model, where time counts delays). */
export const freeCosts: SignatureCosts = { sign: 0, verify: 0 };

export interface CostMeasurement extends SignatureCosts {
  /** HMAC-SHA256 over the same bytes: the cheapest authenticator, for scale. */
  readonly hmac: number;
  readonly iterations: number;
}

/**
 * Measures node:crypto Ed25519 sign and verify on this machine (median of
 * `trials` batches). For benchmarks only: runs never measure, they are
 * deterministic.
 */
export function measureCosts(iterations = 2000, trials = 5): CostMeasurement {
  const signer = new Signer(0, runKeys(0), 1);
  const statement: Statement = { purpose: 'broadcast', sender: 0, sequence: 1, message: new Uint8Array(40).fill(7) };
  const signature = signer.sign(statement);
  const time = (work: () => void) => {
    const results: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const started = process.hrtime.bigint();
      for (let index = 0; index < iterations; index++) work();
      results.push(Number(process.hrtime.bigint() - started) / 1e3 / iterations);
    }
    results.sort((a, b) => a - b);
    return Math.round(results[Math.floor(results.length / 2)] * 100) / 100;
  };
  const key = Buffer.alloc(32, 1);
  return {
    sign: time(() => signer.sign(statement)),
    verify: time(() => signer.verify(0, statement, signature)),
    hmac: time(() => createHmac('sha256', key).update(statement.message).digest()),
    iterations,
  };
}
