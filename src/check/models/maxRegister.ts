import type { Model } from '../model.js';
import { canonicalJson } from '../values.js';
import { keyless, sameValue, unknownFunction } from './checks.js';

/**
 * A max register: write(v) with a number v; a read returns the largest value
 * written so far, or null before any write (SWARM's building block).
 */
export interface MaxRegisterCall {
  readonly read: boolean;
  /** read: the result (null = nothing written yet); write: the value. */
  readonly value: number | null;
  readonly known: boolean;
}

const functions = ['read', 'write'] as const;

export const maxRegister: Model<number | null, MaxRegisterCall> = {
  name: 'max-register',
  summary: 'max register: write(number), read returns the largest value written so far, initially null',
  functions,
  keyed: false,
  prepare(operation) {
    const problem = keyless('max-register', operation) ?? unknownFunction('max-register', functions, operation);
    if (problem) return problem;
    const known = operation.outcome === 'ok';
    if (operation.f === 'read') {
      const result = known ? operation.output : null;
      if (result !== null && (typeof result !== 'number' || !Number.isFinite(result))) return `a max-register read returns a number or null, got ${canonicalJson(result)}`;
      return { call: { read: true, value: result, known }, mutates: false, effect: 'read', observation: String(result) };
    }
    if (typeof operation.input !== 'number' || !Number.isFinite(operation.input)) return `a max-register write takes a number, got ${canonicalJson(operation.input)}`;
    const mismatch = sameValue(operation);
    if (mismatch) return mismatch;
    return { call: { read: false, value: operation.input, known }, mutates: true, effect: `write ${operation.input}` };
  },
  init: () => null,
  step(state, call) {
    if (call.read) return !call.known || call.value === state ? state : undefined;
    return state === null || (call.value as number) > state ? call.value : state;
  },
  stateKey: (state) => state,
  describeState: (state) => state,
  reach: {
    // Writes only ever raise the register.
    grows: (state, read) => state === null || (read.value !== null && state <= read.value),
    leadsTo: () => false,
  },
};
