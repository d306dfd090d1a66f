/**
 * Values in histories are JSON. Models compare them often (a read's result
 * against the register), so each value is turned once into a primitive key
 * where equal keys mean equal values, and `===` or a Map does the comparing.
 *
 * Numbers, strings, booleans and null are their own keys. Arrays and objects
 * become "\u0000" + canonical JSON (object keys sorted). A string that itself
 * starts with "\u0000" gets one more "\u0000" in front, so no string can pose
 * as an array or object: canonical JSON never starts with "\u0000".
 */
export type ValueKey = string | number | boolean | null;

const marker = '\u0000';

export function valueKey(value: unknown): ValueKey {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.startsWith(marker) ? marker + value : value;
  return marker + canonicalJson(value);
}

/** The value a key stands for (for describing states to people). */
export function keyValue(key: ValueKey): unknown {
  if (typeof key !== 'string' || !key.startsWith(marker)) return key;
  return key.startsWith(marker + marker) ? key.slice(1) : JSON.parse(key.slice(1));
}

/** JSON with object keys in sorted order, so that equal values print equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`not a JSON value: ${String(value)}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name])}`);
  return `{${entries.join(',')}}`;
}

/** A short human rendering of a value: JSON, with null as "null". */
export function showValue(value: unknown): string {
  return value === undefined ? '?' : canonicalJson(value);
}
