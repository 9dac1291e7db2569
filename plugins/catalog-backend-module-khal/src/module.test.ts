import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AlphaEntity } from '@backstage/catalog-model/alpha';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleUnprocessedEntities from '@backstage/plugin-catalog-backend-module-unprocessed';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import request from 'supertest';
import catalogModuleKhalManifest from './index';

jest.setTimeout(120_000);

const manifest = (name: string, settingName = 'DATABASE_URL') =>
  `${JSON.stringify(
    {
      apiVersion: 'khal.ai/v1',
      name,
      title: name,
      owner: 'group:default/fdes',
      runtime: { kind: 'node', start: 'node dist/index.js' },
      env: [{ name: settingName, secret: true }],
    },
    null,
    2,
  )}\n`;

const descriptor = (
  name: string,
  extraAnnotations = '',
) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
  annotations:
    khal.ai/ladder: khal${extraAnnotations}
spec:
  type: service
  lifecycle: experimental
  owner: group:default/fdes
`;

const sha256 = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('hex');

describe('catalogModuleKhalManifest with the real catalog backend', () => {
  const dir = createMockDirectory();

  async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
  ): Promise<T> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}`);
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  }

  it('records the manifest of good entities and surfaces a broken manifest: on the entity once it is in the catalog, in the unprocessed entities when it never got in', async () => {
    dir.setContent({
      good: {
        'catalog-info.yaml': descriptor('good-app'),
        'khal-app.json': manifest('good-app'),
      },
      flaky: {
        'catalog-info.yaml': descriptor('flaky-app'),
        'khal-app.json': manifest('flaky-app'),
      },
      registered: {
        'catalog-info.yaml': descriptor(
          'repo-app',
          '\n    khal.ai/source-repo: file:repo-app.git',
        ),
      },
      work: { 'khal-app.json': manifest('repo-app') },
      // Broken from its very first ingestion: the catalog never stitches it.
      newborn: {
        'catalog-info.yaml': descriptor('newborn-app'),
        'khal-app.json': manifest('newborn-app', 'api key'),
      },
    });
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir.resolve('work'),
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      });
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'init');
    git(
      'clone',
      '--quiet',
      '--bare',
      dir.resolve('work'),
      dir.resolve('repos', 'repo-app.git'),
    );

    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleKhalManifest,
        catalogModuleUnprocessedEntities,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              locations: ['good', 'flaky', 'registered', 'newborn'].map(
                folder => ({
                  type: 'file',
                  target: dir.resolve(folder, 'catalog-info.yaml'),
                }),
              ),
            },
            ladder: { localRepositoriesRoot: dir.resolve('repos') },
          },
        }),
      ],
    });

    const getEntity = async (
      name: string,
    ): Promise<AlphaEntity | undefined> => {
      const response = await request(server)
        .get(`/api/catalog/entities/by-name/component/default/${name}`)
        .set('Authorization', mockCredentials.user.header());
      return response.status === 200 ? response.body : undefined;
    };
    const annotated = (name: string) =>
      waitFor(`${name} to carry the manifest annotations`, async () => {
        const entity = await getEntity(name);
        return entity?.metadata.annotations?.['khal.ai/manifest-digest']
          ? entity
          : undefined;
      });

    // A manifest beside a file location.
    const good = await annotated('good-app');
    expect(good.metadata.annotations).toMatchObject({
      'khal.ai/manifest-name': 'good-app',
      'khal.ai/manifest-digest': sha256(manifest('good-app')),
    });
    expect(good.status?.items ?? []).toEqual([]);

    // A manifest in a local bare repository.
    const repoApp = await annotated('repo-app');
    expect(repoApp.metadata.annotations).toMatchObject({
      'khal.ai/manifest-name': 'repo-app',
      'khal.ai/manifest-digest': sha256(manifest('repo-app')),
    });

    // The manifest of an entity in the catalog breaks: the next refresh reports where.
    await annotated('flaky-app');
    fs.writeFileSync(
      dir.resolve('flaky', 'khal-app.json'),
      manifest('flaky-app', 'database-url'),
    );
    const item = await waitFor(
      'the processing error of flaky-app',
      async () => {
        const entity = await getEntity('flaky-app');
        return entity?.status?.items?.find(
          i => i.type === 'backstage.io/catalog-processing',
        );
      },
    );
    expect(item.level).toBe('error');
    expect(item.message).toContain(
      'khal-app.json of component:default/flaky-app',
    );
    expect(item.message).toContain(
      '$.env[0].name: "database-url" is not UPPER_SNAKE — fix: rename it to "DATABASE_URL"',
    );

    // A brand-new entity whose manifest is broken never reaches the entities API (the catalog
    // does not stitch an entity whose first processing failed); the unprocessed-entities module
    // shows it with the processing error. With catalog-backend 4 such an entity has a refresh
    // state but no final entity row, which that module lists as "pending" (its "failed" list is
    // for final entities without content).
    const unprocessed = await waitFor(
      'newborn-app among the unprocessed entities with its error',
      async () => {
        const response = await request(server)
          .get('/api/catalog/entities/unprocessed/pending')
          .set('Authorization', mockCredentials.user.header());
        expect(response.status).toBe(200);
        // Matched on the descriptor: the module's join leaves entity_ref empty for entities
        // that have no final entity row.
        const found = response.body.entities.find(
          (e: { unprocessed_entity: AlphaEntity }) =>
            e.unprocessed_entity.kind === 'Component' &&
            e.unprocessed_entity.metadata.name === 'newborn-app',
        );
        return found?.errors?.length ? found : undefined;
      },
    );
    expect(unprocessed.processed_entity).toBeNull();
    expect(unprocessed.location_key).toBe(
      `file:${dir.resolve('newborn', 'catalog-info.yaml')}`,
    );
    expect(unprocessed.errors).toEqual([
      {
        name: 'Error',
        message: expect.stringContaining(
          'khal-app.json of component:default/newborn-app',
        ),
      },
    ]);
    expect(unprocessed.errors[0].message).toContain(
      '$.env[0].name: "api key" is not UPPER_SNAKE — fix: rename it to "API_KEY"',
    );
    expect(await getEntity('newborn-app')).toBeUndefined();
  });
});
