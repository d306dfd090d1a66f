import type { MemoryId } from '../../fabric/index.js';
import { sameBytes, slotFields, type FieldName, type SlotCopy, type SlotKind } from './slot.js';

/**
 * One slot as a reader makes it out from the copies it read (a majority of
 * memories), merged field by field with one fixed rule for every reader:
 * the lowest-numbered memory holding a valid copy of a field wins. A correct
 * owner's valid copies of a field are all equal (it writes each field once),
 * so the rule only decides among a Byzantine owner's copies — and two
 * different valid copies of one field prove the owner Byzantine. Flag-only
 * bits (`checked`) count if any copy sets them: a correct owner sets one
 * only when it is true, and never clears it.
 */
export interface MergedSlot {
  readonly fields: Readonly<Partial<Record<FieldName, Uint8Array>>>;
  /** Every distinct valid copy of each field, lowest memory first (a Byzantine owner may split them). */
  readonly alternatives: Readonly<Partial<Record<FieldName, readonly Uint8Array[]>>>;
  readonly checked: boolean;
  /** Fields with two different valid copies: proof that the owner is Byzantine. */
  readonly equivocation: readonly FieldName[];
  /** What the copies hold that only a Byzantine owner writes. */
  readonly malformed: readonly string[];
  /** Whether some copy holds a field whose bit is set but which does not count (slot.ts `torn`; only the `torn-blocks` mutant looks). */
  readonly torn: boolean;
  /** Changes whenever what the reader counts changes (to tell idleness). */
  readonly fingerprint: string;
}

export function mergeCopies(kind: SlotKind, copies: readonly { readonly memory: MemoryId; readonly copy: SlotCopy }[]): MergedSlot {
  const ordered = [...copies].sort((a, b) => a.memory - b.memory);
  const fields: Partial<Record<FieldName, Uint8Array>> = {};
  const alternatives: Partial<Record<FieldName, Uint8Array[]>> = {};
  const equivocation: FieldName[] = [];
  const fingerprint: string[] = [];
  for (const field of slotFields[kind]) {
    const values: Uint8Array[] = [];
    const checksums: number[] = [];
    for (const { copy } of ordered) {
      const value = copy.fields[field];
      if (value === undefined || values.some((other) => sameBytes(other, value))) continue;
      values.push(value);
      checksums.push(copy.checksums[field] ?? 0);
    }
    if (values.length === 0) continue;
    fields[field] = values[0];
    alternatives[field] = values;
    if (values.length > 1) equivocation.push(field);
    fingerprint.push(`${field}:${checksums.join('/')}`);
  }
  const checked = ordered.some(({ copy }) => copy.checked);
  if (checked) fingerprint.push('checked');
  return { fields, alternatives, checked, equivocation, malformed: ordered.flatMap(({ copy }) => copy.malformed), torn: ordered.some(({ copy }) => copy.torn > 0), fingerprint: fingerprint.join(',') };
}
