/**
 * Removes secrets from text and structured data before anything is stored, audited, returned or
 * notified. Conservative on purpose: an over-redacted log line is a nuisance, a leaked token is
 * an incident.
 *
 * Two kinds of finders run over every text: secretlint's recommended preset (token and key
 * shapes maintained upstream, see presetScan) and our own linear scanners for what the preset
 * does not know (values under secret keys, Kubernetes env pairs, command-line flags, URL
 * passwords with any characters, PEM blocks, JWTs, GitLab tokens). Redaction is async: long
 * texts are linted in windows with the event loop free in between.
 */
import { assignmentScan } from './assignments';
import { commandLineScan } from './commandLines';
import { presetSpans, yieldToEventLoop } from './presetScan';
import { secretKeyTest } from './secretKeys';
import { pemSpans, tokenScan, urlUserinfoScan } from './shapes';
import { MARKER_PREFIX, Span, applySpans, marker, mergeSpans } from './spans';

export { isSecretKey } from './secretKeys';

/** The outcome of redacting a value: what may be kept, and how many secrets were removed. */
export interface Redacted<T> {
  value: T;
  redactions: number;
}

/** Texts joined for one secretlint pass are kept apart by this, so no finding spans two. */
const SEPARATOR = '\n\n\n';
/** A secret removed once is also removed where it is repeated, e.g. quoted later in a log. */
const MIN_REPEATED_LENGTH = 6;
const MAX_REPEATED_VALUES = 128;
/** Our scanners run at most this long (ms) before they let the event loop serve others. */
const SCAN_SLICE_MS = 8;

const isMarker = (v: string) => v.startsWith(MARKER_PREFIX);

/**
 * A text with more findings than this is not evidence anyone reads but noise or an attack: it is
 * redacted whole (fails closed), which also keeps the work for it bounded.
 */
export const MAX_FINDINGS = 2000;
const wholeText = (text: string): Span => ({
  start: 0,
  end: text.length,
  reason: `more-than-${MAX_FINDINGS}-secrets`,
});

/** A redactor that also knows the names of the settings a manifest marks `secret`. */
export class Redactor {
  private readonly secretNames: string[];
  private readonly keyTest: (key: string) => boolean;

  constructor(options?: { secretSettingNames?: Iterable<string> }) {
    this.secretNames = [...(options?.secretSettingNames ?? [])];
    this.keyTest = secretKeyTest(this.secretNames);
  }

  /** A redactor that additionally treats these setting names as secret keys. */
  withSecretSettings(names: Iterable<string>): Redactor {
    return new Redactor({
      secretSettingNames: [...this.secretNames, ...names],
    });
  }

  /** Whether a key names a secret, including the manifest's secret settings. */
  isSecretKey(key: string): boolean {
    return this.keyTest(key);
  }

  /** Redacts secrets in free text. */
  async text(input: string): Promise<Redacted<string>> {
    return (await this.texts([input]))[0];
  }

  /** Redacts optional text, returning undefined for undefined. */
  async optionalText(input: string | undefined): Promise<string | undefined> {
    return input === undefined ? undefined : (await this.text(input)).value;
  }

  /**
   * Redacts several texts with one secretlint pass. `known` are secrets found elsewhere (values
   * under secret keys of the same data) that are removed wherever they are repeated.
   */
  async texts(
    inputs: string[],
    known: string[] = [],
  ): Promise<Array<Redacted<string>>> {
    const own: Span[][] = [];
    const slice = { started: performance.now() };
    for (const input of inputs) {
      own.push(await this.ownSpans(input, slice));
    }
    const joined = inputs.join(SEPARATOR);
    let at = 0;
    const claimed = mergeSpans(
      own.flatMap((spans, n) => {
        const shift = at;
        at += inputs[n].length + SEPARATOR.length;
        return spans.map(s => ({
          ...s,
          start: s.start + shift,
          end: s.end + shift,
        }));
      }),
    );
    await yieldToEventLoop();
    const preset = await presetSpans(joined, claimed);
    slice.started = performance.now();
    // each preset finding goes to the input(s) it falls in (offsets found by binary search)
    const starts: number[] = [];
    let offset = 0;
    for (const input of inputs) {
      starts.push(offset);
      offset += input.length + SEPARATOR.length;
    }
    const inputAt = (position: number) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= position) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const mine: Span[][] = inputs.map(() => []);
    for (const span of preset) {
      for (
        let n = inputAt(span.start);
        n < inputs.length && starts[n] < span.end;
        n++
      ) {
        const start = Math.max(0, span.start - starts[n]);
        const end = Math.min(inputs[n].length, span.end - starts[n]);
        if (end > start) mine[n].push({ ...span, start, end });
      }
    }
    const found = inputs.map((input, n) =>
      mine[n].length > MAX_FINDINGS
        ? [wholeText(input)]
        : [...own[n], ...narrowed(mine[n], own[n])],
    );
    const removed = repeatable([
      ...known,
      ...found.flatMap((spans, n) =>
        spans.map(s => inputs[n].slice(s.start, s.end)),
      ),
    ]);
    const results: Array<Redacted<string>> = [];
    for (const [n, input] of inputs.entries()) {
      if (performance.now() - slice.started > SCAN_SLICE_MS) {
        await yieldToEventLoop();
        slice.started = performance.now();
      }
      const merged = mergeSpans([...found[n], ...occurrences(input, removed)]);
      results.push({
        value: applySpans(input, merged),
        redactions: merged.length,
      });
    }
    return results;
  }

  /**
   * Redacts structured data: everything under secret keys, and secrets inside every string, keys
   * included (a log line or a `KEY=value` pair can arrive as an object key). Keys that redact to
   * the same text are kept apart with a `#2`, `#3` suffix, so no entry is lost.
   */
  async data<T>(input: T): Promise<Redacted<T>> {
    let count = 0;
    const known: string[] = [];
    // Each distinct string is scanned once, however often it repeats (keys of a list's items).
    const setters = new Map<string, Array<(v: string) => void>>();
    const scan = (text: string, set: (v: string) => void) => {
      const waiting = setters.get(text);
      if (waiting) waiting.push(set);
      else setters.set(text, [set]);
    };
    // Objects are rebuilt from entry lists once their keys are redacted, innermost first.
    const builds: Array<() => void> = [];
    const walk = (
      value: unknown,
      secret: boolean,
      set: (v: unknown) => void,
    ): void => {
      if (secret && (typeof value === 'string' || typeof value === 'number')) {
        const text = String(value);
        if (text === '' || isMarker(text)) {
          set(value);
        } else {
          count += 1;
          known.push(text);
          set(marker('secret-value'));
        }
      } else if (typeof value === 'string') {
        scan(value, set);
      } else if (Array.isArray(value)) {
        const copy: unknown[] = [];
        set(copy);
        value.forEach((v, i) => walk(v, secret, w => (copy[i] = w)));
      } else if (value && typeof value === 'object') {
        const entries = Object.entries(value).map(
          ([k, v]) => [k, v] as [string, unknown],
        );
        // a Kubernetes env entry: { name: 'DB_PASSWORD', value: '…' }
        const envName = (value as Record<string, unknown>).name;
        const envSecret = typeof envName === 'string' && this.keyTest(envName);
        // registered before its children, so run after them (builds run last to first)
        builds.push(() => set(objectOf(entries)));
        for (const entry of entries) {
          const [k, v] = entry;
          scan(k, redactedKey => (entry[0] = redactedKey));
          walk(
            v,
            secret || this.keyTest(k) || (envSecret && k === 'value'),
            w => (entry[1] = w),
          );
        }
      } else {
        set(value);
      }
    };
    let out: unknown;
    walk(input, false, v => (out = v));
    const texts = [...setters.keys()];
    const redacted = await this.texts(texts, known);
    redacted.forEach((r, i) => {
      const waiting = setters.get(texts[i])!;
      for (const set of waiting) set(r.value);
      count += r.redactions * waiting.length;
    });
    for (let i = builds.length - 1; i >= 0; i--) builds[i]();
    return { value: out as T, redactions: count };
  }

  /**
   * Our own scanners; each is linear in the text and pauses every few kilobytes, and they are
   * run in slices of SCAN_SLICE_MS so a megabyte never holds the event loop.
   */
  private async ownSpans(
    text: string,
    slice: { started: number },
  ): Promise<Span[]> {
    if (text.length === 0) return [];
    const spans = pemSpans(text);
    const scans = [
      tokenScan(text, spans),
      urlUserinfoScan(text, spans),
      assignmentScan(text, this.keyTest, spans),
      commandLineScan(text, this.keyTest, spans),
    ];
    for (const scan of scans) {
      while (!scan.next().done) {
        if (spans.length > MAX_FINDINGS) return [wholeText(text)];
        if (performance.now() - slice.started > SCAN_SLICE_MS) {
          await yieldToEventLoop();
          slice.started = performance.now();
        }
      }
    }
    return spans.length > MAX_FINDINGS ? [wholeText(text)] : spans;
  }
}

/**
 * An object of these entries: own data properties only (a `__proto__` key stays a key), and a
 * key that redaction made equal to an earlier one gets a `#n` suffix.
 */
function objectOf(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    let name = key;
    for (let n = 2; Object.prototype.hasOwnProperty.call(out, name); n++) {
      name = `${key}#${n}`;
    }
    Object.defineProperty(out, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Rules that report a whole URL when only its password is secret. */
const URL_RULES = new Set(['basicauth', 'database-connection-string']);

/**
 * A whole URL reported by the preset gives way to the password our URL scanner found inside it,
 * so `postgres://orders:[REDACTED:url-password]@db/orders` still says where it connects.
 */
function narrowed(preset: Span[], own: Span[]): Span[] {
  return preset.filter(
    p =>
      !URL_RULES.has(p.reason) ||
      !own.some(
        o =>
          o.reason === 'url-password' && o.start >= p.start && o.end <= p.end,
      ),
  );
}

/**
 * Secrets worth looking for elsewhere: long enough not to hit ordinary words. A multi-line secret
 * (a PEM block, a YAML block) is also looked for line by line, since structured data often holds
 * the same output split into lines.
 */
function repeatable(secrets: string[]): string[] {
  const pieces = secrets.flatMap(s =>
    s.includes('\n') ? [s, ...s.split(/\r?\n/)] : [s],
  );
  return [...new Set(pieces.map(s => s.trim()))]
    .filter(s => s.length >= MIN_REPEATED_LENGTH)
    .sort((a, b) => b.length - a.length)
    .slice(0, MAX_REPEATED_VALUES);
}

/** Every occurrence of the given secrets in `text`. */
function occurrences(text: string, secrets: string[]): Span[] {
  const spans: Span[] = [];
  for (const secret of secrets) {
    for (
      let at = text.indexOf(secret);
      at !== -1;
      at = text.indexOf(secret, at + secret.length)
    ) {
      spans.push({ start: at, end: at + secret.length, reason: 'repeated' });
    }
  }
  return spans;
}
