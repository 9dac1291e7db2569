import { RunningSimulator, startSimulator } from './simulator';
import { parseObjects } from './fixtures';
import { TEST_FIXTURE } from './testFixtures';
import { kube } from './testHelpers';

const DEPLOY = '/apis/apps/v1/namespaces/shop/deployments';
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

const condition = (d: any, type: string) =>
  d.status.conditions.find((c: any) => c.type === type);
const revision = (o: any) =>
  o.metadata.annotations['deployment.kubernetes.io/revision'];

describe('simulated rollouts', () => {
  let sim: RunningSimulator;
  let url: string;
  let token: string;

  const get = async (name: string) =>
    (await kube(url, token, `${DEPLOY}/${name}`)).body;
  const replicaSets = async (app: string) =>
    (
      await kube(
        url,
        token,
        `/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3D${app}`,
      )
    ).body.items;
  const pods = async (app: string) =>
    (
      await kube(
        url,
        token,
        `/api/v1/namespaces/shop/pods?labelSelector=app%3D${app}`,
      )
    ).body.items;

  beforeEach(async () => {
    sim = await startSimulator({
      clusters: [
        {
          name: 'dev',
          token: 't',
          objects: parseObjects(TEST_FIXTURE),
          manualRollouts: true,
        },
      ],
    });
    ({ url, token } = sim.clusters[0]);
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('rolls out a patched image step by step: new ReplicaSet, revision 2 -> 3, status converges', async () => {
    const before = await get('web');
    expect(revision(before)).toBe('2');
    const patched = await kube(url, token, `${DEPLOY}/web`, {
      method: 'PATCH',
      contentType: STRATEGIC,
      body: {
        spec: {
          template: {
            metadata: { annotations: { 'khal.ai/ref': 'ccc3333' } },
            spec: {
              containers: [{ name: 'web', image: 'registry.test/web:ccc3333' }],
            },
          },
        },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.generation).toBe(2);
    expect(revision(patched.body)).toBe('3');
    // Strategic merge kept the container's other fields.
    expect(patched.body.spec.template.spec.containers[0].env[0].name).toBe(
      'API_KEY',
    );
    expect(patched.body.status.observedGeneration).toBe(1);
    expect(condition(patched.body, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });

    const rss = await replicaSets('web');
    const newRs = rss.find((rs: any) => revision(rs) === '3');
    expect(newRs.spec.template.spec.containers[0].image).toBe(
      'registry.test/web:ccc3333',
    );
    expect(newRs.metadata.ownerReferences[0]).toMatchObject({
      kind: 'Deployment',
      name: 'web',
    });
    expect(sim.cluster('dev').rollouts()).toEqual([
      expect.objectContaining({
        name: 'web',
        revision: 3,
        step: 0,
        willFail: false,
      }),
    ]);

    const seen: Array<{ updated: number; ready: number }> = [];
    for (let step = 1; step <= 3; step++) {
      sim.cluster('dev').advance();
      const d = await get('web');
      expect(d.status.observedGeneration).toBe(2);
      expect(condition(d, 'Progressing').reason).toBe('ReplicaSetUpdated');
      seen.push({
        updated: d.status.updatedReplicas ?? 0,
        ready: d.status.readyReplicas ?? 0,
      });
    }
    expect(seen.map(s => s.updated)).toEqual([1, 2, 3]);
    // maxSurge 1 / maxUnavailable 0 (the 25% defaults for 3 replicas): availability never drops.
    expect(seen.map(s => s.ready)).toEqual([3, 3, 3]);

    sim.cluster('dev').advance();
    const done = await get('web');
    expect(done.status).toMatchObject({
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(condition(done, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`,
    });
    expect(condition(done, 'Available').status).toBe('True');
    const finalRss = await replicaSets('web');
    expect(
      finalRss.map((rs: any) => [revision(rs), rs.spec.replicas]).sort(),
    ).toEqual([
      ['1', 0],
      ['2', 0],
      ['3', 3],
    ]);
    const finalPods = await pods('web');
    expect(finalPods).toHaveLength(3);
    for (const p of finalPods) {
      expect(p.spec.containers[0].image).toBe('registry.test/web:ccc3333');
      expect(p.metadata.name.startsWith(`${newRs.metadata.name}-`)).toBe(true);
      expect(p.status.containerStatuses[0].ready).toBe(true);
    }
    expect(sim.cluster('dev').rollouts()).toEqual([]);
    const events = (await kube(url, token, '/api/v1/namespaces/shop/events'))
      .body.items;
    expect(events.map((e: any) => e.reason)).toContain('ScalingReplicaSet');
  });

  it('fails a rollout with ProgressDeadlineExceeded when annotated rollout: fail', async () => {
    const patched = await kube(url, token, `${DEPLOY}/api`, {
      method: 'PATCH',
      contentType: MERGE,
      body: {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'api', image: 'registry.test/api:2' }],
            },
          },
        },
      },
    });
    expect(revision(patched.body)).toBe('2');
    sim.cluster('dev').completeRollouts();
    const d = await get('api');
    const newRs = (await replicaSets('api')).find(
      (rs: any) => revision(rs) === '2',
    );
    expect(condition(d, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${newRs.metadata.name}" has timed out progressing.`,
    });
    expect(d.status.observedGeneration).toBe(2);
    // 4 replicas, 25% defaults: one old pod may go (maxUnavailable 1), one surge pod is allowed (maxSurge 1);
    // the new pods never become ready, so availability stays below the desired count.
    expect(d.status).toMatchObject({
      replicas: 5,
      updatedReplicas: 2,
      availableReplicas: 3,
      unavailableReplicas: 1,
    });
    expect(condition(d, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    const stuck = (await pods('api')).filter(
      (p: any) => p.spec.containers[0].image === 'registry.test/api:2',
    );
    expect(stuck.length).toBeGreaterThan(0);
    for (const p of stuck)
      expect(p.status.containerStatuses[0].ready).toBe(false);
  });

  it('shows crash-looping pods for simulator.khal.ai/crashloop', async () => {
    const crashy = await pods('crashy');
    expect(crashy).toHaveLength(2);
    for (const p of crashy) {
      const cs = p.status.containerStatuses[0];
      expect(cs.ready).toBe(false);
      expect(cs.restartCount).toBeGreaterThan(3);
      expect(cs.state.waiting.reason).toBe('CrashLoopBackOff');
    }
    const d = await get('crashy');
    expect(d.status.readyReplicas).toBeUndefined();
    expect(d.status.unavailableReplicas).toBe(2);
    expect(condition(d, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    // Removing the annotation heals the pods.
    await kube(url, token, `${DEPLOY}/crashy`, {
      method: 'PATCH',
      contentType: MERGE,
      body: {
        metadata: { annotations: { 'simulator.khal.ai/crashloop': null } },
      },
    });
    expect((await get('crashy')).status.readyReplicas).toBe(2);
  });

  it('scales through the scale subresource and spec.replicas', async () => {
    const scale = await kube(url, token, `${DEPLOY}/web/scale`);
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 3 },
    });
    await kube(url, token, `${DEPLOY}/web/scale`, {
      method: 'PATCH',
      contentType: MERGE,
      body: { spec: { replicas: 5 } },
    });
    expect(await pods('web')).toHaveLength(5);
    const d = await get('web');
    expect(d.metadata.generation).toBe(2);
    expect(d.status).toMatchObject({ observedGeneration: 2, readyReplicas: 5 });
    await kube(url, token, `${DEPLOY}/web`, {
      method: 'PATCH',
      contentType: MERGE,
      body: { spec: { replicas: 1 } },
    });
    expect(await pods('web')).toHaveLength(1);
    expect(sim.cluster('dev').rollouts()).toEqual([]);
  });

  it('starts a rollout on PUT and on handle.put, and supports creating Deployments', async () => {
    const current = await get('web');
    current.spec.template.spec.containers[0].image =
      'registry.test/web:ddd4444';
    const put = await kube(url, token, `${DEPLOY}/web`, {
      method: 'PUT',
      body: current,
    });
    expect(put.status).toBe(200);
    expect(revision(put.body)).toBe('3');
    const again = sim
      .cluster('dev')
      .get({ kind: 'Deployment', namespace: 'shop', name: 'web' })!;
    again.spec.template.spec.containers[0].image = 'registry.test/web:eee5555';
    sim.cluster('dev').put(again);
    expect(sim.cluster('dev').rollouts()).toEqual([
      expect.objectContaining({ name: 'web', revision: 4 }),
    ]);
    sim.cluster('dev').completeRollouts();
    expect(
      (await pods('web')).map((p: any) => p.spec.containers[0].image),
    ).toEqual(Array(3).fill('registry.test/web:eee5555'));

    const created = await kube(url, token, DEPLOY, {
      method: 'POST',
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'fresh', labels: { app: 'fresh' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'fresh' } },
          template: {
            metadata: { labels: { app: 'fresh' } },
            spec: {
              containers: [{ name: 'fresh', image: 'registry.test/fresh:1' }],
            },
          },
        },
      },
    });
    expect(created.status).toBe(201);
    expect(revision(created.body)).toBe('1');
    expect(created.body.status.readyReplicas).toBe(2);
    expect(await pods('fresh')).toHaveLength(2);
  });

  it('progresses on a timer when rollouts are not manual', async () => {
    const timed = await startSimulator({
      clusters: [
        {
          name: 'timed',
          token: 't',
          objects: parseObjects(TEST_FIXTURE),
          rolloutDurationMs: 200,
        },
      ],
    });
    try {
      const base = timed.clusters[0].url;
      await kube(base, 't', `${DEPLOY}/web`, {
        method: 'PATCH',
        contentType: STRATEGIC,
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'web', image: 'registry.test/web:fff6666' },
                ],
              },
            },
          },
        },
      });
      expect(timed.cluster('timed').rollouts()).toHaveLength(1);
      let d: any;
      for (let i = 0; i < 40; i++) {
        await new Promise(r => setTimeout(r, 50));
        d = (await kube(base, 't', `${DEPLOY}/web`)).body;
        if (condition(d, 'Progressing').reason === 'NewReplicaSetAvailable')
          break;
      }
      expect(condition(d, 'Progressing').reason).toBe('NewReplicaSetAvailable');
      expect(d.status.updatedReplicas).toBe(3);
      expect(timed.cluster('timed').rollouts()).toEqual([]);
    } finally {
      await timed.stop();
    }
  });

  it('honours simulator.khal.ai/rollout-duration-ms', async () => {
    const timed = await startSimulator({
      clusters: [
        {
          name: 'timed',
          token: 't',
          objects: parseObjects(TEST_FIXTURE),
          rolloutDurationMs: 60000,
        },
      ],
    });
    try {
      const base = timed.clusters[0].url;
      await kube(base, 't', `${DEPLOY}/web`, {
        method: 'PATCH',
        contentType: MERGE,
        body: {
          metadata: {
            annotations: { 'simulator.khal.ai/rollout-duration-ms': '100' },
          },
          spec: {
            template: {
              metadata: { annotations: { 'khal.ai/ref': 'ggg7777' } },
            },
          },
        },
      });
      for (
        let i = 0;
        i < 40 && timed.cluster('timed').rollouts().length > 0;
        i++
      ) {
        await new Promise(r => setTimeout(r, 25));
      }
      expect(timed.cluster('timed').rollouts()).toEqual([]);
    } finally {
      await timed.stop();
    }
  });
});
