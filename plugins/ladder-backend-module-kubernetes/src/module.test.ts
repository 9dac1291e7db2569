import { resolve } from 'node:path';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import { type RunningSimulator, secretDataRequests, startSimulator } from '@khal/kube-simulator';
import { type RungConfig, clusterStateSchema, rungSchema } from '@khal/plugin-ladder-common';
import {
  type ClusterStateProvider,
  type GateContext,
  type GateMode,
  type LadderGate,
  type SettingsSource,
  ladderClusterStateExtensionPoint,
  ladderGatesExtensionPoint,
  ladderSettingsSourcesExtensionPoint,
} from '@khal/plugin-ladder-node';
import ladderModuleKubernetes from './index';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

/*
 * Runs the real kubernetes backend and this module against the kube-simulator. The ladder
 * backend is stood in for by a test plugin with id `ladder` that owns the three extension points
 * and keeps what the module registers.
 */

interface Registered {
  gates: Map<string, LadderGate>;
  sources: SettingsSource[];
  provider?: ClusterStateProvider;
}

function ladderStandIn(registered: Registered) {
  return createBackendPlugin({
    pluginId: 'ladder',
    register(env) {
      env.registerExtensionPoint(ladderGatesExtensionPoint, {
        addGate: (...gates) => gates.forEach(g => registered.gates.set(g.id, g)),
      });
      env.registerExtensionPoint(ladderSettingsSourcesExtensionPoint, {
        addSettingsSource: source => registered.sources.push(source),
      });
      env.registerExtensionPoint(ladderClusterStateExtensionPoint, {
        setClusterStateProvider: provider => {
          registered.provider = provider;
        },
      });
      env.registerInit({ deps: {}, async init() {} });
    },
  });
}

const kubernetesConfig = (clusters: Array<{ name: string; url: string; token: string }>) => ({
  serviceLocatorMethod: { type: 'multiTenant' },
  clusterLocatorMethods: [
    {
      type: 'config',
      clusters: clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.token,
        skipMetricsLookup: true,
      })),
    },
  ],
});

const fixture = (name: string) => resolve(__dirname, '__fixtures__', name);

function entity(kubernetesId: string | undefined, name = kubernetesId ?? 'nameless'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: kubernetesId ? { 'backstage.io/kubernetes-id': kubernetesId } : {},
    },
    spec: { type: 'service', owner: 'group:default/team', lifecycle: 'production' },
  };
}

function rung(cluster: string, extra: Record<string, unknown> = {}): RungConfig {
  return rungSchema.parse({
    id: 'dev',
    title: 'Shared dev',
    runtime: 'kind',
    mutationPolicy: 'after-dry-run',
    proofChecks: ['kubernetes-rollout', 'kubernetes-reversible'],
    kubernetes: { cluster, namespace: 'khal-{{kubernetesId}}' },
    ...extra,
  });
}

const ladder = { id: 'khal', title: 'Khal', description: '', rungs: [rung('dev')] };

function gateContext(e: Entity, r: RungConfig, ref: string, mode: GateMode = 'proof'): GateContext {
  // Only the fields the Kubernetes gates read are real; the rest would be the engine's.
  return {
    mode,
    entity: e,
    entityRef: `component:default/${e.metadata.name}`,
    ladder,
    rung: r,
    rungIndex: 0,
    previousRungs: [],
    ref,
    config: {},
    placements: [],
    approvals: [],
    signal: new AbortController().signal,
  } as unknown as GateContext;
}

describe('ladder-backend-module-kubernetes', () => {
  let sim: RunningSimulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const registered: Registered = { gates: new Map(), sources: [] };

  const state = (e: Entity, r: RungConfig) =>
    registered.provider!.getState({ entity: e, rung: r, ladder });
  const gate = (id: string) => registered.gates.get(id)!;
  const source = () => registered.sources.find(s => s.id === 'kubernetes')!;

  beforeAll(async () => {
    sim = await startSimulator({
      clusters: [
        { name: 'dev', token: 'dev-token', manualRollouts: true, fixtureFiles: [fixture('dev-cluster.yaml')] },
        { name: 'hml', token: 'hml-token', fixtureFiles: [fixture('other-cluster.yaml')] },
        { name: 'prod', token: 'prod-token', fixtureFiles: [fixture('other-cluster.yaml')] },
      ],
    });
    const cluster = (name: string, token: string) => ({ name, url: sim.cluster(name).url, token });
    backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        ladderStandIn(registered),
        ladderModuleKubernetes,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: kubernetesConfig([
              cluster('dev', 'dev-token'),
              cluster('hml', 'hml-token'),
              cluster('prod', 'not-the-prod-token'),
            ]),
            ladderKubernetes: { requestTimeoutMs: 1500, cacheTtlMs: 0 },
            // The proxy checks kubernetes.proxy; the ladder's service principal passes it.
            permission: { enabled: true },
          },
        }),
      ],
    });
    // The kubernetes backend loads its client library on its first proxy request; load it here
    // so that the first test does not pay for it within the 1500 ms request timeout.
    await request(backend.server)
      .get('/api/kubernetes/proxy/version')
      .set('Backstage-Kubernetes-Cluster', 'dev')
      .set('Authorization', mockCredentials.service.header())
      .expect(200);
  });

  afterAll(async () => {
    await sim?.cluster('hml').setUnreachable(false);
    await backend?.stop();
    await sim?.stop();
  });

  it('registers the provider, both gates and the settings source', () => {
    expect(registered.provider).toBeDefined();
    expect([...registered.gates.keys()].sort()).toEqual(['kubernetes-reversible', 'kubernetes-rollout']);
    expect(source().supports(rung('dev'))).toBe(true);
    expect(source().supports(rungSchema.parse({ id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self' }))).toBe(false);
  });

  it('reports a healthy rollout with its revision history, through the kubernetes proxy', async () => {
    const before = sim.requestLog.length;
    const s = await state(entity('orders'), rung('dev'));
    expect(clusterStateSchema.parse(s)).toEqual(s);
    expect(s).toMatchObject({
      cluster: 'dev',
      namespace: 'khal-orders',
      reachable: true,
      runningRef: 'a1b2c3d',
      image: 'registry.test/orders:a1b2c3d',
      rollout: 'complete',
      replicas: { desired: 2, updated: 2, ready: 2, available: 2 },
      crashLoopingPods: [],
    });
    expect(s.revisions).toEqual([
      { revision: 2, ref: 'a1b2c3d', image: 'registry.test/orders:a1b2c3d' },
      { revision: 1, ref: '0ld0001', image: 'registry.test/orders:0ld0001' },
    ]);
    // Only the kinds it needs, each selected by the kubernetes id, with the cluster's token.
    const requests = sim.requestLog.slice(before);
    expect(requests.map(r => r.path).sort()).toEqual([
      '/api/v1/namespaces/khal-orders/pods',
      '/apis/apps/v1/namespaces/khal-orders/deployments',
      '/apis/apps/v1/namespaces/khal-orders/replicasets',
    ]);
    expect(requests.every(r => r.query.labelSelector === 'backstage.io/kubernetes-id=orders')).toBe(true);
    expect(requests.every(r => r.status === 200)).toBe(true);

    const rollout = await gate('kubernetes-rollout').evaluate(gateContext(entity('orders'), rung('dev'), 'a1b2c3d'));
    expect(rollout).toMatchObject({ status: 'passed' });
    expect(rollout.summary).toContain('a1b2c3d runs in cluster "dev", namespace "khal-orders"');
    const reversible = await gate('kubernetes-reversible').evaluate(gateContext(entity('orders'), rung('dev'), 'a1b2c3d'));
    expect(reversible).toMatchObject({ status: 'passed' });
    expect(reversible.summary).toContain('revision 1 (0ld0001, registry.test/orders:0ld0001)');
    expect(reversible.summary).toContain('rollout undo deployment --to-revision=1');
  });

  it('fails the rollout gate when the cluster runs another ref, and waits for it while verifying', async () => {
    const ctx = (mode: GateMode) => gateContext(entity('orders'), rung('dev'), 'fffffff', mode);
    await expect(gate('kubernetes-rollout').evaluate(ctx('proof'))).resolves.toMatchObject({
      status: 'failed',
      summary: 'cluster "dev", namespace "khal-orders" runs a1b2c3d, not fffffff',
    });
    await expect(gate('kubernetes-rollout').evaluate(ctx('verify'))).resolves.toMatchObject({ status: 'pending' });
  });

  it('follows a rollout in progress to its end', async () => {
    const dev = sim.cluster('dev');
    const d = dev.get({ kind: 'Deployment', namespace: 'khal-payments', name: 'payments' })!;
    d.spec.template.spec.containers[0].image = 'registry.test/payments:p2';
    dev.put(d);
    dev.advance(1);

    const e = entity('payments');
    const s = await state(e, rung('dev'));
    expect(s).toMatchObject({ reachable: true, runningRef: 'p2', rollout: 'progressing' });
    expect(s.rolloutMessage).toMatch(/Deployment "payments": /);
    const pending = await gate('kubernetes-rollout').evaluate(gateContext(e, rung('dev'), 'p2', 'verify'));
    expect(pending.status).toBe('pending');
    expect(pending.summary).toContain('the rollout of p2 in cluster "dev", namespace "khal-payments" is in progress');

    dev.completeRollouts();
    await expect(state(e, rung('dev'))).resolves.toMatchObject({ runningRef: 'p2', rollout: 'complete' });
    await expect(gate('kubernetes-rollout').evaluate(gateContext(e, rung('dev'), 'p2', 'verify'))).resolves.toMatchObject({
      status: 'passed',
    });
    // The rollout created revision 2; revision 1 (p1) is there to go back to.
    const after = await state(e, rung('dev'));
    expect(after.revisions?.map(r => [r.revision, r.ref])).toEqual([
      [2, 'p2'],
      [1, 'p1'],
    ]);
    await expect(gate('kubernetes-reversible').evaluate(gateContext(e, rung('dev'), 'p2'))).resolves.toMatchObject({
      status: 'passed',
    });
  });

  it('fails with the condition message when a rollout exceeds its deadline', async () => {
    const dev = sim.cluster('dev');
    const d = dev.get({ kind: 'Deployment', namespace: 'khal-inventory', name: 'inventory' })!;
    d.spec.template.spec.containers[0].image = 'registry.test/inventory:i2';
    dev.put(d);
    dev.completeRollouts();

    const e = entity('inventory');
    const s = await state(e, rung('dev'));
    expect(s).toMatchObject({ runningRef: 'i2', rollout: 'failed' });
    expect(s.rolloutMessage).toMatch(/has timed out progressing/);
    const result = await gate('kubernetes-rollout').evaluate(gateContext(e, rung('dev'), 'i2', 'verify'));
    expect(result.status).toBe('failed');
    expect(result.summary).toMatch(/cannot finish: ReplicaSet "inventory-[a-z0-9]+" has timed out progressing\./);
  });

  it('reports crash-looping pods and fails the rollout gate', async () => {
    const e = entity('crashy');
    const s = await state(e, rung('dev'));
    expect(s.runningRef).toBe('c0ffee1');
    expect(s.crashLoopingPods).toHaveLength(2);
    expect(s.crashLoopingPods!.every(p => p.startsWith('crashy-'))).toBe(true);
    const result = await gate('kubernetes-rollout').evaluate(gateContext(e, rung('dev'), 'c0ffee1'));
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('pods are crash-looping: crashy-');
  });

  it('bypass: a rollback command template alone does not make a rung reversible', async () => {
    const e = entity('crashy');
    await expect(gate('kubernetes-reversible').evaluate(gateContext(e, rung('dev'), 'c0ffee1'))).resolves.toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('there is nothing to roll back to'),
    });
    const withCommand = rung('dev', { commands: { rollback: 'helm rollback {{entity.name}}' } });
    await expect(gate('kubernetes-reversible').evaluate(gateContext(e, withCommand, 'c0ffee1'))).resolves.toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('The rollback command "helm rollback crashy" has nothing to return to.'),
      howToFix: expect.stringContaining('spec.revisionHistoryLimit > 0'),
    });
  });

  it("states a first release honestly: the ladder's first placement of the ref on the rung passes as 'no previous revision', a hand-made one does not", async () => {
    const e = entity('crashy');
    const placement = (ref: string, via = 'promotion') => ({
      entityRef: 'component:default/crashy',
      ladderId: 'khal',
      rungId: 'dev',
      ref,
      via,
      promotionId: 'p-1',
      placedAt: '2026-12-03T08:00:00Z',
      placedBy: 'user:default/alice',
    });
    const promotion = { id: 'p-1', toRung: 'dev', ref: 'c0ffee1' };
    // Verifying the promotion that brings the ref: revision 1 is the first release.
    const verifying = { ...gateContext(e, rung('dev'), 'c0ffee1', 'verify'), promotion } as unknown as GateContext;
    const first = await gate('kubernetes-reversible').evaluate(verifying);
    expect(first.status).toBe('passed');
    expect(first.summary).toMatch(/^first release: no previous revision\. c0ffee1 is the first release of crashy on Shared dev \(revision 1/);
    expect(first.summary).not.toContain('exists in');
    expect(first.summary).toContain('nothing to roll back to');
    // Proving it afterwards, placed by that promotion: still a first release.
    const placed = { ...gateContext(e, rung('dev'), 'c0ffee1'), placements: [placement('c0ffee1')] } as unknown as GateContext;
    await expect(gate('kubernetes-reversible').evaluate(placed)).resolves.toMatchObject({ status: 'passed' });
    // The ladder placed something else there before: revision 1 alone means the way back is gone.
    const replaced = { ...verifying, placements: [placement('0ld0001')] } as unknown as GateContext;
    await expect(gate('kubernetes-reversible').evaluate(replaced)).resolves.toMatchObject({ status: 'failed' });
    // Adopted from the cluster (deployed by hand), or no promotion at all: not the ladder's release.
    const adopted = { ...gateContext(e, rung('dev'), 'c0ffee1'), placements: [placement('c0ffee1', 'adoption')] } as unknown as GateContext;
    await expect(gate('kubernetes-reversible').evaluate(adopted)).resolves.toMatchObject({ status: 'failed' });
    const otherRung = { ...verifying, promotion: { ...promotion, toRung: 'hml' } } as unknown as GateContext;
    await expect(gate('kubernetes-reversible').evaluate(otherRung)).resolves.toMatchObject({ status: 'failed' });
  });

  it('bypass: an earlier revision running the same image (a rollout restart) is no way back', async () => {
    const dev = sim.cluster('dev');
    const d = dev.get({ kind: 'Deployment', namespace: 'khal-crashy', name: 'crashy' })!;
    // What `kubectl rollout restart` does: a new revision, same image.
    d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = '2026-12-03T08:00:00Z';
    dev.put(d);
    dev.completeRollouts();
    const e = entity('crashy');
    const s = await state(e, rung('dev'));
    expect(s.revisions?.map(r => [r.revision, r.image])).toEqual([
      [2, 'registry.test/crashy:c0ffee1'],
      [1, 'registry.test/crashy:c0ffee1'],
    ]);
    await expect(gate('kubernetes-reversible').evaluate(gateContext(e, rung('dev'), 'c0ffee1'))).resolves.toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('run the same image as revision 2: rolling back changes nothing'),
    });
  });

  it('supplies the names a Deployment wires, leaving out those of a missing Secret', async () => {
    const result = await source().suppliedNames({
      entity: entity('billing'),
      entityRef: 'component:default/billing',
      ladder,
      rung: rung('dev'),
      ref: 'b111111',
    });
    // DATABASE_URL comes from Secret billing-db, which does not exist.
    expect(result).toEqual({ names: ['API_TOKEN', 'BILLING_CURRENCY', 'BILLING_REGION', 'LOG_LEVEL', 'POD_NAME'] });
    const secretReads = sim.requestLog.filter(r => r.path === '/api/v1/namespaces/khal-billing/secrets');
    expect(secretReads.length).toBeGreaterThan(0);
    expect(secretReads.every(r => r.accept.includes('as=PartialObjectMetadataList'))).toBe(true);
  });

  it('cannot tell the names of an envFrom Secret whose keys are not in its metadata', async () => {
    const result = await source().suppliedNames({
      entity: entity('opaque'),
      entityRef: 'component:default/opaque',
      ladder,
      rung: rung('dev'),
      ref: 'o1',
    });
    expect(result).toEqual({ unknown: expect.stringContaining('Secret "opaque-env"') });
  });

  it('makes a rung whose cluster refuses connections unknown, with the reason', async () => {
    await sim.cluster('hml').setUnreachable(true, 'refuse');
    try {
      const s = await state(entity('orders'), rung('hml'));
      expect(s).toMatchObject({ cluster: 'hml', namespace: 'khal-orders', reachable: false, runningRef: null, rollout: 'unknown' });
      expect(s.reason).toMatch(/^cluster "hml" is unreachable: .*ECONNREFUSED/);
      const result = await gate('kubernetes-rollout').evaluate(gateContext(entity('orders'), rung('hml'), 'a1b2c3d'));
      expect(result).toMatchObject({ status: 'error', summary: s.reason });
      await expect(
        source().suppliedNames({ entity: entity('orders'), entityRef: 'x', ladder, rung: rung('hml'), ref: 'a1b2c3d' }),
      ).resolves.toEqual({ unknown: s.reason });
    } finally {
      await sim.cluster('hml').setUnreachable(false);
    }
    await expect(state(entity('orders'), rung('hml'))).resolves.toMatchObject({ reachable: true, runningRef: 'a1b2c3d' });
  });

  it('gives up on a cluster that does not answer within the timeout', async () => {
    await sim.cluster('hml').setUnreachable(true, 'hang');
    try {
      const started = Date.now();
      const s = await state(entity('orders'), rung('hml'));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(s).toMatchObject({ reachable: false, reason: 'cluster "hml" did not answer within 1500 ms' });
    } finally {
      await sim.cluster('hml').setUnreachable(false);
    }
  });

  it('makes a rung unknown when the kubernetes config holds a wrong token', async () => {
    const s = await state(entity('orders'), rung('prod'));
    expect(s.reachable).toBe(false);
    expect(s.reason).toMatch(/^cluster "prod" rejected the credentials the kubernetes backend sent \(401 Unauthorized\)/);
    const prodRequests = sim.requestLog.filter(r => r.cluster === 'prod');
    expect(prodRequests.length).toBeGreaterThan(0);
    expect(prodRequests.every(r => r.status === 401)).toBe(true);
  });

  it('explains a cluster that is not in the kubernetes config, and an entity without kubernetes id', async () => {
    const unknownCluster = await state(entity('orders'), rung('nowhere'));
    expect(unknownCluster).toMatchObject({ reachable: false });
    expect(unknownCluster.reason).toMatch(/^the kubernetes backend does not know cluster "nowhere"/);
    const noId = await state(entity(undefined), rung('dev'));
    expect(noId).toMatchObject({ reachable: false });
    expect(noId.reason).toMatch(/no backstage.io\/kubernetes-id annotation/);
  });

  it('never asks for Secret data', () => {
    expect(sim.requestLog.some(r => r.path.includes('/secrets'))).toBe(true);
    expect(secretDataRequests(sim.requestLog)).toEqual([]);
    expect(sim.requestLog.some(r => r.returnedSecretData)).toBe(false);
  });
});

describe('ladder-backend-module-kubernetes when the kubernetes backend denies its proxy', () => {
  it('makes the rung unknown and names the permission', async () => {
    const sim = await startSimulator({ clusters: [{ name: 'dev', token: 'dev-token', fixtureFiles: [fixture('other-cluster.yaml')] }] });
    const registered: Registered = { gates: new Map(), sources: [] };
    const backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        ladderStandIn(registered),
        ladderModuleKubernetes,
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
        mockServices.rootConfig.factory({
          data: { kubernetes: kubernetesConfig([{ name: 'dev', url: sim.cluster('dev').url, token: 'dev-token' }]) },
        }),
      ],
    });
    try {
      const s = await registered.provider!.getState({ entity: entity('orders'), rung: rung('dev'), ladder });
      expect(s).toMatchObject({ reachable: false, rollout: 'unknown' });
      expect(s.reason).toMatch(/^the kubernetes backend refused the ladder access to its proxy \(permission kubernetes.proxy\)/);
      expect(sim.requestLog).toEqual([]);
    } finally {
      await backend.stop();
      await sim.stop();
    }
  });
});
