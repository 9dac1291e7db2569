import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { makeAppDir, runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

/** A repository with khal-app.json and two commits; the older one is what the portal resolves. */
function appRepository() {
  const repo = makeAppDir();
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
      { cwd: repo.dir, encoding: 'utf8' },
    ).trim();
  git('init', '-q', '-b', 'main');
  git('add', 'khal-app.json');
  git('commit', '-q', '-m', 'first');
  const first = git('rev-parse', 'HEAD');
  git('commit', '-q', '--allow-empty', '-m', 'second');
  return { dir: repo.dir, first };
}

const localPlan = () =>
  fixtures.deployPlan({
    target: 'local',
    rung: { id: 'local', title: 'Local', index: 0 },
    mutationPolicy: {
      policy: 'self',
      description: 'your own machine',
      allowedNow: true,
      reason: 'your own machine',
    },
    commands: {
      // Runs in the checkout: records which commit and scope it ran with.
      deploy:
        'git rev-parse HEAD > deployed.marker && echo "$KHAL_SCOPE" > scope.marker',
    },
  });

describe('khal install (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  let repo: ReturnType<typeof appRepository>;
  useFakePortal(s => ({ portal, app, env } = s));
  beforeEach(() => {
    repo = appRepository();
  });
  afterEach(() => fs.rmSync(repo.dir, { recursive: true, force: true }));

  const resolveTo = (commit: string) =>
    portal.route('GET /api/ladder/sources', {
      body: fixtures.sourceResolution({ repoUrl: repo.dir, commit }),
    });

  it('checks out the commit the portal resolved in --dir and deploys it there, for the user on their own rung', async () => {
    resolveTo(repo.first);
    portal.route('GET /api/ladder/plan', { body: localPlan() });
    const dir = path.join(app.dir, 'checkout');
    const run = await runKhal(
      [
        'install',
        repo.dir,
        '--branch',
        'main',
        '--target',
        'local',
        '--dir',
        dir,
        '--json',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    // The resolved commit, not the branch head the clone starts at.
    expect(
      fs.readFileSync(path.join(dir, 'deployed.marker'), 'utf8').trim(),
    ).toBe(repo.first);
    expect(fs.readFileSync(path.join(dir, 'scope.marker'), 'utf8').trim()).toBe(
      'user',
    );
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual([
      'plan',
      'planDigest',
      'dryRun',
      'deploy',
      'source',
      'install',
      'step',
    ]);
    expect(out.install).toEqual({
      scope: 'user',
      directory: dir,
      checkout: 'cloned',
    });
    expect(out.source.commit).toBe(repo.first);
    expect(
      portal.requests.find(r => r.path === '/api/ladder/plan')!.query.ref,
    ).toBe(repo.first);

    // Again: the existing clone is fetched and moved, not cloned twice.
    const again = await runKhal(
      [
        'install',
        repo.dir,
        '--branch',
        'main',
        '--target',
        'local',
        '--dir',
        dir,
        '--json',
      ],
      { env, cwd: app.dir },
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).install.checkout).toBe('updated');
  });

  it('bypass "install for everyone as if it were mine": --scope user on a shared rung is refused before anything runs', async () => {
    resolveTo(repo.first);
    portal.route('GET /api/ladder/plan', {
      body: fixtures.deployPlan({
        mutationPolicy: {
          ...fixtures.deployPlan().mutationPolicy,
          allowedNow: true,
        },
      }),
    });
    const dir = path.join(app.dir, 'checkout');
    const run = await runKhal(
      [
        'install',
        repo.dir,
        '--branch',
        'main',
        '--target',
        'dev',
        '--scope',
        'user',
        '--dir',
        dir,
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--scope user installs only on a rung that is yours \(policy self\); dev is shared/,
    );
    expect(fs.existsSync(dir)).toBe(false);
    expect(portal.requests.some(r => r.method === 'POST')).toBe(false);

    portal.route('GET /api/ladder/plan', { body: localPlan() });
    const shared = await runKhal(
      [
        'install',
        repo.dir,
        '--branch',
        'main',
        '--target',
        'local',
        '--scope',
        'shared',
        '--dir',
        dir,
      ],
      { env, cwd: app.dir },
    );
    expect(shared.code).toBe(2);
    expect(shared.stderr).toMatch(
      /local is your own machine \(policy self\), not a shared rung/,
    );
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses a --dir that holds something other than a clone of the repository', async () => {
    resolveTo(repo.first);
    portal.route('GET /api/ladder/plan', { body: localPlan() });
    const dir = path.join(app.dir, 'other');
    fs.mkdirSync(dir);
    const run = await runKhal(
      [
        'install',
        repo.dir,
        '--branch',
        'main',
        '--target',
        'local',
        '--dir',
        dir,
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${dir} exists and is not a clone of ${repo.dir}`,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
