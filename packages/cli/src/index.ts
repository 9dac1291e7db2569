import { CommanderError } from 'commander';
import { CliError, ExitCode } from './exitCodes';
import { UnresolvedFactsError } from './client/portalClient';
import { createProgram } from './program';
import { helpRequestHint } from './output/whomToAsk';

export { ExitCode, CliError } from './exitCodes';
export { createProgram } from './program';

/** The rung the person named (`--target x`, `--target=x`, or `--to x` of promote), if any. */
function targetOf(argv: string[]): string | undefined {
  const flags = argv.slice(2).includes('promote') ? ['--target', '--to'] : ['--target'];
  for (const flag of flags) {
    const i = argv.indexOf(flag);
    if (i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('-')) return argv[i + 1];
    const inline = argv.find(a => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
    if (inline) return inline;
  }
  return undefined;
}

function isHelpRequest(argv: string[]): boolean {
  return argv.includes('help-request');
}

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
    // A failure on a rung (a refusal, a failed check, unresolved facts, a missing tool) ends with
    // whom to ask; commands that read the rung name its people. Bad input, an unreachable portal,
    // a rejected token or an unknown rung are the caller's to fix and get no footer.
    const target = targetOf(argv);
    const onRung = ([ExitCode.Failed, ExitCode.Unresolved, ExitCode.MissingTool] as number[]).includes(cliError.exitCode);
    let help: string[] = [];
    if (cliError.help.length) help = cliError.help;
    else if (target && onRung && !isHelpRequest(argv)) help = helpRequestHint(target);
    for (const line of help) process.stderr.write(`${line}\n`);
    if (wantsJson(argv)) {
      const body: Record<string, unknown> = {
        exitCode: cliError.exitCode,
        message: cliError.message,
      };
      if (cliError instanceof UnresolvedFactsError)
        body.unresolved = cliError.facts;
      if (help.length) body.help = help;
      process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
    }
    process.exitCode = cliError.exitCode;
  }
}
