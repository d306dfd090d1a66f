/**
 * The search's memory of configurations already explored: pairs of (set of
 * linearized operations, model state). Reaching a configuration a second time
 * by another order cannot lead anywhere new (Lowe; Porcupine's cache), so the
 * search skips it. This is what makes non-linearizable histories, where every
 * order must be exhausted, finish at all.
 *
 * Sets are bitsets over operations in call order; states are interned small
 * integers. The search places operations roughly in call order, so a set is
 * "every operation below some point, a few beyond it": each entry keeps only
 * that window of words (`low`: first word not all ones; `high`: last word not
 * zero), which keeps memory proportional to the concurrency, not to the
 * history's length. The table is open addressing over typed arrays (no
 * per-entry objects, which would make the garbage collector the bottleneck).
 * The caller keeps the set's hash incrementally (Zobrist: xor of one random
 * word per operation), so a lookup costs O(1) plus one window comparison.
 */
export class ConfigurationMemo {
  private slots: Int32Array;
  private mask: number;
  private hashes: Int32Array;
  private states: Int32Array;
  private lows: Int32Array;
  private lengths: Int32Array;
  private offsets: Int32Array;
  private arena: Uint32Array;
  private arenaUsed = 0;
  private count = 0;

  constructor() {
    const capacity = 1 << 10;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    this.hashes = new Int32Array(capacity);
    this.states = new Int32Array(capacity);
    this.lows = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.offsets = new Int32Array(capacity);
    this.arena = new Uint32Array(capacity * 4);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds the configuration; returns false if it was already there. Words of
   * `set` below `low` are all ones, words above `high` are zero.
   */
  add(setHash: number, state: number, set: Uint32Array, low: number, high: number): boolean {
    const hash = mix(setHash ^ Math.imul(state + 1, 0x9e3779b1));
    const length = high >= low ? high - low + 1 : 0;
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) break;
      if (this.hashes[entry] === hash && this.states[entry] === state && this.lows[entry] === low && this.lengths[entry] === length && this.sameWindow(entry, set, low, length)) return false;
      slot = (slot + 1) & this.mask;
    }
    if (this.count === this.hashes.length) {
      this.grow();
      return this.add(setHash, state, set, low, high);
    }
    if (this.arenaUsed + length > this.arena.length) {
      const arena = new Uint32Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
    }
    const entry = this.count++;
    this.slots[slot] = entry + 1;
    this.hashes[entry] = hash;
    this.states[entry] = state;
    this.lows[entry] = low;
    this.lengths[entry] = length;
    this.offsets[entry] = this.arenaUsed;
    for (let word = 0; word < length; word++) this.arena[this.arenaUsed + word] = set[low + word];
    this.arenaUsed += length;
    return true;
  }

  private sameWindow(entry: number, set: Uint32Array, low: number, length: number): boolean {
    const arena = this.arena;
    const base = this.offsets[entry];
    for (let word = 0; word < length; word++) if (arena[base + word] !== set[low + word]) return false;
    return true;
  }

  /** Doubles the entry storage and rebuilds the slot table at load 1/2. */
  private grow(): void {
    const capacity = this.hashes.length * 2;
    const widen = (old: Int32Array) => {
      const wider = new Int32Array(capacity);
      wider.set(old);
      return wider;
    };
    this.hashes = widen(this.hashes);
    this.states = widen(this.states);
    this.lows = widen(this.lows);
    this.lengths = widen(this.lengths);
    this.offsets = widen(this.offsets);
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry] & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = entry + 1;
    }
  }
}

/** murmur3's 32-bit finalizer: spreads every input bit over the output. */
export function mix(value: number): number {
  let hash = value | 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash;
}
