import { Span } from './spans';

/**
 * Passwords and tokens given as command-line arguments: `--password hunter2`, `--token "a b"`,
 * and the short flags of tools whose meaning is known (`mysql -pX`, `mysql -p X`, `sshpass -p X`,
 * `docker login -p X`, `redis-cli -a X`, `curl -u user:X`). `--flag=value` is a `key=value` and is
 * found by assignmentSpans. psql takes no password argument (`-p` is its port): its secret comes
 * in `PGPASSWORD=…` or a connection URL, both found elsewhere. One pass over the text's words.
 */

/** Tools whose short flag takes a password, and that flag. */
const SHORT_PASSWORD_FLAGS: Record<string, string> = {
  mysql: '-p',
  mysqldump: '-p',
  mysqladmin: '-p',
  mysqlimport: '-p',
  mysqlcheck: '-p',
  mysqlshow: '-p',
  mariadb: '-p',
  'mariadb-dump': '-p',
  sshpass: '-p',
  docker: '-p',
  podman: '-p',
  'redis-cli': '-a',
};
/** Tools whose `-u`/`--user` takes `user:password`. */
const USER_COLON_PASSWORD = new Set(['curl', 'wget']);

interface Word {
  start: number;
  end: number;
}

const isBlank = (c: number) => c === 32 || c === 9;

/** The next word from `i` on the same line; a quoted word runs to its closing quote. */
function nextWord(text: string, from: number): Word | undefined {
  let i = from;
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  if (
    i >= text.length ||
    text.charCodeAt(i) === 10 ||
    text.charCodeAt(i) === 13
  )
    return undefined;
  const q = text.charCodeAt(i);
  let end = i;
  if (q === 34 || q === 39) {
    end = i + 1;
    while (
      end < text.length &&
      text.charCodeAt(end) !== q &&
      text.charCodeAt(end) !== 10
    )
      end++;
    return { start: i, end: Math.min(text.length, end + 1) };
  }
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (isBlank(c) || c === 10 || c === 13) break;
    end++;
  }
  return { start: i, end };
}

const unquoted = (text: string, w: Word): Word => {
  const q = text[w.start];
  if (
    (q === '"' || q === "'") &&
    w.end - w.start >= 2 &&
    text[w.end - 1] === q
  ) {
    return { start: w.start + 1, end: w.end - 1 };
  }
  return w;
};

export function commandLineSpans(
  text: string,
  isSecret: (key: string) => boolean,
): Span[] {
  const spans: Span[] = [];
  const tools = new Set<string>();
  const value = (w: Word | undefined) => {
    if (!w) return;
    const v = unquoted(text, w);
    if (v.end > v.start)
      spans.push({ start: v.start, end: v.end, reason: 'command-line-secret' });
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      tools.clear();
      i++;
      continue;
    }
    const w = nextWord(text, i);
    if (!w) {
      i++;
      continue;
    }
    i = Math.max(w.end, i + 1);
    const word = text.slice(w.start, Math.min(w.end, w.start + 100));
    const base = word.slice(word.lastIndexOf('/') + 1);
    if (word === '&&' || word === '||' || word === '|' || word.endsWith(';')) {
      tools.clear(); // the next command starts
      continue;
    }
    if (base in SHORT_PASSWORD_FLAGS || USER_COLON_PASSWORD.has(base)) {
      tools.add(base);
      continue;
    }
    if (word.startsWith('--') && !word.includes('=')) {
      const flag = word.slice(2);
      const next = nextWord(text, w.end);
      if (next && isSecret(flag) && !text.startsWith('--', next.start)) {
        value(next);
        i = next.end;
      } else if (
        next &&
        flag === 'user' &&
        [...tools].some(t => USER_COLON_PASSWORD.has(t))
      ) {
        i = userColonPassword(text, next, spans);
      }
      continue;
    }
    for (const tool of tools) {
      const flag = SHORT_PASSWORD_FLAGS[tool];
      if (flag && word === flag) {
        const next = nextWord(text, w.end);
        value(next);
        if (next) i = next.end;
      } else if (flag && word.startsWith(flag) && word.length > flag.length) {
        spans.push({
          start: w.start + flag.length,
          end: w.end,
          reason: 'command-line-secret',
        });
      } else if (USER_COLON_PASSWORD.has(tool) && word === '-u') {
        const next = nextWord(text, w.end);
        if (next) i = userColonPassword(text, next, spans);
      }
    }
  }
  return spans;
}

function userColonPassword(text: string, w: Word, spans: Span[]): number {
  const v = unquoted(text, w);
  let colon = v.start;
  while (colon < v.end && text.charCodeAt(colon) !== 58) colon++;
  if (colon < v.end - 1) {
    spans.push({ start: colon + 1, end: v.end, reason: 'command-line-secret' });
  }
  return w.end;
}
