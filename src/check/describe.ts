import { outcomeUnknown, type Operation } from './history.js';
import type { CheckResult, PartitionResult } from './linearizability.js';
import { showValue as fullValue } from './values.js';

/** Values in text output are cut to this many characters (the JSON output has them whole). */
const shownValueLength = 60;

function showValue(value: unknown): string {
  const text = fullValue(value);
  return text.length <= shownValueLength ? text : `${text.slice(0, shownValueLength - 12)}…${text.slice(-11)}`;
}

/**
 * Verdicts and witnesses for people (the CLI's text output) and for programs
 * (the JSON `witness`). Pure functions of a CheckResult, so the web viewer
 * and tests can use them without a terminal.
 */

/** One operation on one line: `line 12  p3 cas [1,2]`, `line 14  p0 read -> 3`, `line 20  p4 write 2 (info)`. */
export function describeOperation(operation: Operation): string {
  const key = operation.key === undefined ? '' : ` ${JSON.stringify(operation.key)}`;
  const isRead = operation.input === null && operation.outcome === 'ok';
  const body = isRead ? `${operation.f}${key} -> ${showValue(operation.output)}` : `${operation.f}${key} ${showValue(operation.input)}`;
  const returned = operation.outcome === 'ok' && !isRead && operation.output !== null && showValue(operation.output) !== showValue(operation.input) ? ` -> ${showValue(operation.output)}` : '';
  const outcome = outcomeUnknown(operation) ? ` (${operation.outcome === 'info' ? 'info' : 'no return'}: outcome unknown)` : '';
  return `line ${operation.callLine}  p${operation.process} ${body}${returned}${outcome}`;
}

/** The JSON witness of one part: operations named by id (the call's line, or the trace's op id). */
function partWitness(part: PartitionResult): Record<string, unknown> | null {
  const ids = (operations: readonly Operation[] | undefined) => (operations ?? []).map((operation) => operation.id);
  if (part.verdict === 'linearizable') return { linearization: ids(part.linearization) };
  if (!part.prefix) return null;
  return { prefix: ids(part.prefix), unplaced: ids(part.unplaced), state: part.state ?? null };
}

/**
 * The JSON witness: for a linearizable history the linearization (operation
 * ids in the order they took effect); otherwise the longest linearizable
 * prefix found, the operations none of which could follow it, and the state
 * after it (null if undecided before any dead end). Keyed models give one
 * such object per key under `keys`, with that key's verdict.
 */
export function witnessJson(result: CheckResult): unknown {
  const keyed = result.partitions.some((part) => part.key !== undefined);
  if (!keyed) {
    const part = result.partitions[0];
    return part ? partWitness(part) : { linearization: [] };
  }
  const keys: Record<string, unknown> = {};
  for (const part of result.partitions) keys[part.key as string] = { verdict: part.verdict, ...(partWitness(part) ?? {}) };
  return { keys };
}

const shownPrefix = 8;

/** The human explanation of a verdict (several lines, no trailing newline). */
export function explainResult(result: CheckResult): string {
  const lines: string[] = [];
  const keyed = result.partitions.some((part) => part.key !== undefined);
  const decided = result.partitions.filter((part) => part.verdict === 'linearizable');
  if (keyed && decided.length > 0) lines.push(`${decided.length} of ${result.partitions.length} keys linearizable`);
  const open = result.partitions.filter((part) => part.verdict === 'unknown' && !part.prefix);
  if (open.length > 0) {
    const why = result.verdict === 'not-linearizable' ? 'not checked to the end (a violation was found first)' : 'undecided';
    lines.push(keyed ? `${open.length} keys ${why}: ${open.map((part) => JSON.stringify(part.key)).join(', ')}` : why);
  }
  for (const part of result.partitions) {
    const where = part.key === undefined ? '' : `key ${JSON.stringify(part.key)}: `;
    if (part.verdict === 'linearizable') {
      if (!keyed) {
        const placed = part.linearization?.length ?? 0;
        const left = placed < part.operations ? ` (the other ${part.operations - placed} failed, or had unknown outcomes and need not have taken effect)` : '';
        lines.push(`a linearization of ${placed} operations${left}; --json prints it`);
      }
      continue;
    }
    if (!part.prefix) continue;
    const prefix = part.prefix;
    const head = part.verdict === 'unknown' ? `${where}undecided; so far` : `${where}not linearizable:`;
    lines.push(`${head} the longest linearizable prefix found has ${prefix.length} operations, leaving the state ${showValue(part.state)}, and none of these can take effect next:`);
    for (const operation of part.unplaced ?? []) lines.push(`    ${describeOperation(operation)}${operation.returnLine === undefined ? '' : `  (returned line ${operation.returnLine})`}`);
    if (prefix.length > 0) {
      lines.push(`  the prefix${prefix.length > shownPrefix ? `, last ${shownPrefix} of ${prefix.length}` : ''}, in the order the operations took effect:`);
      for (const operation of prefix.slice(-shownPrefix)) lines.push(`    ${describeOperation(operation)}`);
    }
  }
  return lines.join('\n');
}
