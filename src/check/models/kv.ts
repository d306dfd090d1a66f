import type { Model } from '../model.js';
import { canonicalJson } from '../values.js';
import { sameValue, unknownFunction } from './checks.js';

/**
 * A key-value store of strings with get, put and append (Porcupine's kv
 * model). Every key starts as the empty string; append concatenates; a get
 * that returns null read the empty string. Keys are independent, so the
 * checker splits the history by key and this model's state is one key's value.
 */
const enum Code {
  get,
  put,
  append,
}

export interface KvCall {
  readonly code: Code;
  /** get: the result; put/append: the argument. */
  readonly text: string;
  readonly known: boolean;
}

const functions = ['get', 'put', 'append'] as const;

export const kv: Model<string, KvCall> = {
  name: 'kv',
  summary: 'key-value store of strings: get/put/append per key, keys start as ""; checked per key',
  functions,
  keyed: true,
  prepare(operation) {
    const problem = unknownFunction('kv', functions, operation);
    if (problem) return problem;
    if (typeof operation.key !== 'string') return `a kv ${operation.f} needs a string key, got ${canonicalJson(operation.key ?? null)}`;
    const known = operation.outcome === 'ok';
    if (operation.f === 'get') {
      const result = known ? operation.output : null;
      if (result !== null && typeof result !== 'string') return `a get returns a string or null, got ${canonicalJson(result)}`;
      return { call: { code: Code.get, text: result ?? '', known }, mutates: false, effect: 'get', observation: JSON.stringify(result ?? '') };
    }
    if (typeof operation.input !== 'string') return `a kv ${operation.f} takes a string, got ${canonicalJson(operation.input)}`;
    const mismatch = sameValue(operation);
    if (mismatch) return mismatch;
    const code = operation.f === 'put' ? Code.put : Code.append;
    return { call: { code, text: operation.input, known }, mutates: true, effect: `${operation.f} ${JSON.stringify(operation.input)}` };
  },
  init: () => '',
  step(state, call) {
    switch (call.code) {
      case Code.get:
        return !call.known || call.text === state ? state : undefined;
      case Code.put:
        return call.text;
      default:
        return state + call.text;
    }
  },
  stateKey: (state) => state,
  describeState: (state) => state,
  reach: {
    // Appends only extend the value; a put replaces it, and appends may follow.
    grows: (state, get) => get.text.startsWith(state),
    leadsTo: (call, get) => call.code === Code.put && get.text.startsWith(call.text),
    prefix: { setsTo: (call) => (call.code === Code.put ? call.text : undefined), readsAs: (get) => get.text },
  },
};
