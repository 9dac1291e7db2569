import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import catalogModuleKhalManifest from '@khal/plugin-catalog-backend-module-khal';
// The end-to-end test composes the real ladder backend into the same test backend; the module
// itself never imports it (it reaches the ladder over HTTP on behalf of the task's initiator).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ladderPlugin from '@khal/plugin-ladder-backend';
import { validateManifest } from '@khal/plugin-ladder-common';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import scaffolderModuleKhal from './index';

jest.setTimeout(240_000);

const templateDir = path.resolve(__dirname, '../../../templates/khal-node-app');
const templatePath = path.join(templateDir, 'template.yaml');

/** A ladder as the ladder backend reads it from `ladder.ladders`: a local rung, then a cluster. */
const ladders = [
  {
    id: 'khal',
    title: 'KhalOS ladder',
    rungs: [
      {
        id: 'local',
        title: 'Local',
        runtime: 'pm2',
        mutationPolicy: 'self',
        host: 'localhost',
        entryGates: ['manifest-valid'],
        proofChecks: ['manifest-valid'],
        commands: { logs: 'pm2 logs {{entity.name}}' },
      },
      {
        id: 'dev',
        title: 'Shared dev',
        runtime: 'kind',
        mutationPolicy: 'after-dry-run',
        entryGates: ['previous-rung-proven', 'manifest-valid'],
      },
    ],
  },
];

const values = {
  name: 'orders-api',
  description: 'Takes customer orders.',
  owner: 'group:default/fdes',
  ladder: 'khal',
  settings: [
    { name: 'DATABASE_URL', required: true, secret: true },
    { name: 'LOG_LEVEL', required: false, secret: false },
  ],
};

/** Every file of the template folder, as the dry-run endpoint takes them. */
function templateDirectoryContents() {
  const files: Array<{ path: string; base64Content: string }> = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        files.push({
          path: path.relative(templateDir, full).split(path.sep).join('/'),
          base64Content: fs.readFileSync(full).toString('base64'),
        });
    }
  };
  walk(templateDir);
  return files;
}

describe('khal-node-app through the real scaffolder, catalog and ladder backends', () => {
  const dir = createMockDirectory();
  const user = mockCredentials.user.header();
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let stop: () => Promise<void>;

  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
  ) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}`);
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  };

  /** The people and groups: the runner (user:default/mock) is in fdes, the new app's owner. */
  const org = [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'fdes' },
      spec: { type: 'team', children: [], members: ['mock'] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'payments' },
      spec: { type: 'team', children: [] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'mock' },
      spec: { memberOf: ['fdes'] },
    },
    // An existing app on the ladder that is not enrolled yet, owned by another team.
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'billing-api',
        annotations: {
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': 'file:billing-api.git',
        },
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'group:default/payments',
      },
    },
  ];

  /** billing-api's repository, so that the catalog module accepts the entity. */
  function publishBillingApi() {
    const work = dir.resolve('billing-work');
    const run = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: work,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'Test',
          GIT_AUTHOR_EMAIL: 'test@example.com',
          GIT_COMMITTER_NAME: 'Test',
          GIT_COMMITTER_EMAIL: 'test@example.com',
        },
      });
    fs.mkdirSync(work, { recursive: true });
    fs.writeFileSync(
      path.join(work, 'khal-app.json'),
      JSON.stringify({
        apiVersion: 'khal.ai/v1',
        name: 'billing-api',
        title: 'Billing API',
        owner: 'group:default/payments',
        runtime: { kind: 'node', start: 'node index.js', port: 8080 },
        env: [],
      }),
    );
    run('init', '-q', '-b', 'main');
    run('add', 'khal-app.json');
    run('commit', '-q', '-m', 'billing');
    run('clone', '-q', '--bare', work, dir.resolve('repos', 'billing-api.git'));
  }

  beforeAll(async () => {
    dir.addContent({
      'org/org.yaml': org.map(e => yaml.stringify(e)).join('---\n'),
    });
    publishBillingApi();
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleTemplateKind,
        catalogModuleKhalManifest,
        scaffolderPlugin,
        scaffolderModuleKhal,
        ladderPlugin,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                {
                  allow: ['Component', 'Template', 'Location', 'User', 'Group'],
                },
              ],
              locations: [
                { type: 'file', target: templatePath },
                { type: 'file', target: dir.resolve('org', 'org.yaml') },
                {
                  type: 'file',
                  target: dir.resolve('catalog', '*', 'catalog-info.yaml'),
                },
              ],
            },
            khal: {
              localGit: { root: dir.resolve('repos') },
              localCatalog: { root: dir.resolve('catalog') },
            },
            ladder: {
              operatorsGroup: 'group:default/operators',
              localRepositoriesRoot: dir.resolve('repos'),
              ladders,
            },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
  });

  it('dry-runs the template: returns the planned files and changes nothing', async () => {
    const template = yaml.parse(fs.readFileSync(templatePath, 'utf8'));
    const response = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', user)
      .send({
        template,
        values,
        directoryContents: templateDirectoryContents(),
      });
    expect(response.status).toBe(200);

    const files = new Map<string, string>(
      response.body.directoryContents.map(
        (f: { path: string; base64Content: string }) => [
          f.path,
          Buffer.from(f.base64Content, 'base64').toString('utf8'),
        ],
      ),
    );
    expect([...files.keys()].sort()).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'catalog-info.yaml',
        'deploy/chart/Chart.yaml',
        'deploy/chart/templates/deployment.yaml',
        'deploy/chart/templates/service.yaml',
        'deploy/chart/values.yaml',
        'ecosystem.config.js',
        'khal-app.json',
        'package.json',
        'src/index.ts',
        'tsconfig.json',
      ]),
    );

    // The planned manifest is the one a real run would publish, and it validates.
    expect(
      validateManifest(JSON.parse(files.get('khal-app.json')!)),
    ).toMatchObject({ ok: true });
    expect(JSON.parse(files.get('khal-app.json')!)).toMatchObject({
      name: 'orders-api',
      owner: 'group:default/fdes',
      env: [
        { name: 'DATABASE_URL', required: true, secret: true },
        { name: 'LOG_LEVEL', required: false },
      ],
    });
    const descriptor = yaml.parse(files.get('catalog-info.yaml')!);
    expect(descriptor.metadata.annotations).toMatchObject({
      'khal.ai/ladder': 'khal',
      'khal.ai/source-repo': 'file:orders-api.git',
      'backstage.io/kubernetes-id': 'orders-api',
    });
    expect(files.get('ecosystem.config.js')).toContain(
      "name: process.env.KHAL_PM2_NAME || 'orders-api'",
    );
    expect(files.get('deploy/chart/templates/deployment.yaml')).toContain(
      'backstage.io/kubernetes-id',
    );

    // Each khal step says what it would have done instead of doing it.
    const messages: string[] = response.body.log.map(
      (entry: { body: { message: string } }) => entry.body.message,
    );
    for (const expected of [
      /Dry-run: would create .*orders-api\.git, commit .* on main and push it/,
      /Dry-run: would register component:default\/orders-api by writing .*catalog-info\.yaml/,
      /Dry-run: would wait for component:default\/orders-api to appear in the catalog and enroll it/,
    ]) {
      expect(messages.some(m => expected.test(m))).toBe(true);
    }
    expect(response.body.output.text[0].content).toContain(
      'It is on the **dry-run** rung',
    );
    // Next steps start with getting khal and logging in, rendered (no template left).
    const nextSteps: string = response.body.output.text[0].content;
    expect(nextSteps).toMatch(
      /eval "\$\(node \/\S+\/packages\/cli\/bin\/khal env\)"/,
    );
    // The portal's URL and the person who ran the template (user:default/mock here).
    expect(nextSteps).toMatch(
      /khal login --portal http:\/\/localhost:\d+ --demo-user mock /,
    );
    expect(nextSteps).toContain('--kind typecheck --file typecheck.log');
    expect(nextSteps).not.toContain('{{');

    // Nothing was published, registered or enrolled.
    expect(fs.existsSync(dir.resolve('repos', 'orders-api.git'))).toBe(false);
    expect(fs.existsSync(dir.resolve('catalog', 'orders-api'))).toBe(false);
    // ...not even in the catalog: the ladder answers as for any unknown entity.
    const audit = await request(server)
      .get('/api/ladder/audit')
      .query({ entityRef: 'component:default/orders-api' })
      .set('Authorization', user);
    expect(audit.status).toBe(404);
    expect(audit.body.error.message).toBe(
      'no entity component:default/orders-api in the catalog',
    );
  });

  it('scaffolds, publishes, registers and enrolls a new app', async () => {
    await waitFor('the template in the catalog', async () => {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/template/default/khal-node-app')
        .set('Authorization', user);
      return res.status === 200 ? true : undefined;
    });

    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', user)
      .send({ templateRef: 'template:default/khal-node-app', values });
    expect(created.status).toBe(201);

    const task = await waitFor('the task to finish', async () => {
      const res = await request(server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('Authorization', user);
      return ['completed', 'failed', 'cancelled'].includes(res.body.status)
        ? res.body
        : undefined;
    });
    if (task.status !== 'completed') {
      const events = await request(server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
        .set('Authorization', user);
      throw new Error(
        `task ${task.status}: ${events.body
          .map((e: any) => e.body?.message)
          .filter(Boolean)
          .join('\n')}`,
      );
    }

    // The repository can be cloned, and its manifest validates.
    const clone = dir.resolve('clone');
    execFileSync('git', [
      'clone',
      '--quiet',
      dir.resolve('repos', 'orders-api.git'),
      clone,
    ]);
    const manifestText = fs.readFileSync(
      path.join(clone, 'khal-app.json'),
      'utf8',
    );
    const manifest = validateManifest(manifestText);
    expect(manifest.ok && manifest.manifest).toMatchObject({
      name: 'orders-api',
      owner: 'group:default/fdes',
      runtime: { start: 'node dist/index.js', port: 8080, health: '/healthz' },
      env: [
        { name: 'DATABASE_URL', secret: true, required: true },
        { name: 'LOG_LEVEL', secret: false, required: false },
      ],
      deploy: { kubernetes: { id: 'orders-api', chart: 'deploy/chart' } },
    });
    // ...and holds the rendered skeleton.
    expect(fs.readdirSync(clone).sort()).toEqual([
      '.git',
      '.gitignore',
      'README.md',
      'ROLLBACK.md',
      'catalog-info.yaml',
      'deploy',
      'ecosystem.config.js',
      'khal-app.json',
      'package.json',
      'src',
      'tsconfig.json',
    ]);
    const read = (file: string) =>
      fs.readFileSync(path.join(clone, file), 'utf8');
    expect(Object.keys(JSON.parse(read('package.json')).scripts)).toEqual([
      'build',
      'typecheck',
      'start',
    ]);
    const chartValues = yaml.parse(read('deploy/chart/values.yaml'));
    expect(chartValues.kubernetesId).toBe('orders-api');
    expect(chartValues.settings).toEqual([
      { name: 'DATABASE_URL', secret: true, required: true },
      { name: 'LOG_LEVEL', secret: false, required: false },
    ]);
    // Helm's own {{ }} survive untouched.
    expect(read('deploy/chart/templates/deployment.yaml')).toContain(
      'backstage.io/kubernetes-id: {{ .Values.kubernetesId | quote }}',
    );
    for (const command of [
      'khal context',
      'khal doctor',
      'khal deploy --target dev --dry-run',
      'khal evidence push',
      'khal promote',
    ]) {
      expect(read('README.md')).toContain(command);
    }
    expect(read('README.md')).toContain('| `DATABASE_URL` | yes | yes |');
    expect(read('README.md')).toContain('khal login --portal');
    expect(read('README.md')).not.toContain('{{');
    // deploy/kubernetes.yaml, filled in as the Kubernetes rungs' deploy command does (sed), is
    // what the ladder observes: the full commit SHA in the image tag and khal.ai/ref annotations.
    const sha = 'c'.repeat(40);
    const objects = yaml
      .parseAllDocuments(
        read('deploy/kubernetes.yaml')
          .replaceAll('@REF@', sha)
          .replaceAll('@NAMESPACE@', 'khal-orders-api'),
      )
      .map(d => d.toJS());
    expect(objects.map(o => o.kind)).toEqual([
      'Namespace',
      'Deployment',
      'Service',
    ]);
    const deployment = objects[1];
    expect(deployment.metadata).toMatchObject({
      name: 'orders-api',
      namespace: 'khal-orders-api',
      labels: { 'backstage.io/kubernetes-id': 'orders-api' },
      annotations: { 'khal.ai/ref': sha },
    });
    expect(deployment.spec.template.metadata.annotations['khal.ai/ref']).toBe(
      sha,
    );
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      `orders-api:${sha}`,
    );
    expect(deployment.spec.template.spec.containers[0].env).toEqual([
      { name: 'PORT', value: '8080' },
      {
        name: 'DATABASE_URL',
        valueFrom: {
          secretKeyRef: {
            name: 'orders-api-secrets',
            key: 'DATABASE_URL',
            optional: false,
          },
        },
      },
      {
        name: 'LOG_LEVEL',
        valueFrom: {
          configMapKeyRef: {
            name: 'orders-api-settings',
            key: 'LOG_LEVEL',
            optional: true,
          },
        },
      },
    ]);
    const head = execFileSync('git', ['-C', clone, 'rev-parse', 'HEAD'], {
      encoding: 'utf8',
    }).trim();

    const digest = createHash('sha256')
      .update(manifestText, 'utf8')
      .digest('hex');

    // The catalog ingested the descriptor, and the khal module recorded the manifest it read
    // from the published repository.
    const entity = await waitFor(
      'the new component in the catalog with its manifest annotations',
      async () => {
        const res = await request(server)
          .get('/api/catalog/entities/by-name/component/default/orders-api')
          .set('Authorization', user);
        return res.status === 200 &&
          res.body.metadata.annotations['khal.ai/manifest-digest']
          ? res.body
          : undefined;
      },
    );
    expect(entity.metadata.annotations).toMatchObject({
      'khal.ai/ladder': 'khal',
      'khal.ai/source-repo': 'file:orders-api.git',
      'backstage.io/kubernetes-id': 'orders-api',
      'khal.ai/manifest-name': 'orders-api',
      'khal.ai/manifest-digest': digest,
    });
    expect(entity.status?.items ?? []).toEqual([]);

    // The ladder placed it on the first rung at the published commit.
    const ladderView = await request(server)
      .get('/api/ladder/entities/component/default/orders-api')
      .set('Authorization', user);
    expect(ladderView.status).toBe(200);
    const [first, second] = ladderView.body.rungs;
    expect(first.rung.id).toBe('local');
    expect(first.placement).toMatchObject({
      entityRef: 'component:default/orders-api',
      rungId: 'local',
      ref: head,
      via: 'enrollment',
      placedBy: 'user:default/mock',
    });
    expect(second.placement).toBeNull();
    // The enrolment proved the rung: the ladder read the same manifest from the repository at
    // that commit as the catalog did (same digest).
    expect(first.status).toBe('proven');
    expect(first.proof).toEqual([
      expect.objectContaining({
        gateId: 'manifest-valid',
        status: 'passed',
        summary: expect.stringContaining(`sha256 ${digest.slice(0, 12)}`),
      }),
    ]);

    // ...and recorded that the person who ran the template did it (through the scaffolder).
    const audit = await request(server)
      .get('/api/ladder/audit')
      .query({ entityRef: 'component:default/orders-api' })
      .set('Authorization', user);
    expect(audit.status).toBe(200);
    const placements = audit.body.items.filter(
      (item: { detail: { via?: string } }) => item.detail.via === 'enrollment',
    );
    expect(placements).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/orders-api',
        actor: 'user:default/mock',
        detail: expect.objectContaining({ rung: 'local', ref: head }),
      }),
    ]);
  });

  it("refuses the scaffolder's service token enrolling an arbitrary existing entity", async () => {
    await waitFor('billing-api in the catalog', async () => {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/billing-api')
        .set('Authorization', user);
      return res.status === 200 ? true : undefined;
    });
    const scaffolderToken = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('plugin:scaffolder'),
      targetPluginId: 'ladder',
    });
    const asScaffolder = await request(server)
      .post('/api/ladder/enrollments')
      .set('Authorization', scaffolderToken)
      .send({ entityRef: 'component:default/billing-api', ref: 'main' });
    expect(asScaffolder.status).toBe(403);
    expect(asScaffolder.body.error.message).toContain(
      'enrolment is done on behalf of a person who owns the entity',
    );

    // On behalf of the runner, who does not own billing-api, it is refused too.
    const asRunner = await request(server)
      .post('/api/ladder/enrollments')
      .set('Authorization', user)
      .send({ entityRef: 'component:default/billing-api', ref: 'main' });
    expect(asRunner.status).toBe(403);
    expect(asRunner.body.error.message).toContain(
      'only its owners (group:default/payments)',
    );

    // Nothing was placed.
    const view = await request(server)
      .get('/api/ladder/entities/component/default/billing-api')
      .set('Authorization', user);
    expect(view.status).toBe(200);
    expect(view.body.rungs[0].placement).toBeNull();
  });
});
