import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  catalogEntities,
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

jest.setTimeout(60_000);

const alice = mockCredentials.user.header('user:default/alice');
const ENTITY = 'component:default/orders-api';

/** The fixture catalog with the orders-api Kubernetes id set to `kubernetesId`. */
function withKubernetesId(repoDir: string, kubernetesId: string): Entity[] {
  return catalogEntities(repoDir).map(e =>
    e.metadata.name === 'orders-api'
      ? {
          ...e,
          metadata: {
            ...e.metadata,
            annotations: {
              ...e.metadata.annotations,
              'backstage.io/kubernetes-id': kubernetesId,
            },
          },
        }
      : e,
  );
}

describe('deploy plan commands built from annotation values', () => {
  const repo = createAppRepository();

  it.each([
    '$(touch PWNED)',
    '`touch PWNED`',
    'orders-api; touch PWNED',
    'orders-api\' "x"',
    'orders-api\ntouch PWNED',
  ])(
    'refuses a Kubernetes id that is not a Kubernetes name (%j) instead of putting it into a command',
    async kubernetesId => {
      const backend = await startLadderBackend({
        repoDir: repo.dir,
        entities: withKubernetesId(repo.dir, kubernetesId),
      });
      try {
        const res = await request(backend.server)
          .get(
            `/api/ladder/plan?entityRef=${ENTITY}&target=dev&ref=${repo.commits.a}`,
          )
          .set('Authorization', alice);
        expect(res.status).toBe(422);
        expect(res.body.error.message).toContain(
          `- kubernetesId: the Kubernetes id ${JSON.stringify(
            kubernetesId,
          )} is not a Kubernetes name`,
        );
        expect(JSON.stringify(res.body)).not.toMatch(/"commands"/);
      } finally {
        await backend.stop();
      }
    },
  );

  it('renders the commands of a valid Kubernetes id', async () => {
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      entities: withKubernetesId(repo.dir, 'orders-api'),
    });
    try {
      const res = await request(backend.server)
        .get(
          `/api/ladder/plan?entityRef=${ENTITY}&target=dev&ref=${repo.commits.a}`,
        )
        .set('Authorization', alice);
      expect(res.status).toBe(200);
      expect(res.body.commands).toEqual({
        logs: 'kubectl -n khal-orders-api logs deploy/orders-api',
        status: 'kubectl -n khal-orders-api rollout status deploy/orders-api',
        dryRun: 'kubectl -n khal-orders-api apply --dry-run=server -f deploy/',
      });
    } finally {
      await backend.stop();
    }
  });
});
