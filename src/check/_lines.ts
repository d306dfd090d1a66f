import { checkLinearizability, type CheckResult } from './linearizability.js';
import { models } from './models/index.js';
import { readHistory } from './readHistory.js';

/**
 * Test shorthand for a history in mnm's format: one event per line,
 * `P type f [value]` (value as JSON), with `key=K` before the value for kv.
 * E.g. `0 invoke write 1`, `1 ok read null`, `2 invoke get key=a null`.
 */
export function history(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [process, type, f, ...rest] = line.trim().split(/\s+/);
      let key: string | undefined;
      if (rest[0]?.startsWith('key=')) key = (rest.shift() as string).slice(4);
      const value = rest.length > 0 ? JSON.parse(rest.join(' ')) : null;
      return JSON.stringify({ process: Number(process), type, f, ...(key === undefined ? {} : { key }), value });
    })
    .join('\n');
}

/** Checks a shorthand history against a model. */
export function check(model: string, text: string): CheckResult {
  return checkLinearizability(readHistory(history(text), 'mnm').operations, models[model]);
}
