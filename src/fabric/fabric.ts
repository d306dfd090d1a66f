import type { Access, Address, MemoryId, Message, OperationId, OperationValue, ProcessId, PermissionOptions, RegionRef, RegionSpec, VerbOptions } from './types.js';

/**
 * What one process can do: the whole of the fabric contract as a protocol sees
 * it. Each process gets its own `Fabric`; backends implement it (the simulator,
 * worker threads on shared memory, processes over TCP) and protocols import
 * only this interface.
 *
 * Words are 8 bytes, little-endian, unsigned (`bigint`). Word verbs (`cas`,
 * `faa`) need an 8-aligned offset. `read` and `write` take any byte range
 * inside the region; each aligned word is atomic, but a multi-word read that
 * overlaps a concurrent multi-word write may see it torn at word granularity.
 *
 * Verbs from one process to one memory take effect in issue order (one queue
 * pair). Each costs one round trip and no CPU at the memory.
 */
export interface Fabric {
  readonly self: ProcessId;
  /** Number of processes, `p0..p(n-1)`. */
  readonly processCount: number;
  /** Number of memories, `m0..m(k-1)`. */
  readonly memoryCount: number;
  /** The regions every memory was created with (the scenario's layout). */
  readonly regions: readonly RegionSpec[];

  /** Reads `length` bytes. */
  read(address: Address, length: number, options?: VerbOptions): Promise<Uint8Array>;
  /** Writes `data`; resolves once the memory has applied it. */
  write(address: Address, data: Uint8Array, options?: VerbOptions): Promise<void>;
  /** Compare-and-swap on one aligned word; resolves with the word's previous value (success iff it equals `expected`). */
  cas(address: Address, expected: bigint, desired: bigint, options?: VerbOptions): Promise<bigint>;
  /** Fetch-and-add on one aligned word (wrapping at 2^64); resolves with the previous value. */
  faa(address: Address, delta: bigint, options?: VerbOptions): Promise<bigint>;

  /**
   * Asks the memory for `access` to a region, under the region's policy. A
   * request is an operation with a round trip; it is atomic with respect to the
   * verbs around it: once a revoke has completed, no write of the old holder lands.
   * Rejects with `PermissionDenied` when the policy refuses (its message says
   * why). `options.proposal` is the requester's proposal number, which an
   * `ordered-exclusive-writer` region requires and every other policy ignores.
   */
  requestPermission(region: RegionRef, access: Access, options?: PermissionOptions): Promise<void>;

  /** Sends a two-sided message (one delay; uses the receiver's CPU). May be lost if the receiver crashed or is cut off. */
  send(to: ProcessId, data: Uint8Array): void;
  /**
   * Installs the message handler. Messages that arrived before a handler was
   * installed wait in the inbox and are handed to it in arrival order.
   */
  onMessage(handler: (message: Message) => void): void;
  /** Resolves with the next message not taken by a handler. */
  receive(): Promise<Message>;

  /** Time since the start of the run (virtual in the simulator). */
  now(): number;
  /** This process's local clock, which may be skewed and drift; only `now()` is true time. */
  clock(): number;
  sleep(duration: number): Promise<void>;
  /** Calls `callback` after `duration`; returns a function that cancels it. */
  setTimer(duration: number, callback: () => void): () => void;
  /** A number in [0, 1) from this process's own random stream (deterministic in the simulator). */
  random(): number;

  /** Application-level operations, recorded in the run's history and trace. */
  readonly history: OperationRecorder;
  /** A protocol-level event for traces, reports and the viewer (e.g. "decided"); no effect on the run. */
  note(kind: string, detail?: Readonly<Record<string, OperationValue>>): void;
  /**
   * Charges `duration` of local computation (e.g. a signature): virtual time
   * in the simulator, where computing is otherwise free; on real backends it
   * resolves at once, since the computation itself took the time.
   */
  compute(duration: number): Promise<void>;
}

/** Records one process's application-level operations (invoke, then ok | fail | info). */
export interface OperationRecorder {
  invoke(f: string, value: OperationValue, key?: string): OperationId;
  /** The operation took effect and returned `value`. */
  ok(operation: OperationId, value: OperationValue): void;
  /** The operation certainly took no effect. */
  fail(operation: OperationId, value: OperationValue): void;
  /** The outcome is unknown: it may take effect at any later point, or never. */
  info(operation: OperationId, value: OperationValue): void;
}

/** One application-level event of a run's history (the checker's format, plus the time and operation id). */
export interface HistoryEvent {
  readonly process: ProcessId;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: string;
  readonly key?: string;
  readonly value: OperationValue;
  readonly time: number;
  readonly op: OperationId;
}

/** A protocol-level note (`Fabric.note`), kept by every backend for reports. */
export interface NoteEvent {
  readonly time: number;
  readonly process: ProcessId;
  readonly kind: string;
  readonly detail?: Readonly<Record<string, OperationValue>>;
}

/** A protocol's process body: runs on one process until it returns (or the process crashes). */
export type ProcessMain = (fabric: Fabric) => Promise<void>;

/** Finds a region's spec by name, or undefined. */
export function findRegion(regions: readonly RegionSpec[], name: string): RegionSpec | undefined {
  return regions.find((region) => region.name === name);
}

/** The memories that hold a region (all of them unless the spec restricts it). */
export function memoriesOf(spec: RegionSpec, memoryCount: number): MemoryId[] {
  return spec.memories ? [...spec.memories] : Array.from({ length: memoryCount }, (_, memory) => memory);
}
