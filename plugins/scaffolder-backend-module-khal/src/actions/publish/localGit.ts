import { RootConfigService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { git } from '../../git/git';
import { resolveWorkspaceFile } from '../../workspace/workspaceFile';
import { examples } from './localGit.examples';

/** Where bare repositories go when nothing is configured, relative to the backend's cwd. */
export const DEFAULT_LOCAL_GIT_ROOT = '../../data/repos';

const REPO_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** What `git check-ref-format --branch` would accept, kept simple and strict. */
const BRANCH_NAME =
  /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,100}$/;

/**
 * The folder holding the local bare repositories: `khal.localGit.root`, else the ladder's
 * `ladder.localRepositoriesRoot` (so the catalog and ladder read what the scaffolder wrote),
 * else `../../data/repos`; relative paths are relative to the backend process cwd.
 */
export function localGitRoot(config: RootConfigService): string {
  return path.resolve(
    config.getOptionalString('khal.localGit.root') ??
      config.getOptionalString('ladder.localRepositoriesRoot') ??
      DEFAULT_LOCAL_GIT_ROOT,
  );
}

async function exists(target: string): Promise<boolean> {
  return fs.lstat(target).then(
    () => true,
    () => false,
  );
}

/**
 * `khal:publish:local` — publishes the workspace to a new bare git repository on this machine.
 * @public
 */
export function createPublishLocalAction(options: {
  config: RootConfigService;
}) {
  const { config } = options;
  return createTemplateAction({
    id: 'khal:publish:local',
    description:
      'Publishes the workspace to a new bare git repository on the local machine (<khal.localGit.root>/<repoName>.git), so a template run works end to end with no external service and the result can be cloned. The embedded default publisher; use publish:github/gitlab/gitea for real use.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoName: z =>
          z.string({
            description:
              'Repository name: lower-case letters, digits and "-". The repository is <root>/<repoName>.git.',
          }),
        sourcePath: z =>
          z
            .string({
              description:
                'Folder of the workspace to publish, relative to the workspace. Default: the whole workspace.',
            })
            .optional(),
        defaultBranch: z =>
          z
            .string({
              description:
                'Branch the content is committed to. Default "main".',
            })
            .optional(),
        commitMessage: z =>
          z
            .string({
              description:
                'Message of the initial commit. Default "Initial commit".',
            })
            .optional(),
      },
      output: {
        remoteUrl: z =>
          z.string({
            description:
              'file:// URL of the bare repository; `git clone` accepts it.',
          }),
        repoContentsUrl: z =>
          z.string({
            description:
              'file:// URL of the repository with the branch as fragment (#main).',
          }),
        commitHash: z =>
          z.string({ description: 'Sha of the initial commit.' }),
        sourceRepo: z =>
          z.string({
            description:
              'Value for the khal.ai/source-repo annotation: file:<repoName>.git (resolved against the local repositories root).',
          }),
      },
    },
    async handler(ctx) {
      const { repoName } = ctx.input;
      const defaultBranch = ctx.input.defaultBranch ?? 'main';
      const commitMessage = ctx.input.commitMessage ?? 'Initial commit';
      if (!REPO_NAME.test(repoName) || repoName.length > 100) {
        throw new InputError(
          `repoName "${repoName}" is not a valid repository name — fix: use lower-case letters, digits and "-", starting and ending with a letter or digit`,
        );
      }
      if (!BRANCH_NAME.test(defaultBranch)) {
        throw new InputError(
          `defaultBranch "${defaultBranch}" is not a valid branch name — fix: use e.g. "main"`,
        );
      }
      const root = localGitRoot(config);
      const repoPath = path.join(root, `${repoName}.git`);
      const sourceDir = await resolveWorkspaceFile(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
        'sourcePath',
      );
      const remoteUrl = pathToFileURL(repoPath).href;
      const sourceRepo = `file:${repoName}.git`;

      if (await exists(repoPath)) {
        throw new ConflictError(
          `${repoPath} already exists — fix: pick another repoName, or remove the old repository if it is unused`,
        );
      }
      if (
        !(await fs.stat(sourceDir).then(
          s => s.isDirectory(),
          () => false,
        ))
      ) {
        throw new InputError(
          `sourcePath "${ctx.input.sourcePath}" is not a folder of the workspace — fix: point it at the folder to publish`,
        );
      }

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry-run: would create ${repoPath}, commit ${sourceDir} on ${defaultBranch} and push it`,
        );
        ctx.output('remoteUrl', remoteUrl);
        ctx.output('repoContentsUrl', `${remoteUrl}#${defaultBranch}`);
        ctx.output('commitHash', '0000000000000000000000000000000000000000');
        ctx.output('sourceRepo', sourceRepo);
        return;
      }

      const commitHash = await ctx.checkpoint<string>({
        key: `khal.publish.local.${repoName}`,
        fn: async () => {
          // The commit is made in a throwaway git dir beside the workspace, so the workspace
          // gets no .git folder and later steps see exactly what the template produced.
          const scratch = await fs.mkdtemp(
            path.join(os.tmpdir(), 'khal-publish-'),
          );
          const gitDir = path.join(scratch, 'git');
          const local = ['--git-dir', gitDir, '--work-tree', sourceDir];
          let created = false;
          try {
            await fs.mkdir(root, { recursive: true });
            await git([
              'init',
              '--quiet',
              '--bare',
              `--initial-branch=${defaultBranch}`,
              repoPath,
            ]);
            created = true;
            await git([
              'init',
              '--quiet',
              '--bare',
              `--initial-branch=${defaultBranch}`,
              gitDir,
            ]);
            await git([...local, 'add', '--all', '.'], { cwd: sourceDir });
            await git(
              [
                ...local,
                '-c',
                'commit.gpgsign=false',
                'commit',
                '--quiet',
                '--no-verify',
                '--allow-empty',
                '-m',
                commitMessage,
              ],
              { cwd: sourceDir },
            );
            await git(
              [
                ...local,
                'push',
                '--quiet',
                repoPath,
                `HEAD:refs/heads/${defaultBranch}`,
              ],
              {
                cwd: sourceDir,
              },
            );
            return await git([
              '--git-dir',
              repoPath,
              'rev-parse',
              `refs/heads/${defaultBranch}`,
            ]);
          } catch (error) {
            // A half-made repository would block the retry with "already exists".
            if (created)
              await fs.rm(repoPath, { recursive: true, force: true });
            throw error;
          } finally {
            await fs.rm(scratch, { recursive: true, force: true });
          }
        },
      });

      ctx.logger.info(
        `Published ${sourceDir} to ${remoteUrl} (${defaultBranch} at ${commitHash})`,
      );
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', `${remoteUrl}#${defaultBranch}`);
      ctx.output('commitHash', commitHash);
      ctx.output('sourceRepo', sourceRepo);
    },
  });
}
