/**
 * mulberry32: a seeded PRNG for this folder's tests (no unseeded randomness), so
 * every drawn case replays from its seed. Protocols' tests may not import
 * the checker's or the simulator's PRNGs (src/architecture.test.ts).
 */
export function testPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
