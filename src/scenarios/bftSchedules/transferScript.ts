import type { Address, Fabric, HistoryEvent, Message, NoteEvent, ProcessId, ProcessMain } from '../../fabric/index.js';
import { runKeys, type KeySource } from '../../crypto/index.js';
import { blockSize, broadcastRegions, type BroadcastLayout } from '../../protocols/byzantine/layout.js';
import { slotSize } from '../../protocols/byzantine/slot.js';
import { decodeMessage, type CodecLimits } from '../../protocols/byzantine/bft/codec.js';
import { MalformedField } from '../../protocols/byzantine/bft/fieldCodec.js';
import type { BftMessage } from '../../protocols/byzantine/bft/messages.js';
import { bftMutants } from '../../protocols/byzantine/bft/mutants.js';
import { checkBft } from '../bftProperties.js';
import { linearizableVerdict } from '../linearizable.js';
import type { ResolvedOptions, Scenario, Violation } from '../scenario.js';

/**
 * The harness of the §2.7 schedules (specs/bft-consensus.md §6 rows
 * `install-back`, `hold-only-snapshot`): n = 3 replicas (f = 1, W = 8) on
 * unit latency, some of them correct BftReplicas running the code under
 * test (the run's `--mutant`, if any), the others scripts or Byzantine
 * replicas, then the clients. Each schedule gives its processes' bodies;
 * this module gives the scenario around them, the fabric seams a schedule
 * scripts the network with (a correct replica's point messages delayed
 * past the run; a stream a reader never delivers), and the checks: §3's
 * safety properties over the correct replicas' notes, and, where the
 * schedule owes liveness, that the honest calls complete and that every
 * state transfer a correct replica started completes (§4: "a laggard
 * reaches a correct signer (2.7.1) within Tdecide").
 */

export const transferReplicas = 3;
export const transferF = 1;
/** W: checkpoints every W/2 = 4 instances; a leader proposes up to ckpt.next + W − 1. */
export const transferWindow = 8;

export interface TransferRun {
  /** The scenario's name (`bftScheduleScenarioName(mutant)`). */
  readonly name: string;
  readonly summary: string;
  /** Processes: the replicas p0..p2, then clients (a configured client may have no body). */
  readonly processes: number;
  /** The replicas that are not correct (scripts or Byzantine replicas): their notes are not judged. */
  readonly byzantine: readonly ProcessId[];
  /** Clients whose calls owe liveness (when `liveness`). */
  readonly honestClients: readonly ProcessId[];
  /** The configured clients (validity: only their requests run). */
  readonly clients: readonly ProcessId[];
  readonly layout: BroadcastLayout;
  /** The virtual time the run needs to judge it (a default horizon is raised to it). */
  readonly horizon: number;
  /** Whether the run owes liveness: honest calls complete, and so does every state transfer a correct replica starts. */
  readonly liveness: boolean;
  /** The body of `process` (undefined: not spawned); `keys` are the run's (from its seed). */
  body(options: ResolvedOptions, process: ProcessId, keys: KeySource): ProcessMain | undefined;
}

/** The scenario of a §2.7 schedule. */
export function transferScenario(run: TransferRun): Scenario {
  const correct = (process: number) => process < transferReplicas && !run.byzantine.includes(process);
  return {
    name: run.name,
    summary: run.summary,
    mutants: bftMutants,
    defaults: { n: run.processes, memories: 3, ops: 1 },
    validate(options) {
      if (options.n !== run.processes || options.memories !== 3) throw new Error(`${run.name} is a scripted schedule of ${run.processes} processes on 3 memories (got --n ${options.n}, --memories ${options.memories})`);
    },
    tolerance: () => ({ processes: transferF, memories: 1, crashable: Array.from({ length: transferReplicas }, (_, index) => index) }),
    mustFinish: () => run.honestClients,
    minimumHorizon: () => run.horizon,
    regions: () => broadcastRegions(run.layout),
    body: (options, process) => run.body(options, process, runKeys(options.seed)),
    check(history, options, notes) {
      const judged = notes.filter((note) => correct(note.process));
      const violations = checkBft(history, judged, { replicas: transferReplicas, clients: run.clients, liveness: run.liveness });
      if (run.liveness) violations.push(...unfinishedTransfers(judged));
      return violations;
    },
    linearizable: (history) => linearizableVerdict(history, 'kv'),
    details: (history, options, notes) => transferDetails(history, notes.filter((note) => correct(note.process))),
  };
}

/**
 * §2.7.2's liveness at each correct replica: a FETCH for CP(next) stays
 * outstanding until executed+1 ≥ next, and a correct signer answers it
 * with a STATE it installs, so by the end of a run that owes liveness the
 * replica executed (or installed) through next−1 for the highest next it
 * FETCHed.
 */
export function unfinishedTransfers(notes: readonly NoteEvent[]): Violation[] {
  const violations: Violation[] = [];
  for (const [process, fetches] of byProcess(notes, 'bft-fetch')) {
    const wanted = Math.max(...fetches.map((note) => Number(note.detail?.next)));
    const reached = executedThrough(notes, process);
    if (reached >= wanted - 1) continue;
    const asked = fetches.filter((note) => Number(note.detail?.next) === wanted).map((note) => `p${String(note.detail?.to)}`);
    violations.push({
      property: 'liveness',
      detail: `p${process} FETCHed CP(${wanted}) ${asked.length} time(s) (${asked.slice(0, 6).join(', ')}${asked.length > 6 ? ', …' : ''}) and never got past instance ${reached}: its state transfer did not complete`,
      involved: { processes: [process] },
    });
  }
  return violations;
}

/** The highest instance `process` executed or installed (−1: none). */
function executedThrough(notes: readonly NoteEvent[], process: ProcessId): number {
  let through = -1;
  for (const note of notes) {
    if (note.process !== process) continue;
    if (note.kind === 'bft-execute') through = Math.max(through, Number(note.detail?.i));
    if (note.kind === 'bft-skip') through = Math.max(through, Number(note.detail?.to));
  }
  return through;
}

function byProcess(notes: readonly NoteEvent[], kind: string): Map<ProcessId, NoteEvent[]> {
  const grouped = new Map<ProcessId, NoteEvent[]>();
  for (const note of notes) {
    if (note.kind !== kind) continue;
    grouped.set(note.process, [...(grouped.get(note.process) ?? []), note]);
  }
  return grouped;
}

/** What a schedule's test and `mnm run --json` read: each correct replica's FETCHes, refused STATEs, skips, and where it ended. */
function transferDetails(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): Record<string, unknown> {
  const of = (kind: string) => notes.filter((note) => note.kind === kind);
  return {
    fetches: of('bft-fetch').map((note) => ({ process: note.process, next: note.detail?.next, to: note.detail?.to })),
    refused: of('bft-state-refused').map((note) => ({ process: note.process, from: note.detail?.from, next: note.detail?.next, reason: note.detail?.reason })),
    skips: of('bft-skip').map((note) => ({ process: note.process, from: note.detail?.from, to: note.detail?.to })),
    /** The highest instance each replica executed or installed (−1: none). */
    through: Object.fromEntries(Array.from({ length: transferReplicas }, (_, process) => [`p${process}`, executedThrough(notes, process)])),
    /** Instances each replica had executed (or installed) at its end, by its own count (`bft-script-view`). */
    executed: Object.fromEntries(of('bft-script-view').map((note) => [`p${note.process}`, note.detail?.executed])),
    /** Each replica's KV digest at its end (`kv-state` final). */
    states: Object.fromEntries(of('kv-state').map((note) => [`p${note.process}`, note.detail?.digest])),
    calls: { ok: history.filter((event) => event.type === 'ok').length, info: history.filter((event) => event.type === 'info').length },
  };
}

const generousLimits: CodecLimits = { window: 64, batchLimit: 64, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 4096 };

/** A point message's decoding (undefined: not a BFT message, e.g. a CB record). */
export function decodedPoint(bytes: Uint8Array): BftMessage | undefined {
  try {
    return decodeMessage(bytes, generousLimits);
  } catch (error) {
    if (error instanceof MalformedField) return undefined;
    throw error;
  }
}

/** An honest client's last message to each replica, one byte no replica decodes: its calls are over. */
const doneMarker = 0xfe;

/** Tells each replica that this client's calls are over (the replicas then linger and stop: the run's length follows the calls). */
export function sayDone(fabric: Fabric): void {
  for (let replica = 0; replica < transferReplicas; replica++) fabric.send(replica, Uint8Array.of(doneMarker));
}

/** A replica's fabric without the clients' done markers, and a promise of them all. */
export function awaitingClients(outer: Fabric, clients: readonly ProcessId[]): { readonly fabric: Fabric; readonly done: Promise<void> } {
  const said = new Set<ProcessId>();
  let allSaid: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allSaid = resolve));
  if (clients.length === 0) allSaid();
  const fabric = new Proxy(outer, {
    get(target, property) {
      if (property === 'onMessage') {
        return (handler: (message: Message) => void) =>
          target.onMessage((message) => {
            if (message.data.length === 1 && message.data[0] === doneMarker && clients.includes(message.from)) {
              said.add(message.from);
              if (said.size === clients.length) allSaid();
            } else handler(message);
          });
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { fabric, done };
}

/** The seams a schedule scripts a correct replica's surroundings with. */
export interface FabricSeams {
  /** A point message this process sends to `to`: false keeps it back past the run (the network is asynchronous). */
  readonly send?: (to: ProcessId, message: BftMessage | undefined) => boolean;
  /** Streams this process never delivers: their sender slots read as empty to it. */
  readonly undelivered?: readonly ProcessId[];
}

/** The fabric a correct replica of a schedule runs on: the real one, with the schedule's seams. */
export function seamedFabric(outer: Fabric, layout: BroadcastLayout, seams: FabricSeams): Fabric {
  const hidden = seams.undelivered ?? [];
  const keep = seams.send;
  return new Proxy(outer, {
    get(target, property) {
      if (property === 'send' && keep) {
        return (to: ProcessId, data: Uint8Array) => {
          if (keep(to, decodedPoint(data))) target.send(to, data);
        };
      }
      if (property === 'read' && hidden.length > 0) {
        const blank = blankSenderSlots(layout, hidden);
        return (address: Address, length: number, options?: Parameters<Fabric['read']>[2]) => target.read(address, length, options).then((bytes) => blank(address, bytes));
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Blanks (zeroes) the sender slots S[s][k] of the hidden senders s in what a
 * read returns. A sender slot holds the message itself, so the reader's CB
 * never delivers those k (nor does its replicator echo them): what a
 * Byzantine sender achieves for one reader by rewriting its slot after the
 * echoes (`hash-swapper`), that reader's copy of the stream then blocks.
 */
function blankSenderSlots(layout: BroadcastLayout, hidden: readonly ProcessId[]): (address: Address, bytes: Uint8Array) => Uint8Array {
  const size = blockSize(layout);
  const senderBytes = slotSize('sender', layout.shape);
  return (address, bytes) => {
    const owner = /^swmr:p(\d+)$/.exec(address.region);
    if (!owner || !hidden.includes(Number(owner[1]))) return bytes;
    const copy = Uint8Array.from(bytes);
    for (let k = Math.floor(address.offset / size) + 1; (k - 1) * size < address.offset + bytes.length; k++) {
      const from = Math.max(0, (k - 1) * size - address.offset);
      const to = Math.min(bytes.length, (k - 1) * size + senderBytes - address.offset);
      if (to > from) copy.fill(0, from, to);
    }
    return copy;
  };
}
