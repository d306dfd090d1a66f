import type { Operation } from '../history.js';
import type { Model, PreparedCall } from '../model.js';
import { canonicalJson, keyValue, valueKey, type ValueKey } from '../values.js';
import { keyless, sameValue, unknownFunction } from './checks.js';

/**
 * A read/write register, optionally with compare-and-set. It starts empty
 * (null). A read returns the last value written; `cas [expected, new]`
 * succeeds (ok) only if the register holds `expected`, and then writes `new`.
 *
 * A failed operation never reaches the model (it had no effect), so a failed
 * cas says nothing about the compare: for a store such as etcd a failed cas
 * may also be a timeout that did not apply, and dropping it is always exact.
 */
const enum Code {
  read,
  write,
  cas,
}

export interface RegisterCall {
  readonly code: Code;
  /** read: the result; write: the value; cas: the expected value. */
  readonly first: ValueKey;
  /** cas: the new value. */
  readonly second: ValueKey;
  /** Whether the outcome is known (`ok`); an unknown read was dropped, an unknown write/cas may or may not apply. */
  readonly known: boolean;
}

function prepareRegister(name: string, functions: readonly string[], operation: Operation): PreparedCall<RegisterCall> | string {
  const problem = keyless(name, operation) ?? unknownFunction(name, functions, operation);
  if (problem) return problem;
  const known = operation.outcome === 'ok';
  switch (operation.f) {
    case 'read':
      const result = known ? operation.output : null;
      return { call: { code: Code.read, first: valueKey(result), second: null, known }, mutates: false, effect: 'read', observation: canonicalJson(result) };
    case 'write': {
      const mismatch = sameValue(operation);
      if (mismatch) return mismatch;
      return { call: { code: Code.write, first: valueKey(operation.input), second: null, known }, mutates: true, effect: `write ${canonicalJson(operation.input)}` };
    }
    default: {
      const pair = operation.input;
      if (!Array.isArray(pair) || pair.length !== 2) return `a cas value must be [expected, new], got ${canonicalJson(pair)}`;
      const mismatch = sameValue(operation);
      if (mismatch) return mismatch;
      return { call: { code: Code.cas, first: valueKey(pair[0]), second: valueKey(pair[1]), known }, mutates: true, effect: `cas ${canonicalJson(pair)}` };
    }
  }
}

function stepRegister(state: ValueKey, call: RegisterCall): ValueKey | undefined {
  switch (call.code) {
    case Code.read:
      return !call.known || call.first === state ? state : undefined;
    case Code.write:
      return call.first;
    default:
      if (call.first === state) return call.second;
      // A cas whose outcome is unknown and whose compare fails here simply did nothing.
      return call.known ? undefined : state;
  }
}

function registerModel(name: string, functions: readonly string[], summary: string): Model<ValueKey, RegisterCall> {
  return {
    name,
    summary,
    functions,
    keyed: false,
    prepare: (operation) => prepareRegister(name, functions, operation),
    init: () => null,
    step: stepRegister,
    stateKey: (state) => state,
    describeState: keyValue,
    reach: {
      // No call builds on the state: only a write or a cas can change it, and then to its value.
      grows: (state, read) => state === read.first,
      leadsTo: (call, read) => (call.code === Code.write ? call.first : call.code === Code.cas ? call.second : undefined) === read.first,
      // A read's observation is its result's canonical JSON.
      target: (call) => (call.code === Code.read ? undefined : canonicalJson(keyValue(call.code === Code.write ? call.first : call.second))),
    },
  };
}

export const register = registerModel('register', ['read', 'write'], 'read/write register, initially null');
export const casRegister = registerModel('cas-register', ['read', 'write', 'cas'], 'read/write/compare-and-set register, initially null; cas value [expected, new]');
