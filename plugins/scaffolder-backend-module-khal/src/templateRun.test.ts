import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import scaffolderModuleKhal from './index';

jest.setTimeout(180_000);

const templatePath = path.resolve(
  __dirname,
  '../../../templates/khal-node-app/template.yaml',
);

/** Stands in for the ladder backend: records enrolments and who made them. */
function fakeLadderPlugin(
  enrollments: Array<{ principal: unknown; body: unknown }>,
) {
  return createBackendPlugin({
    pluginId: 'ladder',
    register(reg) {
      reg.registerInit({
        deps: {
          http: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ http, httpAuth }) {
          http.use(async (req: any, res: any, next: any) => {
            if (req.method !== 'POST' || req.path !== '/enrollments')
              return next();
            try {
              const credentials = await httpAuth.credentials(req, {
                allow: ['service'],
              });
              let raw = '';
              for await (const chunk of req) raw += chunk;
              enrollments.push({
                principal: credentials.principal,
                body: JSON.parse(raw),
              });
              res.status(201).json({ rungId: 'local' });
            } catch (error) {
              next(error);
            }
            return undefined;
          });
        },
      });
    },
  });
}

describe('khal-node-app through the real scaffolder and catalog', () => {
  const dir = createMockDirectory();

  it('scaffolds, publishes, registers and enrolls a new app', async () => {
    const enrollments: Array<{ principal: unknown; body: unknown }> = [];
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleTemplateKind,
        scaffolderPlugin,
        scaffolderModuleKhal,
        fakeLadderPlugin(enrollments),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['Component', 'Template', 'Location'] }],
              locations: [
                { type: 'file', target: templatePath },
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
          },
        }),
      ],
    });
    const user = mockCredentials.user.header();
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

    await waitFor('the template in the catalog', async () => {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/template/default/khal-node-app')
        .set('Authorization', user);
      return res.status === 200 ? true : undefined;
    });

    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', user)
      .send({
        templateRef: 'template:default/khal-node-app',
        values: {
          name: 'orders-api',
          description: 'Takes customer orders.',
          owner: 'group:default/fdes',
          ladder: 'khal',
          settings: [{ name: 'DATABASE_URL', required: true, secret: true }],
        },
      });
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

    // The repository can be cloned.
    const clone = dir.resolve('clone');
    execFileSync('git', [
      'clone',
      '--quiet',
      dir.resolve('repos', 'orders-api.git'),
      clone,
    ]);
    expect(fs.existsSync(path.join(clone, 'khal-app.json'))).toBe(true);

    // The catalog ingests the descriptor from the file location glob.
    const entity = await waitFor(
      'the new component in the catalog',
      async () => {
        const res = await request(server)
          .get('/api/catalog/entities/by-name/component/default/orders-api')
          .set('Authorization', user);
        return res.status === 200 ? res.body : undefined;
      },
    );
    expect(entity.metadata.annotations).toMatchObject({
      'khal.ai/ladder': 'khal',
      'khal.ai/source-repo': 'file:orders-api.git',
      'backstage.io/kubernetes-id': 'orders-api',
    });

    // The ladder was called by the scaffolder itself, at the published commit.
    const head = execFileSync('git', ['-C', clone, 'rev-parse', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    expect(enrollments).toEqual([
      {
        principal: { type: 'service', subject: 'plugin:scaffolder' },
        body: { entityRef: 'component:default/orders-api', ref: head },
      },
    ]);
  });
});
