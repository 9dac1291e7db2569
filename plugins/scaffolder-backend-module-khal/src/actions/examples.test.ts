/*
 * Every example the template editor shows for a khal:* action is run here, as a template would
 * run it: its `${{ … }}` expressions filled in from a template run's parameters and earlier
 * steps, its input checked against the action's input schema (as the scaffolder does before a
 * step), then the action's handler run against a mock action context. An example that names an
 * input the action does not take, misspells an action id, or fails when run fails this test.
 */
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  TemplateAction,
  TemplateExample,
} from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonObject } from '@backstage/types';
import { Validator } from 'jsonschema';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import yaml from 'yaml';
import { createCatalogRegisterLocalAction } from './catalog/registerLocal';
import { examples as registerLocalExamples } from './catalog/registerLocal.examples';
import { createLadderEnrollAction } from './ladder/enroll';
import { examples as enrollExamples } from './ladder/enroll.examples';
import { createManifestCreateAction } from './manifest/createManifest';
import { examples as createManifestExamples } from './manifest/createManifest.examples';
import { createManifestValidateAction } from './manifest/validateManifest';
import { examples as validateManifestExamples } from './manifest/validateManifest.examples';
import { createPublishLocalAction } from './publish/localGit';
import { examples as publishLocalExamples } from './publish/localGit.examples';

jest.setTimeout(60_000);

const COMMIT = 'a'.repeat(40);

/** What `${{ … }}` can name in the examples: the parameters and the outputs of earlier steps. */
const templateRun = {
  parameters: {
    name: 'orders-api',
    owner: 'group:default/team-orders',
    settings: [{ name: 'LOG_LEVEL', required: false, default: 'info' }],
  },
  steps: {
    register: { output: { entityRef: 'component:default/orders-api' } },
    publish: { output: { commitHash: COMMIT } },
  },
};

const EXPRESSION = /\$\{\{\s*([\w.]+)\s*\}\}/g;

function lookup(path: string): unknown {
  const value = path
    .split('.')
    .reduce<any>(
      (at, key) => (at === undefined ? undefined : at[key]),
      templateRun,
    );
  if (value === undefined) {
    throw new Error(
      `the example uses \${{ ${path} }}, which this test's template run does not define`,
    );
  }
  return value;
}

/** Fills in the expressions; a value that is one expression keeps its type (an array stays one). */
function render(value: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{\{\s*([\w.]+)\s*\}\}$/.exec(value);
    if (whole) return lookup(whole[1]);
    return value.replace(EXPRESSION, (_, path) => String(lookup(path)));
  }
  if (Array.isArray(value)) return value.map(render);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v)]),
    );
  }
  return value;
}

const validManifest = JSON.stringify({
  apiVersion: 'khal.ai/v1',
  name: 'orders-api',
  title: 'Orders API',
  owner: 'group:default/team-orders',
  runtime: { kind: 'node', start: 'node dist/index.js' },
});
const descriptor = yaml.stringify({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api' },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:default/team-orders',
  },
});

/** The examples each action shows in the template editor, by action id. */
const examplesOf: Record<string, TemplateExample[]> = {
  'khal:manifest:create': createManifestExamples,
  'khal:manifest:validate': validateManifestExamples,
  'khal:ladder:enroll': enrollExamples,
  'khal:publish:local': publishLocalExamples,
  'khal:catalog:register-local': registerLocalExamples,
};
const cases = Object.entries(examplesOf).flatMap(([id, list]) =>
  list.map(example => [id, example.description, example] as const),
);

describe('the khal:* action examples run as written', () => {
  const workspace = createMockDirectory();
  const roots = createMockDirectory();
  const enrollments: unknown[] = [];
  let ladder: http.Server;
  let actions: TemplateAction<any, any, any>[];

  beforeAll(async () => {
    ladder = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req
        .on('data', c => chunks.push(c))
        .on('end', () => {
          enrollments.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          res.writeHead(201, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              entityRef: 'component:default/orders-api',
              rungId: 'local',
            }),
          );
        });
    });
    await new Promise<void>(resolve => ladder.listen(0, '127.0.0.1', resolve));
    const port = (ladder.address() as AddressInfo).port;
    const config = mockServices.rootConfig({
      data: {
        khal: {
          localGit: { root: roots.resolve('repos') },
          localCatalog: { root: roots.resolve('catalog') },
        },
      },
    });
    const catalog = catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'orders-api', namespace: 'default' },
        },
      ],
    });
    actions = [
      createManifestCreateAction(),
      createManifestValidateAction(),
      createLadderEnrollAction({
        auth: mockServices.auth({ pluginId: 'scaffolder' }),
        discovery: mockServices.discovery.mock({
          getBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
          getExternalBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
        }),
        catalog,
      }),
      createPublishLocalAction({ config }),
      createCatalogRegisterLocalAction({ config, catalog }),
    ];
  });

  afterAll(() => new Promise(resolve => ladder.close(resolve)));

  beforeEach(() => {
    roots.clear();
    // A workspace as the template's earlier steps leave it: a manifest and a descriptor at the
    // root and in app/ (the examples for sub-folders).
    workspace.setContent({
      'khal-app.json': validManifest,
      'catalog-info.yaml': descriptor,
      app: {
        'khal-app.json': validManifest,
        'catalog-info.yaml': descriptor,
        'index.js': '',
      },
    });
  });

  it('covers every khal:* action: the examples run here are the ones each action shows', () => {
    expect(actions.map(a => a.id).sort()).toEqual(
      Object.keys(examplesOf).sort(),
    );
    for (const action of actions) {
      expect(action.examples).toBe(examplesOf[action.id]);
      expect(action.examples?.length).toBeGreaterThan(0);
    }
  });

  it.each(cases)('%s: %s', async (id, _description, example) => {
    const action = actions.find(a => a.id === id)!;
    const { steps } = yaml.parse(example.example) as {
      steps: Array<{ action: string; input?: Record<string, unknown> }>;
    };
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step.action).toBe(id);
      // Rendered from parsed YAML: JSON values only.
      const input = render(step.input ?? {}) as JsonObject;
      const check = new Validator().validate(
        input,
        action.schema?.input as any,
      );
      expect(check.errors.map(e => `${e.property} ${e.message}`)).toEqual([]);

      const context = createMockActionContext({
        input,
        workspacePath: workspace.path,
      });
      await action.handler(context);
      // Every declared output the step wrote is a value, never undefined.
      for (const [, value] of (context.output as jest.Mock).mock.calls) {
        expect(value).toBeDefined();
      }
    }
    // Only the enroll examples call the ladder, once a step, for the entity they name.
    const called = enrollments.splice(0) as Array<{ entityRef?: string }>;
    const expected = id === 'khal:ladder:enroll' ? steps.length : 0;
    expect(called.map(body => body.entityRef)).toEqual(
      Array(expected).fill('component:default/orders-api'),
    );
  });
});
