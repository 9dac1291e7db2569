import { MAX_KEY_LENGTH } from './secretKeys';
import { Span, markerAt } from './spans';

/**
 * Finds values written under a secret key: `KEY=value`, `KEY: value`, `"key": "value"`,
 * `"key": [..]` / `{..}`, YAML blocks and lists under `key:`, and Kubernetes env pairs
 * (`- name: DB_PASSWORD` / `value: ...`, also as JSON). A hand-written scanner rather than regular
 * expressions: every separator costs at most MAX_KEY_LENGTH steps back, and a value that is
 * redacted is skipped over, so a text of n characters is read in O(n · MAX_KEY_LENGTH) at worst.
 */

const isAlnum = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isKeyChar = (c: number) =>
  isAlnum(c) || c === 95 /* _ */ || c === 45 /* - */ || c === 46; /* . */
const isBlank = (c: number) => c === 32 || c === 9;
const isEol = (c: number) => c === 10 || c === 13;

/** Kubernetes env entries name the variable in `name` and hold it in `value`, in either order. */
const ENV_PAIR_DISTANCE = 400;
/** A variable name in `name: ...` is short: longer values are not read to decide. */
const MAX_NAME_VALUE = 256;

interface Key {
  /** The key as written, without quotes, leading dashes or list bullets. */
  name: string;
  /** Where the key starts (after `- ` bullets and dashes). */
  start: number;
  quoted: boolean;
}

function readKeyBackward(text: string, sep: number): Key | undefined {
  let j = sep - 1;
  while (j >= 0 && sep - j <= 16 && isBlank(text.charCodeAt(j))) j--;
  if (j < 0) return undefined;
  const q = text.charCodeAt(j);
  if (q === 34 || q === 39) {
    const end = j;
    const limit = Math.max(0, end - MAX_KEY_LENGTH - 1);
    j--;
    while (j >= limit && text.charCodeAt(j) !== q && !isEol(text.charCodeAt(j)))
      j--;
    if (j < limit || text.charCodeAt(j) !== q) return undefined;
    // JSON inside a JSON string: `\"password\"` leaves a backslash at the end of the key
    const name = text.slice(j + 1, end).replace(/\\$/, '');
    return { name, start: j + 1, quoted: true };
  }
  const end = j + 1;
  const limit = Math.max(0, end - MAX_KEY_LENGTH);
  while (j >= limit) {
    const c = text.charCodeAt(j);
    if (isKeyChar(c)) j--;
    // one space between key characters: `DB Password`, `export PASSWORD`
    else if (
      c === 32 &&
      j > 0 &&
      isKeyChar(text.charCodeAt(j - 1)) &&
      j + 1 < end
    )
      j--;
    else break;
  }
  if (j >= 0 && j < limit && isKeyChar(text.charCodeAt(j))) return undefined; // prose, not a key
  let start = j + 1;
  while (
    start < end &&
    (text.charCodeAt(start) === 45 || text.charCodeAt(start) === 32)
  )
    start++;
  if (start >= end) return undefined;
  return { name: text.slice(start, end), start, quoted: false };
}

function lineStartOf(text: string, i: number): number {
  return text.lastIndexOf('\n', i - 1) + 1;
}

function indentAt(text: string, lineStart: number): number {
  let k = lineStart;
  while (k < text.length && isBlank(text.charCodeAt(k))) k++;
  return k - lineStart;
}

/** The end of the JSON-like structure opening at `open` (string-aware); the text's end if unclosed. */
function balancedEnd(text: string, open: number): number {
  let depth = 0;
  let inString = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === inString) inString = 0;
    } else if (c === 34) inString = c;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** The end of the quoted string opening at `open`: its closing quote, or the end of its line. */
function quotedEnd(text: string, open: number, limit: number): number {
  const q = text.charCodeAt(open);
  for (let i = open + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 && q === 34) i++;
    else if (c === q || isEol(c)) return i;
  }
  return limit;
}

/** The lines after `from` indented deeper than `column` (or `- ` items at it): a YAML block. */
function yamlBlock(
  text: string,
  from: number,
  column: number,
): { start: number; end: number } {
  const start = text.indexOf('\n', from) + 1;
  if (start === 0) return { start: text.length, end: text.length };
  let end = start;
  let at = start;
  while (at < text.length) {
    const next = text.indexOf('\n', at);
    const lineEnd = next === -1 ? text.length : next;
    const indent = indentAt(text, at);
    const blank = at + indent >= lineEnd || isEol(text.charCodeAt(at + indent));
    const item =
      text.startsWith('- ', at + indent) || text.startsWith('-\n', at + indent);
    if (!blank && (indent < column || (indent === column && !item))) break;
    if (!blank) end = lineEnd;
    if (next === -1) break;
    at = next + 1;
  }
  return { start, end: Math.max(start, end) };
}

interface Value {
  start: number;
  end: number;
}

/**
 * Reads the value after the separator at `sep`; undefined when there is none (or it is ours).
 * With `maxScalar` (a look at a `name`/`value` that is not known to be secret yet) only a short
 * scalar is read, so the look costs a bounded number of steps.
 */
function readValue(
  text: string,
  sep: number,
  key: Key,
  maxScalar?: number,
): Value | undefined {
  const colon = text.charCodeAt(sep) === 58;
  let i = sep + 1;
  if (text.charCodeAt(i) === 62) i++; // `"password" => "x"`
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  // only computed for YAML blocks, which end a line: once per line at most
  const column = () => key.start - lineStartOf(text, key.start);
  if (i >= text.length || isEol(text.charCodeAt(i))) {
    if (!colon || maxScalar !== undefined) return undefined;
    const block = yamlBlock(text, i, column() + 1);
    return block.end > block.start ? block : undefined;
  }
  if (markerAt(text, i)) return undefined;
  const limit = Math.min(text.length, i + (maxScalar ?? text.length));
  const c = text.charCodeAt(i);
  if (c === 34 || c === 39) {
    const end = quotedEnd(text, i, limit);
    const closed = maxScalar === undefined || end < limit;
    return end > i + 1 && closed ? { start: i + 1, end } : undefined;
  }
  if (c === 123 || c === 91) {
    if (maxScalar !== undefined) return undefined;
    return { start: i, end: balancedEnd(text, i) };
  }
  let end = i;
  if (colon) {
    // a quoted key is JSON-like: the value ends at `,` `}` `]`; YAML and headers run to the line end
    while (end < limit) {
      const d = text.charCodeAt(end);
      if (isEol(d) || (key.quoted && (d === 44 || d === 125 || d === 93)))
        break;
      end++;
    }
    while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
    const head = text.charCodeAt(i);
    if (
      (head === 124 || head === 62) &&
      end - i <= 3 &&
      maxScalar === undefined
    ) {
      // `key: |` / `key: >-`: the block scalar on the lines below
      const block = yamlBlock(text, end, column() + 1);
      return block.end > block.start ? block : undefined;
    }
  } else {
    while (end < limit) {
      const d = text.charCodeAt(end);
      if (isBlank(d) || isEol(d) || d === 34 || d === 39 || d === 38 /* & */)
        break;
      end++;
    }
  }
  if (maxScalar !== undefined && end >= limit && limit < text.length)
    return undefined;
  return end > i ? { start: i, end } : undefined;
}

const bareName = (text: string, v: Value) =>
  text
    .slice(v.start, v.end)
    .trim()
    .replace(/^["']|["']$/g, '');

/** Spans of values written under secret keys, including Kubernetes env `name`/`value` pairs. */
export function assignmentSpans(
  text: string,
  isSecret: (key: string) => boolean,
): Span[] {
  const spans: Span[] = [];
  // A `name` waiting for its `value`, and a `value` that came before its `name` ({value, name}).
  let pendingName: { at: number; secret: boolean } | undefined;
  let orphanValue: { value: Value; at: number } | undefined;
  const near = (at: number, sep: number) => sep - at <= ENV_PAIR_DISTANCE;
  for (let sep = 0; sep < text.length; sep++) {
    const c = text.charCodeAt(sep);
    if (c !== 61 && c !== 58) continue;
    if (c === 58 && text.startsWith('//', sep + 1)) continue; // a URL's scheme: see urlUserinfoSpans
    if (
      c === 61 &&
      (text.charCodeAt(sep + 1) === 61 || text.charCodeAt(sep - 1) === 61)
    )
      continue; // ==
    const key = readKeyBackward(text, sep);
    if (!key) continue;
    const lower = key.name.toLowerCase();
    if (isSecret(key.name)) {
      const value = readValue(text, sep, key);
      if (value) {
        spans.push({ ...value, reason: 'secret-value' });
        sep = Math.max(sep, value.end - 1);
      }
    } else if (lower === 'name') {
      const value = readValue(text, sep, key, MAX_NAME_VALUE);
      const secret = value !== undefined && isSecret(bareName(text, value));
      if (orphanValue && near(orphanValue.at, sep)) {
        if (secret)
          spans.push({ ...orphanValue.value, reason: 'secret-value' });
        orphanValue = undefined;
        pendingName = undefined;
      } else {
        pendingName = { at: value?.end ?? sep, secret };
      }
    } else if (lower === 'value') {
      if (pendingName && near(pendingName.at, sep)) {
        if (pendingName.secret) {
          const value = readValue(text, sep, key);
          if (value) {
            spans.push({ ...value, reason: 'secret-value' });
            sep = Math.max(sep, value.end - 1);
          }
        }
        pendingName = undefined;
      } else {
        const value = readValue(text, sep, key, MAX_NAME_VALUE);
        orphanValue = value ? { value, at: value.end } : undefined;
      }
    }
  }
  return spans;
}
