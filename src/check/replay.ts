import { outcomeUnknown, type Operation } from './history.js';
import type { Model } from './model.js';

/**
 * Verifies a claimed linearization independently of the search that found
 * it: every operation with a known outcome appears exactly once, unknown
 * outcomes at most once, failed ones never; the order respects real time
 * (an operation that returned before another was called comes first); and
 * replaying it against the model from the initial state is legal at every
 * step. Returns undefined if it holds, else what is wrong.
 */
export function replayLinearization(model: Model, operations: readonly Operation[], order: readonly Operation[]): string | undefined {
  const placed = new Set<Operation>();
  for (const operation of order) {
    if (!operations.includes(operation)) return `operation ${operation.id} is not in the history`;
    if (placed.has(operation)) return `operation ${operation.id} appears twice`;
    if (operation.outcome === 'fail') return `failed operation ${operation.id} took effect`;
    placed.add(operation);
  }
  for (const operation of operations) {
    if (operation.outcome === 'ok' && !placed.has(operation)) return `operation ${operation.id} (${operation.f}) is missing`;
  }
  // Real time: each operation must be called before every later one in the order returned.
  let earliestReturnAfter = Infinity;
  for (let position = order.length - 1; position >= 0; position--) {
    const operation = order[position];
    if (operation.called > earliestReturnAfter) return `operation ${operation.id} is placed after one that returned before it was called`;
    earliestReturnAfter = Math.min(earliestReturnAfter, operation.returned);
  }
  let state = model.init();
  for (const operation of order) {
    const prepared = model.prepare(operation);
    if (typeof prepared === 'string') return `operation ${operation.id}: ${prepared}`;
    const after = model.step(state, prepared.call);
    if (after === undefined) return `operation ${operation.id} (${operation.f}${outcomeUnknown(operation) ? ', unknown outcome' : ''}) is illegal in state ${JSON.stringify(model.describeState(state))}`;
    state = after;
  }
  return undefined;
}

/**
 * Verifies a not-linearizable witness: the prefix is a legal start of a
 * linearization (legal steps, real time respected, and no operation left out
 * that returned before a placed one was called), and each unplaced operation
 * cannot take effect in the state after it. Returns undefined if it holds.
 */
export function replayPrefix(model: Model, operations: readonly Operation[], prefix: readonly Operation[], unplaced: readonly Operation[]): string | undefined {
  const placed = new Set(prefix);
  if (placed.size !== prefix.length) return 'an operation appears twice in the prefix';
  let latestCall = -Infinity;
  for (const operation of prefix) latestCall = Math.max(latestCall, operation.called);
  for (const operation of operations) {
    if (!placed.has(operation) && operation.outcome !== 'fail' && operation.returned < latestCall) {
      return `operation ${operation.id} returned before a placed operation was called, but is not in the prefix`;
    }
  }
  let earliestReturnAfter = Infinity;
  for (let position = prefix.length - 1; position >= 0; position--) {
    if (prefix[position].called > earliestReturnAfter) return `operation ${prefix[position].id} is placed after one that returned before it was called`;
    earliestReturnAfter = Math.min(earliestReturnAfter, prefix[position].returned);
  }
  let state = model.init();
  for (const operation of prefix) {
    const prepared = model.prepare(operation);
    if (typeof prepared === 'string') return `operation ${operation.id}: ${prepared}`;
    const after = model.step(state, prepared.call);
    if (after === undefined) return `prefix operation ${operation.id} is illegal in state ${JSON.stringify(model.describeState(state))}`;
    state = after;
  }
  if (unplaced.length === 0) return 'no unplaced operation given';
  for (const operation of unplaced) {
    if (placed.has(operation)) return `unplaced operation ${operation.id} is in the prefix`;
    const prepared = model.prepare(operation);
    if (typeof prepared === 'string') return `operation ${operation.id}: ${prepared}`;
    if (model.step(state, prepared.call) !== undefined) return `unplaced operation ${operation.id} could take effect in state ${JSON.stringify(model.describeState(state))}`;
  }
  return undefined;
}
