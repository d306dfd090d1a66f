import type { Operation } from '../history.js';
import { canonicalJson, valueKey } from '../values.js';

/** Validation shared by the models; each returns an error message or undefined. */

export function unknownFunction(model: string, functions: readonly string[], operation: Operation): string | undefined {
  if (functions.includes(operation.f)) return undefined;
  return `unknown function '${operation.f}' for model ${model} (accepted: ${functions.join(', ')})`;
}

export function keyless(model: string, operation: Operation): string | undefined {
  if (operation.key === undefined) return undefined;
  return `model ${model} has no keys, but this ${operation.f} has key ${JSON.stringify(operation.key)} (use --model kv)`;
}

/**
 * A write's return repeats its value. A different value would leave open which
 * one was written, so it is rejected rather than guessed; an absent (null)
 * return value is accepted.
 */
export function sameValue(operation: Operation): string | undefined {
  if (operation.outcome !== 'ok' || operation.output === null || operation.output === undefined) return undefined;
  if (valueKey(operation.output) === valueKey(operation.input)) return undefined;
  return `${operation.f} returned ${canonicalJson(operation.output)} but was called with ${canonicalJson(operation.input)}`;
}
