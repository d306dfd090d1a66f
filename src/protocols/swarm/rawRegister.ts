import { getWord, setWord, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';

/**
 * The unreplicated store (spec swarm.md §7, "RAW"): one memory, the value
 * read and written in place, unchecked. A write is one WRITE of a length
 * word and the value; a read is one READ of the same bytes. No replication,
 * no checksum, no timestamp: it tolerates no memory crash, and a READ that
 * overlaps a WRITE may return a value torn at word granularity (each
 * aligned 8-byte word is atomic, nothing more). It is not an atomic
 * register; it is the latency floor the replicated registers are measured
 * against (`mnm table swarm`, `mnm bench swarm`): one verb round trip per
 * operation.
 *
 * Layout: `[tag u64][value: valueMax bytes]` at offset 0 of one region on
 * one memory; tag = length + 1 (0: never written, the initial value).
 */
export interface RawRegisterConfig {
  readonly region: string;
  /** The one memory holding the value. */
  readonly memory: MemoryId;
  /** Largest value in bytes (a multiple of 8). */
  readonly valueMax: number;
}

const header = 8;

export function rawRegisterRegion(config: RawRegisterConfig): RegionSpec {
  return { name: config.region, size: header + config.valueMax, policy: 'open', memories: [config.memory] };
}

export class RawRegister {
  constructor(
    private readonly fabric: Fabric,
    private readonly config: RawRegisterConfig,
  ) {
    if (!Number.isInteger(config.valueMax) || config.valueMax < 8 || config.valueMax % 8 !== 0) throw new RangeError(`valueMax ${config.valueMax} (accepted: a positive multiple of 8)`);
  }

  /** Every operation is one verb: one round trip. */
  get lastRoundTrips(): number {
    return 1;
  }

  /** One WRITE of the tag and the value. */
  async write(value: Uint8Array): Promise<void> {
    if (value.length > this.config.valueMax) throw new RangeError(`value of ${value.length} bytes exceeds the register's ${this.config.valueMax}`);
    const bytes = new Uint8Array(header + this.config.valueMax);
    setWord(bytes, 0, BigInt(value.length + 1));
    bytes.set(value, header);
    await this.fabric.write(this.address(), bytes);
  }

  /** One READ: the value as it lies in memory (null when never written); possibly torn. */
  async read(): Promise<Uint8Array | null> {
    const bytes = await this.fabric.read(this.address(), header + this.config.valueMax);
    const tag = getWord(bytes, 0);
    if (tag === 0n) return null;
    const length = Math.min(this.config.valueMax, Number(tag - 1n));
    return bytes.slice(header, header + length);
  }

  private address() {
    return { memory: this.config.memory, region: this.config.region, offset: 0 };
  }
}
