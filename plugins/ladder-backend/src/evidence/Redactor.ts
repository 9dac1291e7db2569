/**
 * Removes secrets from text and structured data before anything is stored, audited, returned or
 * notified. Conservative on purpose: an over-redacted log line is a nuisance, a leaked token is
 * an incident.
 */

/** The outcome of redacting a value: what may be kept, and how many secrets were removed. */
export interface Redacted<T> {
  value: T;
  redactions: number;
}

const marker = (reason: string) => `[REDACTED:${reason}]`;
const isMarker = (v: string) => v.startsWith('[REDACTED:');

/** Token and key shapes that are secrets wherever they appear. Order matters: blocks first. */
const shapes: Array<{ reason: string; pattern: RegExp; keep?: (m: RegExpExecArray) => string }> = [
  {
    reason: 'private-key',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g,
  },
  { reason: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g },
  { reason: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { reason: 'aws-access-key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { reason: 'slack-token', pattern: /\bxox[bpoas]-[A-Za-z0-9-]{10,}/g },
  {
    reason: 'bearer-token',
    pattern: /\b(Bearer|Basic|Token)\s+([A-Za-z0-9._~+/=-]{8,})/g,
    keep: m => `${m[1]} `,
  },
  {
    reason: 'url-password',
    // The `@` is looked ahead at, not matched, so it stays: scheme://user:[REDACTED:url-password]@host
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(?=@)/gi,
    keep: m => m[1],
  },
];

/** Key names whose values are secrets: password, token, api_key, credential, auth, … */
const secretKeyWord =
  '(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth(?:orization)?|session[_-]?id|cookie)';
const secretKeySource = `[A-Za-z0-9_.-]*?${secretKeyWord}[A-Za-z0-9_.-]*`;
const secretKeyPattern = new RegExp(`^${secretKeySource}$`, 'i');

/** Whether a key (of a JSON object, an env line, a YAML line) names a secret. */
export function isSecretKey(key: string): boolean {
  // "author" and "authority" are not credentials.
  if (/^author(s|ity|ities)?$/i.test(key)) return false;
  return secretKeyPattern.test(key);
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A redactor that also knows the names of the settings a manifest marks `secret`. */
export class Redactor {
  private readonly secretNames: Set<string>;

  constructor(options?: { secretSettingNames?: Iterable<string> }) {
    this.secretNames = new Set(options?.secretSettingNames ?? []);
  }

  /** A redactor that additionally treats these setting names as secret keys. */
  withSecretSettings(names: Iterable<string>): Redactor {
    return new Redactor({ secretSettingNames: [...this.secretNames, ...names] });
  }

  private keyPatternSource(): string {
    const names = [...this.secretNames].map(escapeRegExp);
    return names.length ? `(?:${secretKeySource}|${names.join('|')})` : secretKeySource;
  }

  private isSecret(key: string): boolean {
    return this.secretNames.has(key) || isSecretKey(key);
  }

  /** Redacts secrets in free text. */
  text(input: string): Redacted<string> {
    const counter = { n: 0 };
    let out = input;
    for (const shape of shapes) {
      out = out.replace(shape.pattern, (...args) => {
        const m = args.slice(0, -2) as unknown as RegExpExecArray;
        counter.n += 1;
        return `${shape.keep ? shape.keep(m) : ''}${marker(shape.reason)}`;
      });
    }
    const key = this.keyPatternSource();
    // JSON: "key": "value"
    out = out.replace(
      new RegExp(`("(${key})"\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)"`, 'gi'),
      (whole, prefix: string, k: string, value: string) => {
        if (!this.isSecret(k) || isMarker(value) || value === '') return whole;
        counter.n += 1;
        return `${prefix}"${marker('secret-value')}"`;
      },
    );
    // key=value (env files, query strings) and key: value (YAML, headers: the rest of the line)
    const forms: Array<[string, string]> = [
      ['\\s*=\\s*', `"[^"\\n]*"|'[^'\\n]*'|[^\\s,;&]+`],
      ['\\s*:[ \\t]*', `"[^"\\n]*"|'[^'\\n]*'|[^\\n]+`],
    ];
    for (const [sepPattern, valuePattern] of forms) {
      out = out.replace(
        new RegExp(`(^|[^A-Za-z0-9_.-])(${key})(${sepPattern})(${valuePattern})`, 'gim'),
        (whole, lead: string, k: string, sep: string, value: string) => {
          const bare = value.replace(/^["']|["']$/g, '').trim();
          if (!this.isSecret(k) || isMarker(bare) || bare === '') return whole;
          counter.n += 1;
          return `${lead}${k}${sep}${marker('secret-value')}`;
        },
      );
    }
    return { value: out, redactions: counter.n };
  }

  /** Redacts structured data: values under secret-looking keys, and secrets inside strings. */
  data<T>(input: T): Redacted<T> {
    let count = 0;
    const walk = (value: unknown, key?: string): unknown => {
      if (typeof value === 'string') {
        if (key !== undefined && this.isSecret(key) && value !== '' && !isMarker(value)) {
          count += 1;
          return marker('secret-value');
        }
        const r = this.text(value);
        count += r.redactions;
        return r.value;
      }
      if (typeof value === 'number' && key !== undefined && this.isSecret(key)) {
        count += 1;
        return marker('secret-value');
      }
      if (Array.isArray(value)) return value.map(v => walk(v));
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
      }
      return value;
    };
    const value = walk(input) as T;
    return { value, redactions: count };
  }

  /** Redacts optional text, returning undefined for undefined. */
  optionalText(input: string | undefined): string | undefined {
    return input === undefined ? undefined : this.text(input).value;
  }
}
