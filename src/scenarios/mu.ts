import type { ProcessId } from '../fabric/index.js';
import { AppendOutcomeUnknown, MuLog, muLayoutOf } from '../protocols/consensus/mu/muLog.js';
import { muTimingFor } from '../protocols/consensus/mu/muTiming.js';
import { muLogRegion, muRegions } from '../protocols/consensus/mu/muLayout.js';
import { grantsOutOfOrder } from '../protocols/consensus/mu/grantOrder.js';
import { muLogPolicy, muMutants, type MuMutant } from '../protocols/consensus/mu/mutants.js';
import { fromNumber } from '../protocols/consensus/numberValue.js';
import { contention, typicalDelay } from './consensus.js';
import { entriesOf, logDetails, windowOf } from './log.js';
import { checkLogRun } from './logProperties.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/**
 * Mu as a replicated log (specs/mu.md): n replicas, replica i = process pi
 * with its log on memory mi. Every process is a client appending `ops`
 * values of its own (1000·(p+1) + k) with a window drawn per seed, like the
 * other log scenarios (log.ts); an append aborted by a deposed leader is an
 * `info` (outcome unknown). Workloads: stable, contention, storm (replicas
 * that wrongly believe they lead for a while). Faults: up to f < n/2
 * host crashes (process pI and its memory mI together, `--crash h1@20`),
 * pauses, partitions from the profile; an explicit process crash whose
 * memory lives on is within tolerance too.
 * Properties: logProperties.ts (applied logs are prefixes of one another,
 * agreement per index, no value lost from a completed append's position,
 * linearizability against the `log` model).
 */
const capacity = 8;

function valueOf(process: ProcessId, k: number): number {
  return 1000 * (process + 1) + k;
}

/** The log's slots: `--slots`, else room for every entry of the run (no wrap-around). */
function slotsOf(options: ResolvedOptions): number {
  return options.slots ?? entriesOf(options);
}

function configOf(options: ResolvedOptions, process: ProcessId) {
  const contender = contention(options).contenders.get(process);
  return {
    capacity,
    slots: slotsOf(options),
    // The leader carries every client's window.
    window: windowOf(options) * options.n,
    timing: muTimingFor(typicalDelay(options)),
    ...(options.mutant ? { mutant: options.mutant as MuMutant } : {}),
    ...(contender ? { believeLeaderUntil: contender.until } : {}),
  };
}

export const muScenario: Scenario = {
  name: 'mu',
  summary: 'Mu: a stable leader commits with one write per replica log and a majority wait (2 delays); ordered permissions fence deposed leaders',
  mutants: muMutants,
  defaults: { n: 3, memories: 3, ops: 4 },
  // Mu keeps two copies per slot so that a write cut short by a crash never tears the accepted entry.
  cutShortWrites: true,
  workloads: ['mixed', 'stable', 'contention', 'storm'],
  sizeFor(f) {
    return { n: 2 * f + 1, memories: 2 * f + 1 };
  },
  mixSizes(random) {
    const n = [3, 3, 3, 4, 5][random.int(5)];
    return { n, memories: n };
  },
  mixSlots(random) {
    // Small logs wrap around several times in a run: recycling, and snapshots for replicas left behind.
    return [2, 3, 4, 8, undefined][random.int(5)];
  },
  mixWorkload(random) {
    return ['stable', 'mixed', 'contention', 'contention', 'storm', 'storm'][random.int(6)];
  },
  validate(options) {
    if (options.adversary !== undefined) throw new Error('--adversary: mu tolerates crashes only (no Byzantine adversaries)');
    if (options.ops < 1) throw new Error(`--ops ${options.ops}: each process appends at least one value (accepted: 1 or more)`);
    if (options.n < 2) throw new Error(`--n ${options.n}: Mu needs at least 2 replicas`);
    if (options.memories !== options.n) throw new Error(`--memories ${options.memories}: Mu puts each replica's log in its own memory (accepted: --memories ${options.n}, one per replica)`);
  },
  tolerance(options) {
    // A replica is a host: its process and its log's memory crash together (fault profiles draw host crashes), a minority of them.
    const minority = Math.floor((options.n - 1) / 2);
    return { processes: minority, memories: minority, colocated: true };
  },
  faultWindow(options) {
    return (12 + 4 * options.ops) * typicalDelay(options);
  },
  outageMax(options) {
    return 2.5 * 20 * typicalDelay(options);
  },
  regions(options) {
    return muRegions(muLayoutOf({ capacity, slots: slotsOf(options) }), options.n, muLogPolicy(options.mutant as MuMutant | undefined));
  },
  body(options, process) {
    const window = windowOf(options);
    const linger = 40 * typicalDelay(options);
    return async (fabric) => {
      const log = new MuLog(fabric, configOf(options, process));
      let next = 0;
      // A process whose append ended in an `info` has that call outstanding forever: the lane records no more.
      const lane = async (recording: boolean) => {
        let recorded = recording;
        while (next < options.ops) {
          const value = valueOf(process, next++);
          const op = recorded ? fabric.history.invoke('append', value) : undefined;
          try {
            const index = await log.append(fromNumber(value));
            if (op !== undefined) fabric.history.ok(op, index);
          } catch (error) {
            if (!(error instanceof AppendOutcomeUnknown)) throw error;
            if (op !== undefined) fabric.history.info(op, null);
            recorded = false;
          }
        }
      };
      await Promise.all(Array.from({ length: window }, (_, index) => lane(index === 0)));
      await fabric.sleep(linger);
    };
  },
  check(history, options, notes, memories) {
    const appendable = Array.from({ length: options.n * options.ops }, (_, index) => valueOf(Math.floor(index / options.ops), index % options.ops));
    // The log model counts positions among the appends it sees: it judges only a history that records every append.
    const everyAppendRecorded = windowOf(options) === 1 && !history.some((event) => event.type === 'info');
    const violations = checkLogRun(history, notes, appendable, everyAppendRecorded);
    // Each replica grants its log to one leader at a time, never to a stale one (where the backend reports what the memories did).
    for (const { grant, after } of grantsOutOfOrder(memories?.orderedGrants ?? [], muLogRegion)) {
      violations.push({
        property: 'grant-order',
        detail: `m${grant.memory} granted its log to p${grant.process} with proposal ${grant.proposal} at ${grant.t}, after granting p${after.process} proposal ${after.proposal} at ${after.t}`,
        involved: { processes: [grant.process, after.process] },
      });
    }
    return violations;
  },
  details(_history, options, notes) {
    return logDetails(notes, options);
  },
};
