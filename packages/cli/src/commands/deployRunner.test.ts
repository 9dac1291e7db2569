import fs from 'node:fs';
import path from 'node:path';
import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

/** The workspace this CLI runs from (packages/cli/../..). */
// Tests run from the sources, where __dirname is src/commands.
// eslint-disable-next-line no-restricted-syntax
const WORKSPACE = path.resolve(__dirname, '../../../..');

const allowedPlan = (deploy: string, tools?: string[]) =>
  fixtures.deployPlan({
    mutationPolicy: {
      policy: 'self',
      description: 'd',
      allowedNow: true,
      reason: 'your machine',
    },
    commands: { deploy },
    ...(tools ? { tools: { deploy: tools } } : {}),
  });

describe('khal deploy runs rung commands with the tools they need', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  const evidencePosts = () =>
    portal.requests.filter(
      r => r.method === 'POST' && r.path === '/api/ladder/evidence',
    );

  it('stops before running a command whose tool is missing (no "not found" exit 127 recorded as a deploy), naming the tool, how to install it and the next command', async () => {
    const marker = path.join(app.dir, 'ran.marker');
    portal.route('GET /api/ladder/plan', {
      body: allowedPlan(
        `touch '${marker}' && kubectl-FAKE-missing --context shared-dev apply -f -`,
      ),
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(7);
    expect(run.stderr).toContain(
      'it needs kubectl-FAKE-missing, which is not installed (nothing was run or recorded)',
    );
    expect(run.stderr).toContain('install kubectl-FAKE-missing:');
    expect(run.stderr).toContain(
      `then run again: khal deploy --target dev --ref ${fixtures.REF}`,
    );
    expect(fs.existsSync(marker)).toBe(false);
    expect(evidencePosts()).toHaveLength(0);
  });

  it('checks the tools the plan lists, and says how to install kubectl from Debian', async () => {
    portal.route('GET /api/ladder/plan', {
      body: allowedPlan('true', ['kubectl']),
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--ref', fixtures.REF],
      // A PATH without kubectl (node and the shell only).
      { env: { ...env, PATH: '/nonexistent-FAKE' }, cwd: app.dir },
    );
    expect(run.code).toBe(7);
    expect(run.stderr).toContain(
      'install kubectl: Debian/Ubuntu: sudo apt-get install -y kubernetes-client',
    );
    expect(evidencePosts()).toHaveLength(0);
  });

  it("finds pm2 without a global install: the CLI's bin directory comes first on PATH, PM2_HOME and KUBECONFIG point into the workspace", async () => {
    const out = path.join(app.dir, 'env.out');
    portal.route('GET /api/ladder/plan', {
      body: allowedPlan(
        // `command -v`, not `pm2 --version`: that would start a PM2 daemon.
        `command -v pm2 > /dev/null && echo "$PATH|$PM2_HOME|$KHAL_DATA_DIR" > '${out}'`,
      ),
    });
    const run = await runKhal(
      ['deploy', '--target', 'local', '--ref', fixtures.REF],
      {
        env: { ...env, PM2_HOME: undefined, KUBECONFIG: undefined },
        cwd: app.dir,
      },
    );
    expect(run.stderr).not.toContain('not installed');
    expect(run.code).toBe(0);
    const [pathVar, pm2Home, dataDir] = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('|');
    const firstDir = pathVar.split(path.delimiter)[0];
    expect(fs.existsSync(path.join(firstDir, 'pm2'))).toBe(true);
    expect(pm2Home).toBe(path.join(WORKSPACE, 'data', 'pm2'));
    expect(dataDir).toBe(path.join(WORKSPACE, 'data'));
  });

  it('keeps a KUBECONFIG and PM2_HOME the user set (that is how real clusters and hosts are used)', async () => {
    const out = path.join(app.dir, 'env.out');
    portal.route('GET /api/ladder/plan', {
      body: allowedPlan(`echo "$KUBECONFIG|$PM2_HOME" > '${out}'`),
    });
    const run = await runKhal(
      ['deploy', '--target', 'local', '--ref', fixtures.REF],
      {
        env: {
          ...env,
          KUBECONFIG: '/FAKE/real-clusters.kubeconfig',
          PM2_HOME: '/FAKE/pm2',
        },
        cwd: app.dir,
      },
    );
    expect(run.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8').trim()).toBe(
      '/FAKE/real-clusters.kubeconfig|/FAKE/pm2',
    );
  });

  it("records a failing deploy as a FAILED deploy: summary says so, data.exitCode is the command's", async () => {
    portal.route('GET /api/ladder/plan', {
      body: allowedPlan('echo boom >&2; exit 4'),
    });
    const run = await runKhal(
      ['deploy', '--target', 'local', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(evidencePosts()[0].body).toMatchObject({
      kind: 'deploy-output',
      summary: expect.stringMatching(
        /^FAILED deploy .* exited 4 \(not proof\)$/,
      ),
      data: { exitCode: 4 },
    });
  });
});
