/**
 * Copyable commands: a rung's command template (trusted, from config) filled with values that are
 * not (entity names, annotations, manifest fields). Every value goes in shell-quoted, so that a
 * person who pastes the command runs exactly the command the template says, with the value as
 * one literal word.
 */

/** Characters that mean the same to every shell and every level of shell, quoted or not. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;
const PLACEHOLDER = /^\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/;
/** An `ssh` command word: what follows it is run again by the remote shell. */
const SSH_WORD = /(^|[\s;&|(])ssh\s/;

/** The value as one shell word: as is when it is plain, else in single quotes. */
export function shellQuote(value: string): string {
  if (PLAIN.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A filled command, or which placeholder could not be filled safely and why. */
export type RenderedCommand =
  | { ok: true; command: string }
  | { ok: false; placeholder: string; reason: string };

/**
 * Fills `{{placeholder}}`s of a command template, shell-quoting each value for where it sits:
 * outside quotes it is quoted once (twice after an `ssh` word, whose arguments the remote shell
 * parses again); inside quotes of the template only plain values are accepted, because the
 * quoted text is usually handed to another shell (`ssh host 'cd {{x}}'`) where no quoting done
 * here would hold. A value starting with "-" is refused anywhere: a command would read it as an
 * option. Unknown placeholders are left visible (see `missingPlaceholders`).
 */
export function renderCommand(template: string, values: Record<string, string | undefined>): RenderedCommand {
  let out = '';
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < template.length; ) {
    const match = template[i] === '{' ? PLACEHOLDER.exec(template.slice(i)) : null;
    if (match) {
      const key = match[1];
      const value = values[key];
      i += match[0].length;
      if (value === undefined) {
        out += match[0];
        continue;
      }
      if (value.startsWith('-')) {
        return { ok: false, placeholder: key, reason: `its value ${JSON.stringify(value)} starts with "-", which the command would read as an option` };
      }
      if (quote) {
        if (!PLAIN.test(value)) {
          return {
            ok: false,
            placeholder: key,
            reason: `it sits inside quotes in the template, where its value ${JSON.stringify(value)} cannot be quoted safely; use a value of letters, digits and _@%+=:,./- only, or move {{${key}}} out of the quotes`,
          };
        }
        out += value;
        continue;
      }
      const once = shellQuote(value);
      out += SSH_WORD.test(out) && once !== value ? shellQuote(once) : once;
      continue;
    }
    const c = template[i];
    if (c === '\\' && quote !== "'") {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (!quote && (c === "'" || c === '"')) quote = c;
    else if (quote === c) quote = '';
    out += c;
    i += 1;
  }
  return { ok: true, command: out };
}

/** Kubernetes object and namespace names (DNS-1123 labels): what a Kubernetes id must be. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}
