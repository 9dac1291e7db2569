import { Command } from 'commander';
import { resolveSource } from '../ladder/sourceResolution';
import { resolveEntityRef } from '../workspace/appManifest';
import { resolveRef } from '../workspace/gitRef';
import { clientFor, ioFor, PortalOptions, withPortalOptions } from './common';
import { deployToTarget } from './deployToTarget';

interface DeployOptions extends PortalOptions {
  target: string;
  branch?: string;
  ref?: string;
  entity?: string;
  dryRun?: boolean;
}

export function registerDeploy(program: Command): void {
  withPortalOptions(
    program
      .command('deploy')
      .description(
        'print the deploy plan for a target; --dry-run records it as evidence, without it the rung is deployed if its policy allows',
      )
      .argument(
        '[repo-url]',
        'app repository (default: the git repository in the working directory)',
      )
      .requiredOption('--target <rung>', 'rung id or alias')
      .option(
        '--branch <branch>',
        'branch to deploy (default: the checked-out HEAD)',
      )
      .option('--ref <ref>', 'commit, tag or image tag (overrides --branch)')
      .option('--entity <ref>', 'entity ref (default: from khal-app.json)')
      .option(
        '--dry-run',
        'only plan, and record the plan as dry-run evidence',
      ),
  ).action(
    async (repoUrl: string | undefined, opts: DeployOptions, cmd: Command) => {
      const io = ioFor(cmd, opts);
      // Inside a checkout, khal-app.json and git answer; for a URL, the portal does (GET /sources).
      const entityRef = repoUrl
        ? undefined
        : resolveEntityRef(opts.entity, io.cwd);
      const localRef = repoUrl
        ? undefined
        : resolveRef({ ref: opts.ref, branch: opts.branch }, io.cwd);
      const client = clientFor(opts, io);
      const source = repoUrl
        ? await resolveSource(client, io, {
            repoUrl,
            branch: opts.branch,
            ref: opts.ref,
            entity: opts.entity,
          })
        : undefined;
      await deployToTarget({
        client,
        io,
        entityRef: source?.entityRef ?? entityRef!,
        ref: source?.commit ?? localRef!,
        target: opts.target,
        dryRun: Boolean(opts.dryRun),
        repoUrl,
        branch: opts.branch,
        env: {},
        jsonExtras: { source: source ?? null },
      });
    },
  );
}
