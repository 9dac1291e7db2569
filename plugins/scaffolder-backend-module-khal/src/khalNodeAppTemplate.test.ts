import { ConfigReader } from '@backstage/config';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { validateManifest } from '@khal/plugin-ladder-common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'yaml';
import { createCatalogRegisterLocalAction } from './actions/catalog/registerLocal';
import { createLadderEnrollAction } from './actions/ladder/enroll';
import { createManifestCreateAction } from './actions/manifest/createManifest';
import { createManifestValidateAction } from './actions/manifest/validateManifest';
import { createPublishLocalAction } from './actions/publish/localGit';

jest.setTimeout(60_000);

const templatePath = path.resolve(
  __dirname,
  '../../../templates/khal-node-app/template.yaml',
);

/** Just enough of the scaffolder's `${{ a.b.c }}` rendering for this template's step inputs. */
function render(value: unknown, scope: Record<string, unknown>): unknown {
  const lookup = (expression: string) =>
    expression
      .trim()
      .split('.')
      .reduce<any>((node, key) => node?.[key], scope);
  if (typeof value === 'string') {
    const whole = /^\$\{\{([^}]+)\}\}$/.exec(value);
    if (whole) return lookup(whole[1]);
    return value.replace(/\$\{\{([^}]+)\}\}/g, (_, expression) =>
      String(lookup(expression)),
    );
  }
  if (Array.isArray(value)) return value.map(v => render(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v, scope)]),
    );
  }
  return value;
}

describe('templates/khal-node-app', () => {
  const dir = createMockDirectory();
  let server: http.Server;
  let enrollments: unknown[];

  beforeAll(async () => {
    enrollments = [];
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', chunk => {
        raw += chunk;
      });
      req.on('end', () => {
        enrollments.push(JSON.parse(raw));
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ rungId: 'local' }));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  const fetchTemplate = createFetchTemplateAction({
    reader: mockServices.urlReader.mock(),
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  });

  it('renders the skeleton for the parity ladder without optional values', async () => {
    const template = yaml.parse(fs.readFileSync(templatePath, 'utf8'));
    const parameters = {
      name: 'tiny',
      owner: 'user:default/alice',
      ladder: 'parity',
      settings: [],
    };
    const workspacePath = dir.resolve('parity');
    fs.mkdirSync(workspacePath, { recursive: true });
    await fetchTemplate.handler({
      ...createMockActionContext({
        workspacePath,
        input: render(template.spec.steps[0].input, {
          parameters,
          steps: {},
        }) as any,
        templateInfo: {
          baseUrl: pathToFileURL(templatePath).href,
          entityRef: 'template:default/khal-node-app',
        },
      }),
      createTemporaryDirectory: async () => fs.mkdtempSync(dir.resolve('tmp-')),
    });
    const read = (file: string) =>
      fs.readFileSync(path.join(workspacePath, file), 'utf8');
    const entity = yaml.parse(read('catalog-info.yaml'));
    expect(entity.metadata).not.toHaveProperty('description');
    expect(entity.metadata.annotations['khal.ai/ladder']).toBe('parity');
    expect(yaml.parse(read('deploy/chart/values.yaml')).settings).toEqual([]);
    expect(read('ecosystem.config.js')).not.toContain(
      'Settings this app reads',
    );
    expect(read('README.md')).toContain(
      'khal deploy --target compose --dry-run',
    );
    expect(read('README.md')).toContain('This app declares no settings yet');
    expect(JSON.parse(read('package.json')).name).toBe('tiny');
  });

  it('runs end to end: skeleton, manifest, local repository, catalog file, enrolment', async () => {
    const template = yaml.parse(fs.readFileSync(templatePath, 'utf8'));
    expect(
      template.spec.steps.map((s: { action: string }) => s.action),
    ).toEqual([
      'fetch:template',
      'khal:manifest:create',
      'khal:publish:local',
      'khal:catalog:register-local',
      'khal:ladder:enroll',
    ]);
    expect(template.spec.parameters[0].properties.ladder).toMatchObject({
      enum: ['khal', 'parity'],
      enumNames: [expect.any(String), expect.any(String)],
    });
    const settingSchema = template.spec.parameters[1].properties.settings.items;
    expect(Object.keys(settingSchema.properties)).toEqual([
      'name',
      'description',
      'required',
      'secret',
    ]);

    const config = mockServices.rootConfig({
      data: {
        khal: {
          localGit: { root: dir.resolve('repos') },
          localCatalog: { root: dir.resolve('catalog') },
        },
      },
    });
    const port = (server.address() as AddressInfo).port;
    const actions = new Map<string, TemplateAction<any, any, any>>(
      [
        fetchTemplate,
        createManifestCreateAction(),
        createManifestValidateAction(),
        createPublishLocalAction({ config }),
        createCatalogRegisterLocalAction({ config }),
        createLadderEnrollAction({
          auth: mockServices.auth({ pluginId: 'scaffolder' }),
          discovery: mockServices.discovery.mock({
            getBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
          }),
        }),
      ].map(action => [action.id, action]),
    );

    const parameters = {
      name: 'orders-api',
      description: 'Takes customer orders.',
      owner: 'group:default/fdes',
      ladder: 'khal',
      settings: [
        {
          name: 'DATABASE_URL',
          description: 'Orders database',
          required: true,
          secret: true,
        },
        { name: 'LOG_LEVEL', required: false, secret: false },
      ],
    };
    const workspacePath = dir.resolve('workspace');
    fs.mkdirSync(workspacePath, { recursive: true });
    const steps: Record<string, { output: Record<string, unknown> }> = {};
    for (const step of template.spec.steps) {
      const ctx = {
        ...createMockActionContext({
          workspacePath,
          input: render(step.input, { parameters, steps }) as any,
          templateInfo: {
            baseUrl: pathToFileURL(templatePath).href,
            entityRef: 'template:default/khal-node-app',
          },
        }),
        // The mock hands out the workspace itself; the scaffolder gives a separate folder.
        createTemporaryDirectory: async () =>
          fs.mkdtempSync(dir.resolve('tmp-')),
      };
      await actions.get(step.action)!.handler(ctx);
      steps[step.id] = {
        output: Object.fromEntries((ctx.output as jest.Mock).mock.calls),
      };
    }

    // The published repository can be cloned and holds the rendered skeleton and the manifest.
    const clone = dir.resolve('clone');
    execFileSync('git', [
      'clone',
      '--quiet',
      String(steps.publish.output.remoteUrl),
      clone,
    ]);
    expect(fs.readdirSync(clone).sort()).toEqual([
      '.git',
      '.gitignore',
      'README.md',
      'catalog-info.yaml',
      'deploy',
      'ecosystem.config.js',
      'khal-app.json',
      'package.json',
      'src',
      'tsconfig.json',
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
    const entity = yaml.parse(
      fs.readFileSync(path.join(clone, 'catalog-info.yaml'), 'utf8'),
    );
    expect(entity.metadata.annotations).toEqual({
      'khal.ai/ladder': 'khal',
      'khal.ai/source-repo': 'file:orders-api.git',
      'backstage.io/kubernetes-id': 'orders-api',
    });
    expect(entity.spec.owner).toBe('group:default/fdes');
    const pkg = JSON.parse(
      fs.readFileSync(path.join(clone, 'package.json'), 'utf8'),
    );
    expect(Object.keys(pkg.scripts)).toEqual(['build', 'typecheck', 'start']);
    const values = yaml.parse(
      fs.readFileSync(path.join(clone, 'deploy/chart/values.yaml'), 'utf8'),
    );
    expect(values.kubernetesId).toBe('orders-api');
    expect(values.settings).toEqual([
      { name: 'DATABASE_URL', secret: true, required: true },
      { name: 'LOG_LEVEL', secret: false, required: false },
    ]);
    // Helm's own {{ }} survive untouched.
    expect(
      fs.readFileSync(
        path.join(clone, 'deploy/chart/templates/deployment.yaml'),
        'utf8',
      ),
    ).toContain(
      'backstage.io/kubernetes-id: {{ .Values.kubernetesId | quote }}',
    );
    const readme = fs.readFileSync(path.join(clone, 'README.md'), 'utf8');
    for (const command of [
      'khal context',
      'khal doctor',
      'khal deploy --target dev --dry-run',
      'khal evidence push',
      'khal promote',
    ]) {
      expect(readme).toContain(command);
    }
    expect(readme).toContain('| `DATABASE_URL` | yes | yes |');

    // The catalog gets the descriptor through its file location glob; the ladder the commit.
    expect(
      fs.readFileSync(
        dir.resolve('catalog/orders-api/catalog-info.yaml'),
        'utf8',
      ),
    ).toBe(fs.readFileSync(path.join(clone, 'catalog-info.yaml'), 'utf8'));
    expect(steps.register.output.entityRef).toBe(
      'component:default/orders-api',
    );
    expect(enrollments).toEqual([
      {
        entityRef: 'component:default/orders-api',
        ref: steps.publish.output.commitHash,
      },
    ]);
    expect(steps.enroll.output).toEqual({
      rung: 'local',
      ref: steps.publish.output.commitHash,
    });
  });
});
