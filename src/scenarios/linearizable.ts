import type { HistoryEvent } from '../fabric/index.js';
import { checkLinearizability, explainResult, models, pairOperations, type CheckResult } from '../check/index.js';

/** Checks a run's history for linearizability against one of the checker's models (`register`, `kv`, …). */
export function checkRunLinearizable(history: readonly HistoryEvent[], model: string): CheckResult & { explanation: string } {
  const chosen = models[model];
  if (!chosen) throw new Error(`no model '${model}' (accepted: ${Object.keys(models).join(', ')})`);
  const events = history.map((event, index) => ({
    process: event.process,
    type: event.type,
    f: event.f,
    ...(event.key === undefined ? {} : { key: event.key }),
    value: event.value,
    line: index + 1,
  }));
  const result = checkLinearizability(pairOperations(events), chosen);
  return { ...result, explanation: explainResult(result) };
}
