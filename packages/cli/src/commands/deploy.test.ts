import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

describe('khal deploy (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  const evidencePosts = () =>
    portal.requests.filter(
      r => r.method === 'POST' && r.path === '/api/ladder/evidence',
    );

  it('--dry-run prints the plan, runs the rung dry-run command and records its exit code as clean dry-run evidence', async () => {
    // A PM2_HOME and KUBECONFIG the person set win over the workspace's: the runner then
    // prints no note about them, and stderr holds the command line alone on any machine.
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--dry-run', '--ref', fixtures.REF],
      {
        env: {
          ...env,
          PM2_HOME: path.join(app.dir, 'pm2-FAKE'),
          KUBECONFIG: path.join(app.dir, 'kubeconfig-FAKE'),
        },
        cwd: app.dir,
      },
    );
    expect(run.stderr).toBe('$ echo server dry-run ok\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('server dry-run ok\n');
    expect(run.stdout).toMatch(
      /Target: +dev → Shared dev \(dev, rung 2 of ladder khal\)/,
    );
    expect(run.stdout).toMatch(/Control plane: +kind-dev/);
    expect(run.stdout).toMatch(
      /Runtime: +kind via helm upgrade \+ rollout status/,
    );
    expect(run.stdout).toMatch(/DATABASE_URL \(required, secret\) — supplied/);
    expect(run.stdout).toMatch(/Allowed now: +no — no clean dry-run recorded/);
    for (const name of ['logs', 'status', 'open', 'rollback', 'evidence']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(run.stdout).toMatch(/Recorded dry-run evidence ev-dry-run \(clean/);

    const plan = portal.requests.find(r => r.path === '/api/ladder/plan')!;
    expect(plan.query).toEqual({
      entityRef: fixtures.ENTITY_REF,
      target: 'dev',
      ref: fixtures.REF,
    });
    const [post] = evidencePosts();
    expect(post.headers.authorization).toBe('Bearer good-token');
    expect(post.body).toMatchObject({
      entityRef: fixtures.ENTITY_REF,
      rung: 'dev',
      ref: fixtures.REF,
      kind: 'dry-run',
      content: expect.stringContaining('Shared dev'),
      data: {
        clean: true,
        exitCode: 0,
        command: 'echo server dry-run ok',
        commit: fixtures.REF,
        target: 'dev',
        planDigest: fixtures.deployPlan().planDigest,
        unknownSettings: [],
        missingSettings: [],
      },
    });
  });

  it('bypass: --dry-run with a required setting "supplied: unknown" records a dry-run that is not clean', async () => {
    const plan = fixtures.deployPlan();
    portal.route('GET /api/ladder/plan', {
      body: {
        ...plan,
        settings: [
          {
            name: 'DATABASE_URL',
            required: true,
            secret: true,
            supplied: null,
          },
        ],
      },
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--dry-run', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /Recorded dry-run evidence ev-dry-run \(NOT clean/,
    );
    expect(run.stdout).toContain(
      'Not clean: required settings not known to be supplied (supplied: unknown): DATABASE_URL.',
    );
    expect(evidencePosts()[0].body).toMatchObject({
      kind: 'dry-run',
      data: { clean: false, exitCode: 0, unknownSettings: ['DATABASE_URL'] },
    });
  });

  it('bypass: --dry-run whose dry-run command fails records its exit code, not clean', async () => {
    portal.route('GET /api/ladder/plan', {
      body: fixtures.deployPlan({
        commands: {
          dryRun: 'echo "error: deployments.apps is forbidden" >&2; exit 3',
        },
      }),
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--dry-run', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: deployments.apps is forbidden');
    expect(run.stdout).toContain('Not clean: the dry-run command exited 3.');
    expect(evidencePosts()[0].body).toMatchObject({
      content: expect.stringContaining('error: deployments.apps is forbidden'),
      data: { clean: false, exitCode: 3 },
    });
  });

  it('bypass: --dry-run on a rung without a dry-run command is not clean and says to configure one', async () => {
    portal.route('GET /api/ladder/plan', {
      body: fixtures.deployPlan({
        commands: { logs: 'kubectl logs deploy/orders-api' },
      }),
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--dry-run', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'Not clean: rung dev configures no dry-run command: add commands.dryRun to it',
    );
    expect(evidencePosts()[0].body).toMatchObject({
      data: { clean: false, exitCode: null, command: null },
    });
  });

  it('--dry-run --json has a stable shape, and the ref defaults to git HEAD', async () => {
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
        { cwd: app.dir, encoding: 'utf8' },
      ).trim();
    git('init', '-q');
    git('add', 'khal-app.json');
    git('commit', '-q', '-m', 'init');
    const head = git('rev-parse', 'HEAD');
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--dry-run', '--json'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual([
      'plan',
      'planDigest',
      'dryRun',
      'deploy',
      'source',
      'step',
    ]);
    expect(out.source).toBeNull();
    expect(Object.keys(out.step)).toEqual([
      'where',
      'safeToChange',
      'evidence',
      'next',
      'whomToAsk',
    ]);
    expect(out.step.evidence).toContain('recorded dry-run evidence ev-dry-run');
    expect(out).toMatchObject({
      plan: fixtures.deployPlan(),
      planDigest: fixtures.deployPlan().planDigest,
      dryRun: {
        evidenceId: 'ev-dry-run',
        clean: true,
        exitCode: 0,
        command: 'echo server dry-run ok',
        problems: [],
      },
      deploy: null,
    });
    expect(
      portal.requests.find(r => r.path === '/api/ladder/plan')!.query.ref,
    ).toBe(head);
    expect(evidencePosts()[0].body).toMatchObject({
      ref: head,
      data: { planDigest: out.planDigest },
    });
  });

  it('plans a repository URL through the portal: GET /sources names the entity and the commit of --branch, nothing is read from the working directory', async () => {
    const repoUrl = 'https://git.example.com/acme/orders-api.git';
    portal.route('GET /api/ladder/sources', {
      body: fixtures.sourceResolution({ repoUrl }),
    });
    // Run outside any checkout: no khal-app.json, no git repository.
    const elsewhere = fs.mkdtempSync(path.join(app.dir, 'elsewhere-'));
    fs.rmSync(path.join(app.dir, 'khal-app.json'));
    const run = await runKhal(
      [
        'deploy',
        repoUrl,
        '--branch',
        'release',
        '--target',
        'dev',
        '--dry-run',
        '--json',
      ],
      { env, cwd: elsewhere },
    );
    expect(run.code).toBe(0);
    expect(
      portal.requests.find(r => r.path === '/api/ladder/sources')!.query,
    ).toEqual({ repoUrl, ref: 'release' });
    expect(
      portal.requests.find(r => r.path === '/api/ladder/plan')!.query,
    ).toMatchObject({ entityRef: fixtures.ENTITY_REF, ref: fixtures.REF });
    const out = JSON.parse(run.stdout);
    expect(out.source).toMatchObject({
      entityRef: fixtures.ENTITY_REF,
      commit: fixtures.REF,
    });
    expect(evidencePosts()[0].body).toMatchObject({
      ref: fixtures.REF,
      data: { repoUrl, branch: 'release' },
    });
  });

  it('a repository URL the portal does not know is exit 5 with its reason; a URL with a token in it is refused before it is sent', async () => {
    portal.route('GET /api/ladder/sources', {
      status: 404,
      body: fixtures.errorBody(
        'NotFoundError',
        'no entity on a ladder has https://git.example.com/x/y.git as its source',
        404,
      ),
    });
    const missing = await runKhal(
      [
        'deploy',
        'https://git.example.com/x/y.git',
        '--branch',
        'main',
        '--target',
        'dev',
      ],
      { env, cwd: app.dir },
    );
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/not found: no entity on a ladder has/);

    const before = portal.requests.length;
    const leaky = await runKhal(
      [
        'deploy',
        'https://bob:ghp_secret123@git.example.com/x/y.git',
        '--branch',
        'main',
        '--target',
        'dev',
      ],
      { env, cwd: app.dir },
    );
    expect(leaky.code).toBe(2);
    expect(leaky.stderr).toContain('carries credentials');
    expect(leaky.stderr).not.toContain('ghp_secret123');
    expect(
      portal.requests
        .slice(before)
        .filter(r => r.path === '/api/ladder/sources'),
    ).toEqual([]);

    const noBranch = await runKhal(
      ['deploy', 'https://git.example.com/x/y.git', '--target', 'dev'],
      { env, cwd: app.dir },
    );
    expect(noBranch.code).toBe(2);
    expect(noBranch.stderr).toContain('needs --branch');
  });

  it('refuses to plan a commit whose khal-app.json is invalid, listing each problem', async () => {
    portal.route('GET /api/ladder/sources', {
      body: fixtures.sourceResolution({
        manifest: {
          status: 'invalid',
          name: null,
          digest: 'c'.repeat(64),
          source: 'x',
          problems: [
            { path: 'name', message: 'must be lower-case', fix: 'rename it' },
          ],
          reason: 'khal-app.json at a1b2c3d is not valid',
          howToFix: 'fix it (khal manifest validate), commit and push',
        },
      }),
    });
    const run = await runKhal(
      [
        'deploy',
        'https://git.example.com/acme/orders-api.git',
        '--branch',
        'release',
        '--target',
        'dev',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('- name: must be lower-case — rename it');
    expect(portal.requests.some(r => r.path === '/api/ladder/plan')).toBe(
      false,
    );
  });

  it('exits 6 and prints each unresolved fact for a 422', async () => {
    // The backend's shape: own properties of the error are serialised into `error`.
    const unresolved = [
      {
        fact: 'control plane',
        howToConfigure: 'set kubernetes.cluster on rung dev',
      },
      {
        fact: 'deploy command',
        howToConfigure: 'set commands.deploy on rung dev',
      },
    ];
    portal.route('GET /api/ladder/plan', {
      status: 422,
      body: {
        error: {
          name: 'UnresolvedFactsError',
          message: `the plan for dev has 2 unresolved facts; configure:\n${unresolved
            .map(f => `- ${f.fact}: ${f.howToConfigure}`)
            .join('\n')}`,
          unresolved,
        },
        response: { statusCode: 422 },
      },
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--dry-run', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(6);
    expect(run.stderr).toBe(
      [
        'khal: cannot resolve: the plan for dev has 2 unresolved facts',
        '  - control plane: set kubernetes.cluster on rung dev',
        '  - deploy command: set commands.deploy on rung dev',
        'Ask for help: khal help-request --target dev (names who can unblock dev and prints a ready message)',
        '',
      ].join('\n'),
    );
    expect(evidencePosts()).toHaveLength(0);
  });

  it('exits 5 for a target the ladder does not have, before planning', async () => {
    const run = await runKhal(
      ['deploy', '--target', 'qa', '--dry-run', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toBe(
      'khal: no rung "qa" on ladder khal of component:default/orders-api — rungs: local (dev-local), dev, hml\n',
    );
    expect(
      portal.requests.find(r => r.path === '/api/ladder/plan'),
    ).toBeUndefined();
  });

  it('plans the rung an alias names', async () => {
    await runKhal(
      ['deploy', '--target', 'dev-local', '--dry-run', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(
      portal.requests.find(r => r.path === '/api/ladder/plan')!.query.target,
    ).toBe('local');
  });

  it('refuses to deploy when the policy does not allow it now, without running the command', async () => {
    const marker = path.join(app.dir, 'deployed.marker');
    portal.route('GET /api/ladder/plan', {
      body: fixtures.deployPlan({ commands: { deploy: `touch '${marker}'` } }),
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'khal: refused: dev may not be changed now — no clean dry-run recorded for this ref (policy after-dry-run)\n' +
        'Ask for help: khal help-request --target dev (names who can unblock dev and prints a ready message)\n',
    );
    expect(fs.existsSync(marker)).toBe(false);
    expect(evidencePosts()).toHaveLength(0);
  });

  it('runs the configured deploy command when allowed, streams it and records its output', async () => {
    const marker = path.join(app.dir, 'deployed.marker');
    const allowed = fixtures.deployPlan({
      mutationPolicy: {
        policy: 'after-dry-run',
        description: 'd',
        allowedNow: true,
        reason: 'clean dry-run ev-1',
      },
      commands: {
        deploy: `echo "deploying $KHAL_REF to $KHAL_TARGET" && touch '${marker}' && echo done >&2`,
      },
    });
    portal.route('GET /api/ladder/plan', { body: allowed });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(fs.existsSync(marker)).toBe(true);
    expect(run.stdout).toContain(`deploying ${fixtures.REF} to dev`);
    expect(run.stdout).toMatch(
      /Recorded deploy-output evidence ev-deploy-output/,
    );
    expect(run.stderr).toMatch(/done/);
    const [post] = evidencePosts();
    expect(post.body).toMatchObject({
      kind: 'deploy-output',
      rung: 'dev',
      content: expect.stringContaining(`deploying ${fixtures.REF} to dev`),
      data: { exitCode: 0, target: 'dev' },
    });
  });

  it('exits 1 when the deploy command fails, still recording its output', async () => {
    portal.route('GET /api/ladder/plan', {
      body: fixtures.deployPlan({
        mutationPolicy: {
          policy: 'self',
          description: 'd',
          allowedNow: true,
          reason: 'your machine',
        },
        commands: { deploy: 'echo broken; exit 3' },
      }),
    });
    const run = await runKhal(
      ['deploy', '--target', 'dev', '--ref', fixtures.REF, '--json'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('broken'); // command output goes to stderr under --json
    expect(JSON.parse(run.stdout).deploy).toEqual({
      command: 'echo broken; exit 3',
      exitCode: 3,
      evidenceId: 'ev-deploy-output',
      evidenceError: null,
    });
    expect(evidencePosts()[0].body).toMatchObject({
      kind: 'deploy-output',
      data: { exitCode: 3 },
    });
  });
  describe('on rungs deployed by claim (approval, operators)', () => {
    const approvalPlan = (marker: string) =>
      fixtures.deployPlan({
        target: 'hml',
        rung: { id: 'hml', title: 'Customer HML', index: 2 },
        mutationPolicy: {
          policy: 'approval',
          description: 'd',
          allowedNow: true,
          reason: 'promotion prm-9 is approved',
        },
        commands: {
          deploy: `echo "deploying $KHAL_REF ($KHAL_PROMOTION_ID)" && touch '${marker}'`,
        },
      });
    const posts = (suffix: string) =>
      portal.requests.filter(
        r => r.method === 'POST' && r.path.endsWith(suffix),
      );

    it('refuses and runs nothing without an approved promotion of that commit (bypass: deploy without a claim)', async () => {
      const marker = path.join(app.dir, 'deployed.marker');
      portal.route('GET /api/ladder/plan', { body: approvalPlan(marker) });
      portal.route('GET /api/ladder/promotions', {
        body: {
          items: [
            fixtures.promotion({
              id: 'prm-other',
              phase: 'Approved',
              toRung: 'hml',
              ref: 'f'.repeat(40),
            }),
          ],
        },
      });
      const run = await runKhal(
        ['deploy', '--target', 'hml', '--ref', fixtures.REF],
        { env, cwd: app.dir },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `refused: no approved promotion of ${fixtures.REF} to hml`,
      );
      expect(run.stderr).toContain('khal promote --to hml');
      expect(fs.existsSync(marker)).toBe(false);
      expect(posts('/claim')).toHaveLength(0);
      expect(evidencePosts()).toHaveLength(0);
    });

    it('refuses and runs nothing when the server refuses the claim (e.g. already claimed)', async () => {
      const marker = path.join(app.dir, 'deployed.marker');
      portal.route('GET /api/ladder/plan', { body: approvalPlan(marker) });
      portal.route('GET /api/ladder/promotions', {
        body: {
          items: [
            fixtures.promotion({
              id: 'prm-9',
              phase: 'Approved',
              toRung: 'hml',
            }),
          ],
        },
      });
      portal.route('POST /api/ladder/promotions/prm-9/claim', {
        status: 409,
        body: {
          error: {
            name: 'ConflictError',
            message:
              'promotion prm-9 was already claimed by user:default/olga; a claim is used once',
          },
        },
      });
      const run = await runKhal(
        ['deploy', '--target', 'hml', '--ref', fixtures.REF],
        { env, cwd: app.dir },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('could not claim promotion prm-9');
      expect(run.stderr).toContain('a claim is used once');
      expect(fs.existsSync(marker)).toBe(false);
    });

    it('claims the approved promotion first, deploys that commit and reports the outcome against the claim', async () => {
      const marker = path.join(app.dir, 'deployed.marker');
      portal.route('GET /api/ladder/plan', { body: approvalPlan(marker) });
      portal.route('GET /api/ladder/promotions', {
        body: {
          items: [
            fixtures.promotion({
              id: 'prm-9',
              phase: 'Approved',
              toRung: 'hml',
            }),
          ],
        },
      });
      portal.route('POST /api/ladder/promotions/prm-9/claim', {
        status: 201,
        body: fixtures.promotion({
          id: 'prm-9',
          phase: 'Deploying',
          toRung: 'hml',
        }),
      });
      portal.route('POST /api/ladder/promotions/prm-9/deploy-result', {
        body: fixtures.promotion({
          id: 'prm-9',
          phase: 'Promoted',
          toRung: 'hml',
        }),
      });
      const run = await runKhal(
        ['deploy', '--target', 'hml', '--ref', fixtures.REF.slice(0, 8)],
        { env, cwd: app.dir },
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`deploying ${fixtures.REF} (prm-9)`);
      expect(run.stdout).toContain(
        'Reported to promotion prm-9: now Promoted.',
      );
      const [claim] = posts('/claim');
      expect(claim.body).toEqual({ toRung: 'hml', sha: fixtures.REF });
      expect(claim.headers['idempotency-key']).toBeTruthy();
      const [report] = posts('/deploy-result');
      expect(report.body).toMatchObject({
        exitCode: 0,
        output: expect.stringContaining('deploying'),
      });
      // The claim came before the command ran, the report after.
      const order = portal.requests.map(r => r.path);
      expect(order.indexOf('/api/ladder/promotions/prm-9/claim')).toBeLessThan(
        order.indexOf('/api/ladder/promotions/prm-9/deploy-result'),
      );
      expect(evidencePosts()).toHaveLength(0);
    });
  });
});
