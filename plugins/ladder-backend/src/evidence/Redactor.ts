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
import { assignmentSpans } from './assignments';
import { commandLineSpans } from './commandLines';
import { presetSpans, yieldToEventLoop } from './presetScan';
import { secretKeyTest } from './secretKeys';
import { pemSpans, tokenSpans, urlUserinfoSpans } from './shapes';
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
const MAX_REPEATED_VALUES = 32;
/** Our scanners run over this much text between two yields to the event loop. */
const SCAN_SLICE_CHARS = 256 * 1024;

const isMarker = (v: string) => v.startsWith(MARKER_PREFIX);

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
    let scanned = 0;
    for (const input of inputs) {
      own.push(this.ownSpans(input));
      scanned += input.length;
      if (scanned >= SCAN_SLICE_CHARS) {
        scanned = 0;
        await yieldToEventLoop();
      }
    }
    const joined = inputs.join(SEPARATOR);
    const preset = await presetSpans(joined);
    let offset = 0;
    const found = inputs.map((input, n) => {
      const end = offset + input.length;
      const mine = preset
        .filter(s => s.start < end && s.end > offset)
        .map(s => ({
          ...s,
          start: Math.max(0, s.start - offset),
          end: Math.min(input.length, s.end - offset),
        }));
      offset = end + SEPARATOR.length;
      return [...own[n], ...narrowed(mine, own[n])];
    });
    const removed = repeatable([
      ...known,
      ...found.flatMap((spans, n) =>
        spans.map(s => inputs[n].slice(s.start, s.end)),
      ),
    ]);
    return inputs.map((input, n) => {
      const merged = mergeSpans([...found[n], ...occurrences(input, removed)]);
      return { value: applySpans(input, merged), redactions: merged.length };
    });
  }

  /** Redacts structured data: everything under secret keys, and secrets inside every string. */
  async data<T>(input: T): Promise<Redacted<T>> {
    let count = 0;
    const known: string[] = [];
    const strings: Array<{ text: string; set: (v: string) => void }> = [];
    const hide = (value: unknown): unknown => {
      if (typeof value === 'string' || typeof value === 'number') {
        const text = String(value);
        if (text === '' || isMarker(text)) return value;
        count += 1;
        known.push(text);
        return marker('secret-value');
      }
      if (Array.isArray(value)) return value.map(hide);
      if (value && typeof value === 'object') {
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, hide(v)]),
        );
      }
      return value;
    };
    const walk = (value: unknown, set: (v: unknown) => void): void => {
      if (typeof value === 'string') {
        strings.push({ text: value, set });
      } else if (Array.isArray(value)) {
        const copy = [...value];
        set(copy);
        copy.forEach((v, i) => walk(v, w => (copy[i] = w)));
      } else if (value && typeof value === 'object') {
        const copy: Record<string, unknown> = {};
        set(copy);
        // a Kubernetes env entry: { name: 'DB_PASSWORD', value: '…' }
        const envName = (value as Record<string, unknown>).name;
        const envSecret = typeof envName === 'string' && this.keyTest(envName);
        for (const [k, v] of Object.entries(value)) {
          if (this.keyTest(k) || (envSecret && k === 'value'))
            copy[k] = hide(v);
          else walk(v, w => (copy[k] = w));
        }
      } else {
        set(value);
      }
    };
    let out: unknown;
    walk(input, v => (out = v));
    const redacted = await this.texts(
      strings.map(s => s.text),
      known,
    );
    redacted.forEach((r, i) => {
      strings[i].set(r.value);
      count += r.redactions;
    });
    return { value: out as T, redactions: count };
  }

  /** Our own scanners; each is linear in the text. */
  private ownSpans(text: string): Span[] {
    if (text.length === 0) return [];
    return [
      ...pemSpans(text),
      ...tokenSpans(text),
      ...urlUserinfoSpans(text),
      ...assignmentSpans(text, this.keyTest),
      ...commandLineSpans(text, this.keyTest),
    ];
  }
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

/** Secrets worth looking for elsewhere: long enough not to hit ordinary words. */
function repeatable(secrets: string[]): string[] {
  return [...new Set(secrets.map(s => s.trim()))]
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
