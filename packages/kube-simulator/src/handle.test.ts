import { startSimulator } from './simulator';
import { kube } from './testHelpers';

describe('ClusterHandle', () => {
  it('gets, lists, puts, loads, pins status and deletes objects', async () => {
    const sim = await startSimulator({
      clusters: [{ name: 'c', token: 't', manualRollouts: true }],
      requestLogLimit: 3,
    });
    try {
      const c = sim.cluster('c');
      expect(c.url).toBe(sim.clusters[0].url);
      expect(() => sim.cluster('missing')).toThrow(
        'no simulated cluster named missing',
      );
      const loaded = c.load(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: svc, namespace: team }
spec:
  replicas: 2
  selector: { matchLabels: { app: svc } }
  template:
    metadata: { labels: { app: svc } }
    spec: { containers: [{ name: svc, image: img:1 }] }
`);
      expect(loaded[0].metadata.uid).toBeDefined();
      expect(c.list('Namespace').map(n => n.metadata.name)).toContain('team');
      expect(c.list('Pod', 'team')).toHaveLength(2);
      expect(c.list('ReplicaSet', 'team')).toHaveLength(1);

      const d = c.get({ kind: 'Deployment', namespace: 'team', name: 'svc' })!;
      d.spec.template.spec.containers[0].image = 'img:2';
      c.put(d);
      expect(c.rollouts()).toEqual([
        expect.objectContaining({ name: 'svc', revision: 2, step: 0 }),
      ]);
      c.advance(2);
      expect(c.rollouts()[0].step).toBe(2);
      c.completeRollouts();
      expect(
        c.list('Pod', 'team').map(p => p.spec.containers[0].image),
      ).toEqual(['img:2', 'img:2']);

      c.setStatus(
        { kind: 'Deployment', namespace: 'team', name: 'svc' },
        { observedGeneration: 1, replicas: 2 },
      );
      const pinned = await kube(
        c.url,
        't',
        '/apis/apps/v1/namespaces/team/deployments/svc',
      );
      expect(pinned.body.status).toEqual({
        observedGeneration: 1,
        replicas: 2,
      });

      expect(
        c.delete({ kind: 'Deployment', namespace: 'team', name: 'svc' }),
      ).toBe(true);
      expect(
        c.delete({ kind: 'Deployment', namespace: 'team', name: 'svc' }),
      ).toBe(false);
      expect(c.list('Pod', 'team')).toEqual([]);
      expect(c.list('ReplicaSet', 'team')).toEqual([]);

      for (let i = 0; i < 5; i++) await kube(c.url, 't', '/version');
      expect(sim.requestLog).toHaveLength(3);
    } finally {
      await sim.stop();
    }
  });
});
