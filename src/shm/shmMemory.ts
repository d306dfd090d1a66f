import { decideRequest, type Access, type ProcessId, type RegionSpec } from '../fabric/index.js';
import { accessCode, accessName, type SharedRegion } from './sharedWorld.js';

const mask64 = (1n << 64n) - 1n;

/**
 * Staging words for the verbs of this thread. A fresh typed array per verb
 * (a new ArrayBuffer each time) cost more than the verb itself (~1 µs of a
 * 2 µs 64-byte write); verbs run synchronously, one at a time per thread, so
 * one scratch buffer, grown on demand, serves them all.
 */
let stagingBuffer = new ArrayBuffer(512);
let stagingBytes = new Uint8Array(stagingBuffer);
let stagingWordArray = new BigUint64Array(stagingBuffer);

function stagingWords(count: number): BigUint64Array {
  if (count * 8 > stagingBuffer.byteLength) {
    stagingBuffer = new ArrayBuffer(Math.max(count * 8, stagingBuffer.byteLength * 2));
    stagingBytes = new Uint8Array(stagingBuffer);
    stagingWordArray = new BigUint64Array(stagingBuffer);
  }
  return stagingWordArray;
}

/** The outcome of a verb executed on shared memory. */
export type ShmOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * One region on one memory as a process's thread sees it: the verbs of the
 * fabric contract, executed synchronously by the caller's own thread on the
 * shared bytes (no thread runs at the memory, as with an RDMA NIC).
 *
 * Words are accessed only through `Atomics` on a BigUint64Array, so each
 * aligned 8-byte word is atomic; a multi-word read or write is a sequence of
 * word accesses and may tear between words, as the contract allows. Partial
 * words at the edges of a write are merged with a compare-and-swap loop so
 * that the untouched bytes of the word keep concurrent writers' values.
 *
 * Permissions without a lock that a dead thread could hold forever:
 *
 * - A verb that changes memory sets `writing[p] = 1`, then checks
 *   `access[p]`, then copies, then clears `writing[p]`.
 * - A revoke stores the new `access[q]`, then waits until `writing[q]` is 0
 *   (or q's thread is known dead) before it returns.
 *
 * Both sides store, then load the other's word, with sequentially consistent
 * atomics (Dekker's pattern): either the writer sees the revoke and writes
 * nothing, or the revoker sees the writer's flag and waits for its copy to
 * end. So once a revoke has returned, no write of the old holder lands. A
 * writer that dies inside a verb leaves its flag at 1, but the revoker stops
 * waiting as soon as the coordinator has marked the dead thread (after
 * `Worker.terminate()` resolved, so it can store nothing more).
 *
 * Permission requests of different processes serialise on a lock word that
 * holds its owner; a waiter breaks it when the owner is dead. Access-list
 * changes store revocations before grants, so a request cut short by death
 * leaves at most fewer writers, never more.
 *
 * An `ordered-exclusive-writer` region's highest granted proposal is one more
 * word, read and changed only under that same lock, so it is decided
 * atomically with the access change (no other request can run between the
 * comparison and the grant). It is stored before the access list: a request
 * cut short by death leaves the number raised and nobody newly granted
 * (later lower requests are refused, which is safe), never a grant under the
 * old number (which would let a lower request take write access back).
 */
export class ShmRegion {
  readonly spec: RegionSpec;
  private readonly words: BigUint64Array;
  private readonly bytes: Uint8Array;
  private readonly control: Int32Array;
  private readonly highestGranted: BigUint64Array;
  private readonly processCount: number;

  constructor(
    region: SharedRegion,
    processCount: number,
    /** Whether a process's thread is known to be dead (it can store nothing more). */
    private readonly isDead: (process: ProcessId) => boolean,
  ) {
    this.spec = region.spec;
    this.words = new BigUint64Array(region.bytes);
    this.bytes = new Uint8Array(region.bytes);
    this.control = new Int32Array(region.control);
    this.highestGranted = new BigUint64Array(region.highestGranted);
    this.processCount = processCount;
  }

  private accessIndex(process: ProcessId): number {
    return 1 + process;
  }

  private writingIndex(process: ProcessId): number {
    return 1 + this.processCount + process;
  }

  accessOf(process: ProcessId): Access {
    return accessName[Atomics.load(this.control, this.accessIndex(process))];
  }

  read(process: ProcessId, offset: number, length: number): ShmOutcome<Uint8Array> {
    const held = Atomics.load(this.control, this.accessIndex(process));
    if (held < accessCode.read) return { ok: false, reason: `read needs read access, held: ${accessName[held]}` };
    if (length === 0) return { ok: true, value: new Uint8Array(0) };
    const firstWord = offset >>> 3;
    const lastWord = (offset + length - 1) >>> 3;
    const staged = stagingWords(lastWord - firstWord + 1);
    for (let word = firstWord; word <= lastWord; word++) staged[word - firstWord] = Atomics.load(this.words, word);
    // One allocation, the caller's copy; the staging words are reused by the next verb of this thread.
    const start = offset & 7;
    return { ok: true, value: stagingBytes.slice(start, start + length) };
  }

  write(process: ProcessId, offset: number, data: Uint8Array): ShmOutcome<undefined> {
    return this.changing(process, 'write', () => {
      if (data.length === 0) return undefined;
      const firstWord = offset >>> 3;
      const lastWord = (offset + data.length - 1) >>> 3;
      const staged = stagingWords(lastWord - firstWord + 1);
      stagingBytes.set(data, offset & 7);
      const end = offset + data.length;
      for (let word = firstWord; word <= lastWord; word++) {
        const start = Math.max(offset, word * 8) - word * 8;
        const stop = Math.min(end, word * 8 + 8) - word * 8;
        const value = staged[word - firstWord];
        if (start === 0 && stop === 8) {
          Atomics.store(this.words, word, value);
          continue;
        }
        // A partial word: merge our bytes into whatever the word holds now.
        const mask = (((1n << BigInt(8 * (stop - start))) - 1n) << BigInt(8 * start)) & mask64;
        for (;;) {
          const old = Atomics.load(this.words, word);
          const merged = (old & ~mask & mask64) | (value & mask);
          if (Atomics.compareExchange(this.words, word, old, merged) === old) break;
        }
      }
      return undefined;
    });
  }

  cas(process: ProcessId, offset: number, expected: bigint, desired: bigint): ShmOutcome<bigint> {
    return this.changing(process, 'cas', () => Atomics.compareExchange(this.words, offset >>> 3, expected & mask64, desired & mask64));
  }

  faa(process: ProcessId, offset: number, delta: bigint): ShmOutcome<bigint> {
    // Atomics.add on a BigUint64Array wraps at 2^64, as the contract says.
    return this.changing(process, 'faa', () => Atomics.add(this.words, offset >>> 3, delta & mask64));
  }

  private changing<T>(process: ProcessId, verb: string, apply: () => T): ShmOutcome<T> {
    const writing = this.writingIndex(process);
    Atomics.store(this.control, writing, 1);
    try {
      const held = Atomics.load(this.control, this.accessIndex(process));
      if (held !== accessCode['read-write']) return { ok: false, reason: `${verb} needs read-write access, held: ${accessName[held]}` };
      return { ok: true, value: apply() };
    } finally {
      Atomics.store(this.control, writing, 0);
      // A revoker waits on our flag only after lowering our access (it stores, then loads our flag;
      // we store the flag, then load our access: Dekker's pattern again). So our access still being
      // read-write here means nobody can be waiting, and the notify — a lock in the runtime — is skipped.
      if (Atomics.load(this.control, this.accessIndex(process)) !== accessCode['read-write']) Atomics.notify(this.control, writing);
    }
  }

  /**
   * A permission request under the region's policy (`decideRequest`, shared
   * with every backend). Blocks the calling thread only while a revoked
   * writer finishes the verb it is inside (a few microseconds), or while
   * another request holds the region's lock.
   */
  requestPermission(process: ProcessId, wanted: Access, proposal?: bigint): ShmOutcome<{ readonly revoked: readonly ProcessId[] }> {
    this.lock(process);
    try {
      const current = Array.from({ length: this.processCount }, (_, other) => this.accessOf(other));
      const highestGranted = Atomics.load(this.highestGranted, 0);
      const decision = decideRequest(this.spec, current, process, wanted, proposal, highestGranted);
      if (!decision.granted) return { ok: false, reason: decision.reason };
      // Before the access list (see the class comment): a request cut short leaves a higher number, never a grant under a lower one.
      if (decision.highestGranted !== highestGranted) Atomics.store(this.highestGranted, 0, decision.highestGranted);
      const changed = decision.access.flatMap((access, other) => (access !== current[other] ? [other] : []));
      // Revocations (lower access) first, then grants: a request cut short leaves fewer writers, never more.
      changed.sort((a, b) => accessCode[decision.access[a]] - accessCode[decision.access[b]]);
      for (const other of changed) Atomics.store(this.control, this.accessIndex(other), accessCode[decision.access[other]]);
      for (const other of decision.revoked) this.drain(other);
      return { ok: true, value: { revoked: decision.revoked } };
    } finally {
      this.unlock(process);
    }
  }

  /** The highest proposal granted on this region so far (for tests and reports). */
  highestGrantedNow(): bigint {
    return Atomics.load(this.highestGranted, 0);
  }

  /** Administrator's change (scenario or tests), with the same atomicity as a request. */
  setAccess(process: ProcessId, access: Access): void {
    Atomics.store(this.control, this.accessIndex(process), accessCode[access]);
    if (access !== 'read-write') this.drain(process);
  }

  /** Waits until `process` is inside no changing verb, or is dead. */
  private drain(process: ProcessId): void {
    const writing = this.writingIndex(process);
    let spins = 0;
    while (Atomics.load(this.control, writing) === 1 && !this.isDead(process)) {
      // The writer is mid-copy on another core: a short spin usually suffices;
      // if it was descheduled (or died), sleep in 1 ms steps and re-check death.
      if (spins++ < 200) continue;
      Atomics.wait(this.control, writing, 1, 1);
    }
  }

  private lock(process: ProcessId): void {
    for (;;) {
      const holder = Atomics.compareExchange(this.control, 0, 0, process + 1);
      if (holder === 0) return;
      if (this.isDead(holder - 1)) {
        if (Atomics.compareExchange(this.control, 0, holder, process + 1) === holder) return;
        continue;
      }
      Atomics.wait(this.control, 0, holder, 1);
    }
  }

  private unlock(process: ProcessId): void {
    Atomics.compareExchange(this.control, 0, process + 1, 0);
    Atomics.notify(this.control, 0);
  }

  /** A plain copy of the bytes (for tests and reports; not word-atomic as a whole). */
  snapshot(): Uint8Array {
    return this.bytes.slice();
  }
}
