import { stripVTControlCharacters, styleText } from 'node:util';

/**
 * Where the CLI writes. Colour and spinners only on a TTY (and never with NO_COLOR or
 * `--no-color`), so piped output and logs stay plain text.
 */
export interface Terminal {
  out(line?: string): void;
  err(line?: string): void;
  /** Colour for stdout text; identity when stdout is not a colour TTY. */
  paint(style: Style, text: string): string;
  readonly interactive: boolean;
}

export type Style =
  | 'bold'
  | 'dim'
  | 'red'
  | 'green'
  | 'yellow'
  | 'cyan'
  | 'gray';

export function createTerminal(options: { color?: boolean } = {}): Terminal {
  const colorAllowed =
    options.color !== false &&
    !process.env.NO_COLOR &&
    process.env.TERM !== 'dumb';
  const color = colorAllowed && Boolean(process.stdout.isTTY);
  return {
    out: (line = '') => process.stdout.write(`${line}\n`),
    err: (line = '') => process.stderr.write(`${line}\n`),
    paint: (style, text) =>
      color ? styleText(style, text, { validateStream: false }) : text,
    interactive: colorAllowed && Boolean(process.stderr.isTTY),
  };
}

/** Visible width of text that may carry colour codes. */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}
