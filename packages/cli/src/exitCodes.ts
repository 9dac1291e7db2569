/**
 * Exit codes of `khal`. Scripts branch on these, so they are part of the CLI's contract:
 * documented in the README, only ever added to, never renumbered.
 */
export const ExitCode = {
  /** Everything asked for happened. */
  Ok: 0,
  /** A check or gate failed, a promotion ended other than Promoted, or a policy refused. */
  Failed: 1,
  /** Usage or bad input: a missing option, an unreadable file, a value the portal rejected (400). */
  Usage: 2,
  /** The portal could not be reached. */
  Unreachable: 3,
  /** No token, or the portal rejected it (401). */
  Auth: 4,
  /** The entity, target rung or promotion does not exist (404). */
  NotFound: 5,
  /** The portal could not resolve facts the command needs (422 from /plan). */
  Unresolved: 6,
  /** A rung command needs a program that is not installed; nothing was run. */
  MissingTool: 7,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error a person can act on: one line for stderr, an exit code for scripts, and optionally
 * more lines (e.g. each unresolved fact) printed under the first.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly details: string[];
  /** Who can unblock it and how to ask (see output/whomToAsk), printed last. */
  help: string[] = [];

  constructor(
    message: string,
    exitCode: ExitCodeValue,
    details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.details = details;
  }

  /** This error with a "whom to ask" footer (lines from output/whomToAsk). */
  withHelp(lines: string[]): this {
    this.help = lines;
    return this;
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}
