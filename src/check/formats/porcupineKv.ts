import { HistoryError, type EventType, type HistoryEvent } from '../history.js';
import { numberedLines } from './lines.js';

/**
 * Porcupine's kv histories: one EDN map per line,
 * `{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}`.
 * Only the subset those files use is read — keywords, strings, integers and
 * nil as values — and anything else is bad input.
 */
export function parsePorcupineKv(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    // The files' own layout, read directly (the general reader below is several times slower).
    const usual = usualLine.exec(content);
    if (usual) {
      const [, process, type, f, key, value] = usual;
      events.push({ process: Number(process), type: type as EventType, f, key, value: value === undefined ? null : value, line });
      continue;
    }
    const map = ednMap(content, line);
    const process = map.get(':process');
    const type = map.get(':type');
    const f = map.get(':f');
    const key = map.get(':key');
    const value = map.has(':value') ? map.get(':value') : null;
    if (typeof process !== 'number') throw new HistoryError(line, ':process must be an integer');
    if (!(type instanceof Keyword) || !['invoke', 'ok', 'fail', 'info'].includes(type.name)) throw new HistoryError(line, ':type must be :invoke, :ok, :fail or :info');
    if (!(f instanceof Keyword)) throw new HistoryError(line, ':f must be a keyword such as :get');
    if (key !== undefined && typeof key !== 'string') throw new HistoryError(line, ':key must be a string');
    if (value instanceof Keyword) throw new HistoryError(line, `:value must be a string, an integer or nil, got :${value.name}`);
    events.push({ process, type: type.name as EventType, f: f.name, ...(key === undefined ? {} : { key }), value, line });
  }
  return events;
}

const usualLine = /^\{:process (\d+), :type :(invoke|ok|fail|info), :f :([a-z]+), :key "([^"\\]*)", :value (?:nil|"([^"\\]*)")\}$/;

class Keyword {
  constructor(readonly name: string) {}
}

type EdnValue = Keyword | string | number | null;

const token = /\s*(?:,\s*)*(?:(\{)|(\})|:([A-Za-z_*!?+<>=/.-][\w*!?+<>=/.-]*)|"((?:[^"\\]|\\.)*)"|(-?\d+)(?![\w.])|(nil)(?![\w-]))/y;

function ednMap(text: string, line: number): Map<string, EdnValue> {
  const tokens: { kind: 'open' | 'close' | 'value'; value?: EdnValue }[] = [];
  token.lastIndex = 0;
  let at = 0;
  while (text.slice(at).trim() !== '') {
    token.lastIndex = at;
    const match = token.exec(text);
    if (!match) throw new HistoryError(line, `cannot read EDN at column ${at + 1}: ${JSON.stringify(text.slice(at, at + 20))}`);
    at = token.lastIndex;
    if (match[1]) tokens.push({ kind: 'open' });
    else if (match[2]) tokens.push({ kind: 'close' });
    else if (match[3] !== undefined) tokens.push({ kind: 'value', value: new Keyword(match[3]) });
    else if (match[4] !== undefined) tokens.push({ kind: 'value', value: unescape(match[4], line) });
    else if (match[5] !== undefined) tokens.push({ kind: 'value', value: Number(match[5]) });
    else tokens.push({ kind: 'value', value: null });
  }
  if (tokens[0]?.kind !== 'open' || tokens[tokens.length - 1]?.kind !== 'close') throw new HistoryError(line, 'expected one EDN map {...}');
  const inner = tokens.slice(1, -1);
  if (inner.some((part) => part.kind !== 'value') || inner.length % 2 !== 0) throw new HistoryError(line, 'expected a flat EDN map of :keyword value pairs');
  const map = new Map<string, EdnValue>();
  for (let index = 0; index < inner.length; index += 2) {
    const name = inner[index].value;
    if (!(name instanceof Keyword)) throw new HistoryError(line, 'map keys must be keywords');
    if (map.has(`:${name.name}`)) throw new HistoryError(line, `:${name.name} appears twice`);
    map.set(`:${name.name}`, inner[index + 1].value as EdnValue);
  }
  return map;
}

function unescape(body: string, line: number): string {
  return body.replace(/\\(.)/g, (_, character: string) => {
    const replaced = ({ n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' } as Record<string, string>)[character];
    if (replaced === undefined) throw new HistoryError(line, `unsupported string escape \\${character}`);
    return replaced;
  });
}
