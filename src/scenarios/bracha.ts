import { hex, text } from '../protocols/byzantine/broadcast.js';
import { BrachaBroadcast, brachaAdversaries, brachaAdversaryBody, brachaMutants, type BrachaAdversary, type BrachaConfig, type BrachaMutant } from '../protocols/byzantine/bracha.js';
import type { ResolvedOptions, Scenario } from './scenario.js';
import { broadcastMessage } from './byzantine/broadcastScenario.js';
import { broadcastDetails } from './byzantine/details.js';
import { checkBroadcast } from './byzantine/properties.js';
import { adversaryNames, delay, faultsOf, maxMessages, placements, type Catalogue } from './byzantine/setup.js';

/**
 * Bracha's reliable broadcast over messages with n = 3f+1, the baseline of
 * the Byzantine broadcast table: no signatures, but f more processes than
 * the shared-memory algorithms, and Θ(n²) messages.
 */
const catalogue: Catalogue = { sender: ['equivocating-sender', 'silent-sender'], replicator: ['silent-replicator', 'flip-replicator'] };

function setup(options: ResolvedOptions) {
  const f = faultsOf(options, 3);
  const d = delay(options);
  const byzantine = placements(adversaryNames(options, catalogue, f), catalogue, options.n);
  const config: BrachaConfig = {
    n: options.n,
    f,
    sender: 0,
    messages: options.ops,
    ...(options.mutant ? { mutant: options.mutant as BrachaMutant } : {}),
  };
  // The run's safety net: a process still waiting then (a Byzantine sender's broadcast) stops.
  const giveUpAt = Math.min(options.horizon * 0.9, options.ops * 100 * d + 100 * d);
  return { f, byzantine, config, giveUpAt };
}

export const brachaScenario: Scenario = {
  name: 'bracha',
  summary: "Bracha's reliable broadcast over messages with n = 3f+1: INIT, 2f+1 ECHOs, 2f+1 READYs; no signatures (the baseline)",
  mutants: brachaMutants,
  defaults: { n: 4, memories: 0, ops: 3 },
  sizeFor: (f) => ({ n: 3 * f + 1, memories: 0 }),
  adversaries: true,
  faultWindow: (options) => 12 * delay(options),
  validate(options) {
    if (options.f === undefined && (options.n < 4 || (options.n - 1) % 3 !== 0)) throw new Error(`--n ${options.n}: Bracha's broadcast runs n = 3f+1 processes (4, 7, 10, ...); or give --f`);
    if (options.f !== undefined && options.f < 1) throw new Error(`--f ${options.f}: Bracha's broadcast needs f >= 1`);
    if (options.memories !== 0) throw new Error(`--memories ${options.memories}: Bracha's broadcast uses messages only (accepted: 0)`);
    if (options.ops > maxMessages) throw new Error(`--ops ${options.ops}: the sender broadcasts at most ${maxMessages} messages`);
    for (const placement of setup(options).byzantine) {
      if (!(placement.adversary in brachaAdversaries)) throw new Error(`--adversary ${placement.adversary}: not a strategy of bracha (accepted: ${Object.keys(brachaAdversaries).join(', ')})`);
    }
  },
  tolerance(options) {
    const { f, byzantine } = setup(options);
    const faulty = new Set(byzantine.map((placement) => placement.process));
    return {
      processes: f - faulty.size,
      memories: 0,
      crashable: Array.from({ length: options.n }, (_, process) => process).filter((process) => !faulty.has(process)),
      messageLoss: false,
    };
  },
  mustFinish(options) {
    const faulty = new Set(setup(options).byzantine.map((placement) => placement.process));
    return Array.from({ length: options.n }, (_, process) => process).filter((process) => !faulty.has(process));
  },
  regions() {
    return [];
  },
  body(options, process) {
    const { byzantine, config, giveUpAt } = setup(options);
    const placement = byzantine.find((candidate) => candidate.process === process);
    if (placement) return brachaAdversaryBody(placement.adversary as BrachaAdversary, config, giveUpAt);
    return async (fabric) => {
      // Deliveries are recorded as `deliver` notes, what the property checker and the tables read.
      const endpoint = new BrachaBroadcast(fabric, { ...config, onDeliver: ({ sender, sequence, message }) => fabric.note('deliver', { s: sender, k: sequence, m: text(message), hex: hex(message), path: 'fast' }) });
      // The sender queues its `ops` messages at once; each goes out when it delivered the previous one.
      const sent = fabric.self === config.sender ? Array.from({ length: options.ops }, (_, index) => endpoint.broadcast(broadcastMessage(fabric.self, index + 1)).catch(() => undefined)) : [];
      endpoint.stopBy(giveUpAt);
      await endpoint.finished(options.ops);
      await endpoint.stop();
      await Promise.all(sent);
    };
  },
  check(_history, options, notes) {
    return checkBroadcast(notes, { byzantine: setup(options).byzantine.map((placement) => placement.process), processCount: options.n, totality: true });
  },
  details(_history, options, notes) {
    const { f, byzantine } = setup(options);
    return { ...broadcastDetails(notes, { f, processes: options.n, byzantine }) };
  },
};
