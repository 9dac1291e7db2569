import request from 'supertest';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { ladderClusterStateExtensionPoint } from '@khal/plugin-ladder-node';
import {
  createAppRepository,
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

describe('drift notifications', () => {
  const repo = createAppRepository();
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({
      repoDir: repo.dir,
      extraFeatures: [fakeClusters],
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

  it("tells the entity's owners once, however often the drifted rung is read", async () => {
    const first = await view();
    const dev = first.body.rungs.find((r: any) => r.rung.id === 'dev');
    expect(dev).toMatchObject({
      status: 'drifted',
      drift: { running: 'beef001', expected: null },
    });
    await view();
    await Promise.all([view(), view()]);
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
    expect(
      (await view()).body.rungs.find((r: any) => r.rung.id === 'dev').status,
    ).not.toBe('drifted');
    cluster.running = 'beef002';
    const dev = (await view()).body.rungs.find((r: any) => r.rung.id === 'dev');
    // Still the same drift (same since), now running another ref; no second notification.
    expect(dev.drift.running).toBe('beef002');
    expect(driftNotifications()).toHaveLength(1);
  });
});
