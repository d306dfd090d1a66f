/**
 * The replicated store's deliberate bugs, which the `kv-log` sweep and its
 * tests must catch (docs/kv.md).
 */
export const kvMutants = {
  'no-dedup': 'applies a command every time the log holds it, so a command appended again after an unknown outcome takes effect twice',
  'read-local': "answers a get from this replica's own state without going through the log, so a replica that lags returns a stale value",
} as const;
export type KvMutant = keyof typeof kvMutants;
