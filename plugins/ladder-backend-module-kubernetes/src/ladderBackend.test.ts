import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { type RunningSimulator, secretDataRequests, startSimulator } from '@khal/kube-simulator';
// The module is tested inside the plugin it extends; a static import because Jest here runs
// without support for dynamic import().
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ladderPlugin from '@khal/plugin-ladder-backend';
import { type EntityLadderResponse, entityLadderResponseSchema } from '@khal/plugin-ladder-common';
import request from 'supertest';
import ladderModuleKubernetes from './index';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

/*
 * The whole chain: the ladder backend asks this module for the cluster state of each Kubernetes
 * rung, the module asks the kubernetes backend's proxy, the proxy asks the simulated clusters.
 */

const fixture = (name: string) => resolve(__dirname, '__fixtures__', name);

// Promotions name full commit SHAs: without a repository to resolve names in, only a SHA is one commit.
const P2_NEWER = '2b'.repeat(20);
const I2_BROKEN = '1b'.repeat(20);

const rung = (id: string, cluster?: string) => ({
  id,
  title: id.toUpperCase(),
  runtime: cluster ? 'kind' : 'pm2',
  mutationPolicy: 'self',
  ...(cluster
    ? {
        kubernetes: { cluster, namespace: 'khal-{{kubernetesId}}' },
        // Valid only because the module registered these gates (the ladder checks gate ids).
        proofChecks: ['kubernetes-rollout', 'kubernetes-reversible'],
      }
    : {}),
});

/** A git repository whose khal-app.json requires three settings; returns its dir and commit. */
function billingRepository() {
  const dir = mkdtempSync(join(tmpdir(), 'ladder-k8s-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' },
    }).trim();
  git('init', '-q', '-b', 'main');
  const manifest = {
    apiVersion: 'khal.ai/v1',
    name: 'billing',
    title: 'Billing',
    owner: 'group:default/team',
    runtime: { kind: 'node', start: 'node dist/index.js', port: 8080 },
    env: [
      { name: 'DATABASE_URL', required: true, secret: true },
      { name: 'API_TOKEN', required: true, secret: true },
      { name: 'BILLING_CURRENCY', required: true },
    ],
    deploy: { kubernetes: { id: 'billing' } },
  };
  writeFileSync(join(dir, 'khal-app.json'), JSON.stringify(manifest, null, 2));
  git('add', 'khal-app.json');
  git('commit', '-q', '-m', 'manifest');
  return { dir, commit: git('rev-parse', 'HEAD') };
}

describe('the ladder backend with the kubernetes module', () => {
  let sim: RunningSimulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const repo = billingRepository();

  beforeAll(async () => {
    sim = await startSimulator({
      clusters: [
        { name: 'dev', token: 'dev-token', fixtureFiles: [fixture('dev-cluster.yaml')] },
        { name: 'hml', token: 'hml-token', fixtureFiles: [fixture('other-cluster.yaml')] },
        { name: 'prod', token: 'prod-token', fixtureFiles: [fixture('other-cluster.yaml')] },
      ],
    });
    await sim.cluster('hml').setUnreachable(true, 'refuse');
    const cluster = (name: string, token: string) => ({
      name,
      url: sim.cluster(name).url,
      authProvider: 'serviceAccount',
      serviceAccountToken: token,
      skipMetricsLookup: true,
    });
    backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        ladderPlugin,
        ladderModuleKubernetes,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'orders',
                namespace: 'default',
                annotations: { 'khal.ai/ladder': 'khal', 'backstage.io/kubernetes-id': 'orders' },
              },
              spec: { type: 'service', owner: 'group:default/team', lifecycle: 'production' },
            },
            ...['payments', 'inventory'].map(name => ({
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name,
                namespace: 'default',
                annotations: { 'khal.ai/ladder': 'verify', 'backstage.io/kubernetes-id': name },
              },
              spec: { type: 'service', owner: 'group:default/team', lifecycle: 'production' },
            })),
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'billing',
                namespace: 'default',
                annotations: {
                  'khal.ai/ladder': 'settings',
                  'khal.ai/source-repo': `file:${repo.dir}`,
                  'backstage.io/kubernetes-id': 'billing',
                },
              },
              spec: { type: 'service', owner: 'group:default/team', lifecycle: 'production' },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    cluster('dev', 'dev-token'),
                    cluster('hml', 'hml-token'),
                    cluster('prod', 'not-the-prod-token'),
                  ],
                },
              ],
            },
            ladder: {
              // git reads the test repository only under this root.
              localRepositoriesRoot: resolve(repo.dir, '..'),
              ladders: [
                {
                  id: 'khal',
                  title: 'Khal',
                  rungs: [rung('local'), rung('dev', 'dev'), rung('hml', 'hml'), rung('prod', 'prod')],
                },
                {
                  id: 'verify',
                  title: 'Verify',
                  rungs: [{ ...rung('dev', 'dev'), commands: { rollback: 'kubectl rollout undo' } }],
                },
                {
                  id: 'settings',
                  title: 'Settings',
                  rungs: [{ ...rung('dev', 'dev'), entryGates: ['env-contract'] }],
                },
              ],
            },
            // Generous: the kubernetes backend's first proxy call is slow on a loaded CI machine.
            ladderKubernetes: { requestTimeoutMs: 15000, cacheTtlMs: 0 },
          },
        }),
      ],
    });
  });

  beforeAll(async () => {
    // Warm up: the kubernetes backend's first proxy call loads its client library, which is slow
    // on a loaded machine; the assertions below are about answers, not cold starts.
    await request(backend.server)
      .get('/api/ladder/entities/component/default/orders')
      .set('Authorization', mockCredentials.user.header());
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
    rmSync(repo.dir, { recursive: true, force: true });
  });

  it('shows each rung from its cluster, and an unreachable or refusing cluster as unknown', async () => {
    const res = await request(backend.server)
      .get('/api/ladder/entities/component/default/orders')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const body: EntityLadderResponse = entityLadderResponseSchema.parse(res.body);
    const byId = Object.fromEntries(body.rungs.map(r => [r.rung.id, r]));

    expect(byId.local.cluster).toBeUndefined();
    expect(byId.dev.cluster).toMatchObject({
      cluster: 'dev',
      namespace: 'khal-orders',
      reachable: true,
      runningRef: 'a1b2c3d',
      rollout: 'complete',
      revisions: [
        { revision: 2, ref: 'a1b2c3d' },
        { revision: 1, ref: '0ld0001' },
      ],
    });
    // The ladder placed nothing on dev, yet the cluster runs a ref.
    expect(byId.dev.status).toBe('drifted');

    expect(byId.hml.status).toBe('unknown');
    expect(byId.hml.statusReason).toMatch(/^cluster "hml" is unreachable: .*ECONNREFUSED/);
    expect(byId.prod.status).toBe('unknown');
    expect(byId.prod.statusReason).toMatch(/^cluster "prod" rejected the credentials .*\(401 Unauthorized\)/);
  });

  it("lets env-contract name the setting whose Secret does not exist", async () => {
    const res = await request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', mockCredentials.user.header())
      .send({ entityRef: 'component:default/billing', toRung: 'dev', ref: repo.commit });
    expect(res.status).toBe(201);
    const envContract = res.body.gates.find((g: { gateId: string }) => g.gateId === 'env-contract');
    // API_TOKEN (existing Secret) and BILLING_CURRENCY (annotated ConfigMap, envFrom prefix) are
    // supplied; DATABASE_URL points at Secret billing-db, which does not exist.
    expect(envContract).toMatchObject({ status: 'failed', summary: 'missing setting(s) for DEV: DATABASE_URL' });
    expect(envContract.howToFix).toContain('wire them into the Deployment');
    expect(res.body.phase).toBe('Blocked');

    // bypass: an attestation (the CLI's word) cannot override what the cluster shows.
    const attested = await request(backend.server)
      .post('/api/ladder/evidence')
      .set('Authorization', mockCredentials.user.header())
      .send({
        entityRef: 'component:default/billing',
        rung: 'dev',
        ref: repo.commit,
        kind: 'env-contract',
        summary: 'settings supplied on dev',
        content: 'DATABASE_URL API_TOKEN BILLING_CURRENCY',
        data: { supplied: ['DATABASE_URL', 'API_TOKEN', 'BILLING_CURRENCY'] },
      });
    expect(attested.status).toBe(201);
    const rechecked = await request(backend.server)
      .post(`/api/ladder/promotions/${res.body.id}/recheck`)
      .set('Authorization', mockCredentials.user.header());
    expect(rechecked.status).toBe(200);
    expect(rechecked.body.gates.find((g: { gateId: string }) => g.gateId === 'env-contract')).toMatchObject({
      status: 'failed',
      summary: 'missing setting(s) for DEV: DATABASE_URL',
    });
    // The plan and the changes view say the same as the gate: observed, not attested.
    const plan = await request(backend.server)
      .get(`/api/ladder/plan?entityRef=component:default/billing&target=dev&ref=${repo.commit}`)
      .set('Authorization', mockCredentials.user.header());
    expect(plan.body.settings).toContainEqual(expect.objectContaining({ name: 'DATABASE_URL', supplied: false }));
  });

  /** Rolls `name` out at `ref` in the dev cluster, as helm or kubectl would. */
  async function rollOut(name: string, ref: string) {
    const res = await fetch(`${sim.cluster('dev').url}/apis/apps/v1/namespaces/khal-${name}/deployments/${name}`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer dev-token', 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({
        spec: {
          template: {
            metadata: { annotations: { 'khal.ai/ref': ref } },
            spec: { containers: [{ name, image: `registry.test/${name}:${ref}` }] },
          },
        },
      }),
    });
    expect(res.status).toBe(200);
  }

  async function followPromotion(id: string, until: (phase: string) => boolean) {
    for (let i = 0; i < 60; i++) {
      const res = await request(backend.server)
        .post(`/api/ladder/promotions/${id}/recheck`)
        .set('Authorization', mockCredentials.user.header());
      if (until(res.body.phase)) return res.body;
      await new Promise(r => setTimeout(r, 500));
    }
    throw new Error(`promotion ${id} did not reach the expected phase`);
  }

  it('moves a promotion from Verifying to Promoted when the rollout of its ref completes', async () => {
    const created = await request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', mockCredentials.user.header())
      .send({ entityRef: 'component:default/payments', toRung: 'dev', ref: P2_NEWER });
    expect(created.status).toBe(201);
    // Nothing runs that commit yet: the rollout gate waits instead of failing.
    expect(created.body.phase).toBe('Verifying');

    await rollOut('payments', P2_NEWER);
    const promoted = await followPromotion(created.body.id, p => p !== 'Verifying');
    expect(promoted.phase).toBe('Promoted');

    const view = await request(backend.server)
      .get('/api/ladder/entities/component/default/payments')
      .set('Authorization', mockCredentials.user.header());
    const dev = view.body.rungs.find((r: { rung: { id: string } }) => r.rung.id === 'dev');
    expect(dev).toMatchObject({ placement: { ref: P2_NEWER }, status: 'proven', cluster: { runningRef: P2_NEWER } });
  });

  it('fails a promotion with the cluster\'s reason when its rollout exceeds the deadline', async () => {
    const created = await request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', mockCredentials.user.header())
      .send({ entityRef: 'component:default/inventory', toRung: 'dev', ref: I2_BROKEN });
    expect(created.body.phase).toBe('Verifying');

    await rollOut('inventory', I2_BROKEN);
    const failed = await followPromotion(created.body.id, p => p !== 'Verifying');
    expect(failed.phase).toBe('Failed');
    const rollout = failed.gates.find((g: { gateId: string }) => g.gateId === 'kubernetes-rollout');
    expect(rollout).toMatchObject({ status: 'failed' });
    expect(rollout.summary).toMatch(/ProgressDeadlineExceeded|timed out progressing/);
  });

  it('answers display reads from the background picture of each cluster, and clusterState=live from the cluster', async () => {
    const devLists = (path: string) => sim.requestLog.filter(r => r.cluster === 'dev' && r.path === path).length;
    // The module lists the labelled workload of every cluster the ladders name, in the background.
    for (let i = 0; devLists('/apis/apps/v1/deployments') === 0; i++) {
      if (i > 100) throw new Error('the dev cluster was never listed in the background');
      await new Promise(r => setTimeout(r, 100));
    }
    const perEntity = '/apis/apps/v1/namespaces/khal-payments/deployments';
    const before = devLists(perEntity);
    const read = (query = '') =>
      request(backend.server)
        .get(`/api/ladder/entities/component/default/payments${query}`)
        .set('Authorization', mockCredentials.user.header());

    const recent = await read();
    expect(recent.status).toBe(200);
    const dev = entityLadderResponseSchema.parse(recent.body).rungs.find(r => r.rung.id === 'dev')!;
    expect(dev.cluster).toMatchObject({ cluster: 'dev', namespace: 'khal-payments', reachable: true });
    expect(Date.now() - Date.parse(dev.cluster!.checkedAt)).toBeLessThan(60_000);
    expect(devLists(perEntity)).toBe(before); // from the picture: no request for this entity

    const live = await read('?clusterState=live');
    expect(live.status).toBe(200);
    expect(devLists(perEntity)).toBe(before + 1);
    expect(entityLadderResponseSchema.parse(live.body).rungs.find(r => r.rung.id === 'dev')!.cluster).toMatchObject({
      runningRef: dev.cluster!.runningRef,
    });

    const bad = await read('?clusterState=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/clusterState/);
  });

  it('never asks for Secret data', () => {
    expect(sim.requestLog.some(r => r.path === '/api/v1/namespaces/khal-billing/secrets')).toBe(true);
    expect(secretDataRequests(sim.requestLog)).toEqual([]);
  });
});
