import type { Model } from '../model.js';
import { canonicalJson, keyValue, valueKey, type ValueKey } from '../values.js';
import { keyless, unknownFunction } from './checks.js';

/**
 * A replicated log: append(v) adds v at the end and returns its index
 * (0-based); read returns the whole log at that moment, which is a prefix of
 * every later log. An append's ok value is the index (or null when the index
 * is not reported).
 *
 * A state is a persistent list (each append points at the log before it), so
 * a step costs O(1) apart from building the state's key.
 */
export interface LogState {
  readonly length: number;
  readonly entry: ValueKey;
  readonly before: LogState | undefined;
  /** The entries' canonical JSON joined by commas: equal iff the logs are equal. */
  readonly key: string;
}

export interface LogCall {
  readonly append: boolean;
  /** append: the entry's key; its canonical JSON (for state keys). */
  readonly entry: ValueKey;
  readonly entryJson: string;
  /** append: the index returned, or -1 if none; read: unused. */
  readonly index: number;
  /** read: the key of the log it returned. */
  readonly readKey: string;
  readonly known: boolean;
}

const empty: LogState = { length: 0, entry: null, before: undefined, key: '' };
const functions = ['append', 'read'] as const;

export const log: Model<LogState, LogCall> = {
  name: 'log',
  summary: 'replicated log: append(v) returns its 0-based index, read returns the whole log (a list)',
  functions,
  keyed: false,
  prepare(operation) {
    const problem = keyless('log', operation) ?? unknownFunction('log', functions, operation);
    if (problem) return problem;
    const known = operation.outcome === 'ok';
    if (operation.f === 'read') {
      const result = known ? operation.output : [];
      if (!Array.isArray(result)) return `a log read returns a list, got ${canonicalJson(result)}`;
      return { call: { append: false, entry: null, entryJson: '', index: -1, readKey: result.map(canonicalJson).join(','), known }, mutates: false, effect: 'read', observation: `[${result.map(canonicalJson).join(',')}]` };
    }
    const index = known ? operation.output : null;
    if (index !== null && index !== undefined && !(Number.isSafeInteger(index) && (index as number) >= 0)) {
      return `an append returns its index (an integer >= 0) or null, got ${canonicalJson(index)}`;
    }
    const entryJson = canonicalJson(operation.input);
    return {
      call: { append: true, entry: valueKey(operation.input), entryJson, index: typeof index === 'number' ? index : -1, readKey: '', known },
      mutates: true,
      effect: `append ${entryJson}`,
    };
  },
  init: () => empty,
  step(state, call) {
    if (!call.append) return !call.known || call.readKey === state.key ? state : undefined;
    if (call.known && call.index >= 0 && call.index !== state.length) return undefined;
    const key = state.length === 0 ? call.entryJson : `${state.key},${call.entryJson}`;
    return { length: state.length + 1, entry: call.entry, before: state, key };
  },
  stateKey: (state) => state.key,
  reach: {
    // Appends only extend the log, so the log must already be a prefix of what the read returned.
    grows: (state, read) => state.length === 0 || read.readKey === state.key || read.readKey.startsWith(`${state.key},`),
    leadsTo: () => false,
  },
  describeState(state) {
    const entries: unknown[] = [];
    for (let at: LogState | undefined = state; at && at.length > 0; at = at.before) entries.push(keyValue(at.entry));
    return entries.reverse();
  },
};
