/*
 * Turns a wrong value into the value the author most likely meant, so that a problem's `fix`
 * can name a concrete replacement instead of restating the rule.
 */

/** `Orders_API v2` → `orders-api-v2`; always a valid manifest name. */
export function toKebabName(value: string): string {
  let name = value
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!name) return 'my-app';
  if (!/^[a-z]/.test(name)) name = `app-${name}`;
  return name.slice(0, 63).replace(/-+$/, '');
}

/** `database_url` / `databaseUrl` / `database-url` → `DATABASE_URL`. */
export function toUpperSnake(value: string): string {
  let name = value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) return 'MY_SETTING';
  if (!/^[A-Z]/.test(name)) name = `VAR_${name}`;
  return name;
}

/** Edit distance counting a swap of neighbours as one edit; skipped when the lengths alone rule a match out. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let before: number[] = [];
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        current[j] = Math.min(current[j], before[j - 2] + 1);
      }
    }
    before = previous;
    previous = current;
  }
  return previous[y.length];
}

/** The candidate a typo most likely meant (`prot` → `port`), or undefined when none is close. */
export function closestMatch(
  value: string,
  candidates: readonly string[],
): string | undefined {
  if (value.length > 64) return undefined;
  const max = value.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    const d = distance(value, candidate, max);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Quotes a found value for a message, shortened so a 5 MB string never lands in a log line. */
export function quote(value: string, maxLength = 60): string {
  const shown =
    value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  return JSON.stringify(shown);
}

/** `"a", "b" or "c"` */
export function listOf(values: readonly string[], conjunction = 'or'): string {
  const quoted = values.map(v => quote(v));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${
    quoted[quoted.length - 1]
  }`;
}
