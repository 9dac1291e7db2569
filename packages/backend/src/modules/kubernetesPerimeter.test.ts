import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import request from 'supertest';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import {
  type RunningSimulator,
  secretDataRequests,
  startSimulator,
} from '@khal/kube-simulator';
import { KubernetesProxyClient } from '@khal/plugin-ladder-backend-module-kubernetes';
import { ladderPermissionPolicyModule } from './permissionPolicy';
import { kubernetesPerimeterModule } from './kubernetesPerimeter';
import { peopleUserInfoFactory, signedInAs } from '../__testUtils__/people';
import { oboAwareAuthFactories } from '../__testUtils__/oboAuth';

// Starting backends, the catalog and a simulated cluster is slow on a loaded 2-core CI machine.
jest.setTimeout(120_000);

/*
 * The portal as `npm start` runs it, for Kubernetes: the real kubernetes backend behind the real
 * permission backend with the portal's policy and perimeter module, the demo catalog, and the
 * demo production cluster (packages/kube-simulator, fixtures/demo/prod-oke.yaml).
 */

const repoRoot = path.resolve(__dirname, '../../../..');
const appConfig = parse(
  fs.readFileSync(path.join(repoRoot, 'app-config.yaml'), 'utf8'),
);
const CLUSTER = 'prod-oke';

/** The portal's catalog config, its file targets resolved as the backend resolves them. */
function catalogConfig() {
  const backendDir = path.join(repoRoot, 'packages/backend');
  return {
    ...appConfig.catalog,
    processingInterval: { seconds: 1 },
    locations: appConfig.catalog.locations.map(
      (l: { type: string; target: string }) =>
        l.type === 'file'
          ? { ...l, target: path.resolve(backendDir, l.target) }
          : l,
    ),
  };
}
const NS = 'khal-payments-gateway';
const METADATA_LIST_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

describe('the portal’s Kubernetes perimeter', () => {
  let sim: RunningSimulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let ladderClient: KubernetesProxyClient | undefined;

  // Stands in for the ladder backend: builds the ladder module's proxy client from the ladder
  // plugin's own discovery and auth, so it calls the proxy as the ladder's service principal.
  const ladderStandIn = createBackendPlugin({
    pluginId: 'ladder',
    register(env) {
      env.registerInit({
        deps: { discovery: coreServices.discovery, auth: coreServices.auth },
        async init({ discovery, auth }) {
          ladderClient = new KubernetesProxyClient({
            discovery,
            auth,
            timeoutMs: 10_000,
          });
        },
      });
    },
  });

  const proxy = (method: 'get' | 'patch' | 'delete' | 'post', p: string) =>
    request(backend.server)
      [method](`/api/kubernetes/proxy${p}`)
      .set('Backstage-Kubernetes-Cluster', CLUSTER);

  const image = () =>
    sim.cluster(CLUSTER).get({
      kind: 'Deployment',
      namespace: NS,
      name: 'payments-gateway',
    })!.spec.template.spec.containers[0].image;

  beforeAll(async () => {
    sim = await startSimulator({
      clusters: [
        {
          name: CLUSTER,
          token: 'prod-oke-FAKE-token',
          fixtureFiles: [
            path.join(
              repoRoot,
              'packages/kube-simulator/fixtures/demo/prod-oke.yaml',
            ),
          ],
        },
      ],
    });
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        permissionPlugin,
        ladderPermissionPolicyModule,
        kubernetesPlugin,
        kubernetesPerimeterModule,
        ladderStandIn,
        permissionsServiceFactory,
        peopleUserInfoFactory,
        ...oboAwareAuthFactories,
        mockServices.rootConfig.factory({
          data: {
            catalog: catalogConfig(),
            ladder: appConfig.ladder,
            permission: { enabled: true },
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              objectTypes: appConfig.kubernetes.objectTypes,
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: CLUSTER,
                      url: sim.cluster(CLUSTER).url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'prod-oke-FAKE-token',
                      skipMetricsLookup: true,
                    },
                  ],
                },
              ],
            },
          },
        }),
      ],
    });
    // The kubernetes backend loads its client library on its first proxy request; not in a test.
    await request(backend.server)
      .get('/api/kubernetes/proxy/version')
      .set('Backstage-Kubernetes-Cluster', CLUSTER)
      .set('Authorization', mockCredentials.service.header())
      .expect(200);
    // The Kubernetes tab asks for an entity the catalog has; wait for the demo catalog.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(backend.server)
        .get('/api/catalog/entities/by-name/component/default/payments-gateway')
        .set('Authorization', signedInAs('alice'));
      if (res.status === 200) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the demo catalog never loaded: ${res.status} ${JSON.stringify(
            res.body,
          )}`,
        );
      }
      await new Promise(r => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
  });

  it.each(['guest', 'alice'] as const)(
    'bypass: %s reads production Secrets through the proxy (403)',
    async who => {
      const before = sim.requestLog.length;
      for (const p of [
        '/api/v1/secrets',
        `/api/v1/namespaces/${NS}/secrets`,
        `/api/v1/namespaces/${NS}/secrets/payments-gateway-secrets`,
      ]) {
        const res = await proxy('get', p).set('Authorization', signedInAs(who));
        expect(res.status).toBe(403);
        expect(JSON.stringify(res.body)).not.toContain(
          'ZGVtby1ub3QtYS1zZWNyZXQ=',
        );
      }
      expect(sim.requestLog.slice(before)).toEqual([]);
    },
  );

  it('bypass: alice PATCHes a production Deployment through the proxy (403, the cluster never sees it)', async () => {
    const before = sim.requestLog.length;
    const imageBefore = image();
    const res = await proxy(
      'patch',
      `/apis/apps/v1/namespaces/${NS}/deployments/payments-gateway`,
    )
      .set('Authorization', signedInAs('alice'))
      .set('Content-Type', 'application/merge-patch+json')
      .send(
        JSON.stringify({
          spec: {
            template: {
              spec: {
                containers: [{ name: 'payments-gateway', image: 'evil:FAKE' }],
              },
            },
          },
        }),
      );
    expect(res.status).toBe(403);
    expect(image()).toBe(imageBefore);
    expect(sim.requestLog.slice(before)).toEqual([]);
  });

  it('bypass: an operator reads Secrets, or changes the cluster, through the proxy (403)', async () => {
    const before = sim.requestLog.length;
    const imageBefore = image();
    const attempts = [
      proxy('get', `/api/v1/namespaces/${NS}/secrets`),
      proxy('get', '/api/v1/secrets'),
      // Percent-encoded: the cluster would decode it to /secrets.
      proxy('get', `/api/v1/namespaces/${NS}/%73ecrets`),
      proxy('get', `/api/v1/namespaces/${NS}/events/../secrets`),
      proxy('get', `/api/v1/namespaces/${NS}/pods/x/exec?command=sh`).set(
        'Upgrade',
        'websocket',
      ),
      proxy(
        'patch',
        `/apis/apps/v1/namespaces/${NS}/deployments/payments-gateway`,
      )
        .set('Content-Type', 'application/merge-patch+json')
        .send('{"spec":{"replicas":0}}'),
      proxy(
        'delete',
        `/apis/apps/v1/namespaces/${NS}/deployments/payments-gateway`,
      ),
      proxy('post', `/api/v1/namespaces/${NS}/configmaps`)
        .set('Content-Type', 'application/json')
        .send('{"metadata":{"name":"x"}}'),
    ];
    for (const attempt of attempts) {
      const res = await attempt.set('Authorization', signedInAs('olga'));
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'The Kubernetes proxy does not forward',
      );
    }
    expect(image()).toBe(imageBefore);
    expect(sim.requestLog.slice(before)).toEqual([]);
  });

  it('lets operators read events and pod logs through the proxy (the Kubernetes tab needs them), not FDEs', async () => {
    const pods = sim
      .cluster(CLUSTER)
      .list('Pod', NS)
      .map(p => p.metadata.name);
    expect(pods.length).toBeGreaterThan(0);
    const events = await proxy(
      'get',
      `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name=${pods[0]}`,
    ).set('Authorization', signedInAs('olga'));
    expect(events.status).toBe(200);
    expect(events.body.kind).toBe('EventList');
    const logs = await proxy(
      'get',
      `/api/v1/namespaces/${NS}/pods/${pods[0]}/log?tailLines=10`,
    ).set('Authorization', signedInAs('olga'));
    expect(logs.status).toBe(200);

    const fde = await proxy(
      'get',
      `/api/v1/namespaces/${NS}/pods/${pods[0]}/log`,
    ).set('Authorization', signedInAs('alice'));
    expect(fde.status).toBe(403);
  });

  it('bypass: alice asks the Kubernetes tab’s custom resource query for Secrets (403, never fetched)', async () => {
    const before = sim.requestLog.length;
    const res = await request(backend.server)
      .post('/api/kubernetes/resources/custom/query')
      .set('Authorization', signedInAs('alice'))
      .send({
        entityRef: 'component:default/payments-gateway',
        customResources: [{ group: '', apiVersion: 'v1', plural: 'secrets' }],
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'Secrets are never read through the portal',
    );
    expect(JSON.stringify(res.body)).not.toContain('ZGVtby1ub3QtYS1zZWNyZXQ=');
    expect(secretDataRequests(sim.requestLog.slice(before))).toEqual([]);
  });

  it.each([
    [
      'a path in the plural',
      { group: '', apiVersion: 'v1', plural: `namespaces/${NS}/secrets` },
    ],
    [
      'a path in the version',
      { group: '', apiVersion: `v1/namespaces/${NS}/secrets#`, plural: 'x' },
    ],
    ['an encoded plural', { group: '', apiVersion: 'v1', plural: '%73ecrets' }],
  ])(
    'bypass: alice dresses Secrets up as a custom resource with %s (403, never fetched)',
    async (_, customResource) => {
      const before = sim.requestLog.length;
      const res = await request(backend.server)
        .post('/api/kubernetes/resources/custom/query')
        .set('Authorization', signedInAs('alice'))
        .send({
          entityRef: 'component:default/payments-gateway',
          customResources: [customResource],
        });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'is not a Kubernetes resource type',
      );
      expect(sim.requestLog.slice(before)).toEqual([]);
    },
  );

  it('answers the Kubernetes tab for alice with the workloads and no Secret', async () => {
    const before = sim.requestLog.length;
    const res = await request(backend.server)
      .post('/api/kubernetes/services/payments-gateway')
      .set('Authorization', signedInAs('alice'))
      .send({
        entity: {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'payments-gateway', namespace: 'default' },
        },
      });
    expect(res.status).toBe(200);
    const [cluster] = res.body.items;
    expect(cluster.cluster.name).toBe(CLUSTER);
    expect(cluster.errors).toEqual([]);
    const types = cluster.resources
      .filter((r: { resources: unknown[] }) => r.resources.length > 0)
      .map((r: { type: string }) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'pods',
        'services',
        'deployments',
        'replicasets',
      ]),
    );
    expect(types).not.toContain('secrets');
    const body = JSON.stringify(res.body);
    expect(body).not.toContain('"kind":"Secret"');
    expect(body).not.toContain('ZGVtby1ub3QtYS1zZWNyZXQ=');
    const asked = sim.requestLog.slice(before).map(r => r.path);
    expect(asked.some(p => p.includes('/secrets'))).toBe(false);
  });

  it('still lets the ladder read the cluster through the proxy with its service token, Secrets as metadata only', async () => {
    const before = sim.requestLog.length;
    const deployments = await ladderClient!.list<{
      metadata: { name: string };
    }>(CLUSTER, `/apis/apps/v1/namespaces/${NS}/deployments`);
    expect(deployments.items.map(d => d.metadata.name)).toContain(
      'payments-gateway',
    );
    const secrets = await ladderClient!.list<{ metadata: { name: string } }>(
      CLUSTER,
      `/api/v1/namespaces/${NS}/secrets`,
      { accept: METADATA_LIST_ACCEPT },
    );
    expect(secrets.items.map(s => s.metadata.name)).toEqual([
      'payments-gateway-secrets',
    ]);
    expect(JSON.stringify(secrets)).not.toContain('ZGVtby1ub3QtYS1zZWNyZXQ=');
    expect(secretDataRequests(sim.requestLog.slice(before))).toEqual([]);
    // Any service principal passes the guard; the permission client allows it without a policy.
    const res = await proxy('get', '/version').set(
      'Authorization',
      mockCredentials.service.header(),
    );
    expect(res.status).toBe(200);
  });
});
