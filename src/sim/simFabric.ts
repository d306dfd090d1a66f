import {
  BadAddress,
  HistoryRecorder,
  PermissionDenied,
  TimedOut,
  checkAddress,
  proposalProblem,
  toHex,
  type Access,
  type Address,
  type Fabric,
  type HistoryEvent,
  type NoteEvent,
  type Message,
  type OperationId,
  type OperationRecorder,
  type OperationValue,
  type PermissionOptions,
  type ProcessId,
  type RegionRef,
  type RegionSpec,
  type VerbOptions,
} from '../fabric/index.js';
import type { SimContext } from './context.js';
import type { VerbOutcome, VerbRequest } from './memory.js';
import type { Network } from './network.js';
import type { SimProcess } from './process.js';
import type { VerbTransport } from './verbs.js';

/** The run's history and notes, shared by every process's recorder; `listener` hears each history event as it happens. */
export class History {
  readonly events: HistoryEvent[] = [];
  readonly notes: NoteEvent[] = [];
  private nextOperation = 0;
  constructor(private readonly listener?: (event: HistoryEvent) => void) {}
  allocate(): OperationId {
    return this.nextOperation++;
  }
  record(event: HistoryEvent): void {
    this.events.push(event);
    this.listener?.(event);
  }
}

/** The simulator's implementation of the fabric contract for one process. */
export class SimFabric implements Fabric {
  readonly processCount: number;
  readonly memoryCount: number;
  readonly history: OperationRecorder;

  constructor(
    private readonly context: SimContext,
    private readonly process: SimProcess,
    readonly regions: readonly RegionSpec[],
    private readonly verbs: VerbTransport,
    private readonly network: Network,
    private readonly runHistory: History,
  ) {
    this.processCount = context.processes.length;
    this.memoryCount = context.memories.length;
    this.history = simRecorder(context, process, runHistory);
  }

  get self(): ProcessId {
    return this.process.id;
  }

  read(address: Address, length: number, options?: VerbOptions): Promise<Uint8Array> {
    return this.verb(address, length, 'read', false, options, { kind: 'read', process: this.self, region: address.region, offset: address.offset, length }, { region: address.region, offset: address.offset, len: length }, (outcome) => outcome.data as Uint8Array);
  }

  write(address: Address, data: Uint8Array, options?: VerbOptions): Promise<void> {
    const copy = data.slice();
    return this.verb(address, copy.length, 'write', false, options, { kind: 'write', process: this.self, region: address.region, offset: address.offset, data: copy }, { region: address.region, offset: address.offset, len: copy.length, data: this.context.tracing ? toHex(copy) : '' }, () => undefined);
  }

  cas(address: Address, expected: bigint, desired: bigint, options?: VerbOptions): Promise<bigint> {
    return this.verb(address, 8, 'cas', true, options, { kind: 'cas', process: this.self, region: address.region, offset: address.offset, expected, desired }, { region: address.region, offset: address.offset, len: 8, expected: expected.toString(), desired: desired.toString() }, (outcome) => outcome.value as bigint);
  }

  faa(address: Address, delta: bigint, options?: VerbOptions): Promise<bigint> {
    return this.verb(address, 8, 'faa', true, options, { kind: 'faa', process: this.self, region: address.region, offset: address.offset, delta }, { region: address.region, offset: address.offset, len: 8, delta: delta.toString() }, (outcome) => outcome.value as bigint);
  }

  requestPermission(region: RegionRef, access: Access, options?: PermissionOptions): Promise<void> {
    const address = { ...region, offset: 0 };
    const proposal = options?.proposal;
    const problem = proposalProblem(proposal);
    if (problem !== undefined) return Promise.reject(new RangeError(`requestPermission on m${region.memory} region '${region.region}': ${problem}`));
    const request: VerbRequest = { kind: 'permission', process: this.self, region: region.region, access, ...(proposal === undefined ? {} : { proposal }) };
    return this.verb(address, 0, 'requestPermission', false, options, request, { region: region.region, offset: 0, len: 0, access, ...(proposal === undefined ? {} : { proposal: proposal.toString() }) }, () => undefined);
  }

  private verb<T>(
    address: Address,
    length: number,
    name: string,
    wordAligned: boolean,
    options: VerbOptions | undefined,
    request: VerbRequest,
    describe: Record<string, unknown>,
    result: (outcome: VerbOutcome & { ok: true }) => T,
  ): Promise<T> {
    if (this.process.crashed) return new Promise(() => {});
    try {
      checkAddress(this.regions, this.memoryCount, address, length, name, wordAligned);
    } catch (error) {
      return Promise.reject(error instanceof BadAddress ? error : new BadAddress(String(error)));
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let cancel: (() => void) | undefined;
      this.verbs.post(address.memory, request, describe, (outcome) => {
        if (settled) return;
        settled = true;
        cancel?.();
        if (outcome.ok) resolve(result(outcome));
        else reject(new PermissionDenied(address.memory, address.region, name, this.self, outcome.reason));
      });
      if (options?.timeout !== undefined) {
        const timeout = options.timeout;
        cancel = this.setTimer(timeout, () => {
          if (settled) return;
          settled = true;
          reject(new TimedOut(`${name} on m${address.memory} region '${address.region}'`, timeout));
        });
      }
    });
  }

  send(to: ProcessId, data: Uint8Array): void {
    if (this.process.crashed) return;
    if (!Number.isInteger(to) || to < 0 || to >= this.processCount) throw new RangeError(`send: no process p${to} (p0..p${this.processCount - 1})`);
    this.network.send(this.self, to, data);
  }

  onMessage(handler: (message: Message) => void): void {
    this.process.setHandler(handler);
  }

  receive(): Promise<Message> {
    return this.process.receive();
  }

  now(): number {
    return this.context.scheduler.now();
  }

  clock(): number {
    return this.now() * (1 + this.process.clockDrift) + this.process.clockSkew;
  }

  sleep(duration: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(duration, resolve));
  }

  setTimer(duration: number, callback: () => void): () => void {
    let cancelled = false;
    const process = this.process;
    this.context.scheduler.after(Math.max(0, duration), () => (cancelled ? false : process.deliver(callback)));
    return () => {
      cancelled = true;
    };
  }

  compute(duration: number): Promise<void> {
    return duration > 0 ? this.sleep(duration) : Promise.resolve();
  }

  random(): number {
    return this.process.random.float();
  }

  note(kind: string, detail?: Readonly<Record<string, OperationValue>>): void {
    this.runHistory.notes.push({ time: this.now(), process: this.self, kind, ...(detail ? { detail } : {}) });
    if (this.context.tracing) this.context.trace.event({ t: this.now(), type: 'note', p: this.self, kind, ...(detail ? { detail } : {}) });
    // Notes are not events of the scheduler, so a hold waiting for one hears of it here.
    this.context.holds?.happened({ type: 'note', process: this.self, kind }, this.now());
    this.context.notePauses?.heard(this.self, kind);
  }
}

/** The simulator's recorder: events go to the run's history and trace, and the process knows its open operation (for accounting). */
function simRecorder(context: SimContext, process: SimProcess, history: History): OperationRecorder {
  return new HistoryRecorder(
    process.id,
    () => history.allocate(),
    () => context.scheduler.now(),
    (event) => {
      history.record(event);
      if (context.tracing) {
        const { process: p, type, op, f, key, value, time } = event;
        context.trace.event({ t: time, type: `op.${type}`, p, op, f, ...(key === undefined ? {} : { key }), value } as never);
      }
    },
    {
      onOpen: (operation) => {
        process.openOperation = operation;
      },
      onClose: () => {
        process.openOperation = undefined;
        process.causalOperation = undefined;
      },
    },
  );
}

