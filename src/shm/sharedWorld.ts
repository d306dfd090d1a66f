import { initialAccess, initialHighestGranted, memoriesOf, type Access, type MemoryId, type ProcessId, type RegionSpec } from '../fabric/index.js';

/**
 * The shared memory of one shm run, as plain SharedArrayBuffers that every
 * worker maps: the memories' regions (bytes plus access lists), the control
 * words (crashed memories, dead processes), the message rings and the
 * per-process journals. Built once by the coordinator and handed to each
 * worker in `workerData`; it holds no functions, only buffers and numbers.
 */
export interface SharedWorld {
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: readonly RegionSpec[];
  /** `regionBuffers[memory][regionName]`: the bytes, the access list and the writer flags of one region on one memory. */
  readonly regionBuffers: readonly Readonly<Record<string, SharedRegion>>[];
  /**
   * Int32 control words: `[memoryCrashed × memoryCount, processDead × processCount, doorbell × processCount]`.
   */
  readonly control: SharedArrayBuffer;
  /** `rings[from * processCount + to]`: the single-producer single-consumer message ring from one process to another. */
  readonly rings: readonly SharedArrayBuffer[];
  /** One append-only journal per process (history events and notes, JSON lines). */
  readonly journals: readonly SharedArrayBuffer[];
}

/** One region on one memory. */
export interface SharedRegion {
  readonly spec: RegionSpec;
  /** The region's bytes (size is a multiple of 8, so every word is whole). */
  readonly bytes: SharedArrayBuffer;
  /**
   * Int32 words: `[permissionLock, access × processCount, writing × processCount]`.
   * `access` holds 0 none, 1 read, 2 read-write; `writing[p]` is 1 while p is
   * inside a verb that changes the region (see `shmMemory.ts`).
   */
  readonly control: SharedArrayBuffer;
  /**
   * One BigUint64 word: the highest proposal granted on the region
   * (`ordered-exclusive-writer`; 0 and untouched under every other policy).
   * A word of its own rather than two halves of `control`, so that it is
   * read and stored whole.
   */
  readonly highestGranted: SharedArrayBuffer;
}

export const accessCode: Record<Access, number> = { none: 0, read: 1, 'read-write': 2 };
export const accessName: readonly Access[] = ['none', 'read', 'read-write'];

/** Index of each kind of control word in `SharedWorld.control`. */
export function controlIndex(world: Pick<SharedWorld, 'processCount' | 'memoryCount'>) {
  return {
    memoryCrashed: (memory: MemoryId) => memory,
    processDead: (process: ProcessId) => world.memoryCount + process,
    doorbell: (process: ProcessId) => world.memoryCount + world.processCount + process,
    length: world.memoryCount + 2 * world.processCount,
  };
}

export interface SharedWorldOptions {
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: readonly RegionSpec[];
  /** Bytes of each process-to-process ring (default: 64 KiB, less when there are many processes). */
  readonly ringBytes?: number;
  /** Bytes of each process's journal (default 4 MiB). */
  readonly journalBytes?: number;
}

/** Allocates a world: every region zeroed, access lists as the specs say. */
export function createSharedWorld(options: SharedWorldOptions): SharedWorld {
  const { processCount, memoryCount, regions } = options;
  const regionBuffers: Record<string, SharedRegion>[] = Array.from({ length: memoryCount }, () => ({}));
  for (const spec of regions) {
    for (const memory of memoriesOf(spec, memoryCount)) {
      const control = new SharedArrayBuffer(4 * (1 + 2 * processCount));
      const words = new Int32Array(control);
      initialAccess(spec, processCount).forEach((access, process) => (words[1 + process] = accessCode[access]));
      const highestGranted = new SharedArrayBuffer(8);
      new BigUint64Array(highestGranted)[0] = initialHighestGranted;
      regionBuffers[memory][spec.name] = { spec, bytes: new SharedArrayBuffer(spec.size), control, highestGranted };
    }
  }
  const ringBytes = options.ringBytes ?? Math.max(4096, Math.min(65536, Math.floor((8 << 20) / Math.max(1, processCount * processCount) / 8) * 8));
  const rings = Array.from({ length: processCount * processCount }, () => new SharedArrayBuffer(16 + ringBytes));
  const journals = Array.from({ length: processCount }, () => new SharedArrayBuffer(8 + (options.journalBytes ?? 4 << 20)));
  const control = new SharedArrayBuffer(4 * controlIndex({ processCount, memoryCount }).length);
  return { processCount, memoryCount, regions, regionBuffers, control, rings, journals };
}
