import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryError } from '../history.js';
import { EdnMap, EdnSet, EdnSymbol, Keyword, Tagged, ednText, readEdnForms, type EdnValue } from './edn.js';

function read(text: string): EdnValue[] {
  return [...readEdnForms(text)].map((form) => form.value);
}

function one(text: string): EdnValue {
  const values = read(text);
  assert.equal(values.length, 1, `one form in ${text}`);
  return values[0];
}

function rejects(text: string, line: number, message: RegExp): void {
  assert.throws(
    () => read(text),
    (error: unknown) => error instanceof HistoryError && error.line === line && message.test(error.message),
    `expected line ${line}: ${message.source} for ${JSON.stringify(text)}`,
  );
}

describe('EDN reader', () => {
  it('reads scalars: nil, booleans, integers (negative, N), decimals, strings with escapes, characters', () => {
    assert.deepEqual(read('nil true false 0 -7 +3 42N -1.5 2e3 "a\\"b\\\\c\\n\\u00e9"'), [null, true, false, 0, -7, 3, 42, -1.5, 2000, 'a"b\\c\né']);
    assert.deepEqual(read('\\a \\newline \\space \\u0041 \\('), ['a', '\n', ' ', 'A', '(']);
  });

  it('reads keywords and symbols, namespaced or not', () => {
    const [timedOut, op, symbol, minus] = read(':timed-out :jepsen.history/op foo.bar/baz? -');
    assert.ok(timedOut instanceof Keyword && timedOut.name === 'timed-out');
    assert.ok(op instanceof Keyword && op.name === 'jepsen.history/op');
    assert.ok(symbol instanceof EdnSymbol && symbol.name === 'foo.bar/baz?');
    assert.ok(minus instanceof EdnSymbol && minus.name === '-');
  });

  it('reads vectors, lists, nested ones (a txn), maps by key, and sets', () => {
    assert.deepEqual(one('[3 4]'), [3, 4]);
    assert.deepEqual(one('(1 (2 [3]))'), [1, [2, [3]]]);
    const txn = one('[[:append 1 2] [:r 2 nil]]') as EdnValue[][];
    assert.equal(ednText(txn), '[[:append 1 2] [:r 2 nil]]');
    const map = one('{:f :cas, :value [3 4], "k" {1 2}}');
    assert.ok(map instanceof EdnMap);
    assert.deepEqual(map.get(':value'), [3, 4]);
    assert.ok(map.get('"k"') instanceof EdnMap);
    assert.equal(map.get(':missing'), undefined);
    const set = one('#{1 :a "b"}');
    assert.ok(set instanceof EdnSet);
    assert.equal(set.elements.length, 3);
    assert.equal(ednText(one('#{3 1 2}')), ednText(one('#{2 3 1}')), 'sets print the same in any order');
    assert.equal(ednText(one('{:b 1 :a 2}')), ednText(one('{:a 2 :b 1}')), 'maps print the same in any order');
  });

  it('treats commas as whitespace and skips comments and discarded forms', () => {
    assert.deepEqual(read(',,1 ,2; a comment [ not read\n#_ [ignored (nested)] 3 ; last'), [1, 2, 3]);
  });

  it('reads tagged elements, records included', () => {
    const instant = one('#inst "2017-01-01T00:00:00Z"');
    assert.ok(instant instanceof Tagged && instant.tag === 'inst' && instant.value === '2017-01-01T00:00:00Z');
    const record = one('#jepsen.history.Op{:index 0, :type :invoke}');
    assert.ok(record instanceof Tagged && record.tag === 'jepsen.history.Op' && record.value instanceof EdnMap);
  });

  it('gives each top-level form its line, and with spread each element of a top-level vector', () => {
    assert.deepEqual(
      [...readEdnForms('1\n\n[2\n 3]')].map((form) => form.line),
      [1, 3],
    );
    assert.deepEqual(
      [...readEdnForms('[{:a 1}\n {:a 2}\n ; between\n {:a\n 3}]\n{:a 4}', { spread: true })].map((form) => [form.line, ednText(form.value)]),
      [
        [1, '{:a 1}'],
        [2, '{:a 2}'],
        [4, '{:a 3}'],
        [6, '{:a 4}'],
      ],
    );
  });

  it('refuses what it cannot read exactly, naming the line', () => {
    rejects('[1 2', 1, /opened on line 1 is never closed/);
    rejects('1\n{:a 1 :b}', 2, /key and value pairs/);
    rejects('{:a 1 :a 2}', 1, /:a appears twice/);
    rejects('#{1 1}', 1, /set element 1 appears twice/);
    rejects('\n]', 2, /unexpected '\]'/);
    rejects('"open', 1, /never closed/);
    rejects('"\\q"', 1, /unsupported string escape/);
    rejects('9007199254740993', 1, /too large to compare exactly/);
    rejects('1/2', 1, /unsupported number/);
    rejects('12abc', 1, /unsupported number/);
    rejects('#?(:clj 1)', 1, /unsupported dispatch/);
    rejects('\\bogus', 1, /unknown character/);
    rejects(': x', 1, /bad keyword/);
    rejects('[1 #_]', 1, /unexpected '\]'/);
  });
});
