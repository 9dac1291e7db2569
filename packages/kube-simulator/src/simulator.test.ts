import { RunningSimulator, startSimulator } from './simulator';
import { parseObjects } from './fixtures';
import { secretDataRequests } from './requestLog';
import { TEST_FIXTURE } from './testFixtures';
import { kube, names } from './testHelpers';

const PARTIAL_LIST =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

describe('kube-simulator HTTP API', () => {
  let sim: RunningSimulator;
  let url: string;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator({
      clusters: [
        {
          name: 'dev',
          token: 'dev-token',
          objects: parseObjects(TEST_FIXTURE),
          manualRollouts: true,
        },
        { name: 'prod', token: 'prod-token', objects: [] },
      ],
    });
    ({ url, token } = sim.clusters[0]);
  });

  afterAll(async () => {
    await sim.stop();
  });

  beforeEach(() => {
    sim.requestLog.length = 0;
  });

  it('serves each cluster on its own loopback port', () => {
    expect(sim.clusters.map(c => c.name)).toEqual(['dev', 'prod']);
    for (const c of sim.clusters)
      expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.clusters[0].url).not.toEqual(sim.clusters[1].url);
  });

  it('rejects a missing or wrong bearer token with a 401 Status', async () => {
    const expected = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    };
    const missing = await kube(url, null, '/api/v1/pods');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject(expected);
    const wrong = await kube(url, 'prod-token', '/apis/apps/v1/deployments');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject(expected);
    expect(
      (await kube(sim.clusters[1].url, 'prod-token', '/api/v1/namespaces'))
        .status,
    ).toBe(200);
    // Public endpoints answer anonymous callers, like the API server.
    expect((await kube(url, null, '/healthz')).body).toBe('ok');
  });

  it('serves discovery documents', async () => {
    expect((await kube(url, token, '/api')).body).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    const groups = (await kube(url, token, '/apis')).body;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'autoscaling',
        'batch',
        'networking.k8s.io',
        'metrics.k8s.io',
      ]),
    );
    const apps = (await kube(url, token, '/apis/apps/v1')).body;
    expect(apps).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'apps/v1',
    });
    expect(apps.resources.map((r: { name: string }) => r.name)).toContain(
      'deployments/scale',
    );
    const core = (await kube(url, token, '/api/v1')).body;
    expect(
      core.resources.find((r: { name: string }) => r.name === 'secrets'),
    ).toMatchObject({ kind: 'Secret', namespaced: true });
  });

  it('lists namespaced and cluster-wide, with list kinds, resourceVersion and no per-item kind', async () => {
    const namespaced = await kube(
      url,
      token,
      '/apis/apps/v1/namespaces/shop/deployments',
    );
    expect(namespaced.status).toBe(200);
    expect(namespaced.body).toMatchObject({
      kind: 'DeploymentList',
      apiVersion: 'apps/v1',
    });
    expect(namespaced.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(names(namespaced.body)).toEqual(['api', 'crashy', 'web']);
    expect(namespaced.body.items[0].kind).toBeUndefined();
    const all = await kube(url, token, '/apis/apps/v1/deployments');
    expect(names(all.body)).toEqual(['api', 'crashy', 'web']);
    const other = await kube(url, token, '/apis/batch/v1/cronjobs');
    expect(other.body.items[0].metadata).toMatchObject({
      name: 'nightly',
      namespace: 'other',
    });
    const nss = await kube(url, token, '/api/v1/namespaces');
    expect(names(nss.body)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'shop', 'other']),
    );
    expect(
      (await kube(url, token, '/api/v1/namespaces/shop')).body,
    ).toMatchObject({ kind: 'Namespace', status: { phase: 'Active' } });
    for (const path of [
      '/api/v1/namespaces/shop/services',
      '/api/v1/namespaces/shop/configmaps',
      '/api/v1/limitranges',
      '/api/v1/resourcequotas',
      '/api/v1/namespaces/shop/events',
      '/apis/apps/v1/statefulsets',
      '/apis/apps/v1/daemonsets',
      '/apis/batch/v1/jobs',
      '/apis/networking.k8s.io/v1/ingresses',
    ]) {
      expect((await kube(url, token, path)).status).toBe(200);
    }
    expect(
      (
        await kube(
          url,
          token,
          '/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers',
        )
      ).body.apiVersion,
    ).toBe('autoscaling/v1');
    expect(
      names(
        (
          await kube(
            url,
            token,
            '/apis/autoscaling/v2/horizontalpodautoscalers',
          )
        ).body,
      ),
    ).toEqual(['web']);
  });

  it('gets single objects with full metadata and answers 404 Status for unknown ones', async () => {
    const web = await kube(
      url,
      token,
      '/apis/apps/v1/namespaces/shop/deployments/web',
    );
    expect(web.status).toBe(200);
    expect(web.body).toMatchObject({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
    });
    expect(web.body.metadata).toMatchObject({
      name: 'web',
      namespace: 'shop',
      generation: 1,
      labels: { app: 'web' },
    });
    expect(web.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(web.body.metadata.creationTimestamp).toMatch(/Z$/);
    expect(web.body.metadata.resourceVersion).toMatch(/^\d+$/);
    const missing = await kube(
      url,
      token,
      '/apis/apps/v1/namespaces/shop/deployments/nope',
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'deployments.apps "nope" not found',
      code: 404,
    });
    expect(
      (await kube(url, token, '/apis/apps/v1/namespaces/shop/widgets')).status,
    ).toBe(404);
    expect((await kube(url, token, '/apis/example.com/v1/things')).status).toBe(
      404,
    );
    expect((await kube(url, token, '/nothing/here')).body).toMatchObject({
      kind: 'Status',
      code: 404,
    });
  });

  it('derives a healthy status, ReplicaSets and Pods from a Deployment', async () => {
    const web = (
      await kube(url, token, '/apis/apps/v1/namespaces/shop/deployments/web')
    ).body;
    expect(web.metadata.annotations['deployment.kubernetes.io/revision']).toBe(
      '2',
    );
    expect(web.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    const conditions = Object.fromEntries(
      web.status.conditions.map((c: any) => [c.type, c]),
    );
    expect(conditions.Available).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(conditions.Progressing).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
    const rss = (
      await kube(
        url,
        token,
        '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dweb',
      )
    ).body;
    expect(
      rss.items
        .map(
          (rs: any) =>
            rs.metadata.annotations['deployment.kubernetes.io/revision'],
        )
        .sort(),
    ).toEqual(['1', '2']);
    for (const rs of rss.items)
      expect(rs.metadata.ownerReferences[0]).toMatchObject({
        kind: 'Deployment',
        name: 'web',
        uid: web.metadata.uid,
      });
    const current = rss.items.find(
      (rs: any) =>
        rs.metadata.annotations['deployment.kubernetes.io/revision'] === '2',
    );
    const pods = (
      await kube(
        url,
        token,
        '/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb',
      )
    ).body;
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.metadata.name).toMatch(
        new RegExp(`^${current.metadata.name}-[a-z0-9]{5}$`),
      );
      expect(pod.metadata.labels).toMatchObject({
        app: 'web',
        'backstage.io/kubernetes-id': 'web',
      });
      expect(pod.spec.containers[0].image).toBe('registry.test/web:bbb2222');
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.containerStatuses[0]).toMatchObject({
        ready: true,
        restartCount: 0,
      });
    }
  });

  it('filters by label selectors (equality, set-based, existence)', async () => {
    const q = async (selector: string) =>
      names(
        (
          await kube(
            url,
            token,
            `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(
              selector,
            )}`,
          )
        ).body,
      );
    expect(await q('app=web')).toEqual(['web']);
    expect(await q('tier!=frontend')).toEqual(['api', 'crashy']);
    expect(await q('app in (web,api)')).toEqual(['api', 'web']);
    expect(await q('app notin (web,api)')).toEqual(['crashy']);
    expect(await q('backstage.io/kubernetes-id')).toEqual(['web']);
    expect(await q('!backstage.io/kubernetes-id,tier=backend')).toEqual([
      'api',
      'crashy',
    ]);
    const bad = await kube(
      url,
      token,
      `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(
        'app in (web',
      )}`,
    );
    expect(bad.status).toBe(400);
  });

  it('filters by field selectors and ignores limit/continue', async () => {
    const byName = await kube(
      url,
      token,
      '/apis/apps/v1/deployments?fieldSelector=metadata.name%3Dweb&limit=500&continue=',
    );
    expect(names(byName.body)).toEqual(['web']);
    const byNs = await kube(
      url,
      token,
      '/api/v1/configmaps?fieldSelector=metadata.namespace%3Dshop',
    );
    expect(names(byNs.body)).toEqual(['web-config']);
  });

  it('returns PartialObjectMetadataList for metadata-only accepts, and full Secrets otherwise', async () => {
    const meta = await kube(url, token, '/api/v1/namespaces/shop/secrets', {
      accept: PARTIAL_LIST,
    });
    expect(meta.body).toMatchObject({
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
    });
    expect(meta.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(meta.body.items).toEqual([
      {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: expect.objectContaining({
          name: 'web-secrets',
          namespace: 'shop',
        }),
      },
    ]);
    expect(JSON.stringify(meta.body)).not.toContain('ZGVtby1ub3QtYS1zZWNyZXQ');
    const deployMeta = await kube(
      url,
      token,
      '/apis/apps/v1/deployments?labelSelector=app%3Dweb',
      { accept: PARTIAL_LIST },
    );
    expect(deployMeta.body.items[0]).not.toHaveProperty('spec');
    const single = await kube(
      url,
      token,
      '/api/v1/namespaces/shop/secrets/web-secrets',
      {
        accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
      },
    );
    expect(single.body).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'web-secrets' },
    });
    expect(single.body.data).toBeUndefined();
    const full = await kube(
      url,
      token,
      '/api/v1/namespaces/shop/secrets/web-secrets',
    );
    expect(full.body).toMatchObject({
      kind: 'Secret',
      type: 'Opaque',
      data: { 'api-key': Buffer.from('demo-not-a-secret').toString('base64') },
    });
    const notAcceptable = await kube(url, token, '/api/v1/secrets', {
      accept: 'application/yaml',
    });
    expect(notAcceptable.status).toBe(406);
  });

  it('logs every request and finds the ones that asked for Secret data', async () => {
    await kube(url, token, '/api/v1/namespaces/shop/secrets', {
      accept: PARTIAL_LIST,
    });
    await kube(url, token, '/api/v1/namespaces/shop/secrets/web-secrets', {
      accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
    });
    await kube(url, token, '/api/v1/namespaces/shop/configmaps');
    expect(secretDataRequests(sim.requestLog)).toEqual([]);
    await kube(url, token, '/api/v1/secrets?labelSelector=app%3Dweb');
    await kube(url, 'wrong', '/api/v1/namespaces/shop/secrets/web-secrets');
    const offending = secretDataRequests(sim.requestLog);
    expect(
      offending.map(e => [e.path, e.status, e.returnedSecretData]),
    ).toEqual([
      ['/api/v1/secrets', 200, true],
      ['/api/v1/namespaces/shop/secrets/web-secrets', 401, false],
    ]);
    expect(offending[0]).toMatchObject({
      cluster: 'dev',
      method: 'GET',
      query: { labelSelector: 'app=web' },
      accept: 'application/json',
    });
    expect(sim.requestLog).toHaveLength(5);
    expect(new Date(sim.requestLog[0].time).getTime()).not.toBeNaN();
  });

  it('serves pod metrics for running pods', async () => {
    const metrics = (
      await kube(
        url,
        token,
        '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dweb',
      )
    ).body;
    expect(metrics).toMatchObject({
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
    });
    expect(metrics.items).toHaveLength(3);
    expect(metrics.items[0].containers[0]).toMatchObject({
      name: 'web',
      usage: {
        cpu: expect.stringMatching(/n$/),
        memory: expect.stringMatching(/Ki$/),
      },
    });
  });

  it('serves simulated pod logs as plain text', async () => {
    const pods = (
      await kube(
        url,
        token,
        '/api/v1/namespaces/shop/pods?labelSelector=app%3Dcrashy',
      )
    ).body;
    const pod = pods.items[0].metadata.name;
    const log = await kube(
      url,
      token,
      `/api/v1/namespaces/shop/pods/${pod}/log?container=crashy`,
    );
    expect(log.status).toBe(200);
    expect(log.body).toContain('simulated log');
    expect(log.body).toContain('simulated crash');
    expect(
      (
        await kube(
          url,
          token,
          `/api/v1/namespaces/shop/pods/${pod}/log?container=nope`,
        )
      ).status,
    ).toBe(400);
  });

  it('creates, replaces and deletes objects', async () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'extra' },
      data: { a: '1' },
    };
    const created = await kube(
      url,
      token,
      '/api/v1/namespaces/shop/configmaps',
      { method: 'POST', body: cm },
    );
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({
      name: 'extra',
      namespace: 'shop',
    });
    expect(
      (
        await kube(url, token, '/api/v1/namespaces/shop/configmaps', {
          method: 'POST',
          body: cm,
        })
      ).body.reason,
    ).toBe('AlreadyExists');
    const replaced = await kube(
      url,
      token,
      '/api/v1/namespaces/shop/configmaps/extra',
      {
        method: 'PUT',
        body: {
          ...cm,
          data: { a: '2' },
          metadata: {
            name: 'extra',
            resourceVersion: created.body.metadata.resourceVersion,
          },
        },
      },
    );
    expect(replaced.body.data).toEqual({ a: '2' });
    const stale = await kube(
      url,
      token,
      '/api/v1/namespaces/shop/configmaps/extra',
      {
        method: 'PUT',
        body: {
          ...cm,
          metadata: {
            name: 'extra',
            resourceVersion: created.body.metadata.resourceVersion,
          },
        },
      },
    );
    expect(stale.status).toBe(409);
    expect(
      (
        await kube(url, token, '/api/v1/namespaces/shop/configmaps/extra', {
          method: 'DELETE',
        })
      ).body,
    ).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(
      (await kube(url, token, '/api/v1/namespaces/shop/configmaps/extra'))
        .status,
    ).toBe(404);
    expect(
      (
        await kube(url, token, '/api/v1/namespaces/nowhere/configmaps', {
          method: 'POST',
          body: cm,
        })
      ).status,
    ).toBe(404);
  });

  it('adds per-cluster latency', async () => {
    const handle = sim.cluster('dev');
    handle.setLatency(250);
    try {
      const slow = await kube(url, token, '/api/v1/namespaces');
      expect(slow.status).toBe(200);
      expect(slow.elapsedMs).toBeGreaterThanOrEqual(240);
      const other = await kube(
        sim.clusters[1].url,
        'prod-token',
        '/api/v1/namespaces',
      );
      expect(other.elapsedMs).toBeLessThan(240);
    } finally {
      handle.setLatency(0);
    }
  });

  it('hangs when unreachable in hang mode, until reachable again', async () => {
    const handle = sim.cluster('dev');
    await handle.setUnreachable(true, 'hang');
    await expect(
      kube(url, token, '/api/v1/namespaces', { timeoutMs: 300 }),
    ).rejects.toThrow();
    expect(sim.requestLog[sim.requestLog.length - 1].status).toBeNull();
    await handle.setUnreachable(false);
    expect((await kube(url, token, '/api/v1/namespaces')).status).toBe(200);
  });

  it('drops connections in reset mode and refuses them in refuse mode', async () => {
    const handle = sim.cluster('dev');
    await handle.setUnreachable(true, 'reset');
    await expect(
      kube(url, token, '/api/v1/namespaces', { timeoutMs: 2000 }),
    ).rejects.toThrow();
    await handle.setUnreachable(false);
    expect((await kube(url, token, '/api/v1/namespaces')).status).toBe(200);

    await handle.setUnreachable(true, 'refuse');
    const refused: unknown = await kube(url, token, '/api/v1/namespaces', {
      timeoutMs: 2000,
    }).then(
      () => 'answered',
      (e: { cause?: { code?: string } }) => e,
    );
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe(
      'ECONNREFUSED',
    );
    await handle.setUnreachable(false);
    expect((await kube(url, token, '/api/v1/namespaces')).status).toBe(200);
  });
});
