/*
 * Rules about the values a setting may take (its `pattern`, `type` and `default`). They are shared
 * by the manifest's cross-field checks and by anything that later checks a supplied value.
 */

/** The value types a setting may declare; every value is still a string in the environment. */
export const manifestSettingTypes = [
  'string',
  'number',
  'boolean',
  'url',
  'json',
] as const;
/** @public */
export type ManifestSettingType = (typeof manifestSettingTypes)[number];

/** JSON number syntax: what most runtimes' `Number(...)`/`float(...)` agree on without surprises. */
export const NUMBER_VALUE_PATTERN =
  '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$';
const numberValue = new RegExp(NUMBER_VALUE_PATTERN);

/** An absolute URL with a scheme (`https://…`, `postgres://…`), as the WHATWG URL parser reads it. */
export function isAbsoluteUrl(value: string): boolean {
  try {
    // eslint-disable-next-line no-new
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The message of something thrown, also when it comes from another realm (iframes, vm). */
export function errorMessage(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  return String(error);
}

function isJsonText(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `value` is not a valid value of `type`, or undefined when it is.
 * Returned as a short clause so callers can put it into their own sentence.
 */
export function valueTypeMismatch(
  type: ManifestSettingType,
  value: string,
): string | undefined {
  switch (type) {
    case 'string':
      return undefined;
    case 'number':
      return numberValue.test(value) ? undefined : 'is not a number';
    case 'boolean':
      return value === 'true' || value === 'false'
        ? undefined
        : 'is not "true" or "false"';
    case 'url':
      return isAbsoluteUrl(value) ? undefined : 'is not an absolute URL';
    case 'json':
      return isJsonText(value) ? undefined : 'is not valid JSON';
    default:
      return undefined;
  }
}

/**
 * Compiles a setting's `pattern` the way JSON Schema does (ECMA-262, unicode mode), or says why
 * it cannot be used.
 *
 * Patterns come from repositories and are matched on the server (the catalog validates every
 * khal-app.json), so a pattern that backtracks exponentially would stall a shared process.
 * Like the safe-regex heuristic, a repetition inside a repetition (`(a+)+`, `(x*,)*`) is refused:
 * it is the classic shape of catastrophic backtracking and is easy to rewrite.
 */
export function compileSettingPattern(
  pattern: string,
):
  | { ok: true; regex: RegExp }
  | { ok: false; reason: string; nested?: boolean } {
  if (pattern.length > 1000) {
    return {
      ok: false,
      reason: `is ${pattern.length} characters long (at most 1000)`,
    };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch (error) {
    return {
      ok: false,
      reason: `is not a valid regular expression (${errorMessage(error)})`,
    };
  }
  if (hasNestedRepetition(pattern)) {
    return {
      ok: false,
      nested: true,
      reason:
        'repeats a group that itself contains a repetition, which can take exponential time to match',
    };
  }
  return { ok: true, regex };
}

/**
 * True when an unbounded quantifier (`*`, `+`, `{n,}`) applies to a group that already contains
 * one. Only called on patterns that compiled, so the scan can trust the syntax.
 */
export function hasNestedRepetition(pattern: string): boolean {
  // One frame per open group: does the group's body contain an unbounded repetition?
  const frames: boolean[] = [false];
  let i = 0;
  const unboundedQuantifierAt = (at: number): boolean => {
    const c = pattern[at];
    if (c === '*' || c === '+') return true;
    if (c === '{') return /^\{\d+,\}/.test(pattern.slice(at, at + 24));
    return false;
  };
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      i += 2;
      if (unboundedQuantifierAt(i)) frames[frames.length - 1] = true;
      continue;
    }
    if (c === '[') {
      // Skip the character class; inside it quantifier characters are literals.
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']')
        i += pattern[i] === '\\' ? 2 : 1;
      i++;
      if (unboundedQuantifierAt(i)) frames[frames.length - 1] = true;
      continue;
    }
    if (c === '(') {
      frames.push(false);
      i++;
      continue;
    }
    if (c === ')') {
      const innerRepeats =
        frames.length > 1 ? (frames.pop() as boolean) : false;
      i++;
      const repeated = unboundedQuantifierAt(i);
      if (repeated && innerRepeats) return true;
      if (repeated || innerRepeats) frames[frames.length - 1] = true;
      continue;
    }
    i++;
    if (unboundedQuantifierAt(i)) frames[frames.length - 1] = true;
  }
  return false;
}
