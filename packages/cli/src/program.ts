import { Command } from 'commander';
import { registerAdmin } from './commands/admin';
import { registerApprovals } from './commands/approvals';
import { registerApprove } from './commands/approve';
import { registerBreakGlass } from './commands/breakGlass';
import { registerContext } from './commands/context';
import { registerDeploy } from './commands/deploy';
import { registerDiff } from './commands/diff';
import { registerDoctor } from './commands/doctor';
import { registerEnv } from './commands/env';
import { registerEvidence } from './commands/evidence';
import { registerHelpRequest } from './commands/helpRequest';
import { registerMirror } from './commands/mirror';
import { registerInstall } from './commands/install';
import { registerLogin } from './commands/login';
import { registerManifest } from './commands/manifest';
import { registerNew } from './commands/new';
import { registerPromote } from './commands/promote';
import { registerStatus } from './commands/status';
import { registerCommit, registerLine } from './commands/releasePolicy';
import { registerDrift, registerRollback } from './commands/undo';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  a check or gate failed, a promotion did not end Promoted, or a policy refused
  2  usage or bad input
  3  portal unreachable
  4  not logged in, or the token was rejected
  5  not found (entity, target rung, promotion)
  6  facts the portal cannot resolve (e.g. a rung without a deploy command)

Environment: KHAL_PORTAL, KHAL_TOKEN, KHAL_CONFIG_DIR, NO_COLOR`;

export function createProgram(): Command {
  const program = new Command('khal')
    .description(
      'The Khal Ladder from the terminal: speaks only the ladder REST API of your portal',
    )
    .version('0.1.0')
    .option('--no-color', 'never colour the output')
    .option(
      '--verbose',
      'print each request to the portal on stderr: method, path, status and duration (never the token or a body)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  registerLogin(program);
  registerContext(program);
  registerDoctor(program);
  registerDeploy(program);
  registerEvidence(program);
  registerMirror(program.commands.find(c => c.name() === 'evidence')!);
  registerPromote(program);
  registerApprove(program);
  registerApprovals(program);
  registerBreakGlass(program);
  registerStatus(program);
  registerDiff(program);
  registerManifest(program);
  registerEnv(program);
  registerLine(program);
  registerCommit(program);
  registerHelpRequest(program);
  registerRollback(program);
  registerDrift(program);
  registerAdmin(program);
  registerInstall(program);
  registerNew(program);
  return program;
}
