import type { Operation } from './history.js';
import type { Model } from './model.js';

/**
 * The definition of linearizability, executed literally, for testing the real
 * checker on small histories: try every order of the operations in which each
 * operation comes after all those that returned before it was called, and
 * accept if one of them is legal for the model from its initial state. Failed
 * operations are left out; unknown outcomes may be placed or not. No
 * memoization, no pruning beyond stopping at an illegal step — exponential,
 * and independent of the search it checks.
 */
export function bruteForceLinearizable(model: Model, operations: readonly Operation[]): boolean {
  const candidates = operations.filter((operation) => operation.outcome !== 'fail');
  const calls = candidates.map((operation) => {
    const prepared = model.prepare(operation);
    if (typeof prepared === 'string') throw new Error(prepared);
    return prepared.call;
  });
  const placed = new Array<boolean>(candidates.length).fill(false);
  const knownTotal = candidates.filter((operation) => operation.outcome === 'ok').length;

  const extend = (state: unknown, knownPlaced: number): boolean => {
    if (knownPlaced === knownTotal) return true;
    for (let index = 0; index < candidates.length; index++) {
      if (placed[index]) continue;
      const operation = candidates[index];
      const mustWait = candidates.some((other, otherIndex) => !placed[otherIndex] && other.returned < operation.called);
      if (mustWait) continue;
      const after = model.step(state, calls[index]);
      if (after === undefined) continue;
      placed[index] = true;
      const found = extend(after, knownPlaced + (operation.outcome === 'ok' ? 1 : 0));
      placed[index] = false;
      if (found) return true;
    }
    return false;
  };
  return extend(model.init(), 0);
}

/**
 * A keyed model as one object over all keys (state: key -> state), so that
 * the brute force does not rely on checking keys separately — the property
 * under test.
 */
export function wholeStore(model: Model): Model {
  if (!model.keyed) return model;
  type Store = ReadonlyMap<string, unknown>;
  return {
    name: `${model.name} (whole store)`,
    summary: model.summary,
    functions: model.functions,
    keyed: false,
    prepare(operation) {
      const prepared = model.prepare(operation);
      if (typeof prepared === 'string') return prepared;
      // Effects and observations name the key: a put of "y" to one key is no twin of a put of "y" to another.
      const key = operation.key as string;
      return {
        ...prepared,
        call: { key, call: prepared.call },
        effect: `${JSON.stringify(key)} ${prepared.effect}`,
        ...(prepared.observation === undefined ? {} : { observation: `${JSON.stringify(key)} ${prepared.observation}` }),
      };
    },
    init: () => new Map<string, unknown>(),
    step(state, wrapped) {
      const { key, call } = wrapped as { key: string; call: unknown };
      const store = state as Store;
      const after = model.step(store.has(key) ? store.get(key) : model.init(), call);
      if (after === undefined) return undefined;
      return new Map(store).set(key, after);
    },
    stateKey: (state) => JSON.stringify([...(state as Store)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => [key, model.stateKey(value)])),
    describeState: (state) => Object.fromEntries([...(state as Store)].map(([key, value]) => [key, model.describeState(value)])),
  };
}
