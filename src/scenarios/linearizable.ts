import type { HistoryEvent } from '../fabric/index.js';
import { checkLinearizability, explainResult, models, pairOperations, type CheckResult } from '../check/index.js';

/** Checks a run's history for linearizability against one of the checker's models (`register`, `kv`, …). */
export function checkRunLinearizable(history: readonly HistoryEvent[], model: string, matchBy: 'process' | 'op' = 'process'): CheckResult & { explanation: string } {
  const key = `${model}/${matchBy}`;
  const cached = checked.get(history)?.get(key);
  if (cached) return cached;
  const chosen = models[model];
  if (!chosen) throw new Error(`no model '${model}' (accepted: ${Object.keys(models).join(', ')})`);
  const events = history.map((event, index) => ({
    process: event.process,
    type: event.type,
    f: event.f,
    ...(event.key === undefined ? {} : { key: event.key }),
    value: event.value,
    ...(matchBy === 'op' ? { op: event.op } : {}),
    line: index + 1,
  }));
  const result = checkLinearizability(pairOperations(events, matchBy), chosen);
  const answer = { ...result, explanation: explainResult(result) };
  // A run's checks and its verdict ask for the same history: check it once.
  const byKey = checked.get(history) ?? new Map<string, CheckResult & { explanation: string }>();
  byKey.set(key, answer);
  checked.set(history, byKey);
  return answer;
}

const checked = new WeakMap<readonly HistoryEvent[], Map<string, CheckResult & { explanation: string }>>();

/** A run's linearizability verdict: true, false, or null when the checker could not decide. */
export function linearizableVerdict(history: readonly HistoryEvent[], model: string, matchBy: 'process' | 'op' = 'process'): boolean | null {
  const { verdict } = checkRunLinearizable(history, model, matchBy);
  return verdict === 'linearizable' ? true : verdict === 'not-linearizable' ? false : null;
}
