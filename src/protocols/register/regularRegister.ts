import { forEachMemory, majority, type Fabric, type MemoryId, type ProcessId, type RegionSpec } from '../../fabric/index.js';
import { copyOffset, decodeSlotPair, encodeSlot, highest, registerRegionSize, type Slot } from './slot.js';

/**
 * The lecture's "Handling Memory Failures" register with one writer: treat
 * all memories the same, send every read and write to all of them and wait
 * for a majority. Tolerates a minority of crashed memories.
 *
 * It is *regular*, not atomic (the lecture's exercise): a read concurrent with
 * a write may return the new value while a later read, reaching a different
 * majority, still returns the old one. Regularity holds because any majority
 * a read waits for intersects the majority every completed write reached, so
 * the read sees at least the last completed write's timestamp.
 */
export interface RegularRegisterConfig {
  readonly region: string;
  readonly memories: readonly MemoryId[];
  readonly writer: ProcessId;
  /** Largest value in bytes. */
  readonly capacity: number;
  /** A deliberately broken variant, for the sweep to catch. */
  readonly mutant?: RegularRegisterMutant;
}

export const regularRegisterMutants = {
  'minority-quorum': 'reads and writes wait for one memory instead of a majority, so a read can miss a completed write',
  'no-checksum': 'readers accept a slot without checking its checksum, so a torn read returns a value never written',
} as const;
export type RegularRegisterMutant = keyof typeof regularRegisterMutants;

/** The region each memory holds: one slot, written only by the writer. */
export function regularRegisterRegion(config: Pick<RegularRegisterConfig, 'region' | 'memories' | 'writer' | 'capacity'>): RegionSpec {
  return { name: config.region, size: registerRegionSize(config.capacity), policy: 'single-writer', owner: config.writer, memories: [...config.memories] };
}

export class RegularRegister {
  /** The writer's last timestamp (only the writer writes, so it needs no reading). */
  private timestamp = 0n;
  private readonly quorum: number;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: RegularRegisterConfig,
  ) {
    this.quorum = config.mutant === 'minority-quorum' ? 1 : majority(config.memories.length);
  }

  async write(value: Uint8Array): Promise<void> {
    if (this.fabric.self !== this.config.writer) throw new Error(`p${this.fabric.self} is not the register's writer (p${this.config.writer})`);
    this.timestamp += 1n;
    const slot = encodeSlot(this.timestamp, value, this.config.capacity);
    await forEachMemory(this.config.memories, this.quorum, (memory) => this.fabric.write({ memory, region: this.config.region, offset: copyOffset(this.timestamp, this.config.capacity) }, slot));
  }

  /** Returns the value with the highest timestamp among a majority, or null if never written. */
  async read(): Promise<Uint8Array | null> {
    const answers = await forEachMemory(this.config.memories, this.quorum, (memory) => this.readSlot(memory));
    return highest(answers.map((answer) => answer.value)).value;
  }

  /** Reads one memory's slot (both copies: slot.ts), re-reading only if both copies read torn. */
  private async readSlot(memory: MemoryId): Promise<Slot> {
    const verify = this.config.mutant !== 'no-checksum';
    for (;;) {
      const bytes = await this.fabric.read({ memory, region: this.config.region, offset: 0 }, registerRegionSize(this.config.capacity));
      const slot = decodeSlotPair(bytes, this.config.capacity, verify);
      if (slot !== 'torn') return slot;
    }
  }
}
