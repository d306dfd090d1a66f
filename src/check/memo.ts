/**
 * The search's memory of configurations already explored: pairs of (set of
 * linearized operations, model state). Reaching a configuration a second time
 * by another order cannot lead anywhere new (Lowe; Porcupine's cache), so the
 * search skips it. This is what makes non-linearizable histories, where every
 * order must be exhausted, finish at all.
 *
 * Sets are bitsets of `words` 32-bit words; states are interned small
 * integers. The table is open addressing over typed arrays (no per-entry
 * objects, which would make the garbage collector the bottleneck). The caller
 * maintains the set's hash incrementally (Zobrist: xor of one random word per
 * operation), so a lookup costs O(1) plus one bitset comparison on a hit.
 */
export class ConfigurationMemo {
  private slots: Int32Array;
  private mask: number;
  private hashes: Int32Array;
  private states: Int32Array;
  private bits: Uint32Array;
  private count = 0;

  constructor(private readonly words: number) {
    const capacity = 1 << 12;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    this.hashes = new Int32Array(capacity);
    this.states = new Int32Array(capacity);
    this.bits = new Uint32Array(capacity * words);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the configuration; returns false if it was already there. */
  add(setHash: number, state: number, set: Uint32Array): boolean {
    const hash = mix(setHash ^ Math.imul(state + 1, 0x9e3779b1));
    const words = this.words;
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) break;
      if (this.hashes[entry] === hash && this.states[entry] === state && this.sameSet(entry, set)) return false;
      slot = (slot + 1) & this.mask;
    }
    if (this.count === this.hashes.length) {
      this.grow();
      return this.add(setHash, state, set);
    }
    const entry = this.count++;
    this.slots[slot] = entry + 1;
    this.hashes[entry] = hash;
    this.states[entry] = state;
    this.bits.set(words === set.length ? set : set.subarray(0, words), entry * words);
    return true;
  }

  private sameSet(entry: number, set: Uint32Array): boolean {
    const bits = this.bits;
    const base = entry * this.words;
    for (let word = 0; word < this.words; word++) if (bits[base + word] !== set[word]) return false;
    return true;
  }

  /** Doubles the entry storage and rebuilds the slot table at load 1/2. */
  private grow(): void {
    const capacity = this.hashes.length * 2;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    const states = new Int32Array(capacity);
    states.set(this.states);
    const bits = new Uint32Array(capacity * this.words);
    bits.set(this.bits);
    this.hashes = hashes;
    this.states = states;
    this.bits = bits;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = hashes[entry] & this.mask;
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
