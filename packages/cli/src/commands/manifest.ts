import { Command } from 'commander';
import {
  formatManifestProblems,
  MANIFEST_FILENAME,
} from '@khal/plugin-ladder-common';
import { CliError, ExitCode } from '../exitCodes';
import { readAppManifest } from '../workspace/appManifest';
import { ioFor, printJson } from './common';

export function registerManifest(program: Command): void {
  const manifest = program
    .command('manifest')
    .description(`work with ${MANIFEST_FILENAME}`);
  manifest
    .command('validate')
    .description(
      `validate ${MANIFEST_FILENAME}; every problem names its JSON path and how to fix it`,
    )
    .argument(
      '[path]',
      `the file, or a directory holding ${MANIFEST_FILENAME}`,
      '.',
    )
    .option('--json', 'print { file, ok, problems } as JSON')
    .action(async (target: string, opts: { json?: boolean }, cmd: Command) => {
      const io = ioFor(cmd, opts);
      const reading = readAppManifest(target);
      if (!reading.found) {
        throw new CliError(`cannot read ${reading.file}`, ExitCode.Usage);
      }
      const problems = reading.ok ? [] : reading.problems;
      if (io.json) {
        printJson(io, { file: reading.file, ok: reading.ok, problems });
      } else if (reading.ok) {
        io.term.out(
          `${io.term.paint('green', '✔')} ${reading.file} is valid (${
            reading.manifest.name
          })`,
        );
      } else {
        io.term.out(
          `${io.term.paint('red', '✘')} ${reading.file}: ${
            problems.length
          } problem(s)`,
        );
        io.term.out(formatManifestProblems(problems));
      }
      if (!reading.ok) process.exitCode = ExitCode.Failed;
    });
}
