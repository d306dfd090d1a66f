/**
 * The part of `mnm check --json` (docs/check.md, "--json output") the viewer
 * shows: the linearization found, or the operations that could not be placed
 * after the longest linearizable prefix, with the explanation the checker's
 * text output gives.
 */

interface Witness {
  readonly linearization?: readonly number[];
  readonly prefix?: readonly number[];
  readonly unplaced?: readonly number[];
  readonly state?: unknown;
}

/** `mnm check --json` output, as far as the viewer reads it. */
export interface CheckResult {
  readonly file?: string;
  readonly model?: string;
  readonly verdict: string;
  readonly operationIds?: string;
  readonly witness?: (Witness & { readonly keys?: Readonly<Record<string, Witness & { readonly verdict?: string }>> }) | null;
}

export interface LinearizationView {
  readonly verdict: string;
  readonly model?: string;
  /** The order in which operations took effect (linearizable), or the longest prefix found (not). */
  readonly order?: readonly number[];
  readonly unplaced: readonly number[];
  /** A paragraph saying what the checker found, as its text output does. */
  readonly explanation: string;
  /** Why the witness is not shown on the operations (it names them by something other than the trace's op ids). */
  readonly unmapped?: string;
}

interface Describable {
  readonly p: number;
  readonly f: string;
  readonly key?: string;
  readonly invokeValue: unknown;
  returnValue?: unknown;
}

/** Reads a check result against the trace's operations (by op id, as `mnm check` names them for a trace). */
export function linearizationView(check: CheckResult, operations: ReadonlyMap<number, Describable>): LinearizationView {
  const model = check.model;
  if (check.operationIds !== undefined && check.operationIds !== 'trace op id') {
    return { verdict: check.verdict, model, unplaced: [], explanation: `${check.verdict} (${model ?? 'model?'})`, unmapped: `the check names operations by ${check.operationIds}, not by the trace's op ids: check the trace itself (mnm check TRACE --json)` };
  }
  const witness = check.witness ?? undefined;
  const name = (op: number) => {
    const bar = operations.get(op);
    if (!bar) return `op ${op}`;
    return `op ${op} p${bar.p} ${bar.f}${bar.key !== undefined ? ` ${JSON.stringify(bar.key)}` : ''}${bar.invokeValue === null || bar.invokeValue === undefined ? '' : ` ${JSON.stringify(bar.invokeValue)}`} -> ${JSON.stringify(bar.returnValue ?? null)}`;
  };
  if (check.verdict === 'linearizable') {
    const order = witness?.linearization ?? (witness?.keys ? Object.values(witness.keys).flatMap((key) => key.linearization ?? []) : []);
    return { verdict: check.verdict, model, order, unplaced: [], explanation: `linearizable (${model ?? 'model?'}): ${order.length} operations took effect in the order numbered on their bars.` };
  }
  // Not linearizable (or unknown): per key for kv, where only the keys found not linearizable count.
  const parts: { key?: string; witness: Witness }[] = [];
  if (witness?.keys) {
    for (const [key, part] of Object.entries(witness.keys)) if (part.verdict === check.verdict && part.unplaced) parts.push({ key, witness: part });
  } else if (witness) parts.push({ witness });
  const unplaced = parts.flatMap((part) => part.witness.unplaced ?? []);
  const order = parts.flatMap((part) => part.witness.prefix ?? []);
  const lines = parts.map((part) => {
    const prefix = part.witness.prefix ?? [];
    const tail = prefix.slice(-4).map(name).join('; ');
    return (
      `${part.key !== undefined ? `key ${JSON.stringify(part.key)}: ` : ''}the longest linearizable prefix found has ${prefix.length} operations, leaving the state ${JSON.stringify(part.witness.state ?? null)}, ` +
      `and none of these can take effect next: ${(part.witness.unplaced ?? []).map(name).join('; ')}` +
      (prefix.length > 0 ? `. The prefix ends with: ${tail}` : '')
    );
  });
  const head = check.verdict === 'not-linearizable' ? `NOT linearizable (${model ?? 'model?'})` : `${check.verdict} (${model ?? 'model?'}): the search's best prefix so far`;
  return { verdict: check.verdict, model, order, unplaced, explanation: lines.length > 0 ? `${head}: ${lines.join('\n')}` : head };
}
