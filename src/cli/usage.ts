/**
 * User errors: bad arguments or bad input. The CLI prints their one-line
 * message (what was wrong and what is accepted) and exits 2, with no stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes shared by every command (DEVELOPERS.md). */
export const exitCodes = {
  ok: 0,
  violated: 1,
  usage: 2,
  undecided: 3,
} as const;

/** Parses a non-negative integer option, or throws a UsageError naming the option. */
export function integerOption(name: string, raw: string | undefined, fallback: number, minimum = 0, maximum = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name}: '${raw}' is not an integer (accepted: ${minimum}..${maximum})`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    throw new UsageError(`--${name}: ${raw} is out of range (accepted: ${minimum}..${maximum})`);
  }
  return value;
}

/** Parses a positive finite number option. */
export function numberOption(name: string, raw: string | undefined, fallback: number, minimum = 0): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < minimum) {
    throw new UsageError(`--${name}: '${raw}' is not a number >= ${minimum}`);
  }
  return value;
}

/** Checks that a string option is one of the accepted choices. */
export function choiceOption<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name}: unknown value '${raw}' (accepted: ${choices.join(', ')})`);
  return raw as T;
}
