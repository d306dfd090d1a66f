import type { RealRunConfig } from '../../realtime/realRun.js';
import { runShm } from '../../shm/runShm.js';
import { runTcp } from '../../tcp/runTcp.js';
import type { LatencyFigures } from './latencyFigures.js';

/** What the backends bench's verbBenchBody measures: 64-byte READs and WRITEs awaited one at a time, and the pipelined write rate. */
export interface VerbFloorFigures {
  readonly read: LatencyFigures;
  readonly write: LatencyFigures;
  /** null unless pipelined. */
  readonly pipelinedPerSecond: number | null;
}

/**
 * The physical floor of a decision on a real backend: one process, one
 * memory, `count` 64-byte verbs one at a time (and pipelined, if asked),
 * run by the backends bench's body. `suite` names the bench in the error.
 */
export async function verbFloorRun(backend: 'shm' | 'tcp', count: number, suite: string, pipelined = false): Promise<VerbFloorFigures> {
  const config: RealRunConfig = {
    processCount: 1,
    memoryCount: 1,
    regions: [{ name: 'bench', size: 64, policy: 'open' }],
    body: { module: new URL('./backends.js', import.meta.url).href, export: 'verbBenchBody', args: { count, pipelined } },
    seed: 1,
    deadlineMilliseconds: 600_000,
  };
  const outcome = backend === 'shm' ? await runShm(config) : await runTcp(config);
  if (outcome.errors.length > 0 || outcome.end !== 'done') throw new Error(`bench ${suite}: verbs on ${backend}: ${outcome.errors[0]?.message ?? outcome.end}`);
  return outcome.results[0] as VerbFloorFigures;
}
