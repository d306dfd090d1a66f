import { BftOutcomeUnknown, type BftKvClient } from '../protocols/byzantine/bft/client.js';
import { Prng } from '../sim/prng.js';
import { kvMixes, nextKvCall, zipfianCumulative } from './kvWorkload.js';

/**
 * One client's calls in the `bft` and `pbft` scenarios: `ops` YCSB-A calls
 * (zipfian keys over `keyCount`) drawn from the run's seed, one at a time.
 * A call whose outcome is unknown (no f+1 matching replies in time) ends
 * the client: its history stays open there, as the `kv` model reads it.
 */
export async function runBftClientCalls(client: BftKvClient, run: { seed: number; ops: number; keyCount: number; clientIndex: number; process: number }): Promise<void> {
  const random = new Prng(run.seed, `kv-client:${run.clientIndex}`);
  const cumulative = zipfianCumulative(run.keyCount);
  for (let call = 0; call < run.ops; call++) {
    const { operation, key, value } = nextKvCall(random, kvMixes['ycsb-a'], cumulative, run.process, call);
    try {
      if (operation === 'get') await client.get(key);
      else await client[operation](key, value);
    } catch (error) {
      if (error instanceof BftOutcomeUnknown) return;
      throw error;
    }
  }
}
