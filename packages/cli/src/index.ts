import { CommanderError } from 'commander';
import { CliError, ExitCode } from './exitCodes';
import { UnresolvedFactsError } from './client/portalClient';
import { createProgram } from './program';

export { ExitCode, CliError } from './exitCodes';
export { createProgram } from './program';

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

/**
 * Runs `khal` with the given argv (as `process.argv`). Errors end as one line on stderr
 * (`khal: …`), plus a JSON `{ error }` document on stdout under `--json`, and an exit code from
 * the documented table.
 */
export async function runCli(argv: string[]): Promise<void> {
  const program = createProgram();
  program.exitOverride();
  program.commands.forEach(function override(c): void {
    c.exitOverride();
    c.commands.forEach(override);
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help / version).
      process.exitCode =
        error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version'
          ? ExitCode.Ok
          : ExitCode.Usage;
      return;
    }
    const cliError =
      error instanceof CliError
        ? error
        : new CliError(
            `unexpected error: ${
              error instanceof Error ? error.message : String(error)
            }`,
            ExitCode.Failed,
          );
    process.stderr.write(`khal: ${cliError.message}\n`);
    for (const line of cliError.details) process.stderr.write(`${line}\n`);
    if (wantsJson(argv)) {
      const body: Record<string, unknown> = {
        exitCode: cliError.exitCode,
        message: cliError.message,
      };
      if (cliError instanceof UnresolvedFactsError)
        body.unresolved = cliError.facts;
      process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
    }
    process.exitCode = cliError.exitCode;
  }
}
