import request from 'supertest';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { ladderClusterStateExtensionPoint } from '@khal/plugin-ladder-node';
import {
  createAppRepository,
  schedulerCapture,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const ENTITY = 'component:default/orders-api';

/** What the stand-in cluster of every Kubernetes rung runs. */
const cluster = { running: 'beef001' as string | null };

const fakeClusters = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'fake-clusters',
  register(env) {
    env.registerInit({
      deps: { clusterState: ladderClusterStateExtensionPoint },
      async init({ clusterState }) {
        clusterState.setClusterStateProvider({
          async getState({ rung }) {
            return {
              cluster: rung.kubernetes!.cluster,
              namespace: 'khal-orders-api',
              reachable: true,
              runningRef: rung.id === 'dev' ? cluster.running : null,
              checkedAt: new Date().toISOString(),
            };
          },
        });
      },
    });
  },
});

const { feature: captureScheduler, scheduler } = schedulerCapture();

describe('drift notifications', () => {
  const repo = createAppRepository();
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({
      repoDir: repo.dir,
      extraFeatures: [fakeClusters, captureScheduler],
      // The test changes what the cluster runs and reads right away: no cached cluster state.
      configOverrides: { clusterStateMaxAgeMs: 0 },
    });
  });
  afterAll(() => backend.stop());

  const view = () =>
    request(backend.server)
      .get('/api/ladder/entities/component/default/orders-api')
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
  const driftNotifications = () =>
    backend.outbox.notifications.filter(
      n => n.payload.topic === 'ladder.drift',
    );

  const devRung = async () =>
    (await view()).body.rungs.find((r: any) => r.rung.id === 'dev');
  const recheck = () => scheduler().triggerTask('ladder-recheck');
  /** Reads hand drift to a background reconciliation; waits until it is stored as `running`. */
  const recorded = async (running: string) => {
    for (let i = 0; i < 100; i++) {
      const dev = await devRung();
      const audit = await request(backend.server)
        .get(`/api/ladder/audit?entityRef=${ENTITY}&limit=50`)
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/alice'),
        );
      const detected = audit.body.items.some(
        (e: any) => e.action === 'drift.detected',
      );
      if (
        detected &&
        dev.drift?.running === running &&
        driftNotifications().length > 0
      )
        return dev;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`drift to ${running} was not recorded`);
  };
  let since: string;

  it("tells the entity's owners once, however often the drifted rung is read", async () => {
    const dev = await devRung();
    // The read shows the drift at once, from what the cluster says now.
    expect(dev).toMatchObject({
      status: 'drifted',
      drift: { running: 'beef001', expected: null },
    });
    // Reads and re-checks race to record it: one drift, one notification.
    await Promise.all([view(), view(), recheck(), view()]);
    since = (await recorded('beef001')).drift.since;
    await Promise.all([recheck(), view(), view()]);
    await recheck();
    expect((await devRung()).drift.since).toBe(since);
    const sent = driftNotifications();
    expect(sent).toHaveLength(1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: 'group:default/team-orders',
    });
    expect(sent[0].payload.title).toBe(
      `Drift: ${ENTITY} on Shared dev runs beef001`,
    );
    expect(sent[0].payload.description).toMatch(
      /placed nothing there .* blocked until you adopt beef001/,
    );
  });

  it('keeps one drift (and one notification) while the running ref changes', async () => {
    cluster.running = null;
    // A cluster that says nothing about what it runs neither proves nor ends a drift.
    expect((await devRung()).status).not.toBe('drifted');
    await recheck();
    cluster.running = 'beef002';
    // The scheduled re-check alone records the new running ref.
    await recheck();
    const audit = await request(backend.server)
      .get(`/api/ladder/audit?entityRef=${ENTITY}&limit=50`)
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
    expect(
      audit.body.items.filter((e: any) => e.action === 'drift.detected'),
    ).toHaveLength(1);
    const dev = await devRung();
    // Still the same drift (same since), now running another ref; no second notification.
    expect(dev.drift).toMatchObject({ running: 'beef002', since });
    expect(driftNotifications()).toHaveLength(1);
  });
});
