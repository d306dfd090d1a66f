import { HistoryError } from '../history.js';

/**
 * A reader for the EDN that Jepsen and Knossos write (edn-format.org): nil,
 * booleans, integers and floats (negative too), strings, characters,
 * keywords, symbols, lists, vectors, maps, sets `#{}`, tagged elements
 * (`#inst "…"`, records such as `#jepsen.history.Op{…}`), comments (`;`),
 * discards (`#_`) and commas as whitespace. Ratios, big decimals and
 * integers beyond 2^53 are refused rather than rounded: a history compares
 * values exactly.
 *
 * Values come back as: null, boolean, number, string (strings and
 * characters), `Keyword`, `EdnSymbol`, arrays (vectors and lists, equal in
 * EDN), `EdnMap`, `EdnSet` and `Tagged`.
 */
export type EdnValue = null | boolean | number | string | Keyword | EdnSymbol | EdnValue[] | EdnMap | EdnSet | Tagged;

export class Keyword {
  /** The printed form, `:name` (kept: it is how maps find their keyword keys). */
  readonly text: string;
  constructor(readonly name: string) {
    this.text = `:${name}`;
  }
}

export class EdnSymbol {
  constructor(readonly name: string) {}
}

/** A map; its keys are found by their printed form (`ednText`), so `get(':f')` finds the keyword `:f`. */
export class EdnMap {
  constructor(readonly entries: ReadonlyMap<string, { key: EdnValue; value: EdnValue }>) {}
  has(text: string): boolean {
    return this.entries.has(text);
  }
  get(text: string): EdnValue | undefined {
    return this.entries.get(text)?.value;
  }
}

export class EdnSet {
  constructor(readonly elements: readonly EdnValue[]) {}
}

export class Tagged {
  constructor(
    readonly tag: string,
    readonly value: EdnValue,
  ) {}
}

/** One top-level form and the line its first character is on. */
export interface EdnForm {
  readonly value: EdnValue;
  readonly line: number;
}

/**
 * Reads every top-level form of `text`, in order. With `spread`, a top-level
 * vector or list is taken apart and its elements come out as forms of their
 * own, each with its line (Knossos writes a history as one vector of
 * operations, one per line). Throws a HistoryError naming the line of
 * anything it cannot read.
 */
export function* readEdnForms(text: string, options: { spread?: boolean } = {}): Generator<EdnForm> {
  const reader = new EdnReader(text);
  for (;;) {
    reader.skipSpace();
    if (reader.atEnd()) return;
    const closer = options.spread ? reader.openCollection() : undefined;
    if (closer === undefined) {
      const line = reader.line;
      yield { value: reader.readForm(), line };
      continue;
    }
    const opened = reader.line;
    for (;;) {
      reader.skipSpace();
      if (reader.closeCollection(closer, opened)) break;
      const line = reader.line;
      yield { value: reader.readForm(), line };
    }
  }
}

/** The printed form of a value, canonical for maps and sets (entries sorted), so equal values print equally. */
export function ednText(value: EdnValue): string {
  if (value === null) return 'nil';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Keyword) return value.text;
  if (value instanceof EdnSymbol) return value.name;
  if (Array.isArray(value)) return `[${value.map(ednText).join(' ')}]`;
  if (value instanceof EdnMap) {
    const entries = [...value.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, entry]) => `${key} ${ednText(entry.value)}`);
    return `{${entries.join(', ')}}`;
  }
  if (value instanceof EdnSet) return `#{${value.elements.map(ednText).sort().join(' ')}}`;
  return `#${value.tag} ${ednText(value.value)}`;
}

const whitespace = new Set([' ', '\t', '\n', '\r', ',', '\f']);
const delimiters = new Set([...whitespace, '(', ')', '[', ']', '{', '}', '"', ';']);
/** A run of characters that are not delimiters (it may be empty). */
const tokenPattern = /[^ \t\n\r,\f()[\]{}";]*/y;
const integer = /^[+-]?\d+N?$/;
const float = /^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$/;
const symbolName = /^(?:[+-]|[+-]?[A-Za-z*!_?<>=&%$.'][\w*!_?<>=&%$.'+#:/-]*|\/)$/;
const characterNames: Record<string, string> = { newline: '\n', return: '\r', space: ' ', tab: '\t', formfeed: '\f', backspace: '\b' };
const stringEscapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' };
const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

class EdnReader {
  private at = 0;
  line = 1;
  /** One object per keyword: a history repeats a handful of them (:type, :invoke, :f, …) millions of times. */
  private readonly keywords = new Map<string, Keyword>();

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  skipSpace(): void {
    while (this.at < this.text.length) {
      const character = this.text[this.at];
      if (character === '\n') {
        this.line++;
        this.at++;
      } else if (whitespace.has(character)) this.at++;
      else if (character === ';') {
        while (this.at < this.text.length && this.text[this.at] !== '\n') this.at++;
      } else if (character === '#' && this.text[this.at + 1] === '_') {
        this.at += 2;
        this.readForm();
      } else return;
    }
  }

  /** Consumes a '[' or '(' here and returns its closer; anything else is left alone. */
  openCollection(): string | undefined {
    const closer = closers[this.text[this.at]];
    if (closer === undefined || closer === '}') return undefined;
    this.at++;
    return closer;
  }

  /** Whether the collection ends here (consuming its closer); fails at the end of the input. */
  closeCollection(closer: string, opened: number): boolean {
    if (this.atEnd()) this.fail(`a collection opened on line ${opened} is never closed (expected '${closer}')`);
    if (this.text[this.at] !== closer) return false;
    this.at++;
    return true;
  }

  private fail(message: string): never {
    throw new HistoryError(this.line, `EDN: ${message}`);
  }

  readForm(): EdnValue {
    this.skipSpace();
    if (this.atEnd()) this.fail('the input ends where a value was expected');
    const character = this.text[this.at];
    switch (character) {
      case '(':
      case '[':
        this.at++;
        return this.readElements(closers[character]);
      case '{':
        this.at++;
        return this.toMap(this.readElements('}'));
      case ')':
      case ']':
      case '}':
        this.fail(`unexpected '${character}'`);
      case '"':
        return this.readString();
      case '\\':
        return this.readCharacter();
      case '#':
        return this.readDispatch();
      default:
        return this.readAtom();
    }
  }

  private readElements(closer: string): EdnValue[] {
    const opened = this.line;
    const elements: EdnValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.closeCollection(closer, opened)) return elements;
      elements.push(this.readForm());
    }
  }

  private toMap(forms: EdnValue[]): EdnMap {
    if (forms.length % 2 !== 0) this.fail(`a map needs key and value pairs, but has ${forms.length} forms`);
    const entries = new Map<string, { key: EdnValue; value: EdnValue }>();
    for (let index = 0; index < forms.length; index += 2) {
      const text = ednText(forms[index]);
      if (entries.has(text)) this.fail(`map key ${text} appears twice`);
      entries.set(text, { key: forms[index], value: forms[index + 1] });
    }
    return new EdnMap(entries);
  }

  private readString(): string {
    let result = '';
    this.at++;
    for (;;) {
      if (this.atEnd()) this.fail('a string is never closed');
      const character = this.text[this.at++];
      if (character === '"') return result;
      if (character === '\n') this.line++;
      if (character !== '\\') {
        result += character;
        continue;
      }
      const escaped = this.text[this.at++];
      if (escaped === 'u') {
        const hex = this.text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad string escape \\u${hex}`);
        result += String.fromCharCode(parseInt(hex, 16));
        this.at += 4;
      } else if (escaped !== undefined && stringEscapes[escaped] !== undefined) result += stringEscapes[escaped];
      else this.fail(`unsupported string escape \\${escaped ?? ''}`);
    }
  }

  private readCharacter(): string {
    this.at++;
    if (this.atEnd()) this.fail('a character literal is empty');
    // A delimiter right after the backslash (`\(`, `\,`) is that character.
    if (delimiters.has(this.text[this.at])) {
      if (this.text[this.at] === '\n') this.line++;
      return this.text[this.at++];
    }
    const name = this.token();
    if (name.length === 1) return name;
    if (characterNames[name] !== undefined) return characterNames[name];
    if (/^u[0-9a-fA-F]{4}$/.test(name)) return String.fromCharCode(parseInt(name.slice(1), 16));
    this.fail(`unknown character \\${name}`);
  }

  private readDispatch(): EdnValue {
    const next = this.text[this.at + 1];
    if (next === '{') {
      this.at += 2;
      const elements = this.readElements('}');
      const seen = new Set<string>();
      for (const element of elements) {
        const text = ednText(element);
        if (seen.has(text)) this.fail(`set element ${text} appears twice`);
        seen.add(text);
      }
      return new EdnSet(elements);
    }
    this.at++;
    const tag = this.token();
    if (!/^[A-Za-z][\w.*!?+<>=/-]*$/.test(tag)) this.fail(`unsupported dispatch '#${tag}${tag === '' ? (next ?? '') : ''}'`);
    return new Tagged(tag, this.readForm());
  }

  /** The characters up to the next delimiter. */
  private token(): string {
    tokenPattern.lastIndex = this.at;
    const match = tokenPattern.exec(this.text) as RegExpExecArray;
    this.at = tokenPattern.lastIndex;
    return match[0];
  }

  private readAtom(): EdnValue {
    const token = this.token();
    // Keywords first: most atoms of a history are keywords (:type :invoke :f :read).
    if (token.startsWith(':')) {
      const known = this.keywords.get(token);
      if (known) return known;
      const name = token.slice(1);
      if (!symbolName.test(name) || name === '/') this.fail(`bad keyword ${token}`);
      const keyword = new Keyword(name);
      this.keywords.set(token, keyword);
      return keyword;
    }
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (/^[+-]?\d/.test(token)) {
      if (integer.test(token)) {
        const value = Number(token.endsWith('N') ? token.slice(0, -1) : token);
        if (!Number.isSafeInteger(value)) this.fail(`integer ${token} is too large to compare exactly`);
        return value;
      }
      if (float.test(token)) return Number(token);
      this.fail(`unsupported number ${token} (integers and decimals only)`);
    }
    if (symbolName.test(token)) return new EdnSymbol(token);
    this.fail(`cannot read ${JSON.stringify(token.slice(0, 20) || this.text[this.at])}`);
  }

}
