import type { ProcessId } from '../fabric/index.js';
import { crashedBy, isCrash, type Fault } from '../fabric/faults.js';
import type { Prng } from './prng.js';
import { isNotePauseItem } from './notePauses.js';

export { describeFault, type Fault } from '../fabric/faults.js';

/** What a protocol tolerates: how many crashes it must survive with every correct process terminating. */
export interface Tolerance {
  readonly processes: number;
  readonly memories: number;
  /** Processes that may be crashed by a fault profile (all when absent). */
  readonly crashable?: readonly ProcessId[];
  /** Whether the protocol's liveness survives lost messages (retransmission). */
  readonly messageLoss?: boolean;
  /**
   * Processes and memories are co-located by index: process pI and memory mI
   * are one host hI (Mu's replicas, whose logs die with them). Fault profiles
   * then crash hosts — up to the fewer of `processes` and `memories` of them —
   * instead of processes and memories apart.
   */
  readonly colocated?: true;
}

/**
 * Fault profiles. `clocks` draws no timed fault: it skews and drifts every
 * process's local clock (`Fabric.clock()`), by `clockProfileBounds` unless
 * `--skew`/`--drift` say otherwise. `all` leaves clocks alone, so that the
 * seeds of existing sweeps keep their runs; mixed sweeps draw clocks apart.
 */
export const faultProfiles = ['none', 'crash', 'pause', 'net', 'all', 'clocks'] as const;
export type FaultProfile = (typeof faultProfiles)[number];

export interface FaultWorld {
  readonly processCount: number;
  readonly memoryCount: number;
  /** Faults start within [0, window) of virtual time. */
  readonly window: number;
  /** Longest pause or partition (default: a third of the window). Longer than a failure detector's timeout, it forces leader changes. */
  readonly outageMax?: number;
  /**
   * When present (longer than `outageMax`), profiles that pause may also
   * draw one long pause, between `outageMax` and this: longer than every
   * timeout of the protocol, so that its peers give up on the paused process
   * and it wakes into a world that moved on.
   */
  readonly longOutage?: number;
}

/**
 * Draws a run's faults from a profile, within the protocol's tolerance, from
 * the faults stream of the seed. Every drawn fault is written to the trace
 * header's parameters, so nothing is hidden.
 *
 * - `crash`: up to the tolerated number of memories and processes crash at random times
 *   (hosts, when the tolerance says processes and memories are co-located).
 *   Each crashed process crashes mid-write with probability 1/2 (some of its
 *   verbs in flight never arrive).
 * - `pause`: one or two processes pause for a while (a slow leader); with
 *   `longOutage`, with probability 1/2 one more pauses longer than any timeout;
 *   with probability 1/2, one or two slow links (process → memory) hold the
 *   verbs sent on them for a while — a straggler among the memories a
 *   process works on "in parallel, until a majority".
 * - `net`: a partition that heals, and a period of lost and delayed messages.
 * - `all`: all of the above.
 */
export function drawFaults(profile: FaultProfile, tolerance: Tolerance, world: FaultWorld, random: Prng): Fault[] {
  const faults: Fault[] = [];
  const crashes = profile === 'crash' || profile === 'all';
  const pauses = profile === 'pause' || profile === 'all';
  const network = profile === 'net' || profile === 'all';
  const time = () => Math.floor(random.float() * world.window * 100) / 100;
  const processes = Array.from({ length: world.processCount }, (_, process) => process);
  const outage = world.outageMax ?? world.window / 3;
  if (world.longOutage !== undefined && !(Number.isFinite(world.longOutage) && world.longOutage > outage)) {
    throw new RangeError(`long outage ${world.longOutage} is not accepted (accepted: a finite number longer than the longest ordinary outage, ${outage})`);
  }
  if (crashes && tolerance.colocated) {
    const crashable = (tolerance.crashable ?? processes).filter((host) => host < world.memoryCount);
    const hostCrashes = random.int(Math.min(tolerance.processes, tolerance.memories, crashable.length) + 1);
    for (const host of random.sample(crashable, hostCrashes)) faults.push({ kind: 'crash-host', at: time(), host });
  } else if (crashes) {
    const memoryCrashes = random.int(tolerance.memories + 1);
    const memories = Array.from({ length: world.memoryCount }, (_, memory) => memory);
    for (const memory of random.sample(memories, memoryCrashes)) faults.push({ kind: 'crash-memory', at: time(), memory });
    const crashable = tolerance.crashable ?? processes;
    const processCrashes = random.int(Math.min(tolerance.processes, crashable.length) + 1);
    for (const process of random.sample(crashable, processCrashes)) faults.push({ kind: 'crash-process', at: time(), process });
  }
  if (pauses) {
    const count = 1 + random.int(Math.min(2, world.processCount));
    for (const process of random.sample(processes, count)) {
      faults.push({ kind: 'pause', at: time(), process, duration: Math.round(outage * (0.15 + random.float() * 0.85)) });
    }
  }
  // Partitions and lossy periods lose messages: only for protocols that retransmit.
  if (network && world.processCount > 1 && tolerance.messageLoss !== false) {
    const side = random.sample(processes, 1 + random.int(world.processCount - 1));
    faults.push({ kind: 'partition', at: time(), duration: Math.round(outage * (0.15 + random.float() * 0.85)), side: [...side].sort((a, b) => a - b) });
    faults.push({ kind: 'lossy', at: time(), duration: Math.round(world.window * 0.2), dropRate: 0.05, delayRate: 0.1, extraDelay: world.window * 0.02 });
  }
  // Everything below is drawn after every fault above, so that a seed keeps
  // the faults it drew before mid-write crashes and long pauses existed.
  if (crashes) {
    for (const [index, fault] of faults.entries()) {
      if ((fault.kind === 'crash-process' || fault.kind === 'crash-host') && random.chance(0.5)) faults[index] = { ...fault, midWrite: true };
    }
  }
  if (pauses && world.memoryCount > 0 && random.chance(0.5)) {
    for (let count = 1 + random.int(2); count > 0; count--) {
      const at = time();
      faults.push({ kind: 'slow-link', at, process: random.int(world.processCount), memory: random.int(world.memoryCount), duration: Math.round(outage * (0.1 + random.float() * 0.9) * 100) / 100 });
    }
  }
  if (pauses && world.longOutage !== undefined && random.chance(0.5)) {
    const process = random.int(world.processCount);
    const at = time();
    const duration = Math.round((outage + random.float() * (world.longOutage - outage)) * 100) / 100;
    faults.push({ kind: 'pause', at, process, duration: Math.min(world.longOutage, Math.max(outage, duration)) });
  }
  return faults.sort((a, b) => a.at - b.at);
}

/**
 * Parses explicit crashes: `m1@5,p2,p0@3!,h1@7` = memory m1 crashes at time
 * 5, process p2 at time 0, process p0 at time 3 in the middle of its writes
 * (`!`: some of its verbs in flight never arrive), and host h1 — process p1
 * and memory m1 together — at time 7. Throws a message saying what is accepted.
 */
export function parseCrashes(text: string, world: Pick<FaultWorld, 'processCount' | 'memoryCount'>): Fault[] {
  const faults: Fault[] = [];
  for (const part of text.split(',').map((piece) => piece.trim()).filter(Boolean)) {
    const match = /^([pmh])(\d+)(?:@(\d+(?:\.\d+)?))?(!)?$/.exec(part);
    // Keeps the older wording 'pN[@TIME] or mN[@TIME]' (the CLI's tests and users know it) and adds the mid-write mark and hosts.
    const accepted =
      "pN[@TIME] or mN[@TIME], a process optionally followed by '!' to crash it mid-write (some of its verbs in flight never arrive): pN[@TIME][!], or a host hN[@TIME][!] (process pN and memory mN together) (e.g. m1@5,p2,p0@3!,h1@7)";
    if (!match) throw new Error(`crash '${part}' is not of the form ${accepted}`);
    const index = Number(match[2]);
    const at = match[3] === undefined ? 0 : Number(match[3]);
    const midWrite = match[4] !== undefined;
    if (match[1] === 'p') {
      if (index >= world.processCount) throw new Error(`crash '${part}': no process p${index} (p0..p${world.processCount - 1})`);
      faults.push(midWrite ? { kind: 'crash-process', at, process: index, midWrite: true } : { kind: 'crash-process', at, process: index });
    } else if (match[1] === 'h') {
      // A host is a process and the memory of the same index: both must exist.
      if (index >= world.processCount) throw new Error(`crash '${part}': host h${index} needs process p${index}, and there is none (p0..p${world.processCount - 1})`);
      if (index >= world.memoryCount) {
        throw new Error(`crash '${part}': host h${index} needs memory m${index}, and there is none (${world.memoryCount === 0 ? 'no memories' : `m0..m${world.memoryCount - 1}`})`);
      }
      faults.push(midWrite ? { kind: 'crash-host', at, host: index, midWrite: true } : { kind: 'crash-host', at, host: index });
    } else {
      if (midWrite) throw new Error(`crash '${part}': only a process crashes mid-write ('!') — or a host, through its process — not a memory (accepted: ${accepted})`);
      if (index >= world.memoryCount) throw new Error(`crash '${part}': no memory m${index} (m0..m${world.memoryCount - 1})`);
      faults.push({ kind: 'crash-memory', at, memory: index });
    }
  }
  return faults;
}

/**
 * Parses explicit timed pauses: `p0@10+50` = process p0 pauses at time 10
 * for 50. Items in the note form (`p0@note:bft-decide+600`) are left to
 * parseNotePauses (notePauses.ts).
 */
export function parsePauses(text: string, world: Pick<FaultWorld, 'processCount'>): Fault[] {
  const faults: Fault[] = [];
  for (const part of text.split(',').map((piece) => piece.trim()).filter((piece) => piece !== '' && !isNotePauseItem(piece))) {
    const match = /^p(\d+)@(\d+(?:\.\d+)?)\+(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new Error(`pause '${part}' is not of the form pN@TIME+DURATION (e.g. p0@10+50) or pN@note:KIND[#K]+DURATION (e.g. p0@note:bft-decide+600)`);
    const process = Number(match[1]);
    if (process >= world.processCount) throw new Error(`pause '${part}': no process p${process} (p0..p${world.processCount - 1})`);
    faults.push({ kind: 'pause', at: Number(match[2]), process, duration: Number(match[3]) });
  }
  return faults;
}

/** Whether the crashes in `faults` stay within `tolerance`. */
export function withinTolerance(faults: readonly Fault[], tolerance: Tolerance): boolean {
  // A host crash counts as both: its process and its memory.
  const processes = new Set(faults.flatMap((fault) => (isCrash(fault) ? crashedBy(fault).processes : [])));
  const memories = new Set(faults.flatMap((fault) => (isCrash(fault) ? crashedBy(fault).memories : [])));
  if (processes.size > tolerance.processes || memories.size > tolerance.memories) return false;
  if (tolerance.crashable && [...processes].some((process) => !tolerance.crashable?.includes(process))) return false;
  // A partition loses messages too: a protocol without retransmission cannot ride it out.
  if (tolerance.messageLoss === false && faults.some((fault) => fault.kind === 'lossy' || fault.kind === 'partition')) return false;
  return true;
}

/**
 * The clock bounds of the `clocks` profile: a skew of ten mean delays (far
 * more than a round trip, so that a protocol comparing clocks across
 * processes sees it) and a drift of 100 parts per million (a cheap quartz
 * oscillator's rate error, the usual bound a lease or clock-bound protocol assumes).
 */
export function clockProfileBounds(meanDelay: number): { readonly skew: number; readonly driftPpm: number } {
  return { skew: 10 * meanDelay, driftPpm: 100 };
}

/**
 * Each process's clock offset for a run: skew uniform in ±`skew` and drift
 * uniform in ±`driftPpm` parts per million, drawn from the seed's `clocks`
 * stream in the order the simulator draws them (process by process, skew
 * then drift; `Simulation`), so that a real backend given the same seed
 * skews the same process by the same amount.
 */
export function drawClockOffsets(random: Prng, processCount: number, skew: number, driftPpm: number): { skew: number; drift: number }[] {
  return Array.from({ length: processCount }, () => {
    const offset = skew * (2 * random.float() - 1);
    const drift = (driftPpm / 1e6) * (2 * random.float() - 1);
    return { skew: offset, drift };
  });
}
