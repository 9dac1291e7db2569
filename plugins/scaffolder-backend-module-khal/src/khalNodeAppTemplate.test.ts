import { ConfigReader } from '@backstage/config';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'yaml';

jest.setTimeout(60_000);

const templatePath = path.resolve(
  __dirname,
  '../../../templates/khal-node-app/template.yaml',
);

// The full run (dry-run and real task through the scaffolder, catalog and ladder backends) is in
// templateRun.test.ts; this file checks the template's form and the skeleton's optional parts.

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

  it('asks for the app, its ladder and its settings, and runs the steps in order', () => {
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
    const app = template.spec.parameters[0];
    expect(app.required).toEqual(['name', 'owner', 'ladder']);
    expect(app.properties.owner['ui:field']).toBe('OwnerPicker');
    expect(app.properties.ladder).toMatchObject({
      enum: ['khal', 'parity'],
      enumNames: [expect.any(String), expect.any(String)],
    });
    const settingSchema = template.spec.parameters[1].properties.settings.items;
    // A secret flag, but never a value: secret values are not asked for.
    expect(Object.keys(settingSchema.properties)).toEqual([
      'name',
      'description',
      'required',
      'secret',
    ]);
  });
});
