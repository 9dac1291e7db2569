import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createPublishLocalAction } from './localGit';

describe('khal:publish:local', () => {
  const workspace = createMockDirectory();
  const repos = createMockDirectory();
  const clones = createMockDirectory();
  const action = createPublishLocalAction({
    config: mockServices.rootConfig({
      data: { khal: { localGit: { root: repos.path } } },
    }),
  });

  beforeEach(() => {
    workspace.setContent({
      'khal-app.json': '{}\n',
      'catalog-info.yaml': 'kind: Component\n',
      src: { 'index.ts': 'export {};\n' },
    });
    repos.clear();
    clones.clear();
  });

  function context(
    input: Record<string, unknown>,
    extra: { isDryRun?: boolean } = {},
  ) {
    return {
      ...createMockActionContext({
        workspacePath: workspace.path,
        input: input as any,
      }),
      ...extra,
    };
  }

  it('creates a bare repository that git clone can clone', async () => {
    const ctx = context({
      repoName: 'orders-api',
      commitMessage: 'Scaffold orders-api',
    });
    await action.handler(ctx);

    const repoPath = repos.resolve('orders-api.git');
    const remoteUrl = pathToFileURL(repoPath).href;
    expect(fs.readFileSync(`${repoPath}/HEAD`, 'utf8')).toBe(
      'ref: refs/heads/main\n',
    );
    execFileSync('git', [
      'clone',
      '--quiet',
      remoteUrl,
      clones.resolve('orders-api'),
    ]);
    expect(
      fs.readFileSync(clones.resolve('orders-api/src/index.ts'), 'utf8'),
    ).toBe('export {};\n');
    expect(fs.existsSync(clones.resolve('orders-api/khal-app.json'))).toBe(
      true,
    );
    const log = execFileSync(
      'git',
      ['-C', clones.resolve('orders-api'), 'log', '--format=%H|%an|%s'],
      {
        encoding: 'utf8',
      },
    ).trim();
    const [hash, author, subject] = log.split('|');
    expect(author).toBe('Khal Scaffolder');
    expect(subject).toBe('Scaffold orders-api');
    expect(fs.existsSync(workspace.resolve('.git'))).toBe(false);

    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', remoteUrl);
    expect(ctx.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      `${remoteUrl}#main`,
    );
    expect(ctx.output).toHaveBeenCalledWith('commitHash', hash);
    expect(ctx.output).toHaveBeenCalledWith(
      'sourceRepo',
      'file:orders-api.git',
    );
  });

  it('publishes a sub-folder on another branch', async () => {
    await action.handler(
      context({ repoName: 'sub', sourcePath: 'src', defaultBranch: 'trunk' }),
    );
    execFileSync('git', [
      'clone',
      '--quiet',
      repos.resolve('sub.git'),
      clones.resolve('sub'),
    ]);
    expect(fs.readdirSync(clones.resolve('sub')).sort()).toEqual([
      '.git',
      'index.ts',
    ]);
    expect(
      execFileSync(
        'git',
        ['-C', clones.resolve('sub'), 'branch', '--show-current'],
        { encoding: 'utf8' },
      ).trim(),
    ).toBe('trunk');
  });

  it('refuses a repository that already exists', async () => {
    await action.handler(context({ repoName: 'orders-api' }));
    await expect(
      action.handler(context({ repoName: 'orders-api' })),
    ).rejects.toThrow(/orders-api.git already exists/);
  });

  it.each(['Orders', 'orders_api', '../orders', 'orders-', ''])(
    'refuses the repoName %j',
    async repoName => {
      await expect(action.handler(context({ repoName }))).rejects.toThrow(
        /is not a valid repository name/,
      );
      expect(fs.readdirSync(repos.path)).toEqual([]);
    },
  );

  it('refuses a sourcePath outside the workspace', async () => {
    await expect(
      action.handler(context({ repoName: 'escape', sourcePath: '../' })),
    ).rejects.toThrow(/leaves the workspace/);
    await expect(
      action.handler(context({ repoName: 'escape', sourcePath: clones.path })),
    ).rejects.toThrow(/is an absolute path/);
    fs.symlinkSync(clones.path, workspace.resolve('link'));
    await expect(
      action.handler(context({ repoName: 'escape', sourcePath: 'link' })),
    ).rejects.toThrow(/symlink that points outside the workspace/);
    expect(fs.readdirSync(repos.path)).toEqual([]);
  });

  it('creates nothing in a dry-run', async () => {
    const ctx = context({ repoName: 'orders-api' }, { isDryRun: true });
    await action.handler(ctx);
    expect(fs.readdirSync(repos.path)).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith(
      'sourceRepo',
      'file:orders-api.git',
    );
  });
});
