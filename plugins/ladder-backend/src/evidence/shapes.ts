import { Span } from './spans';

/**
 * Secrets recognised by their shape wherever they appear: PEM private-key blocks, JWTs, GitLab
 * tokens, `Bearer`/`Basic` credentials and the password in a URL's userinfo. Each scanner walks
 * the text once with indexOf or a character loop; no pattern is ever retried from every position
 * of a long run (what made `eyJeyJeyJ…` or `pwdpwd…` quadratic before).
 */

const isTokenChar = (c: number) =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 || // _
  c === 45 || // -
  c === 46 || // .
  c === 43 || // +
  c === 47 || // /
  c === 61 || // =
  c === 126; // ~
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

const PEM_BEGIN = '-----BEGIN ';
const PEM_DASHES = '-----';

/** `-----BEGIN … PRIVATE KEY-----` up to its END line; an unterminated block runs to the end. */
export function pemSpans(text: string): Span[] {
  const spans: Span[] = [];
  let from = 0;
  for (;;) {
    const begin = text.indexOf(PEM_BEGIN, from);
    if (begin === -1) return spans;
    const labelStart = begin + PEM_BEGIN.length;
    const labelEnd = text.indexOf(PEM_DASHES, labelStart);
    if (labelEnd === -1 || labelEnd - labelStart > 64) {
      from = labelStart;
      continue;
    }
    const label = text.slice(labelStart, labelEnd);
    if (!label.includes('PRIVATE KEY')) {
      from = labelEnd;
      continue;
    }
    const endLine = `-----END ${label}-----`;
    const end = text.indexOf(endLine, labelEnd);
    const stop = end === -1 ? text.length : end + endLine.length;
    spans.push({ start: begin, end: stop, reason: 'private-key' });
    from = stop;
  }
}

const looksLikeJwt = (token: string) => {
  const parts = token.split('.');
  return (
    parts.length === 3 &&
    parts.every(p => p.length >= 5) &&
    /^eyJ/.test(parts[0])
  );
};

/**
 * Token prefixes we redact at any length of 20 or more: the preset wants GitHub's exact lengths
 * (36 after `ghp_`), and a truncated or re-issued token in a log is still a secret.
 */
const PREFIXED_TOKENS: Array<[string, string]> = [
  ['glpat-', 'gitlab-token'],
  ['gldt-', 'gitlab-token'],
  ['glrt-', 'gitlab-token'],
  ['glptt-', 'gitlab-token'],
  ['ghp_', 'github-token'],
  ['gho_', 'github-token'],
  ['ghu_', 'github-token'],
  ['ghs_', 'github-token'],
  ['ghr_', 'github-token'],
  ['github_pat_', 'github-token'],
];

/**
 * Maximal runs of token characters, each classified once: JWTs (also inside a longer run such
 * as `id_token=eyJ…`), GitLab and GitHub tokens, and the run after `Bearer`/`Basic`.
 */
export function tokenSpans(text: string): Span[] {
  const spans: Span[] = [];
  let previous = '';
  let i = 0;
  while (i < text.length) {
    if (!isTokenChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
    const run = text.slice(start, i);
    if (
      previous === 'Bearer' ||
      previous === 'Basic' ||
      previous === 'bearer'
    ) {
      if (run.length >= 8)
        spans.push({ start, end: i, reason: 'bearer-token' });
    }
    const jwt = run.indexOf('eyJ');
    if (
      jwt !== -1 &&
      looksLikeJwt(run.slice(jwt).replace(/[^A-Za-z0-9_.-].*$/s, ''))
    ) {
      spans.push({ start: start + jwt, end: i, reason: 'jwt' });
    }
    for (const [prefix, reason] of PREFIXED_TOKENS) {
      const at = run.indexOf(prefix);
      if (at !== -1 && run.length - at >= prefix.length + 20) {
        spans.push({ start: start + at, end: i, reason });
      }
    }
    previous = run;
  }
  return spans;
}

/**
 * The password of `scheme://user:password@host`, whatever characters it holds (`/`, `@`, `:`):
 * the userinfo runs from `://` to the last `@` before the URL ends (whitespace or a quote).
 */
export function urlUserinfoSpans(text: string): Span[] {
  const spans: Span[] = [];
  let from = 0;
  for (;;) {
    const scheme = text.indexOf('://', from);
    if (scheme === -1) return spans;
    const start = scheme + 3;
    let end = start;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (
        isSpace(c) ||
        c === 34 ||
        c === 39 ||
        c === 96 ||
        c === 60 ||
        c === 62
      )
        break;
      end++;
    }
    // searched within this URL only, so a text of many short URLs is still read once
    let at = end - 1;
    while (at >= start && text.charCodeAt(at) !== 64) at--;
    if (at >= start) {
      let colon = start;
      while (colon < at && text.charCodeAt(colon) !== 58) colon++;
      const user = text.slice(start, colon);
      if (colon < at && !user.includes('/')) {
        spans.push({ start: colon + 1, end: at, reason: 'url-password' });
      }
    }
    // the rest of this URL may hold another `://` (a redirect parameter): look at it too
    from = at >= start ? at + 1 : Math.max(start, end);
  }
}
