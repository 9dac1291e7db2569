import path from 'node:path';
import { RunningSimulator, startSimulator } from './simulator';
import { loadConfig } from './fixtures';
import { kube } from './testHelpers';

const DEMO = path.resolve(__dirname, '../fixtures/demo.yaml');
const COMPONENTS = [
  'orders-api',
  'billing-worker',
  'customer-portal',
  'payments-gateway',
  'edge-proxy',
];

describe('demo fixtures', () => {
  let sim: RunningSimulator;

  const call = (cluster: string, p: string) => {
    const c = sim.clusters.find(x => x.name === cluster)!;
    return kube(c.url, c.token, p).then(r => r.body);
  };
  const deployment = (cluster: string, name: string) =>
    call(cluster, `/apis/apps/v1/namespaces/khal-${name}/deployments/${name}`);

  beforeAll(async () => {
    // Ephemeral ports in tests; the demo itself uses 7101-7103.
    sim = await startSimulator({
      clusters: loadConfig(DEMO).clusters.map(c => ({ ...c, port: 0 })),
    });
  });

  it('declares the three demo clusters with their ports and demo tokens', () => {
    expect(
      loadConfig(DEMO).clusters.map(c => [c.name, c.port, c.token]),
    ).toEqual([
      ['shared-dev', 7101, 'demo-shared-dev-token'],
      ['customer-hml', 7102, 'demo-customer-hml-token'],
      ['prod-oke', 7103, 'demo-prod-oke-token'],
    ]);
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('places each component where the demo story needs it', async () => {
    const where: Record<string, Record<string, string>> = {};
    for (const c of sim.clusters) {
      for (const name of COMPONENTS) {
        const list = await call(
          c.name,
          `/apis/apps/v1/deployments?labelSelector=backstage.io%2Fkubernetes-id%3D${name}`,
        );
        if (list.items.length > 0) {
          const ann = list.items[0].metadata.annotations['khal.ai/ref'];
          (where[name] = where[name] ?? {})[c.name] = ann;
        }
      }
    }
    expect(where).toEqual({
      'billing-worker': { 'shared-dev': '9e64e8db2664ab2c7044411def909049d8870953' },
      'customer-portal': { 'shared-dev': 'd2d36d517c9823a8b1e3e0163095482aec223bc1' },
      'payments-gateway': {
        'shared-dev': 'a57035cadfa45a07b7efa02c8610266e478bd7fa',
        'customer-hml': 'a57035cadfa45a07b7efa02c8610266e478bd7fa',
        'prod-oke': 'a57035cadfa45a07b7efa02c8610266e478bd7fa',
      },
    });
  });

  it('runs billing-worker healthy at its previous commit with two ReplicaSet revisions', async () => {
    const d = await deployment('shared-dev', 'billing-worker');
    expect(d.metadata.annotations).toMatchObject({
      'khal.ai/ref': '9e64e8db2664ab2c7044411def909049d8870953',
      'deployment.kubernetes.io/revision': '2',
    });
    expect(d.spec.template.metadata.annotations['khal.ai/ref']).toBe('9e64e8db2664ab2c7044411def909049d8870953');
    expect(d.spec.template.spec.containers[0].image).toBe(
      'registry.khal.local/billing-worker:9e64e8db2664ab2c7044411def909049d8870953',
    );
    expect(d.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    const rss = await call(
      'shared-dev',
      '/apis/apps/v1/namespaces/khal-billing-worker/replicasets',
    );
    expect(
      rss.items
        .map(
          (rs: any) =>
            rs.metadata.annotations['deployment.kubernetes.io/revision'],
        )
        .sort(),
    ).toEqual(['1', '2']);
  });

  it('labels deployments, pods and services with the kubernetes-id and app', async () => {
    for (const c of sim.clusters) {
      for (const p of [
        '/apis/apps/v1/deployments',
        '/api/v1/pods',
        '/api/v1/services',
      ]) {
        const list = await call(c.name, p);
        const ours = list.items.filter((i: any) =>
          i.metadata.namespace.startsWith('khal-'),
        );
        expect(ours.length).toBeGreaterThan(0);
        for (const item of ours) {
          const id = item.metadata.labels['backstage.io/kubernetes-id'];
          expect(item.metadata.namespace).toBe(`khal-${id}`);
          expect(item.metadata.labels.app).toBe(id);
        }
      }
    }
  });

  it('wires payments-gateway to its demo Secret and ConfigMap in prod', async () => {
    const d = await deployment('prod-oke', 'payments-gateway');
    const container = d.spec.template.spec.containers[0];
    expect(container.image).toBe(
      'registry.khal.local/payments-gateway:a57035cadfa45a07b7efa02c8610266e478bd7fa',
    );
    expect(container.env).toEqual(
      expect.arrayContaining([
        {
          name: 'PAYMENTS_API_KEY',
          valueFrom: {
            secretKeyRef: { name: 'payments-gateway-secrets', key: 'api-key' },
          },
        },
        {
          name: 'LOG_LEVEL',
          valueFrom: {
            configMapKeyRef: {
              name: 'payments-gateway-config',
              key: 'log-level',
            },
          },
        },
      ]),
    );
    expect(container.envFrom).toEqual([
      { configMapRef: { name: 'payments-gateway-config' } },
    ]);
    const secret = await call(
      'prod-oke',
      '/api/v1/namespaces/khal-payments-gateway/secrets/payments-gateway-secrets',
    );
    for (const value of Object.values(secret.data as Record<string, string>)) {
      expect(Buffer.from(value, 'base64').toString('utf8')).toBe(
        'demo-not-a-secret',
      );
    }
    expect(d.status.readyReplicas).toBe(3);
  });

  // What the demo apps' khal-app.json (scripts/demo-repos.mjs, the ref the seed promotes)
  // requires: the seed's promotions pass env-contract by what these Deployments wire, not by
  // an attestation, and kubernetes-reversible by a revision that runs an older image.
  const required: Record<string, string[]> = {
    'billing-worker': ['DATABASE_URL'],
    'customer-portal': [],
    'payments-gateway': ['DATABASE_URL', 'PAYMENT_PROVIDER_KEY'],
  };
  const placed: Array<[string, string]> = [
    ['shared-dev', 'billing-worker'],
    ['shared-dev', 'customer-portal'],
    ['shared-dev', 'payments-gateway'],
    ['customer-hml', 'payments-gateway'],
    ['prod-oke', 'payments-gateway'],
  ];

  it.each(placed)(
    '%s: %s wires every setting its manifest requires from an existing Secret key',
    async (cluster, name) => {
      const d = await deployment(cluster, name);
      const env: any[] = d.spec.template.spec.containers[0].env ?? [];
      for (const setting of required[name]) {
        const wired = env.find(e => e.name === setting);
        expect(wired?.valueFrom?.secretKeyRef).toBeDefined();
        const ref = wired.valueFrom.secretKeyRef;
        const secret = await call(
          cluster,
          `/api/v1/namespaces/khal-${name}/secrets/${ref.name}`,
        );
        expect(Object.keys(secret.data)).toContain(ref.key);
      }
    },
  );

  it.each(placed)(
    '%s: %s keeps an earlier revision running an older image',
    async (cluster, name) => {
      const rss = await call(
        cluster,
        `/apis/apps/v1/namespaces/khal-${name}/replicasets`,
      );
      const byRevision = rss.items
        .map((rs: any) => [
          Number(rs.metadata.annotations['deployment.kubernetes.io/revision']),
          rs.spec.template.spec.containers[0].image,
        ])
        .sort((a: any, b: any) => b[0] - a[0]);
      expect(byRevision.length).toBeGreaterThanOrEqual(2);
      expect(byRevision[1][1]).not.toBe(byRevision[0][1]);
    },
  );
});
