/*
 * Which programs a rung command runs: the first word of each part of a shell
 * command line (split at unquoted `|`, `||`, `&&`, `;` and `&`), without
 * variable assignments and shell builtins. Quoted text is one word, so the
 * remote half of `ssh host 'cd app && pm2 reload app'` is not a local tool.
 */

/** Shell builtins and keywords: always there, never a tool to install. */
const BUILTINS = new Set([
  'cd',
  'export',
  'echo',
  'printf',
  'test',
  '[',
  'true',
  'false',
  'exit',
  'set',
  'unset',
  'read',
  'source',
  '.',
  ':',
  'exec',
  'eval',
  'command',
  'type',
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'do',
  'done',
  'case',
  'esac',
  '!',
  '{',
  '}',
]);

/** Splits a command line into its simple commands' words (quotes kept as one word). */
function simpleCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let quote: '"' | "'" | undefined;
  const endWord = () => {
    if (word) words.push(word);
    word = '';
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length)
        word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
    } else if (
      c === '&' &&
      (line[i - 1] === '>' || line[i - 1] === '<' || line[i + 1] === '>')
    ) {
      word += c; // a redirection: >&2, 2>&1, &>file
    } else if (c === '|' || c === ';' || c === '&' || c === '(' || c === ')') {
      endCommand();
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word += c;
    }
  }
  endCommand();
  return commands;
}

/**
 * The programs a command line runs, in order of appearance, each once.
 *
 * @public
 */
export function toolsOf(line: string): string[] {
  const tools: string[] = [];
  for (const words of simpleCommands(line)) {
    let first: string | undefined;
    for (let i = 0; i < words.length && first === undefined; i++) {
      const w = words[i];
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
      // A redirection (`2>&1`, `>file`); a bare operator (`> file`) takes the next word too.
      if (/^(\d*|&)[<>]/.test(w)) {
        if (/^(\d*|&)[<>]+&?$/.test(w)) i++;
        continue;
      }
      first = w;
    }
    // A URL (a rung's `open` entry) is a place to browse to, not a program to run.
    if (!first || BUILTINS.has(first) || first.includes('$') || /^[a-z][a-z0-9+.-]*:\/\//i.test(first)) continue;
    if (!tools.includes(first)) tools.push(first);
  }
  return tools;
}
