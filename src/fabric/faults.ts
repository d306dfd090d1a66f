import type { MemoryId, ProcessId } from './types.js';

/** Index of a host hI: process pI and memory mI together (co-located by index). */
export type HostId = number;

/**
 * One injected fault, at a time of the run (virtual time in the simulator,
 * time units of the run on a real backend). The one fault type of every
 * backend: the simulator injects them all; the real backends inject the
 * crashes (`realBackendFaultKinds`) and refuse the rest by name.
 *
 * It lives in `fabric/` because that is the one layer that both the
 * simulator and the real backends (through `realtime/`) may import, and a
 * fault is a fact about the fabric's processes, memories and links.
 */
export type Fault =
  | {
      readonly kind: 'crash-process';
      readonly at: number;
      readonly process: ProcessId;
      /** Crashes in the middle of its writes: on each queue pair, a random suffix of the verbs not arrived yet never arrives. */
      readonly midWrite?: true;
    }
  | { readonly kind: 'crash-memory'; readonly at: number; readonly memory: MemoryId }
  /**
   * A host crash: process pI and memory mI, which live on host hI, crash
   * together at one instant (Mu: a replica's log lives in its own host's
   * memory and dies with it). Counts as one process crash and one memory crash.
   */
  | {
      readonly kind: 'crash-host';
      readonly at: number;
      readonly host: HostId;
      /** The host's process crashes in the middle of its writes (as for `crash-process`). */
      readonly midWrite?: true;
    }
  | { readonly kind: 'pause'; readonly at: number; readonly process: ProcessId; readonly duration: number }
  | { readonly kind: 'partition'; readonly at: number; readonly duration: number; readonly side: readonly ProcessId[] }
  /** A slow link: verbs `process` sends to `memory` during `duration` arrive only when it ends (a congested path; order kept). */
  | { readonly kind: 'slow-link'; readonly at: number; readonly process: ProcessId; readonly memory: MemoryId; readonly duration: number }
  | { readonly kind: 'lossy'; readonly at: number; readonly duration: number; readonly dropRate: number; readonly delayRate: number; readonly extraDelay: number };

/** A crash: the faults every backend can inject (a terminated worker or a killed OS process; a memory that never answers again; both of one host). */
export type CrashFault = Extract<Fault, { readonly kind: 'crash-process' | 'crash-memory' | 'crash-host' }>;

/** The fault kinds a real backend (shm, tcp) can inject. */
export const realBackendFaultKinds: readonly Fault['kind'][] = ['crash-process', 'crash-memory', 'crash-host'];

/** The processes and memories a crash stops (a host crash: its process and its memory). */
export function crashedBy(fault: CrashFault): { readonly processes: readonly ProcessId[]; readonly memories: readonly MemoryId[] } {
  switch (fault.kind) {
    case 'crash-process':
      return { processes: [fault.process], memories: [] };
    case 'crash-memory':
      return { processes: [], memories: [fault.memory] };
    case 'crash-host':
      return { processes: [fault.host], memories: [fault.host] };
  }
}

/** Whether `fault` is a crash (of a process, a memory or a host). */
export function isCrash(fault: Fault): fault is CrashFault {
  return fault.kind === 'crash-process' || fault.kind === 'crash-memory' || fault.kind === 'crash-host';
}

/** The faults a real backend can inject, or a one-line error naming the first one it cannot and what it accepts. */
export function realBackendFaults(faults: readonly Fault[], backend: string): CrashFault[] {
  return faults.map((fault) => {
    if (isCrash(fault)) return fault;
    throw new Error(`fault '${describeFault(fault)}' cannot be injected on the ${backend} backend (accepted: ${realBackendFaultKinds.join(', ')}; pauses, partitions, slow links and lossy periods need the simulator)`);
  });
}

/** A fault as a short label for traces and summaries. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'crash-process':
      return `crash p${fault.process}@${fault.at}${fault.midWrite ? ' mid-write' : ''}`;
    case 'crash-memory':
      return `crash m${fault.memory}@${fault.at}`;
    case 'crash-host':
      return `crash h${fault.host}@${fault.at}${fault.midWrite ? ' mid-write' : ''}`;
    case 'pause':
      return `pause p${fault.process}@${fault.at}+${fault.duration}`;
    case 'partition':
      return `partition {${fault.side.map((process) => `p${process}`).join(',')}}@${fault.at}+${fault.duration}`;
    case 'slow-link':
      return `slow link p${fault.process}->m${fault.memory}@${fault.at}+${fault.duration}`;
    case 'lossy':
      return `lossy drop=${fault.dropRate} delay=${fault.delayRate}@${fault.at}+${fault.duration}`;
  }
}
