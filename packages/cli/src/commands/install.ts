import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { DeployPlan } from '../client/contract';
import { CliError, ExitCode } from '../exitCodes';
import { resolveSource } from '../ladder/sourceResolution';
import { deployToTarget } from './deployToTarget';
import { clientFor, ioFor, PortalOptions, withPortalOptions } from './common';

interface InstallOptions extends PortalOptions {
  target: string;
  branch?: string;
  ref?: string;
  entity?: string;
  scope?: 'shared' | 'user';
  dir?: string;
  dryRun?: boolean;
}

/**
 * Who an install is for. `user`: only the person running it, on a rung that is theirs (policy
 * `self`: their own machine). `shared`: everyone on the rung, under the rung's policy (a dry-run
 * first, approvals, operators). The scope is not a way around a policy: it must agree with it.
 */
export function checkScope(scope: 'shared' | 'user', plan: DeployPlan): void {
  const own = plan.mutationPolicy.policy === 'self';
  if (scope === 'user' && !own) {
    throw new CliError(
      `--scope user installs only on a rung that is yours (policy self); ${plan.rung.id} is shared (policy ${plan.mutationPolicy.policy}) — use --scope shared, or --target a local rung`,
      ExitCode.Usage,
    );
  }
  if (scope === 'shared' && own) {
    throw new CliError(
      `${plan.rung.id} is your own machine (policy self), not a shared rung — use --scope user, or --target a shared rung`,
      ExitCode.Usage,
    );
  }
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new CliError(
      `git ${args[0]} failed in ${cwd}: ${
        stderr.split('\n').pop() || String(error)
      }`,
      ExitCode.Failed,
    );
  }
}

/**
 * A checkout of `commit` in `dir` for the rung's commands to run in: cloned when absent; an
 * existing one must be a clone of the same repository, and is moved to the commit (detached).
 */
export function checkoutAt(
  dir: string,
  repoUrl: string,
  commit: string,
): 'cloned' | 'updated' {
  let made: 'cloned' | 'updated' = 'updated';
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    git(['clone', '-q', '--', repoUrl, dir], path.dirname(dir));
    made = 'cloned';
  } else {
    const origin = (() => {
      try {
        return git(['remote', 'get-url', 'origin'], dir);
      } catch {
        return undefined;
      }
    })();
    if (origin !== repoUrl) {
      throw new CliError(
        `${dir} exists and is not a clone of ${repoUrl}${
          origin ? ` (its origin is ${origin})` : ''
        } — pass --dir <new directory>`,
        ExitCode.Usage,
      );
    }
    git(['fetch', '-q', 'origin'], dir);
  }
  git(['-c', 'advice.detachedHead=false', 'checkout', '-q', commit], dir);
  return made;
}

export function registerInstall(program: Command): void {
  withPortalOptions(
    program
      .command('install')
      .description(
        'install an app from its repository URL on a target: the portal resolves the entity and commit; prints the same plan as deploy, then dry-runs or deploys it',
      )
      .argument('<repo-url>', 'the app repository, as you clone it')
      .requiredOption('--target <rung>', 'rung id or alias')
      .option('--branch <branch>', 'branch whose head to install')
      .option('--ref <ref>', 'commit or tag (instead of --branch)')
      .option(
        '--entity <ref>',
        'entity ref, when several are registered from the repository',
      )
      .addOption(
        new Option(
          '--scope <scope>',
          'user: for you only, on your own rung; shared: for everyone on a shared rung (default: from the rung policy)',
        ).choices(['shared', 'user']),
      )
      .option(
        '--dir <path>',
        'checkout the commands run in (cloned if absent; default: ./<app name>)',
      )
      .option(
        '--dry-run',
        'only plan, and record the plan as dry-run evidence',
      ),
  ).action(async (repoUrl: string, opts: InstallOptions, cmd: Command) => {
    const io = ioFor(cmd, opts);
    const client = clientFor(opts, io);
    const source = await resolveSource(client, io, {
      repoUrl,
      branch: opts.branch,
      ref: opts.ref,
      entity: opts.entity,
    });
    const dir = path.resolve(
      io.cwd,
      opts.dir ?? source.manifest.name ?? source.entityRef.split('/').pop()!,
    );
    // Filled in once the plan names the rung's policy, before anything runs.
    const env: Record<string, string> = {};
    const jsonExtras: Record<string, unknown> = { source, install: null };
    await deployToTarget({
      client,
      // The rung's commands run in the checkout of the resolved commit.
      io: { ...io, cwd: dir },
      entityRef: source.entityRef,
      ref: source.commit,
      target: opts.target,
      dryRun: Boolean(opts.dryRun),
      repoUrl,
      branch: opts.branch,
      env,
      jsonExtras,
      check: plan => {
        const scope =
          opts.scope ??
          (plan.mutationPolicy.policy === 'self' ? 'user' : 'shared');
        checkScope(scope, plan);
        const checkout = checkoutAt(dir, repoUrl, source.commit);
        env.KHAL_SCOPE = scope;
        jsonExtras.install = { scope, directory: dir, checkout };
        if (!io.json) {
          io.term.err(
            io.term.paint(
              'dim',
              `${checkout === 'cloned' ? 'Cloned' : 'Checked out'} ${
                source.commit
              } in ${dir} (scope ${scope}).`,
            ),
          );
        }
      },
    });
  });
}
