import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import ladderPlugin from '@khal/plugin-ladder-backend';
// The backend's planted-secret corpus, reused rather than copied: one list of formats for both.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { plantedCorpus } from '@khal/plugin-ladder-backend/src/__testUtils__/plantedCorpus';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(120_000);

/**
 * The CLI as a process against the real ladder backend plugin (startTestBackend, SQLite in
 * memory, a mock catalog): the whole path from a fresh repo to a promoted ref, through `khal` only.
 */

const ENTITY = 'component:default/orders-api';
/**
 * A planted secret in a lifecycle step's output (from the corpus): the backend redacts it on
 * intake. The step assembles it at run time, so the ladder config (which the API shows) never
 * holds it: a secret comes from what a command prints, not from the config.
 */
const PLANTED = plantedCorpus.find(f => f.text.startsWith('token ghp_'))!;
// printf repeats '%s' for each argument: 4-character pieces, none long enough to be a secret.
const PLANTED_IN_STATUS = `printf '%s' ${(PLANTED.text.match(/.{1,4}/g) ?? [])
  .map(piece => `'${piece}'`)
  .join(' ')} && echo`;

const ladderConfig = {
  ladders: [
    {
      id: 'khal',
      title: 'KhalOS ladder',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          aliases: ['dev-local'],
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
          entryGates: ['manifest-valid'],
          proofChecks: [
            {
              id: 'evidence',
              config: { kinds: ['build-output'], rung: 'target' },
            },
          ],
          commands: { logs: 'pm2 logs {{entity.name}}' },
          metadata: { contacts: ['ana@khal.example'] },
          boundary: { useFor: ['your own loop'], mustNotBe: ['shared'] },
          // `khal env`: a status that prints a planted secret, and a validate whose readiness
          // step passes only once ready.marker exists.
          lifecycle: {
            status: `echo "orders-api online at {{ref}}" && ${PLANTED_IN_STATUS}`,
            validate: [
              { title: 'Ingress answers', checks: 'ingress', run: 'echo "200 from http://localhost:8080"' },
              { title: 'Settings present', checks: 'config', run: 'echo "DATABASE_URL: supplied"' },
              {
                title: 'Ready',
                checks: 'readiness',
                run: 'test -f ready.marker',
                howToFix: 'start the app (touch ready.marker)',
              },
            ],
          },
        },
        {
          id: 'dev',
          title: 'Shared dev',
          runtime: 'kind',
          mutationPolicy: 'after-dry-run',
          kubernetes: {
            cluster: 'shared-dev',
            namespace: 'khal-{{entity.name}}',
          },
          entryGates: [
            'previous-rung-proven',
            'manifest-valid',
            'env-contract',
            'dry-run-clean',
          ],
          proofChecks: [
            {
              id: 'evidence',
              config: { kinds: ['deploy-output'], rung: 'target' },
            },
          ],
          commands: {
            // A configured template the CLI runs for a real deploy; writes a marker the test sees.
            deploy:
              'echo "deploying {{ref}} to {{namespace}}" && touch deployed-{{rung.id}}.marker',
            logs: 'kubectl -n {{namespace}} logs deploy/{{kubernetesId}}',
            rollback: 'helm rollback {{kubernetesId}}',
            // The rung's dry-run (a stand-in for kubectl apply --dry-run=server).
            dryRun:
              'echo "dry-run of {{ref}} in {{namespace}}: configured (server dry run)"',
          },
        },
        {
          id: 'hml',
          title: 'Customer HML',
          runtime: 'k3s',
          mutationPolicy: 'approval',
          kubernetes: {
            cluster: 'customer-hml',
            namespace: 'khal-{{entity.name}}',
          },
          approvers: { groups: ['group:default/team-orders'], minimum: 1 },
          entryGates: ['previous-rung-proven'],
        },
      ],
    },
  ],
};

const manifest = {
  apiVersion: 'khal.ai/v1',
  name: 'orders-api',
  title: 'Orders API',
  owner: 'group:default/team-orders',
  runtime: { kind: 'node', start: 'node dist/index.js', port: 8080 },
  env: [
    {
      name: 'DATABASE_URL',
      required: true,
      secret: true,
      rungs: ['dev', 'hml'],
    },
  ],
  deploy: { kubernetes: { id: 'orders-api' } },
};

function createRepo(): { dir: string; head: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'khal-cli-it-'));
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    ).trim();
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(
    path.join(dir, 'khal-app.json'),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(dir, '.gitignore'), '*.marker\n.khal/\n');
  git('add', '.');
  git('commit', '-q', '-m', 'orders-api');
  return { dir, head: git('rev-parse', 'HEAD') };
}

function entities(repoDir: string): Entity[] {
  const user = (name: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: ['team-orders'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/team-orders' }],
  });
  return [
    user('alice'),
    user('bob'),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-orders', namespace: 'default' },
      spec: { type: 'team', children: [] },
      relations: ['alice', 'bob'].map(m => ({
        type: 'hasMember',
        targetRef: `user:default/${m}`,
      })),
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'orders-api',
        namespace: 'default',
        annotations: {
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': `file:${repoDir}`,
          'backstage.io/kubernetes-id': 'orders-api',
        },
      },
      spec: {
        type: 'service',
        owner: 'group:default/team-orders',
        lifecycle: 'production',
      },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/team-orders' }],
    },
  ];
}

describe('khal against the real ladder backend', () => {
  const repo = createRepo();
  const configDir = path.join(repo.dir, '.khal');
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let portal: string;
  const alice = mockCredentials.user.token('user:default/alice');

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        ladderPlugin,
        mockServices.rootConfig.factory({
          data: {
            // git reads the test repository only under this root.
            ladder: {
              ...ladderConfig,
              localRepositoriesRoot: path.dirname(repo.dir),
            },
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: ['shared-dev', 'customer-hml'].map(name => ({
                    name,
                    url: 'http://127.0.0.1:1',
                    authProvider: 'serviceAccount',
                  })),
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities: entities(repo.dir) }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
        mockServices.events.factory(),
      ],
    });
    const address = backend.server.address();
    portal = `http://127.0.0.1:${
      typeof address === 'object' && address ? address.port : 0
    }`;
  });

  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(repo.dir, { recursive: true, force: true });
  });

  const khal = (
    args: string[],
    extra: {
      env?: Record<string, string>;
      stdin?: string;
      token?: string;
    } = {},
  ) =>
    runKhal(args, {
      cwd: repo.dir,
      stdin: extra.stdin,
      env: {
        KHAL_CONFIG_DIR: configDir,
        ...(extra.token
          ? { KHAL_TOKEN: extra.token, KHAL_PORTAL: portal }
          : {}),
        ...extra.env,
      },
    });

  it('logs in: the portal accepts the token, the file is 0600 and the token is not printed', async () => {
    const run = await khal(['login', '--portal', portal, '--token-stdin'], {
      stdin: alice,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Mock tokens are not JWTs, so there is no user name to show; a real token prints "as user:…".
    expect(run.stdout).toContain(
      `Logged in to ${portal} (token saved in ${path.join(
        configDir,
        'config.json',
      )})`,
    );
    expect(run.stdout).not.toContain(alice);
    // eslint-disable-next-line no-bitwise
    expect(fs.statSync(path.join(configDir, 'config.json')).mode & 0o777).toBe(
      0o600,
    );
  });

  it('walks a ref up to local and dev through khal only', async () => {
    const ctx = await khal(['context', '--target', 'dev-local', '--json']);
    expect(ctx.stderr).toBe('');
    expect(ctx.code).toBe(0);
    expect(JSON.parse(ctx.stdout)).toMatchObject({
      entityRef: ENTITY,
      rung: { id: 'local' },
      openPromotion: null,
    });

    const build = await khal(
      [
        'evidence',
        'push',
        '-',
        '--kind',
        'build-output',
        '--target',
        'dev-local',
      ],
      { stdin: 'built ok' },
    );
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);

    const local = await khal([
      'promote',
      '--to',
      'local',
      '--wait',
      '--json',
      '--timeout',
      '60',
    ]);
    expect(local.code).toBe(0);
    expect(JSON.parse(local.stdout)).toMatchObject({
      toRung: 'local',
      ref: repo.head,
      phase: 'Promoted',
    });

    // Before a dry-run, dev refuses a real deploy and the command does not run.
    const refused = await khal(['deploy', '--target', 'dev']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^khal: refused: dev may not be changed now — /,
    );
    expect(fs.existsSync(path.join(repo.dir, 'deployed-dev.marker'))).toBe(
      false,
    );

    const doctorBefore = await khal(['doctor', '--target', 'dev', '--json']);
    const checks = JSON.parse(doctorBefore.stdout).checks;
    expect(
      checks.find((c: { id: string }) => c.id === 'settings'),
    ).toMatchObject({ status: 'fail' });

    // A dry-run is clean only once every required setting is known to be supplied.
    const env = await khal(
      ['evidence', 'push', '--kind', 'env-contract', '--target', 'dev'],
      { env: { DATABASE_URL: 'postgres://u:pw@db/x' } },
    );
    expect(env.code).toBe(0);

    const dryRun = await khal([
      'deploy',
      '--target',
      'dev',
      '--dry-run',
      '--json',
    ]);
    // With --json the dry-run command's output goes to stderr.
    expect(dryRun.stderr).toBe(
      `dry-run of ${repo.head} in khal-orders-api: configured (server dry run)\n`,
    );
    expect(dryRun.code).toBe(0);
    const planned = JSON.parse(dryRun.stdout);
    expect(planned.plan).toMatchObject({
      target: 'dev',
      rung: { id: 'dev' },
      manifest: { name: 'orders-api', ref: repo.head },
    });
    expect(planned.plan.commands.deploy).toBe(
      `echo "deploying ${repo.head} to khal-orders-api" && touch deployed-dev.marker`,
    );
    expect(planned.dryRun).toMatchObject({ clean: true, exitCode: 0 });

    const promote = await khal(['promote', '--to', 'dev', '--json']);
    expect(promote.code).toBe(0);
    const promotion = JSON.parse(promote.stdout);
    expect(promotion.phase).toBe('Verifying');

    const deploy = await khal(['deploy', '--target', 'dev']);
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain(
      `deploying ${repo.head} to khal-orders-api`,
    );
    expect(fs.existsSync(path.join(repo.dir, 'deployed-dev.marker'))).toBe(
      true,
    );

    const status = await khal(['status', '--json']);
    const dev = JSON.parse(status.stdout).rungs.find(
      (r: { rung: { id: string } }) => r.rung.id === 'dev',
    );
    expect(dev.placement).toMatchObject({
      ref: repo.head,
      promotionId: promotion.id,
    });
  });

  it('stop the line: khal promote to a paused rung is refused with the reason, who and since when (bypass: the CLI)', async () => {
    const paused = await khal(['line', 'pause', '--rung', 'hml', '--reason', 'customer freeze', '--json']);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    const pause = JSON.parse(paused.stdout);
    expect(pause).toMatchObject({ scope: 'rung', ladderId: 'khal', rungId: 'hml', pausedBy: 'user:default/alice' });
    const refused = await khal(['promote', '--to', 'hml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the line is stopped: Customer HML \(hml\) of ladder khal was paused by user:default\/alice since \d{4}-[\d-]+T[\d:.]+Z: "customer freeze"/,
    );
    const status = await khal(['status']);
    expect(status.stdout).toMatch(/Line stopped: rung hml of ladder khal is paused by user:default\/alice/);
    const resumed = await khal(['line', 'resume', pause.id, '--reason', 'freeze over']);
    expect(resumed.code).toBe(0);
    expect((await khal(['line', 'status'])).stdout).toMatch(/no pause in force/);
  });

  it('shows the portal refusing a self-approval, and lets another person approve', async () => {
    const requested = await khal(['promote', '--to', 'hml', '--json']);
    expect(requested.code).toBe(0);
    const promotion = JSON.parse(requested.stdout);
    expect(promotion.phase).toBe('AwaitingApproval');

    const self = await khal(['approve', promotion.id, '--comment', 'my own']);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/^khal: not allowed: .+\n$/);

    // While the app is paused, no approval counts (bypass: approving through the CLI).
    const paused = JSON.parse(
      (await khal(['line', 'pause', '--reason', 'incident 42', '--json'])).stdout,
    );
    const held = await khal(['approve', promotion.id, '--comment', 'ok'], {
      token: mockCredentials.user.token('user:default/bob'),
    });
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/the line is stopped: component:default\/orders-api was paused by user:default\/alice since .*: "incident 42"/);
    expect((await khal(['line', 'resume', paused.id])).code).toBe(0);

    const inbox = await khal(['approvals', '--json'], {
      token: mockCredentials.user.token('user:default/bob'),
    });
    expect(
      JSON.parse(inbox.stdout).items.map((p: { id: string }) => p.id),
    ).toEqual([promotion.id]);

    const bob = await khal(
      [
        'approve',
        promotion.id,
        '--comment',
        'checked the dev rollout',
        '--json',
      ],
      {
        token: mockCredentials.user.token('user:default/bob'),
      },
    );
    expect(bob.stderr).toBe('');
    expect(bob.code).toBe(0);
    expect(JSON.parse(bob.stdout).approvals).toEqual([
      expect.objectContaining({
        approver: 'user:default/bob',
        decision: 'approve',
        comment: 'checked the dev rollout',
      }),
    ]);
  });

  it('deploys by repository URL from outside any checkout: the portal resolves the entity and the commit of the branch', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'khal-cli-url-'));
    const env = {
      KHAL_CONFIG_DIR: configDir,
      KHAL_TOKEN: alice,
      KHAL_PORTAL: portal,
    };
    try {
      const run = await runKhal(
        [
          'deploy',
          repo.dir,
          '--branch',
          'main',
          '--target',
          'dev',
          '--dry-run',
          '--json',
        ],
        { cwd: elsewhere, env },
      );
      const out = JSON.parse(run.stdout);
      // Clean or not depends on the settings attested by the walk above; the exit code agrees.
      expect(run.code).toBe(out.dryRun.clean ? 0 : 1);
      expect(out.dryRun.command).toMatch(/^echo "dry-run of [0-9a-f]{40} in /);
      expect(out.source).toMatchObject({
        entityRef: ENTITY,
        ref: 'main',
        commit: repo.head,
        matchedBy: `khal.ai/source-repo: file:${repo.dir}`,
        manifest: { status: 'valid', name: 'orders-api' },
      });
      expect(out.plan.manifest.ref).toBe(repo.head);
      expect(out.step.where).toContain('(dev, rung 2 of 3 of ladder khal)');

      const unknown = await runKhal(
        ['deploy', elsewhere, '--branch', 'main', '--target', 'dev'],
        { cwd: elsewhere, env },
      );
      expect(unknown.code).toBe(5);
      expect(unknown.stderr).toMatch(
        /no entity on a ladder has .* as its source/,
      );
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('maps the real error answers to exit codes', async () => {
    const unknown = await khal(['context', '--target', 'prod']);
    expect(unknown.code).toBe(5);
    const missing = await khal([
      'status',
      '--entity',
      'component:default/nope',
    ]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(
      /^khal: not found: no entity component:default\/nope in the catalog\n$/,
    );
    const badToken = await khal(['status'], { token: 'not-a-token' });
    expect(badToken.code).toBe(4);
  });

  /*
   * The CLI prints what the portal answers (evidence it pushed, promotions it asked for) and
   * what the portal's errors say; none of it may carry a planted secret, whether it went in as
   * content, summary, data, reason, explanation, or as a ref or an entity name that an error
   * echoes. Read: stdout and stderr of every run, with and without --json.
   */
  it('prints no planted secret, in output or in errors', async () => {
    const printed: string[] = [];
    const run = async (args: string[], extra: { stdin?: string } = {}) => {
      const result = await khal(args, extra);
      printed.push(result.stdout, result.stderr);
      return result;
    };
    const texts = plantedCorpus.map(f => f.text);
    for (const json of [[], ['--json']]) {
      const pushed = await run(
        [
          'evidence',
          'push',
          '-',
          '--kind',
          'logs',
          '--target',
          'dev-local',
          '--summary',
          texts[1],
          '--data',
          JSON.stringify(
            Object.fromEntries(texts.map((t, i) => [t, { i, t }])),
          ),
          ...json,
        ],
        { stdin: texts.join('\n\n') },
      );
      expect(pushed.code).toBe(0);
    }
    // reasons and explanations of at most 2000 characters, each a few formats
    const chunks: string[] = [''];
    for (const t of texts) {
      if (chunks[chunks.length - 1].length + t.length > 1900) chunks.push('');
      chunks[chunks.length - 1] += `${t}\n\n`;
    }
    for (const chunk of chunks) {
      await run([
        'promote',
        '--to',
        'hml',
        '--reason',
        chunk,
        '--explanation',
        chunk,
        '--json',
      ]);
    }
    // one-word formats (ghp_…), where a ref or an entity name goes: the errors echo them
    const words = texts.filter(t => !/\s/.test(t));
    expect(words.length).toBeGreaterThan(10);
    for (const word of words) {
      const refused = await run(['promote', '--to', 'hml', '--ref', word]);
      expect(refused.code).not.toBe(0);
    }
    for (const word of words.slice(0, 5)) {
      await run(['status', '--entity', `component:default/${word}`]);
    }
    await run(['status']);
    await run(['status', '--json']);

    const all = printed.join('\n');
    expect(all).toContain('[REDACTED:');
    const leaks = plantedCorpus.flatMap(f =>
      f.secrets
        .filter(secret => all.includes(secret))
        .map(
          secret =>
            `${f.name}: …${all.slice(
              Math.max(0, all.indexOf(secret) - 60),
              all.indexOf(secret) + secret.length,
            )}`,
        ),
    );
    expect(leaks).toEqual([]);
  }, 600_000);
  it('khal env: status and validate recorded as SHA-bound, redacted evidence; validate fails until ready; help-request names them', async () => {
    const token = alice;
    const first = await khal(['env', 'validate', '--target', 'local', '--json'], { token });
    expect(first.code).toBe(1);
    const failed = JSON.parse(first.stdout);
    expect(failed).toMatchObject({
      ok: false,
      ref: repo.head,
      failedStep: { title: 'Ready', exitCode: 1, howToFix: 'start the app (touch ready.marker)' },
      whomToAsk: { contacts: ['ana@khal.example'] },
    });
    fs.writeFileSync(path.join(repo.dir, 'ready.marker'), '');
    const passed = await khal(['env', 'validate', '--target', 'local', '--json'], { token });
    expect(passed.code).toBe(0);
    const status = await khal(['env', 'status', '--target', 'local', '--json'], { token });
    expect(status.code).toBe(0);
    const statusJson = JSON.parse(status.stdout);
    expect(statusJson.evidence.redactions).toBeGreaterThan(0);

    const res = await fetch(
      `${portal}/api/ladder/evidence?entityRef=${encodeURIComponent(ENTITY)}&rung=local&ref=${repo.head}`,
      { headers: { authorization: `Bearer ${alice}` } },
    );
    const items: Array<{ id: string; kind: string; ref: string; content?: string; data?: { exitCode?: number } }> =
      (await res.json()).items;
    const validations = items.filter(e => e.kind === 'validation');
    // Newest first: the passing run, then the failing one (on record, exit 1: never proof).
    expect(validations.map(e => e.data?.exitCode)).toEqual([0, 1]);
    expect(validations.every(e => e.ref === repo.head)).toBe(true);
    const stored = items.find(e => e.id === statusJson.evidence.id);
    expect(stored?.content).toContain(`orders-api online at ${repo.head}`);
    expect(stored?.content).not.toContain(PLANTED.secrets[0]);

    const help = await khal(['help-request', '--target', 'dev-local', '--json'], { token });
    expect(help.code).toBe(0);
    const request = JSON.parse(help.stdout);
    expect(request).toMatchObject({ entityRef: ENTITY, rung: { id: 'local' }, ref: repo.head });
    expect(request.evidenceIds).toEqual(expect.arrayContaining([statusJson.evidence.id, ...validations.map(e => e.id)]));
    expect(request.message).toContain('Who can unblock this: ana@khal.example (contacts of Local).');
    expect(help.stdout).not.toContain(PLANTED.secrets[0]);
    });

  it('khal rollback: refused on a first release with the reason, then rolls local back to the previous ref', async () => {
    const first = await khal(['rollback', '--target', 'local']);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/cannot roll Local back: \w{7} is the first release on Local/);
    // A second commit reaches local; rolling back returns to the first one.
    fs.writeFileSync(path.join(repo.dir, 'CHANGELOG.md'), 'second\n');
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'add', 'CHANGELOG.md'], { cwd: repo.dir });
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'changelog'], { cwd: repo.dir });
    expect((await khal(['evidence', 'push', '-', '--kind', 'build-output', '--target', 'local'], { stdin: 'built ok' })).code).toBe(0);
    const second = await khal(['promote', '--to', 'local', '--wait', '--json', '--timeout', '60']);
    expect(JSON.parse(second.stdout)).toMatchObject({ toRung: 'local', phase: 'Promoted' });
    const back = await khal(['rollback', '--target', 'local', '--reason', 'second breaks login', '--wait', '--json', '--timeout', '60']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ kind: 'rollback', toRung: 'local', ref: repo.head, phase: 'Promoted' });
    const status = JSON.parse((await khal(['status', '--json'])).stdout);
    expect(status.rungs.find((r: any) => r.rung.id === 'local').placement).toMatchObject({ ref: repo.head, via: 'rollback' });
  });
});
