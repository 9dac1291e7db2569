import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import request from 'supertest';
import { startTestBackend, mockServices } from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleUnprocessedEntities from '@backstage/plugin-catalog-backend-module-unprocessed';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { ladderPermissionPolicyModule } from './modules/permissionPolicy';
import {
  Person,
  peopleUserInfoFactory,
  signedInAs,
} from './__testUtils__/people';
import { oboAwareAuthFactories } from './__testUtils__/oboAuth';

// The catalog's first processing of the demo catalog is slow on a loaded 2-core CI machine.
jest.setTimeout(120_000);

/*
 * Group membership decides who may approve production, so Users and Groups may come only from
 * the org location of app-config.yaml. Runs the real catalog with the portal's catalog config
 * and permission policy; registered locations are served by a small HTTP server.
 */

const repoRoot = path.resolve(__dirname, '../../..');
const appConfig = parse(
  fs.readFileSync(path.join(repoRoot, 'app-config.yaml'), 'utf8'),
);

const hostile = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: innocent-looking-app
spec: { type: service, lifecycle: experimental, owner: group:default/fdes }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: mallory
spec:
  profile: { displayName: Mallory FAKE }
  memberOf: [operators]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: shadow-approvers
spec: { type: team, children: [] }
`;

const clean = (name: string) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec: { type: service, lifecycle: experimental, owner: group:default/fdes }
`;

const files: Record<string, string> = {
  '/hostile/catalog-info.yaml': hostile,
  '/by-alice/catalog-info.yaml': clean('registered-by-alice'),
  '/by-olga/catalog-info.yaml': clean('registered-by-olga'),
  '/by-guest/catalog-info.yaml': clean('registered-by-guest'),
  '/by-sam/catalog-info.yaml': clean('registered-by-sam'),
};

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe('catalog trust', () => {
  let fileServer: http.Server;
  let base: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  const entity = (ref: string) =>
    request(backend.server)
      .get(`/api/catalog/entities/by-name/${ref}`)
      .set('Authorization', signedInAs('olga'));

  const register = (who: Person, folder: string) =>
    request(backend.server)
      .post('/api/catalog/locations')
      .set('Authorization', signedInAs(who))
      .send({ type: 'url', target: `${base}/${folder}/catalog-info.yaml` });

  beforeAll(async () => {
    fileServer = http.createServer((req, res) => {
      const body = files[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/yaml' });
      res.end(body ?? 'not found');
    });
    await new Promise<void>(resolve =>
      fileServer.listen(0, '127.0.0.1', resolve),
    );
    const { port } = fileServer.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;

    const backendDir = path.join(repoRoot, 'packages/backend');
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleUnprocessedEntities,
        permissionPlugin,
        ladderPermissionPolicyModule,
        permissionsServiceFactory,
        peopleUserInfoFactory,
        ...oboAwareAuthFactories,
        mockServices.rootConfig.factory({
          data: {
            backend: { reading: { allow: [{ host: `127.0.0.1:${port}` }] } },
            catalog: {
              ...appConfig.catalog,
              processingInterval: { seconds: 1 },
              // The portal's locations, file targets resolved as the backend resolves them.
              locations: appConfig.catalog.locations.map(
                (l: { type: string; target: string }) =>
                  l.type === 'file'
                    ? { ...l, target: path.resolve(backendDir, l.target) }
                    : l,
              ),
            },
            ladder: appConfig.ladder,
            permission: { enabled: true },
          },
        }),
      ],
    });
    // Owners are decided by what the catalog says they own: wait for the demo catalog.
    await waitFor('the demo catalog', async () =>
      (await entity('component/default/orders-api')).status === 200
        ? true
        : undefined,
    );
  });

  afterAll(async () => {
    await backend?.stop();
    await new Promise(resolve => fileServer?.close(resolve));
  });

  it('reads Users and Groups from the org location', async () => {
    const alice = await waitFor('user alice', async () => {
      const res = await entity('user/default/alice');
      return res.status === 200 ? res.body : undefined;
    });
    expect(alice.relations).toEqual(
      expect.arrayContaining([
        { type: 'memberOf', targetRef: 'group:default/fdes' },
      ]),
    );
    expect((await entity('group/default/operators')).status).toBe(200);
  });

  it('bypass: a registered location brings a User claiming membership of operators, and a Group (processing error, never in the catalog)', async () => {
    const res = await register('alice', 'hostile');
    expect(res.status).toBe(201);
    const target = `${base}/hostile/catalog-info.yaml`;
    const failed = await waitFor(
      'the registered location among the unprocessed entities, with its error',
      async () => {
        const pending = await request(backend.server)
          .get('/api/catalog/entities/unprocessed/pending')
          .set('Authorization', signedInAs('olga'));
        expect(pending.status).toBe(200);
        const found = pending.body.entities.find(
          (e: {
            unprocessed_entity: { kind: string; spec?: { target?: string } };
          }) =>
            e.unprocessed_entity.kind === 'Location' &&
            e.unprocessed_entity.spec?.target === target,
        );
        return found?.errors?.length ? found : undefined;
      },
    );
    const messages = failed.errors.map((e: { message: string }) => e.message);
    expect(messages.join('\n')).toMatch(
      /Entity (user:default\/mallory|group:default\/shadow-approvers) at url:.*hostile\/catalog-info\.yaml.* is not of an allowed kind for that location/,
    );
    expect((await entity('user/default/mallory')).status).toBe(404);
    expect((await entity('group/default/shadow-approvers')).status).toBe(404);
    const operators = await entity('group/default/operators');
    expect(JSON.stringify(operators.body.relations)).not.toContain('mallory');
  });

  it.each(['guest', 'sam'] as const)(
    'bypass: %s, who owns nothing in the catalog, registers a location (403)',
    async who => {
      const res = await register(who, `by-${who}`);
      expect(res.status).toBe(403);
    },
  );

  it.each(['alice', 'olga'] as const)(
    'lets %s register a location (alice owns demo apps, olga is an operator), and its entities arrive',
    async who => {
      const res = await register(who, `by-${who}`);
      expect(res.status).toBe(201);
      await waitFor(`registered-by-${who}`, async () =>
        (await entity(`component/default/registered-by-${who}`)).status === 200
          ? true
          : undefined,
      );
    },
  );
});
