import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  SchedulerService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { type RunningSimulator, startSimulator } from '@khal/kube-simulator';
// The module is tested inside the plugin it extends (see ladderBackend.test.ts).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ladderPlugin from '@khal/plugin-ladder-backend';
import { entityLadderResponseSchema } from '@khal/plugin-ladder-common';
import request from 'supertest';
import ladderModuleKubernetes from './index';

/*
 * Drift, end to end: the ladder backend, this module, the real kubernetes backend and simulated
 * clusters. Someone patches a Deployment behind the ladder's back; the rung turns drifted, blocks
 * promotions from it, and adoption or rollback resolves it, each audited.
 */

jest.setTimeout(60_000);

/** The ladder's scheduler: drift is recorded by its re-check task (reads never write). */
let scheduler: SchedulerService;
const captureScheduler = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'capture-scheduler',
  register(env) {
    env.registerInit({
      deps: { s: coreServices.scheduler },
      async init({ s }) {
        scheduler = s;
      },
    });
  },
});
const recheck = () => scheduler.triggerTask('ladder-recheck');

const ENTITY = 'component:default/shop';
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

/** A git repository with three commits of a valid khal-app.json. */
function shopRepository() {
  const dir = mkdtempSync(join(tmpdir(), 'ladder-drift-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'T',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 'T',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    }).trim();
  git('init', '-q', '-b', 'main');
  const commit = (title: string) => {
    const manifest = {
      apiVersion: 'khal.ai/v1',
      name: 'shop',
      title,
      owner: 'group:default/team-shop',
      runtime: { kind: 'node', start: 'node dist/index.js', port: 8080 },
      env: [],
      deploy: { kubernetes: { id: 'shop' } },
    };
    writeFileSync(
      join(dir, 'khal-app.json'),
      JSON.stringify(manifest, null, 2),
    );
    git('add', 'khal-app.json');
    git('commit', '-q', '-m', title);
    return git('rev-parse', 'HEAD');
  };
  return { dir, a: commit('Shop'), b: commit('Shop v2'), c: commit('Shop v3') };
}

const deployment = (ref: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'shop',
    namespace: 'khal-shop',
    labels: { 'backstage.io/kubernetes-id': 'shop', app: 'shop' },
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'shop' } },
    template: {
      metadata: {
        labels: { 'backstage.io/kubernetes-id': 'shop', app: 'shop' },
        annotations: { 'khal.ai/ref': ref },
      },
      spec: {
        containers: [
          { name: 'shop', image: `registry.test/shop:${ref.slice(0, 7)}` },
        ],
      },
    },
  },
});

const user = (name: string, group: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [group] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
});
const group = (name: string, members: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: members.map(m => ({
    type: 'hasMember',
    targetRef: `user:default/${m}`,
  })),
});

describe('drift on a Kubernetes rung', () => {
  const repo = shopRepository();
  let sim: RunningSimulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  /** Changes the Deployment the way kubectl would: a PATCH to the cluster, not through the ladder. */
  async function patchOutsideTheLadder(ref: string) {
    const res = await fetch(
      `${
        sim.cluster('dev').url
      }/apis/apps/v1/namespaces/khal-shop/deployments/shop`,
      {
        method: 'PATCH',
        headers: {
          Authorization: 'Bearer dev-token',
          'Content-Type': 'application/merge-patch+json',
        },
        body: JSON.stringify({
          spec: {
            template: { metadata: { annotations: { 'khal.ai/ref': ref } } },
          },
        }),
      },
    );
    expect(res.status).toBe(200);
  }

  const get = (path: string, who = 'alice') =>
    request(backend.server)
      .get(`/api/ladder${path}`)
      .set('Authorization', as(who));
  const post = (path: string, body: object, who = 'alice') =>
    request(backend.server)
      .post(`/api/ladder${path}`)
      .set('Authorization', as(who))
      .send(body);
  const devRung = async () => {
    const res = await get('/entities/component/default/shop');
    expect(res.status).toBe(200);
    return entityLadderResponseSchema
      .parse(res.body)
      .rungs.find(r => r.rung.id === 'dev')!;
  };
  const audit = async () =>
    (await get(`/audit?entityRef=${ENTITY}&limit=200`)).body
      .items as Array<any>;

  beforeAll(async () => {
    sim = await startSimulator({
      clusters: [
        {
          name: 'dev',
          token: 'dev-token',
          objects: [deployment(repo.a) as any],
        },
        { name: 'hml', token: 'hml-token', objects: [] },
      ],
    });
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
        captureScheduler,
        catalogServiceMock.factory({
          entities: [
            user('alice', 'team-shop'),
            user('sam', 'operators'),
            group('team-shop', ['alice']),
            group('operators', ['sam']),
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'shop',
                namespace: 'default',
                annotations: {
                  'khal.ai/ladder': 'khal',
                  'khal.ai/source-repo': `file:${repo.dir}`,
                  'backstage.io/kubernetes-id': 'shop',
                },
              },
              spec: {
                type: 'service',
                owner: 'group:default/team-shop',
                lifecycle: 'production',
              },
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
                  ],
                },
              ],
            },
            ladder: {
              operatorsGroup: 'group:default/operators',
              // git reads the test repository only under this root.
              localRepositoriesRoot: join(repo.dir, '..'),
              // These tests patch the cluster and read right away: no cached cluster state.
              clusterStateMaxAgeMs: 0,
              ladders: [
                {
                  id: 'khal',
                  title: 'Khal',
                  rungs: [
                    {
                      id: 'local',
                      title: 'Local',
                      runtime: 'pm2',
                      mutationPolicy: 'self',
                      host: 'localhost',
                    },
                    {
                      id: 'dev',
                      title: 'Shared dev',
                      runtime: 'kind',
                      mutationPolicy: 'self',
                      kubernetes: {
                        cluster: 'dev',
                        namespace: 'khal-{{kubernetesId}}',
                      },
                      approvers: {
                        groups: ['group:default/operators'],
                        minimum: 1,
                      },
                    },
                    {
                      id: 'hml',
                      title: 'Customer HML',
                      runtime: 'k3s',
                      mutationPolicy: 'self',
                      kubernetes: {
                        cluster: 'hml',
                        namespace: 'khal-{{kubernetesId}}',
                      },
                    },
                  ],
                },
              ],
            },
            // Every read goes to the cluster, so a patch shows at once.
            // Generous: reads must not time out on a loaded CI machine (timeouts are tested in module.test.ts).
            ladderKubernetes: { requestTimeoutMs: 15000, cacheTtlMs: 0 },
          },
        }),
      ],
    });
    // The ladder places a on local and dev; the cluster runs a.
    const enrolled = await post('/enrollments', {
      entityRef: ENTITY,
      ref: repo.a,
    });
    if (enrolled.status !== 201)
      throw new Error(`setup failed: enrollment answered ${enrolled.status}`);
    const toDev = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.a,
    });
    if (toDev.body.phase !== 'Promoted')
      throw new Error(`setup failed: promotion to dev is ${toDev.body.phase}`);
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
    rmSync(repo.dir, { recursive: true, force: true });
  });

  it('is not drifted while the cluster runs the placed ref', async () => {
    const dev = await devRung();
    expect(dev.status).not.toBe('drifted');
    expect(dev.cluster?.runningRef).toBe(repo.a);
    expect(dev.drift).toBeUndefined();
  });

  it('turns drifted when the Deployment is patched outside the ladder, with a stable since', async () => {
    await patchOutsideTheLadder(repo.b);
    // The read shows it at once, from what the cluster runs now.
    const seen = await devRung();
    expect(seen.status).toBe('drifted');
    expect(seen.drift).toMatchObject({ running: repo.b, expected: repo.a });
    // Recorded once, however many reads and re-checks race to record it.
    await Promise.all([recheck(), devRung(), devRung()]);
    await recheck();
    const first = await devRung();
    const again = await devRung();
    expect(again.drift!.since).toBe(first.drift!.since);
    const detected = (await audit()).filter(e => e.action === 'drift.detected');
    expect(detected).toHaveLength(1);
    expect(first.drift!.since <= detected[0].createdAt).toBe(true);
    // The overview (which reads no cluster) shows the recorded drift at a glance.
    const overview = await get('/overview?ladder=khal');
    const row = overview.body.items.find(
      (r: { entityRef: string }) => r.entityRef === ENTITY,
    );
    expect(row.cells.dev).toMatchObject({
      status: 'drifted',
      ref: repo.a,
      drift: { since: first.drift!.since, running: repo.b, expected: repo.a },
    });
    // The next step is resolving the drift, not promoting from it.
    const next = (await get('/entities/component/default/shop')).body.next;
    expect(next).toMatchObject({ action: 'fix', toRung: 'dev', ref: repo.b });
    expect(next.summary).toBe(
      `Next: resolve the drift on Shared dev — adopt ${repo.b.slice(
        0,
        7,
      )} or roll back to ${repo.a.slice(0, 7)}`,
    );
  });

  it('refuses a promotion from the drifted rung, naming the drift and the ways out', async () => {
    const res = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref: repo.a,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(
      `Shared dev has drifted: its cluster runs ${repo.b} but the ladder placed ${repo.a}`,
    );
    expect(res.body.error.message).toMatch(
      /adopt .*kind "adoption".* or roll back to the placed ref/,
    );
  });

  it('adopts the running ref with evidence and the rung approvers, audited as adoption', async () => {
    // Only the running ref can be adopted.
    expect(
      (
        await post('/promotions', {
          entityRef: ENTITY,
          toRung: 'dev',
          ref: repo.c,
          kind: 'adoption',
        })
      ).status,
    ).toBe(400);

    const adoption = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.b,
      kind: 'adoption',
      reason: 'hotfix',
    });
    expect(adoption.status).toBe(201);
    expect(adoption.body.kind).toBe('adoption');
    expect(adoption.body.phase).toBe('Blocked');
    expect(
      adoption.body.gates.find((g: any) => g.gateId === 'adoption-evidence'),
    ).toMatchObject({ status: 'failed' });

    const evidence = await post('/evidence', {
      entityRef: ENTITY,
      rung: 'dev',
      ref: repo.b,
      kind: 'status',
      summary: 'the hotfix serves traffic',
      content: 'rollout complete, 1/1 ready',
    });
    expect(evidence.status).toBe(201);
    const waiting = await post(`/promotions/${adoption.body.id}/recheck`, {});
    expect(waiting.body.phase).toBe('AwaitingApproval');
    expect(waiting.body.approvalRequirement).toMatchObject({
      groups: ['group:default/operators'],
      eligible: ['user:default/sam'],
    });
    // Still drifted until it is approved.
    expect((await devRung()).status).toBe('drifted');

    const approved = await post(
      `/promotions/${adoption.body.id}/approvals`,
      { decision: 'approve' },
      'sam',
    );
    expect(approved.status).toBe(201);
    expect(approved.body.phase).toBe('Promoted');

    const dev = await devRung();
    expect(dev.status).not.toBe('drifted');
    expect(dev.placement).toMatchObject({ ref: repo.b, via: 'adoption' });
    const events = await audit();
    expect(events.find(e => e.action === 'adoption.requested')).toBeDefined();
    expect(events.find(e => e.action === 'drift.resolved')).toMatchObject({
      promotionId: adoption.body.id,
      actor: 'user:default/sam',
      detail: { resolution: 'adoption', running: repo.b, expected: repo.a },
    });
  });

  it('rolls back to the placed ref, which resolves the drift (audited)', async () => {
    await patchOutsideTheLadder(repo.c);
    expect((await devRung()).drift).toMatchObject({
      running: repo.c,
      expected: repo.b,
    });

    const rollback = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.b,
      kind: 'rollback',
      reason: 'undo the manual change',
    });
    expect(rollback.status).toBe(201);
    // Cleared, but nothing observed yet: the cluster still runs c, so the placement waits.
    expect(rollback.body.phase).toBe('Approved');
    // The rollback is deployed: the cluster runs the placed ref again, and the re-check sees it.
    await patchOutsideTheLadder(repo.b);
    await recheck();
    expect((await get(`/promotions/${rollback.body.id}`)).body.phase).toBe(
      'Promoted',
    );

    const dev = await devRung();
    expect(dev.status).not.toBe('drifted');
    expect(dev.placement).toMatchObject({ ref: repo.b, via: 'rollback' });
    const resolved = (await audit()).filter(e => e.action === 'drift.resolved');
    expect(resolved[0]).toMatchObject({
      promotionId: rollback.body.id,
      detail: { resolution: 'rollback', running: repo.c },
    });
    // And promotions from dev go through again.
    const toHml = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref: repo.b,
    });
    expect(toHml.status).toBe(201);
  });

  it('resolves the drift when the cluster returns to the placed ref by itself', async () => {
    await patchOutsideTheLadder(repo.c);
    expect((await devRung()).status).toBe('drifted');
    await recheck();
    await patchOutsideTheLadder(repo.b);
    expect((await devRung()).status).not.toBe('drifted');
    await recheck();
    expect(
      (await audit()).find(e => e.action === 'drift.resolved'),
    ).toMatchObject({
      actor: 'service:ladder-drift',
      detail: {
        resolution: 'cluster-returned',
        running: repo.c,
        expected: repo.b,
      },
    });
  });
});
