import type { KvCommand } from './kvCommand.js';
import { fnv1a64 } from '../common/fnv.js';

/**
 * The key-value state machine every replica runs over the same log: pure
 * and deterministic, so replicas that applied the same commands hold the
 * same state.
 *
 * Keys hold strings and start as "" (the checker's `kv` model); delete sets
 * a key back to "" (recorded in histories as a put of ""), and a key whose
 * value is "" is not kept, so a deleted key and a never-written one are one
 * state.
 *
 * Exactly once: a client may append one command several times (its first
 * append's fate was unknown, so it tried again), and the log may then hold
 * it more than once. Per client, the machine keeps the sequence numbers it
 * applied at or above the client's floor (the floor rides on each command:
 * below it the client settled everything and appends nothing again); a
 * command seen before, or below the floor, is a duplicate and changes
 * nothing (Raft thesis §6.3's client sessions, with the floor bounding what
 * each session keeps). The `no-dedup` mutant applies duplicates too.
 */
/** A machine's whole state as plain data, in a canonical order. */
export interface KvSnapshot {
  readonly data: readonly (readonly [string, string])[];
  readonly sessions: readonly (readonly [number, number, readonly number[]])[];
  readonly applied: number;
}

/** A snapshot as bytes (UTF-8 JSON), for a log that ships state between replicas. */
export function encodeKvSnapshot(snapshot: KvSnapshot): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(snapshot));
}

/** The snapshot in `bytes`, or undefined if they are not one. */
export function decodeKvSnapshot(bytes: Uint8Array): KvSnapshot | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as KvSnapshot;
    if (!Array.isArray(value.data) || !Array.isArray(value.sessions) || typeof value.applied !== 'number') return undefined;
    return value;
  } catch {
    return undefined;
  }
}

export interface KvApplyResult {
  /** get: the value read; the others: null. */
  readonly result: string | null;
  /** The command was applied before (or is below its client's floor) and changed nothing this time. */
  readonly duplicate: boolean;
}

interface Session {
  floor: number;
  readonly applied: Set<number>;
}

export class KvStateMachine {
  private readonly data = new Map<string, string>();
  private readonly sessions = new Map<number, Session>();
  /** Commands applied (duplicates not counted). */
  private appliedCount = 0;

  constructor(private readonly options: { readonly dedup: boolean } = { dedup: true }) {}

  get applied(): number {
    return this.appliedCount;
  }

  /** A key's value in this replica's state ("" if absent), without going through the log. */
  read(key: string): string {
    return this.data.get(key) ?? '';
  }

  apply(command: KvCommand): KvApplyResult {
    let session = this.sessions.get(command.client);
    if (!session) {
      session = { floor: 0, applied: new Set() };
      this.sessions.set(command.client, session);
    }
    const seen = command.sequence < session.floor || session.applied.has(command.sequence);
    let result: string | null = null;
    if (!seen || !this.options.dedup) {
      result = this.execute(command);
      this.appliedCount++;
      if (command.sequence >= session.floor) session.applied.add(command.sequence);
    }
    if (command.floor > session.floor) {
      session.floor = command.floor;
      for (const sequence of session.applied) if (sequence < session.floor) session.applied.delete(sequence);
    }
    return { result, duplicate: seen };
  }

  private execute(command: KvCommand): string | null {
    switch (command.operation) {
      case 'get':
        return this.read(command.key);
      case 'put':
        this.set(command.key, command.value);
        return null;
      case 'append':
        this.set(command.key, this.read(command.key) + command.value);
        return null;
      case 'delete':
        this.set(command.key, '');
        return null;
    }
  }

  private set(key: string, value: string): void {
    if (value === '') this.data.delete(key);
    else this.data.set(key, value);
  }

  /** The state as plain data in a canonical order (keys and clients sorted): equal states, equal snapshots. */
  snapshot(): KvSnapshot {
    const data = [...this.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sessions = [...this.sessions]
      .sort(([a], [b]) => a - b)
      .map(([client, session]): [number, number, number[]] => [client, session.floor, [...session.applied].sort((a, b) => a - b)]);
    return { data, sessions, applied: this.appliedCount };
  }

  /** Whether this client's command `sequence` was applied (or lies below its floor: settled). */
  hasApplied(client: number, sequence: number): boolean {
    const session = this.sessions.get(client);
    return session !== undefined && (sequence < session.floor || session.applied.has(sequence));
  }

  /** Replaces the whole state with a `snapshot()` (another replica's, installed by a replica that fell behind a recycled log). */
  restore(snapshot: KvSnapshot): void {
    this.data.clear();
    for (const [key, value] of snapshot.data) this.data.set(key, value);
    this.sessions.clear();
    for (const [client, floor, applied] of snapshot.sessions) this.sessions.set(client, { floor, applied: new Set(applied) });
    this.appliedCount = snapshot.applied;
  }

  /**
   * A 64-bit FNV-1a digest of the canonical snapshot, as 16 hex digits:
   * replicas compare states through notes without shipping them.
   */
  digest(): string {
    return fnv1a64(JSON.stringify(this.snapshot()));
  }
}

export { fnv1a64 } from '../common/fnv.js';
