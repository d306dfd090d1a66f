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

/**
 * Parses a whole-number option, or throws a UsageError that names the option,
 * says in words what it accepts and quotes what it got.
 */
export function integerOption(name: string, raw: string | undefined, fallback: number, minimum = 0, maximum = Number.MAX_SAFE_INTEGER, unit?: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < minimum || value > maximum) {
    throw new UsageError(`--${name}: expected ${wholeNumberRange(minimum, maximum, unit)}, got ${quotedValue(raw)}`);
  }
  return value;
}

/** The values a number option accepts: at least `minimum`, or strictly `above` a bound; at most `maximum`. */
export interface NumberRange {
  readonly minimum?: number;
  readonly above?: number;
  readonly maximum?: number;
  /** What the number counts, in words ("time units", "seconds"). */
  readonly unit?: string;
}

/** Parses a finite number option (a bare number as the range means "at least that"). */
export function numberOption(name: string, raw: string | undefined, fallback: number, range: number | NumberRange = 0): number {
  if (raw === undefined) return fallback;
  const bounds: NumberRange = typeof range === 'number' ? { minimum: range } : range;
  const value = Number(raw);
  const tooLow = bounds.above !== undefined ? !(value > bounds.above) : value < (bounds.minimum ?? -Infinity);
  if (raw.trim() === '' || !Number.isFinite(value) || tooLow || (bounds.maximum !== undefined && value > bounds.maximum)) {
    throw new UsageError(`--${name}: expected ${numberRange(bounds)}, got ${quotedValue(raw)}`);
  }
  return value;
}

/** A range of whole numbers in words: "a whole number from 1 to 1,024", "a whole number of milliseconds, 1 or more". */
export function wholeNumberRange(minimum: number, maximum: number, unit?: string): string {
  const noun = `a whole number${unit ? ` of ${unit}` : ''}`;
  if (maximum >= Number.MAX_SAFE_INTEGER) return `${noun}, ${inWords(minimum)} or more`;
  return `${noun} from ${inWords(minimum)} to ${inWords(maximum)}`;
}

/** A range of numbers in words: "a positive number of time units", "a number above 0 and at most 1". */
export function numberRange(range: NumberRange): string {
  const noun = `a number${range.unit ? ` of ${range.unit}` : ''}`;
  if (range.above === 0 && range.maximum === undefined) return `a positive number${range.unit ? ` of ${range.unit}` : ''}`;
  const lower = range.above !== undefined ? `above ${inWords(range.above)}` : range.minimum !== undefined ? `${inWords(range.minimum)} or more` : undefined;
  if (range.maximum === undefined) return lower === undefined ? noun : `${noun}, ${lower}`;
  if (range.above !== undefined) return `${noun} above ${inWords(range.above)} and at most ${inWords(range.maximum)}`;
  if (range.minimum !== undefined) return `${noun} from ${inWords(range.minimum)} to ${inWords(range.maximum)}`;
  return `${noun}, at most ${inWords(range.maximum)}`;
}

function inWords(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** What the user typed, quoted when it is not a plain number (so that an empty or spaced value shows). */
function quotedValue(raw: string): string {
  return /^-?[\d.]+(e[+-]?\d+)?$/i.test(raw) ? raw : `'${raw}'`;
}

/** Checks that a string option is one of the accepted choices. */
export function choiceOption<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name}: unknown value '${raw}' (accepted: ${choices.join(', ')})`);
  return raw as T;
}
