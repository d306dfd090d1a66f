import { decideRequest, getWord, initialAccess, initialHighestGranted, allows, setWord, toWord, type Access, type ProcessId, type RegionSpec } from '../fabric/index.js';
import type { Prng } from './prng.js';

/** A verb as it reaches a memory. */
export type VerbRequest =
  | { readonly kind: 'read'; readonly process: ProcessId; readonly region: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'write'; readonly process: ProcessId; readonly region: string; readonly offset: number; readonly data: Uint8Array }
  | { readonly kind: 'cas'; readonly process: ProcessId; readonly region: string; readonly offset: number; readonly expected: bigint; readonly desired: bigint }
  | { readonly kind: 'faa'; readonly process: ProcessId; readonly region: string; readonly offset: number; readonly delta: bigint }
  | { readonly kind: 'permission'; readonly process: ProcessId; readonly region: string; readonly access: Access; readonly proposal?: bigint };

/** What the memory did with a verb. */
export type VerbOutcome =
  | {
      readonly ok: true;
      readonly data?: Uint8Array;
      readonly value?: bigint;
      /** Words of a read that showed a concurrent multi-word write's old contents. */
      readonly torn?: number;
      /** A granted permission request that changed the access list or the highest granted proposal. */
      readonly change?: { readonly access: Access[]; readonly revoked: ProcessId[]; readonly proposal?: bigint };
    }
  | { readonly ok: false; readonly error: 'permission-denied'; readonly reason: string };

/**
 * A multi-word write whose words have not all landed yet. Real NICs place a
 * long write into memory piece by piece, so a concurrent read may see some
 * words new and others old. Each word lands at its own (random) time; until
 * then readers see its old contents.
 */
interface InFlightWrite {
  readonly writer: ProcessId;
  readonly firstWord: number;
  /** The words' contents before the write. */
  readonly old: Uint8Array;
  /** Landing time per word; -Infinity once forced to land. */
  readonly landing: Float64Array;
  until: number;
}

class Region {
  readonly bytes: Uint8Array;
  access: Access[];
  /** The highest proposal granted so far (`ordered-exclusive-writer`; every other policy leaves it at its initial value). */
  highestGranted = initialHighestGranted;
  inFlight: InFlightWrite[] = [];

  constructor(
    readonly spec: RegionSpec,
    processCount: number,
  ) {
    this.bytes = new Uint8Array(spec.size);
    this.access = initialAccess(spec, processCount);
  }

  /** Lands every word of `words` (inclusive range) at once: later verbs must see the memory's true contents there. */
  landWords(firstWord: number, lastWord: number): void {
    for (const write of this.inFlight) {
      const start = Math.max(firstWord, write.firstWord);
      const end = Math.min(lastWord, write.firstWord + write.landing.length - 1);
      for (let word = start; word <= end; word++) write.landing[word - write.firstWord] = -Infinity;
    }
  }

  /** Lands all in-flight writes (of one writer, or of everyone). */
  landAll(writer?: ProcessId): void {
    for (const write of this.inFlight) if (writer === undefined || write.writer === writer) write.landing.fill(-Infinity);
  }

  /**
   * Cuts short `writer`'s writes still landing at `now` (its host stopped in
   * the middle of sending them): their words not landed yet never land, and
   * keep their old contents for good. Returns how many words stay old.
   */
  cutShort(writer: ProcessId, now: number, onRestore?: (offset: number, before: Uint8Array) => void): number {
    let kept = 0;
    for (const write of this.inFlight) {
      if (write.writer !== writer) continue;
      for (let index = 0; index < write.landing.length; index++) {
        if (write.landing[index] <= now) continue;
        const at = (write.firstWord + index) * 8;
        const before = onRestore ? this.bytes.slice(at, at + 8) : undefined;
        this.bytes.set(write.old.subarray(index * 8, index * 8 + 8), at);
        if (before) onRestore?.(at, before);
        kept++;
      }
    }
    this.inFlight = this.inFlight.filter((write) => write.writer !== writer);
    return kept;
  }

  forget(now: number): void {
    if (this.inFlight.length > 0) this.inFlight = this.inFlight.filter((write) => write.until > now && write.landing.some((time) => time > now));
  }
}

/**
 * A passive memory: regions of bytes with access lists, executing verbs that
 * arrive. No protocol code runs here. A crashed memory executes nothing more.
 */
export class SimMemory {
  private readonly regions = new Map<string, Region>();
  /** The regions that may have writes still landing (so that a verb need not visit every region to keep queue-pair order). */
  private readonly landing = new Set<Region>();
  crashed = false;

  constructor(
    readonly id: number,
    specs: readonly RegionSpec[],
    processCount: number,
    /** How long a multi-word write takes to land completely, unless a verb brings its own window (less than any one-way delay). */
    private readonly tearWindow: number,
    private readonly random: Prng,
  ) {
    for (const spec of specs) if (!spec.memories || spec.memories.includes(id)) this.regions.set(spec.name, new Region(spec, processCount));
  }

  /** The access list of a region (for tests and the scenario). */
  accessOf(region: string): readonly Access[] {
    return this.region(region).access;
  }

  /** The highest proposal granted on a region so far (for tests). */
  highestGrantedOf(region: string): bigint {
    return this.region(region).highestGranted;
  }

  /** An administrator's change of one process's access (the scenario, not a process). */
  setAccess(region: string, process: ProcessId, access: Access): void {
    const target = this.region(region);
    target.landAll();
    target.access[process] = access;
  }

  /**
   * `writer` crashed in the middle of its writes: the words of its writes
   * not landed yet never land (as when a NIC stops sending a long write
   * halfway, or a thread copying one is terminated). Any overlapping later
   * write forced those words to land first, so restoring their old contents
   * undoes nothing of anyone else's. Returns how many words stay old.
   * `onRestore` hears each word put back (its offset and the contents it
   * had until then), for a memory watcher.
   */
  cutShortWrites(writer: ProcessId, now: number, onRestore?: (region: string, offset: number, before: Uint8Array) => void): number {
    let kept = 0;
    for (const [name, region] of this.regions) kept += region.cutShort(writer, now, onRestore && ((offset, before) => onRestore(name, offset, before)));
    return kept;
  }

  /**
   * A region's live bytes (as they will be once every write has landed),
   * without a copy: for a memory watcher, which must not write to them nor
   * keep them. Undefined for a region this memory does not hold.
   */
  liveBytes(region: string): Uint8Array | undefined {
    return this.regions.get(region)?.bytes;
  }

  /**
   * Contents put in place before the run by whoever deploys the memories
   * (a load phase: SWARM-KV's key index and KEYs), not by a verb: no access
   * check, no tearing, nothing traced. Throws when the bytes do not fit.
   */
  load(region: string, offset: number, bytes: Uint8Array): void {
    const target = this.region(region);
    if (!Number.isInteger(offset) || offset < 0 || offset + bytes.length > target.bytes.length) {
      throw new RangeError(`preload of ${bytes.length} bytes at ${offset} does not fit region '${region}' (${target.bytes.length} bytes) of m${this.id}`);
    }
    target.bytes.set(bytes, offset);
  }

  /** A copy of a region's bytes as they will be once every write has landed. */
  snapshot(region: string): Uint8Array {
    return this.region(region).bytes.slice();
  }

  private region(name: string): Region {
    const region = this.regions.get(name);
    if (!region) throw new Error(`memory m${this.id} has no region '${name}'`);
    return region;
  }

  /**
   * Executes a verb at virtual time `now`. Addresses were checked at issue.
   * `tearWindow`, when given, replaces the memory's own for this verb (how
   * long a multi-word write may take to land completely).
   */
  execute(verb: VerbRequest, now: number, tearWindow?: number): VerbOutcome {
    const region = this.region(verb.region);
    region.forget(now);
    // One queue pair per (process, memory), whatever regions its verbs touch:
    // this process's earlier writes at this memory are complete before its
    // next verb executes (SWARM's entry in `log.c`, then the CAS in `rec`
    // that names it: the CAS must not land before the entry has).
    if (this.landing.size > 0) {
      for (const any of this.landing) {
        any.forget(now);
        if (any.inFlight.length === 0) this.landing.delete(any);
        else any.landAll(verb.process);
      }
    }
    const held = region.access[verb.process] ?? 'none';
    switch (verb.kind) {
      case 'read': {
        if (!allows(held, 'read')) return denied(held, 'read');
        const data = region.bytes.slice(verb.offset, verb.offset + verb.length);
        const torn = region.inFlight.length > 0 ? this.showOldWords(region, verb.offset, data, now) : 0;
        return torn > 0 ? { ok: true, data, torn } : { ok: true, data };
      }
      case 'write': {
        if (!allows(held, 'read-write')) return denied(held, 'write');
        this.write(region, verb.offset, verb.data, verb.process, now, tearWindow ?? this.tearWindow);
        return { ok: true };
      }
      case 'cas': {
        if (!allows(held, 'read-write')) return denied(held, 'cas');
        const word = verb.offset / 8;
        region.landWords(word, word);
        const previous = getWord(region.bytes, verb.offset);
        if (previous === toWord(verb.expected)) setWord(region.bytes, verb.offset, verb.desired);
        return { ok: true, value: previous };
      }
      case 'faa': {
        if (!allows(held, 'read-write')) return denied(held, 'faa');
        const word = verb.offset / 8;
        region.landWords(word, word);
        const previous = getWord(region.bytes, verb.offset);
        setWord(region.bytes, verb.offset, previous + verb.delta);
        return { ok: true, value: previous };
      }
      case 'permission': {
        const decision = decideRequest(region.spec, region.access, verb.process, verb.access, verb.proposal, region.highestGranted);
        if (!decision.granted) return { ok: false, error: 'permission-denied', reason: decision.reason };
        // Atomic with respect to verbs: nothing of an old holder is still landing after the change.
        region.landAll();
        region.access = decision.access;
        region.highestGranted = decision.highestGranted;
        // The proposal is part of the change only where the policy ordered by it (other policies ignore it, and their traces stay as they were).
        const ordered = region.spec.policy === 'ordered-exclusive-writer' && verb.proposal !== undefined;
        return { ok: true, change: { access: decision.access, revoked: decision.revoked, ...(ordered ? { proposal: verb.proposal } : {}) } };
      }
    }
  }

  private write(region: Region, offset: number, data: Uint8Array, writer: ProcessId, now: number, tearWindow: number): void {
    const firstWord = Math.floor(offset / 8);
    const lastWord = Math.floor((offset + Math.max(data.length, 1) - 1) / 8);
    if (region.inFlight.length > 0) region.landWords(firstWord, lastWord);
    if (lastWord > firstWord) {
      const words = lastWord - firstWord + 1;
      const old = region.bytes.slice(firstWord * 8, (lastWord + 1) * 8);
      const landing = new Float64Array(words);
      let until = now;
      for (let index = 0; index < words; index++) {
        landing[index] = now + this.random.float() * tearWindow;
        if (landing[index] > until) until = landing[index];
      }
      region.inFlight.push({ writer, firstWord, old, landing, until });
      this.landing.add(region);
    }
    region.bytes.set(data, offset);
  }

  /** Replaces, in a read's result, the words that have not landed yet by their old contents. */
  private showOldWords(region: Region, offset: number, data: Uint8Array, now: number): number {
    let torn = 0;
    const end = offset + data.length;
    for (const write of region.inFlight) {
      for (let index = 0; index < write.landing.length; index++) {
        if (write.landing[index] <= now) continue;
        const wordStart = (write.firstWord + index) * 8;
        const from = Math.max(wordStart, offset);
        const to = Math.min(wordStart + 8, end);
        if (from >= to) continue;
        data.set(write.old.subarray(from - write.firstWord * 8, to - write.firstWord * 8), from - offset);
        torn++;
      }
    }
    return torn;
  }
}

function denied(held: Access, verb: string): VerbOutcome {
  return { ok: false, error: 'permission-denied', reason: `${verb} needs ${verb === 'read' ? 'read' : 'read-write'} access, held: ${held}` };
}
