/**
 * Ballots (proposal numbers) unique per process: process i uses
 * i+1, i+1+n, i+1+2n, … Ballot 0 is reserved for "nothing accepted", so a
 * zeroed slot can never be mistaken for a value; ballot 1 belongs to p0 and,
 * being the lowest, is "pre-prepared": no value can have been accepted below
 * it, so the first leader may skip phase 1.
 */
export function firstBallot(process: number): bigint {
  return BigInt(process + 1);
}

/** The smallest ballot of `process` that is greater than `above`. */
export function nextBallot(process: number, processCount: number, above: bigint): bigint {
  const own = BigInt(process + 1);
  const n = BigInt(processCount);
  if (above < own) return own;
  const rounds = (above - own) / n + 1n;
  return own + rounds * n;
}

/** Which process a ballot belongs to. */
export function ballotOwner(ballot: bigint, processCount: number): number {
  return Number((ballot - 1n) % BigInt(processCount));
}

/** Whether ballot 1 — p0's pre-prepared first ballot — lets phase 1 be skipped. */
export function isPrePrepared(ballot: bigint): boolean {
  return ballot === 1n;
}
