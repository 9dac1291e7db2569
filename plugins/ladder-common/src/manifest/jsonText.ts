/*
 * A JSON syntax scanner for khal-app.json text.
 *
 * JSON.parse error messages differ between engines (and many V8 messages carry no position at
 * all), so the scanner finds the first syntax error itself and reports line and column the same
 * way in the browser and in node. It also catches what JSON.parse silently accepts but a manifest
 * author never means: the same key twice in one object (the last one would win). It works with an
 * explicit stack, so 100 000 nested brackets cost memory proportional to maxDepth, not a stack
 * overflow.
 */

/** A position in the text, 1-based, counted in UTF-16 code units like editors do. */
export interface TextPosition {
  line: number;
  column: number;
}

/** @internal */
export type JsonTextScan =
  | {
      ok: true;
      duplicateKeys: Array<
        { path: Array<string | number>; key: string } & TextPosition
      >;
    }
  | ({
      ok: false;
      kind: 'syntax' | 'depth';
      /** Path of the innermost container open at the error. */
      path: Array<string | number>;
      message: string;
      fix: string;
    } & TextPosition);

/** Line and column of a 0-based offset. */
export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

interface Frame {
  type: 'object' | 'array';
  keys?: Set<string>;
  /** Current key (objects) or index (arrays), for paths. */
  at: string | number | undefined;
}

class ScanError {
  constructor(
    readonly offset: number,
    readonly message: string,
    readonly fix: string,
    readonly kind: 'syntax' | 'depth' = 'syntax',
  ) {}
}

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function describeChar(text: string, offset: number): string {
  if (offset >= text.length) return 'the end of the text';
  const code = text.codePointAt(offset) as number;
  if (code === 0x22) return 'the start of a string';
  if (code < 0x20 || code === 0x7f)
    return `control character U+${code
      .toString(16)
      .padStart(4, '0')
      .toUpperCase()}`;
  return JSON.stringify(String.fromCodePoint(code));
}

/**
 * Scans JSON text. Stops at the first syntax error (later errors are often consequences of it);
 * collects every duplicate key.
 */
export function scanJsonText(text: string, maxDepth: number): JsonTextScan {
  const stack: Frame[] = [];
  const duplicateKeys: Array<
    { path: Array<string | number>; key: string } & TextPosition
  > = [];
  const currentPath = () =>
    stack.filter(f => f.at !== undefined).map(f => f.at as string | number);
  let i = 0;

  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  };

  const unexpected = (expected: string, fix: string): never => {
    const c = text[i];
    if (i >= text.length) {
      throw new ScanError(
        i,
        `unexpected end of the text, expected ${expected}`,
        'complete the JSON: check for a missing "}", "]" or closing quote',
      );
    }
    if (c === "'") {
      throw new ScanError(
        i,
        `found a single quote, expected ${expected}`,
        'JSON strings and keys use double quotes: write "like this"',
      );
    }
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      throw new ScanError(
        i,
        'found a comment; JSON has no comments',
        'remove the comment, or move it into a "description" field',
      );
    }
    throw new ScanError(
      i,
      `found ${describeChar(text, i)}, expected ${expected}`,
      fix,
    );
  };

  /** Scans a string starting at the opening quote; returns its raw source. */
  const scanString = (): string => {
    const start = i;
    i++;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return text.slice(start, i);
      }
      if (code < 0x20) {
        throw new ScanError(
          i,
          `${describeChar(text, i)} inside a string`,
          code === 10
            ? 'close the string on the same line, or write the line break as \\n'
            : 'escape it, e.g. \\t for a tab',
        );
      }
      if (code === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            throw new ScanError(
              i,
              'invalid \\u escape in a string (needs 4 hex digits)',
              'write it as \\u followed by 4 hex digits, e.g. \\u00e9',
            );
          }
          i += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) {
          throw new ScanError(
            i,
            `invalid escape ${JSON.stringify(`\\${next ?? ''}`)} in a string`,
            'valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\',
          );
        }
        i += 2;
        continue;
      }
      i++;
    }
    throw new ScanError(
      start,
      'a string is never closed',
      'add the closing double quote',
    );
  };

  const scanNumber = () => {
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) {
      throw new ScanError(
        i,
        `invalid number starting with ${describeChar(text, i)}`,
        'write numbers like 8080, -1 or 0.5 (no leading zeros, no "+", no trailing ".")',
      );
    }
    i += match[0].length;
    const after = text[i];
    if (after !== undefined && /[0-9.eE+\-a-zA-Z_]/.test(after)) {
      throw new ScanError(
        i,
        `invalid number (found ${describeChar(text, i)} after ${JSON.stringify(
          match[0],
        )})`,
        'write numbers like 8080, -1 or 0.5; quote anything else as a string',
      );
    }
  };

  const open = (type: Frame['type']) => {
    if (stack.length + 1 > maxDepth) {
      throw new ScanError(
        i,
        `nesting is deeper than ${maxDepth} levels`,
        'a manifest needs only a few levels of objects and arrays; remove the extra nesting',
        'depth',
      );
    }
    stack.push({
      type,
      keys: type === 'object' ? new Set() : undefined,
      at: undefined,
    });
    i++;
  };

  const expectKey = (frame: Frame) => {
    if (text[i] !== '"')
      unexpected(
        'a property name in double quotes',
        'write the key in double quotes, e.g. "name": …',
      );
    const keyStart = i;
    const raw = scanString();
    const key = raw.includes('\\')
      ? (JSON.parse(raw) as string)
      : raw.slice(1, -1);
    if (frame.keys!.has(key)) {
      const parentPath = stack.slice(0, -1).map(f => f.at as string | number);
      duplicateKeys.push({
        path: [...parentPath, key],
        key,
        ...positionOf(text, keyStart),
      });
    }
    frame.keys!.add(key);
    frame.at = key;
    skipWhitespace();
    if (text[i] !== ':')
      unexpected(
        `":" after the key ${JSON.stringify(key)}`,
        'put a ":" between a key and its value',
      );
    i++;
  };

  /** After a value: returns true when the whole document is complete. */
  const afterValue = (): boolean => {
    for (;;) {
      skipWhitespace();
      const top = stack[stack.length - 1];
      if (!top) {
        if (i < text.length)
          unexpected(
            'the end of the text',
            'a file holds one JSON value: remove what follows the closing "}"',
          );
        return true;
      }
      const close = top.type === 'object' ? '}' : ']';
      const c = text[i];
      if (c === ',') {
        const comma = i;
        i++;
        skipWhitespace();
        if (text[i] === close) {
          throw new ScanError(
            comma,
            `trailing comma before "${close}"`,
            `remove the comma before "${close}"; JSON does not allow it`,
          );
        }
        if (top.type === 'array') {
          top.at = (top.at as number) + 1;
          return false;
        }
        expectKey(top);
        return false;
      }
      if (c === close) {
        i++;
        stack.pop();
        continue;
      }
      unexpected(
        `"," or "${close}"`,
        top.type === 'object'
          ? 'separate properties with "," and close the object with "}"'
          : 'separate items with "," and close the array with "]"',
      );
    }
  };

  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    for (;;) {
      skipWhitespace();
      const c = text[i];
      let done = false;
      if (c === '{') {
        open('object');
        skipWhitespace();
        if (text[i] === '}') {
          i++;
          stack.pop();
          done = afterValue();
        } else {
          expectKey(stack[stack.length - 1]);
        }
      } else if (c === '[') {
        open('array');
        skipWhitespace();
        if (text[i] === ']') {
          i++;
          stack.pop();
          done = afterValue();
        } else {
          stack[stack.length - 1].at = 0;
        }
      } else {
        if (c === '"') scanString();
        else if (c === '-' || (c >= '0' && c <= '9')) scanNumber();
        else if (text.startsWith('true', i)) i += 4;
        else if (text.startsWith('false', i)) i += 5;
        else if (text.startsWith('null', i)) i += 4;
        else if (i >= text.length && stack.length === 0 && text.trim() === '') {
          throw new ScanError(
            i,
            'the text is empty',
            'write the manifest as a JSON object: { "apiVersion": "khal.ai/v1", … }',
          );
        } else {
          const top = stack[stack.length - 1];
          if (c === '}' || c === ']') {
            unexpected(
              'a value',
              top
                ? 'remove the comma or write the missing value'
                : 'write the manifest as a JSON object',
            );
          }
          unexpected(
            'a value',
            'write a string in double quotes, a number, true, false, null, an object or an array',
          );
        }
        done = afterValue();
      }
      if (done) return { ok: true, duplicateKeys };
    }
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    return {
      ok: false,
      kind: error.kind,
      path: currentPath(),
      message: error.message,
      fix: error.fix,
      ...positionOf(text, error.offset),
    };
  }
}
