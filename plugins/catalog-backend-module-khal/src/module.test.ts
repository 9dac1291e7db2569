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

  it('records the manifest of good entities, and keeps entities with a broken manifest in the catalog with their problem, from their first ingestion on', async () => {
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

    const problemOf = (name: string) =>
      waitFor(`${name} to carry its manifest problem`, async () => {
        const entity = await getEntity(name);
        return entity?.metadata.annotations?.['khal.ai/manifest-problem']
          ? entity
          : undefined;
      });

    // The manifest of an entity in the catalog breaks: the next refresh says where, and the
    // entity no longer carries the digest of the manifest it had.
    await annotated('flaky-app');
    fs.writeFileSync(
      dir.resolve('flaky', 'khal-app.json'),
      manifest('flaky-app', 'database-url'),
    );
    const flaky = await problemOf('flaky-app');
    expect(flaky.metadata.annotations?.['khal.ai/manifest-problem']).toContain(
      'khal-app.json of component:default/flaky-app',
    );
    expect(flaky.metadata.annotations?.['khal.ai/manifest-problem']).toContain(
      '$.env[0].name: "database-url" is not UPPER_SNAKE — fix: rename it to "DATABASE_URL"',
    );
    expect(flaky.metadata.annotations).not.toHaveProperty(
      'khal.ai/manifest-digest',
    );

    // A brand-new entity whose manifest is broken from its first ingestion is in the catalog too
    // (with a processing error the catalog would never stitch it: "pending", seen by nobody),
    // with its problem, and nothing held back among the unprocessed entities.
    const newborn = await problemOf('newborn-app');
    expect(newborn.metadata.annotations?.['khal.ai/manifest-problem']).toContain(
      '$.env[0].name: "api key" is not UPPER_SNAKE — fix: rename it to "API_KEY"',
    );
    expect(newborn.status?.items ?? []).toEqual([]);
    const pending = await request(server)
      .get('/api/catalog/entities/unprocessed/pending')
      .set('Authorization', mockCredentials.user.header());
    expect(
      pending.body.entities.filter(
        (e: { unprocessed_entity: AlphaEntity }) =>
          e.unprocessed_entity.metadata.name === 'newborn-app',
      ),
    ).toEqual([]);

    // Fixed: the problem goes, name and digest come.
    fs.writeFileSync(
      dir.resolve('newborn', 'khal-app.json'),
      manifest('newborn-app'),
    );
    const fixed = await annotated('newborn-app');
    expect(fixed.metadata.annotations).not.toHaveProperty(
      'khal.ai/manifest-problem',
    );
  });
});
