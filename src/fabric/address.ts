import { BadAddress } from './errors.js';
import type { Address, RegionSpec } from './types.js';

/**
 * Checks a verb's target before it is issued and returns the region's spec.
 * Every backend calls this, so a bad address gets the same clear message
 * (region, bounds) everywhere.
 */
export function checkAddress(
  regions: readonly RegionSpec[],
  memoryCount: number,
  address: Address,
  length: number,
  verb: string,
  wordAligned: boolean,
): RegionSpec {
  let spec: RegionSpec | undefined;
  for (const region of regions) {
    if (region.name === address.region) {
      spec = region;
      break;
    }
  }
  if (!spec) {
    const known = regions.map((region) => `'${region.name}'`).join(', ') || 'none';
    throw new BadAddress(`${verb}: no region '${address.region}' (regions: ${known})`);
  }
  const memory = address.memory;
  const onMemory = spec.memories ? spec.memories.includes(memory) : Number.isInteger(memory) && memory >= 0 && memory < memoryCount;
  if (!onMemory) {
    throw new BadAddress(`${verb}: region '${spec.name}' is not on memory m${address.memory}`);
  }
  const { offset } = address;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > spec.size) {
    throw new BadAddress(
      `${verb}: bytes [${offset}, ${offset + length}) are outside region '${spec.name}' on m${address.memory} (size ${spec.size}, valid offsets 0..${spec.size - 1})`,
    );
  }
  if (wordAligned && offset % 8 !== 0) {
    throw new BadAddress(`${verb}: offset ${offset} in region '${spec.name}' is not 8-byte aligned`);
  }
  return spec;
}
