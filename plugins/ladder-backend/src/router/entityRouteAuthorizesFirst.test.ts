import request from 'supertest';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { ladderClusterStateExtensionPoint } from '@khal/plugin-ladder-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockServices } from '@backstage/backend-test-utils';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

/** A cluster stand-in that counts how often it is asked. */
function countingClusters() {
  const reads = { count: 0 };
  const feature = createBackendModule({
    pluginId: 'ladder',
    moduleId: 'counting-clusters',
    register(env) {
      env.registerInit({
        deps: { clusterState: ladderClusterStateExtensionPoint },
        async init({ clusterState }) {
          clusterState.setClusterStateProvider({
            async getState({ rung }) {
              reads.count += 1;
              return {
                cluster: rung.kubernetes!.cluster,
                namespace: 'khal-orders-api',
                reachable: true,
                runningRef: null,
                checkedAt: new Date().toISOString(),
              };
            },
          });
        },
      });
    },
  });
  return { feature, reads };
}

/** A policy that lets the caller read the catalog but not the entity's ladder. */
const denyLadderEntityRead = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map(r => ({
      result:
        r.permission.name === 'ladder.entity.read'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    })),
  authorizeConditional: async requests =>
    requests.map(r => ({
      result:
        r.permission.name === 'ladder.entity.read'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    })),
}).factory;

describe('GET /entities/:kind/:namespace/:name', () => {
  const repo = createAppRepository();
  const live =
    '/api/ladder/entities/component/default/orders-api?clusterState=live';
  const alice = mockCredentials.user.header('user:default/alice');

  it('bypass: a caller denied ladder.entity.read makes the backend read the live clusters before answering', async () => {
    const clusters = countingClusters();
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      extraFeatures: [clusters.feature, denyLadderEntityRead],
    });
    try {
      const res = await request(backend.server)
        .get(live)
        .set('Authorization', alice);
      // A caller who may not read the entity is told there is no such entity (EntityAccess).
      expect(res.status).toBe(404);
      // The denial may answer while a view built alongside is still reading: give it time to.
      await new Promise(resolve => setTimeout(resolve, 1000));
      expect(clusters.reads.count).toBe(0);
    } finally {
      await backend.stop();
    }
  });

  it('a caller allowed to read the entity gets the view, with the clusters read live', async () => {
    const clusters = countingClusters();
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      extraFeatures: [clusters.feature],
    });
    try {
      const res = await request(backend.server)
        .get(live)
        .set('Authorization', alice);
      expect(res.status).toBe(200);
      expect(
        res.body.rungs.find(
          (r: { rung: { id: string } }) => r.rung.id === 'dev',
        ).cluster.reachable,
      ).toBe(true);
      expect(clusters.reads.count).toBeGreaterThan(0);
    } finally {
      await backend.stop();
    }
  });
});
