import { HistoryError, type EventType } from '../history.js';
import { canonicalJson } from '../values.js';
import { EdnMap, EdnSet, EdnSymbol, Keyword, Tagged, ednText, readEdnForms, type EdnValue } from './edn.js';
import type { TimedEvent } from './timedEvent.js';

const eventTypes: readonly string[] = ['invoke', 'ok', 'fail', 'info'];

/**
 * Jepsen histories in EDN: operation maps such as
 * `{:process 0, :type :invoke, :f :cas, :value [3 4], :time 1234}`, one per
 * line — written one after another (Jepsen's history.edn), inside one vector
 * (Knossos' test data), or as records (`#jepsen.history.Op{…}`). The
 * nemesis's operations (`:process :nemesis`) are faults, not client calls, and
 * are skipped. Other keys (`:index`, `:error`, `:node`) are ignored.
 *
 * Operations are named by their line (witnesses, messages), so two on one
 * line are refused rather than confused.
 */
export function parseJepsenEdn(text: string): TimedEvent[] {
  const events: TimedEvent[] = [];
  let previousLine = 0;
  for (const { value: form, line } of readEdnForms(text, { spread: true })) {
    const map = form instanceof Tagged && form.value instanceof EdnMap ? form.value : form;
    if (!(map instanceof EdnMap)) throw new HistoryError(line, `expected an operation map {:process …, :type …, :f …, :value …}, got ${shortText(map)}`);
    const process = map.get(':process');
    if (process instanceof Keyword && process.name === 'nemesis') continue;
    if (line === previousLine) throw new HistoryError(line, 'two operations on one line: operations are named by their line, so put one per line');
    previousLine = line;
    events.push(operationEvent(map, line));
  }
  return events;
}

function operationEvent(map: EdnMap, line: number): TimedEvent {
  const process = map.get(':process');
  const type = map.get(':type');
  const f = map.get(':f');
  const key = map.get(':key');
  const time = map.get(':time');
  if (typeof process !== 'number' || !Number.isSafeInteger(process)) throw new HistoryError(line, `:process must be an integer (or :nemesis, skipped), got ${shortText(process)}`);
  if (!(type instanceof Keyword) || !eventTypes.includes(type.name)) throw new HistoryError(line, `:type must be :invoke, :ok, :fail or :info, got ${shortText(type)}`);
  if (!(f instanceof Keyword)) throw new HistoryError(line, `:f must be a keyword such as :read, got ${shortText(f)}`);
  if (key !== undefined && typeof key !== 'string') throw new HistoryError(line, `:key must be a string, got ${shortText(key)}`);
  if (time !== undefined && typeof time !== 'number') throw new HistoryError(line, `:time must be a number, got ${shortText(time)}`);
  return {
    process,
    type: type.name as EventType,
    f: f.name,
    ...(key === undefined ? {} : { key }),
    value: map.has(':value') ? jsonValue(map.get(':value') as EdnValue) : null,
    line,
    ...(time === undefined ? {} : { time }),
  };
}

function shortText(value: EdnValue | undefined): string {
  if (value === undefined) return 'nothing';
  const text = ednText(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * The checker compares values as JSON, so an EDN value becomes the JSON value
 * that is equal exactly when the EDN values are: nil is null; vectors and
 * lists are arrays (`[3 4]` is a cas from 3 to 4); a keyword is its text with
 * the colon (`":timed-out"`, so it never equals the string "timed-out"); a
 * symbol is its name; a map is an object keyed by the keys' printed forms
 * (`{:a 1}` is `{":a": 1}`); a set is `{"#{}": [elements]}` with its
 * elements in a fixed order; a tagged element is `{"#tag": value}`.
 */
export function jsonValue(value: EdnValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value instanceof Keyword) return value.text;
  if (value instanceof EdnSymbol) return value.name;
  if (value instanceof EdnMap) {
    const object: Record<string, unknown> = {};
    for (const [text, entry] of value.entries) object[text] = jsonValue(entry.value);
    return object;
  }
  if (value instanceof EdnSet) {
    const elements = value.elements.map(jsonValue);
    const keyed = elements.map((element) => ({ element, key: canonicalJson(element) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { '#{}': keyed.map(({ element }) => element) };
  }
  return { [`#${value.tag}`]: jsonValue(value.value) };
}
