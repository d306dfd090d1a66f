import type { Fabric, OperationId, OperationValue } from '../../fabric/index.js';
import { OneAtATime } from '../common/oneAtATime.js';
import { EntryTooLarge, LogClosed, LogFull } from '../common/logErrors.js';
import type { LogEntry, ReplicatedLog } from '../common/replicatedLog.js';
import { encodeSinkFrames, type AppendSink } from './appendSink.js';
import { decodeKvCommand, encodeKvCommand, type KvCommand, type KvOperation } from './kvCommand.js';
import { KvClientRetired, KvClosed, KvOutcomeUnknown, KvRejected } from './kvErrors.js';
import type { KvMutant } from './kvMutants.js';
import { decodeKvSnapshot, encodeKvSnapshot, KvStateMachine } from './kvStateMachine.js';

/**
 * A replicated key-value store over any `ReplicatedLog` (Multi-Paxos, PMP,
 * Disk Paxos, Mu): each process runs one replica and one client.
 *
 * - A call (get, put, append, delete) becomes a command appended to the
 *   log, carrying this client's id and a sequence number. Every replica
 *   applies the log's entries in order to its `KvStateMachine`; the call
 *   resolves with its result once this replica applied its command.
 * - **Reads go through the log**, like writes. Why: a get decided at index i
 *   returns the state after entries 0..i-1, and i lies between the call's
 *   start and its end (the log decides an entry only after it was appended,
 *   and the call ends after its replica applied it), so every operation
 *   takes effect at one point inside its interval — linearizable without any
 *   assumption about clocks or leases. A local read would be faster and is
 *   wrong: a replica may lag the log (the `read-local` mutant shows the stale
 *   reads). Leader leases are left out on purpose: they need bounded clock
 *   drift, which the simulator's clock faults deny.
 * - **Exactly once.** A command whose append has not been applied after
 *   `retryAfter` is appended again (and again, each time after twice the
 *   wait before, up to 8 × `retryAfter`), with the same client and sequence
 *   (a log that aborts an append, as Mu's may, leaves its outcome unknown
 *   too). The log may then hold it twice; the state machine applies it once.
 * - **Outcomes in the history** (`record`, the default): invoke, then `ok`
 *   with the result; `fail` only when the command certainly took no effect
 *   (too large for the log; the log filled up without it); `info` — unknown —
 *   when the call ended without knowing (`giveUpAfter` passed, the store was
 *   closed): an aborted or abandoned append may still be decided later.
 *   Delete is recorded as a put of "" (the checker's `kv` model has no
 *   delete; a deleted key reads ""). The history holds one operation per
 *   process at a time, so a recording store runs its calls one after another,
 *   and after an `info` it refuses further calls (`KvClientRetired`): that
 *   call stays outstanding forever in its process's history.
 * - **Durability** (`sink`): applied entries are written to the sink, one
 *   batch at a time, and a batch is applied and answered only once its write
 *   resolved — a call's answer means its entry is durable at its replica.
 *
 * - **Snapshots** (a log that recycles its storage, Mu): the store gives
 *   the log its state machine (`ReplicatedLog.useSnapshots`): its state
 *   (data and client sessions, `KvStateMachine.snapshot`) is what a lagging
 *   replica installs instead of the entries the log no longer holds. A call
 *   of this replica whose command lies among those entries learns it from
 *   the installed sessions: a put, append or delete took effect (its result
 *   is null) and resolves; a get's result is not in the state, so the get
 *   is appended again as a new command (a read has no effect: it then
 *   takes effect at the new command's index, still inside the call). Not
 *   with a `sink`: a batch waiting to be made durable would be applied on
 *   top of the installed state.
 *
 * Notes: `kv-state` {applied, digest} every `checkpointEvery` log entries
 * and at close (`final`): replicas that applied the same number of entries
 * must report the same digest.
 */
export interface ReplicatedKvConfig {
  /** This client's id in its commands (default: the process id); unique among the clients of one log. */
  readonly client?: number;
  /** Appends a command again when it has not been applied after this long (time units of the fabric); never when absent. */
  readonly retryAfter?: number;
  /** Ends a call with `KvOutcomeUnknown` when its command has not been applied after this long; never when absent. */
  readonly giveUpAfter?: number;
  /** Records every call in `fabric.history` (default true); calls then run one at a time. */
  readonly record?: boolean;
  /** Makes applied entries durable before they are applied and answered. */
  readonly sink?: AppendSink;
  /** Notes `kv-state` every this many applied log entries (0, the default: only at close). */
  readonly checkpointEvery?: number;
  readonly mutant?: KvMutant;
}

interface PendingCall {
  readonly command: KvCommand;
  readonly resolve: (result: string | null) => void;
  readonly reject: (error: Error) => void;
  readonly cancelTimers: (() => void)[];
}

export class ReplicatedKv {
  readonly client: number;
  private readonly machine: KvStateMachine;
  private readonly record: boolean;
  private readonly pending = new Map<number, PendingCall>();
  private nextSequence = 1;
  /** Log entries applied (commands or not): the next entry to apply is at this index. */
  private appliedEntries = 0;
  private readonly waiters: { readonly count: number; readonly wake: () => void }[] = [];
  /** Recorded calls run one at a time: each waits for the previous one. */
  private readonly calls = new OneAtATime();
  private closed = false;
  /** A recorded call ended unknown: this client makes no more calls (KvClientRetired). */
  private retired = false;
  private readonly sinkBatch: LogEntry[] = [];
  private flushing: Promise<void> | undefined;
  private sinkFailure: Error | undefined;
  private readonly applying: Promise<void>;

  constructor(
    private readonly fabric: Fabric,
    private readonly log: ReplicatedLog,
    private readonly config: ReplicatedKvConfig = {},
  ) {
    this.client = config.client ?? fabric.self;
    this.record = config.record ?? true;
    this.machine = new KvStateMachine({ dedup: config.mutant !== 'no-dedup' });
    if (config.sink === undefined) {
      log.useSnapshots?.({
        take: () => ({ entries: this.appliedEntries, state: encodeKvSnapshot(this.machine.snapshot()) }),
        install: (entries, state) => this.install(entries, state),
      });
    }
    this.applying = this.applyLog();
  }

  /** The key's value ("" when absent or deleted). */
  get(key: string): Promise<string> {
    return this.call('get', key, '').then((result) => result ?? '');
  }

  put(key: string, value: string): Promise<void> {
    return this.call('put', key, value).then(() => undefined);
  }

  /** Appends `value` to the key's value. */
  append(key: string, value: string): Promise<void> {
    return this.call('append', key, value).then(() => undefined);
  }

  /** Sets the key back to "" (its state before any write). */
  delete(key: string): Promise<void> {
    return this.call('delete', key, '').then(() => undefined);
  }

  /** Log entries this replica applied so far. */
  get applied(): number {
    return this.appliedEntries;
  }

  /** A digest of this replica's state (data and client sessions): equal after equal logs. */
  digest(): string {
    return this.machine.digest();
  }

  /** This replica's value of `key`, read locally: may lag the log (not linearizable; for tests and reports). */
  localValue(key: string): string {
    return this.machine.read(key);
  }

  /**
   * Closes the log, applies what it had decided, then ends the calls still
   * waiting as unknown outcomes and notes the final state. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.log.close();
    await this.applying;
    await this.flushing;
    for (const [sequence, call] of [...this.pending]) this.settle(sequence, new KvOutcomeUnknown(call.command.operation, call.command.key, 'the store closed before its command was applied here'));
    this.noteState();
  }

  /**
   * Notes this replica's state now (`kv-state` with `final`), for a replica
   * that stops reporting but keeps serving: in a log that needs a majority
   * of processes (Multi-Paxos), a replica that closes early may leave the
   * others without one.
   */
  noteState(): void {
    this.fabric.note('kv-state', { applied: this.appliedEntries, digest: this.machine.digest(), final: true });
  }

  private call(operation: KvOperation, key: string, value: string): Promise<string | null> {
    if (this.closed) return Promise.reject(new KvClosed(operation));
    if (!this.record) return this.perform(operation, key, value);
    return this.calls.run(() => this.recorded(operation, key, value));
  }

  /** One call with its history events: invoke, then ok, fail (certainly no effect) or info (unknown). */
  private async recorded(operation: KvOperation, key: string, value: string): Promise<string | null> {
    if (this.closed) throw new KvClosed(operation);
    if (this.retired) throw new KvClientRetired(operation);
    // The kv model knows get, put and append; a delete is the put of "" it amounts to.
    const f = operation === 'delete' ? 'put' : operation;
    const input: OperationValue = operation === 'get' ? null : value;
    const op: OperationId = this.fabric.history.invoke(f, input, key);
    try {
      const result = await this.perform(operation, key, value);
      this.fabric.history.ok(op, operation === 'get' ? result : input);
      return result;
    } catch (error) {
      if (error instanceof KvRejected) this.fabric.history.fail(op, input);
      else {
        this.fabric.history.info(op, input);
        this.retired = true;
      }
      throw error;
    }
  }

  private perform(operation: KvOperation, key: string, value: string): Promise<string | null> {
    if (operation === 'get' && this.config.mutant === 'read-local') return Promise.resolve(this.machine.read(key));
    const sequence = this.nextSequence++;
    const command: KvCommand = { operation, client: this.client, sequence, floor: 0, key, value };
    return new Promise((resolve, reject) => {
      const call: PendingCall = { command, resolve, reject, cancelTimers: [] };
      this.pending.set(sequence, call);
      if (this.sinkFailure) return this.settle(sequence, new KvOutcomeUnknown(operation, key, `the durability sink failed: ${this.sinkFailure.message}`));
      this.appendCopy(sequence);
      this.arm(sequence, call);
    });
  }

  /** The timers of call `sequence`: append again every `retryAfter`, give up after `giveUpAfter`. */
  private arm(sequence: number, call: PendingCall): void {
    const { operation, key } = call.command;
    const { retryAfter, giveUpAfter } = this.config;
    if (retryAfter !== undefined) {
      // Each copy waits twice as long as the one before (up to 8 × retryAfter): a log slowed down (a small
      // recycled log waiting for a slow replica) is not flooded with copies that slow it down further.
      let wait = retryAfter;
      const retry = (): void => {
        if (!this.pending.has(sequence)) return;
        this.appendCopy(sequence);
        wait = Math.min(2 * wait, 8 * retryAfter);
        call.cancelTimers.push(this.fabric.setTimer(wait, retry));
      };
      call.cancelTimers.push(this.fabric.setTimer(wait, retry));
    }
    if (giveUpAfter !== undefined) {
      call.cancelTimers.push(this.fabric.setTimer(giveUpAfter, () => this.settle(sequence, new KvOutcomeUnknown(operation, key, `not applied within ${giveUpAfter} time units`))));
    }
  }

  /** The lowest sequence number this client has not settled: every lower one is done and never appended again. */
  private floor(): number {
    let lowest = this.nextSequence;
    for (const sequence of this.pending.keys()) if (sequence < lowest) lowest = sequence;
    return lowest;
  }

  /** Appends (again) the command of call `sequence`, with the current floor; a refusal ends the call only when its outcome is certain. */
  private appendCopy(sequence: number): void {
    const call = this.pending.get(sequence);
    if (!call) return;
    const { operation, key } = call.command;
    let bytes: Uint8Array;
    try {
      bytes = encodeKvCommand({ ...call.command, floor: this.floor() });
    } catch (error) {
      return this.settle(sequence, new KvRejected(operation, key, (error as Error).message));
    }
    this.log.append(bytes).then(
      () => undefined, // the answer comes when this replica applies the entry (applyEntry)
      async (error: unknown) => {
        if (!this.pending.has(sequence)) return;
        if (error instanceof EntryTooLarge) return this.settle(sequence, new KvRejected(operation, key, error.message));
        if (error instanceof LogFull) {
          // Every entry is decided: once this replica applied them all, a command not among them never will be.
          const decided = this.log.decided;
          await this.appliedThrough(decided.length === 0 ? 0 : decided[decided.length - 1].index + 1);
          return this.settle(sequence, new KvRejected(operation, key, error.message));
        }
        if (error instanceof LogClosed && this.closed) return; // close() settles what is left
        // Aborted or closed under us: the entry may still be decided. A retry timer appends it again; without one, the call ends unknown.
        if (this.config.retryAfter === undefined || error instanceof LogClosed) {
          this.settle(sequence, new KvOutcomeUnknown(operation, key, error instanceof Error ? error.message : String(error)));
        }
      },
    );
  }

  private settle(sequence: number, outcome: Error | { readonly result: string | null }): void {
    const call = this.pending.get(sequence);
    if (!call) return;
    this.pending.delete(sequence);
    for (const cancel of call.cancelTimers) cancel();
    if (outcome instanceof Error) call.reject(outcome);
    else call.resolve(outcome.result);
  }

  private async applyLog(): Promise<void> {
    for await (const entry of this.log.entries()) {
      if (this.config.sink === undefined) this.applyEntry(entry);
      else {
        this.sinkBatch.push(entry);
        this.flushing ??= this.flush();
      }
    }
  }

  /** Writes the waiting entries to the sink as one batch, then applies them; again while more arrived meanwhile. */
  private async flush(): Promise<void> {
    const sink = this.config.sink as AppendSink;
    while (this.sinkBatch.length > 0 && this.sinkFailure === undefined) {
      const batch = this.sinkBatch.splice(0);
      try {
        await sink.write(encodeSinkFrames(batch));
      } catch (error) {
        // Nothing more can be made durable: stop applying, and end every call as unknown (its entry may be decided).
        this.sinkFailure = error instanceof Error ? error : new Error(String(error));
        for (const [sequence, call] of [...this.pending]) this.settle(sequence, new KvOutcomeUnknown(call.command.operation, call.command.key, `the durability sink failed: ${this.sinkFailure.message}`));
        break;
      }
      for (const entry of batch) this.applyEntry(entry);
    }
    this.flushing = undefined;
  }

  private applyEntry(entry: LogEntry): void {
    this.appliedEntries = entry.index + 1;
    const command = decodeKvCommand(entry.value);
    if (command) {
      const outcome = this.machine.apply(command);
      if (command.client === this.client && !outcome.duplicate) this.settle(command.sequence, { result: outcome.result });
    }
    const every = this.config.checkpointEvery ?? 0;
    if (every > 0 && this.appliedEntries % every === 0) this.fabric.note('kv-state', { applied: this.appliedEntries, digest: this.machine.digest() });
    for (let index = this.waiters.length - 1; index >= 0; index--) {
      if (this.waiters[index].count <= this.appliedEntries) this.waiters.splice(index, 1)[0].wake();
    }
  }

  /** Installs another replica's state, taken after its first `entries` log entries (the log calls it between two entries). */
  private install(entries: number, state: Uint8Array): void {
    const snapshot = decodeKvSnapshot(state);
    if (snapshot === undefined) throw new Error(`ReplicatedKv: a snapshot of ${entries} entries is not a key-value state`);
    this.machine.restore(snapshot);
    this.appliedEntries = entries;
    for (const [sequence, call] of [...this.pending]) {
      if (!this.machine.hasApplied(this.client, sequence)) continue;
      if (call.command.operation !== 'get') {
        this.settle(sequence, { result: null });
        continue;
      }
      // The read happened below the snapshot, its result is not in the state: read again, under a new sequence number.
      const again = this.nextSequence++;
      for (const cancel of call.cancelTimers) cancel();
      this.pending.delete(sequence);
      const reissued: PendingCall = { ...call, command: { ...call.command, sequence: again }, cancelTimers: [] };
      this.pending.set(again, reissued);
      this.appendCopy(again);
      this.arm(again, reissued);
    }
    for (let index = this.waiters.length - 1; index >= 0; index--) {
      if (this.waiters[index].count <= this.appliedEntries) this.waiters.splice(index, 1)[0].wake();
    }
  }

  /** Resolves once this replica applied the first `count` log entries (at once if the store stopped applying). */
  private appliedThrough(count: number): Promise<void> {
    if (this.appliedEntries >= count || this.sinkFailure !== undefined) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ count, wake }));
  }
}
