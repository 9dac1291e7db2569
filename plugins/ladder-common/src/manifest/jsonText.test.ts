import fc from 'fast-check';
import { positionOf, scanJsonText } from './jsonText';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function failure(text: string, maxDepth = 32) {
  const scan = scanJsonText(text, maxDepth);
  if (scan.ok) throw new Error(`expected ${JSON.stringify(text)} to fail`);
  return {
    line: scan.line,
    column: scan.column,
    message: scan.message,
    kind: scan.kind,
  };
}

describe('scanJsonText', () => {
  it('accepts exactly what JSON.parse accepts (random JSON, then random edits)', () => {
    const edit = fc
      .tuple(
        fc.json(),
        fc.nat(),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.constantFrom(
          ...'{}[],:"\\ \n0123456789-+.eEtrufalsn\'/x\u0000\u001f\u2028é😀'.split(
            '',
          ),
        ),
      )
      .map(([text, at, op, char]) => {
        const i = text.length === 0 ? 0 : at % text.length;
        if (op === 'insert') return text.slice(0, i) + char + text.slice(i);
        if (op === 'delete') return text.slice(0, i) + text.slice(i + 1);
        return text.slice(0, i) + char + text.slice(i + 1);
      });
    expect(
      fc.defaultReportMessage(
        fc.check(
          fc.property(fc.oneof(fc.json(), edit, fc.string()), text => {
            expect(scanJsonText(text, Number.POSITIVE_INFINITY).ok).toBe(
              parses(text),
            );
          }),
          { numRuns: 2000 },
        ),
      ),
    ).toBeUndefined();
  });

  it.each([
    ['{"a": 1,}', 1, 8, 'trailing comma before "}"'],
    ['[1, 2,\n]', 1, 6, 'trailing comma before "]"'],
    ['{\n  "a": 01\n}', 2, 9, 'invalid number (found "1" after "0")'],
    ['{"a": "x\ny"}', 1, 9, 'control character U+000A inside a string'],
    ['{"a": "\\q"}', 1, 8, 'invalid escape "\\\\q" in a string'],
    [
      '{"a": "\\u12"}',
      1,
      8,
      'invalid \\u escape in a string (needs 4 hex digits)',
    ],
    ['{"a": "open', 1, 7, 'a string is never closed'],
    ['{"a": tru}', 1, 7, 'found "t", expected a value'],
    ['{"a": 1} x', 1, 10, 'found "x", expected the end of the text'],
    ['{a: 1}', 1, 2, 'found "a", expected a property name in double quotes'],
    ['{"a" 1}', 1, 6, 'found "1", expected ":" after the key "a"'],
    ['[1 2]', 1, 4, 'found "2", expected "," or "]"'],
    ['', 1, 1, 'the text is empty'],
    ['\r\n\r\n  {"a": }', 3, 9, 'found "}", expected a value'],
  ])('reports %j at line %i, column %i: %s', (text, line, column, message) => {
    expect(failure(text)).toEqual({ line, column, message, kind: 'syntax' });
  });

  it('counts depth with the root as level 1', () => {
    expect(scanJsonText('[[[]]]', 3).ok).toBe(true);
    expect(failure('[[[[]]]]', 3)).toEqual({
      line: 1,
      column: 4,
      message: 'nesting is deeper than 3 levels',
      kind: 'depth',
    });
  });

  it('finds duplicate keys at any depth, also when spelt with escapes', () => {
    const scan = scanJsonText(
      '{"a": {"b": 1,\n "\\u0062": 2}, "c": [{"d": 1, "d": 2}]}',
      32,
    );
    expect(scan).toEqual({
      ok: true,
      duplicateKeys: [
        { path: ['a', 'b'], key: 'b', line: 2, column: 2 },
        { path: ['c', 0, 'd'], key: 'd', line: 2, column: 31 },
      ],
    });
  });

  it('skips a leading byte order mark', () => {
    expect(scanJsonText('\uFEFF{}', 32).ok).toBe(true);
  });
});

describe('positionOf', () => {
  it('counts lines and columns from 1', () => {
    expect(positionOf('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(positionOf('ab\ncd', 2)).toEqual({ line: 1, column: 3 });
    expect(positionOf('ab\ncd', 3)).toEqual({ line: 2, column: 1 });
    expect(positionOf('ab\ncd', 99)).toEqual({ line: 2, column: 3 });
  });
});
