import { Command } from 'commander';
import { CliError, ExitCode } from '../exitCodes';
import { answer } from '../client/portalClient';
import {
  clientFor,
  ioFor,
  PortalOptions,
  printJson,
  withPortalOptions,
} from './common';

interface ReplayOptions extends PortalOptions {
  check?: boolean;
}

/** `khal admin …`: operators' commands. */
export function registerAdmin(program: Command): void {
  const admin = program
    .command('admin')
    .description('operators only: checks of the ladder itself');

  withPortalOptions(
    admin
      .command('replay')
      .description(
        'rebuild every placement and promotion phase from the audit trail and compare them with the live rows; exits 1 when any differs',
      )
      .option(
        '--check',
        'only compare and report (the one mode; nothing is ever repaired)',
      ),
  ).action(async (opts: ReplayOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    if (!opts.check) {
      throw new CliError(
        'khal admin replay only checks: run `khal admin replay --check` (differences are reported, never repaired)',
        ExitCode.Usage,
      );
    }
    const report = await answer(clientFor(opts, io).api.GET('/admin/replay'));
    if (io.json) printJson(io, report);
    else {
      const { paint } = io.term;
      io.term.out(
        `Replayed ${report.events} audit events against ${report.placements} placements and ${report.promotions} promotions (${report.checkedAt}).`,
      );
      if (report.differences.length === 0) {
        io.term.out(
          paint(
            'green',
            'The audit trail rebuilds every live row: no differences.',
          ),
        );
      }
      for (const d of report.differences)
        io.term.out(`${paint('red', 'differs:')} ${d.problem}`);
    }
    if (report.differences.length > 0) {
      throw new CliError(
        `${report.differences.length} live row(s) differ from the audit trail`,
        ExitCode.Failed,
        [
          'a row changed outside the engine, or an audit row is missing: look at the rows named above before the next promotion',
        ],
      );
    }
  });
}
