import request from 'supertest';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { ladderClusterStateExtensionPoint } from '@khal/plugin-ladder-node';
import { createAppRepository, schedulerCapture, startLadderBackend } from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const ENTITY = 'component:default/orders-api';

/**
 * A provider with a background picture of its cluster that can disagree with the cluster itself:
 * readers that accept a recent observation get the picture, `maxAgeMs: 0` gets the cluster.
 */
const dev = { picture: null as string | null, cluster: null as string | null, liveReads: 0, recentReads: 0 };

const pictureClusters = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'picture-clusters',
  register(env) {
    env.registerInit({
      deps: { clusterState: ladderClusterStateExtensionPoint },
      async init({ clusterState }) {
        clusterState.setClusterStateProvider({
          async getState({ rung, maxAgeMs }) {
            const live = maxAgeMs === 0;
            if (rung.id === 'dev') {
              if (live) dev.liveReads++;
              else dev.recentReads++;
            }
            const seen = live ? dev.cluster : dev.picture;
            return {
              cluster: rung.kubernetes!.cluster,
              namespace: 'khal-orders-api',
              reachable: true,
              runningRef: rung.id === 'dev' ? seen : null,
              checkedAt: new Date().toISOString(),
            };
          },
        });
      },
    });
  },
});

const { feature: captureScheduler, scheduler } = schedulerCapture();

describe('drift from recent observations (the scheduled walk)', () => {
  const repo = createAppRepository();
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    // The portal's default: reads and the walk accept cluster state up to 5 s old.
    backend = await startLadderBackend({ repoDir: repo.dir, extraFeatures: [pictureClusters, captureScheduler] });
    // Placed (on the first rung), so the scheduled walk looks at it.
    const enrolled = await request(backend.server)
      .post('/api/ladder/enrollments')
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .send({ entityRef: ENTITY, ref: repo.commits.a });
    if (enrolled.status !== 201) throw new Error(`enrolling failed: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
  });
  afterAll(() => backend.stop());

  const detected = async () =>
    (
      await request(backend.server)
        .get(`/api/ladder/audit?entityRef=${ENTITY}&limit=50`)
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
    ).body.items.filter((e: any) => e.action === 'drift.detected');
  const walk = async () => {
    dev.liveReads = 0;
    dev.recentReads = 0;
    await scheduler().triggerTask('ladder-recheck');
    // triggerTask starts the run; wait until it has looked at the entity.
    for (let i = 0; i < 100 && dev.recentReads === 0; i++) await new Promise(r => setTimeout(r, 50));
    await new Promise(r => setTimeout(r, 300));
  };

  it('costs no live cluster read while the picture agrees with what is recorded', async () => {
    dev.picture = null;
    dev.cluster = 'beef009';
    await walk();
    expect(dev.recentReads).toBeGreaterThan(0);
    expect(dev.liveReads).toBe(0);
    expect(await detected()).toHaveLength(0);
  });

  it('records nothing when the cluster itself does not confirm what an old picture shows', async () => {
    dev.picture = 'beef001';
    dev.cluster = null;
    await walk();
    expect(dev.liveReads).toBeGreaterThan(0);
    expect(await detected()).toHaveLength(0);
  });

  it('records a drift the cluster confirms', async () => {
    dev.picture = 'beef001';
    dev.cluster = 'beef001';
    await walk();
    for (let i = 0; i < 50 && (await detected()).length === 0; i++) await new Promise(r => setTimeout(r, 100));
    const rows = await detected();
    expect(rows).toHaveLength(1);
    expect(rows[0].detail).toMatchObject({ rung: 'dev', running: 'beef001' });
  });
});
