import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { MANIFEST_PROBLEM_ANNOTATION } from '@khal/plugin-ladder-common';
import {
  catalogEntities,
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const alice = mockCredentials.user.header('user:default/alice');
const PROBLEM =
  'khal-app.json of component:default/orders-api (HEAD:khal-app.json in /repos/orders-api.git) is invalid:\n$.env[0].name: "database-url" is not UPPER_SNAKE — fix: rename it to "DATABASE_URL"';

describe('an entity on a ladder whose khal-app.json the catalog could not read or validate', () => {
  const repo = createAppRepository();
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
  });

  it('gets its ladder page, whose next step is the failing manifest-valid check with the catalog’s problem', async () => {
    const entities = catalogEntities(repo.dir).map(e =>
      e.metadata.name === 'orders-api'
        ? {
            ...e,
            metadata: {
              ...e.metadata,
              annotations: {
                ...e.metadata.annotations,
                [MANIFEST_PROBLEM_ANNOTATION]: PROBLEM,
              },
            },
          }
        : e,
    );
    const backend = await startLadderBackend({ repoDir: repo.dir, knex, entities });
    try {
      const res = await request(backend.server)
        .get('/api/ladder/entities/component/default/orders-api')
        .set('Authorization', alice);
      expect(res.status).toBe(200);
      expect(res.body.next).toMatchObject({
        action: 'fix',
        toRung: 'local',
        gatesPassed: 0,
        gatesTotal: 1,
        waitingFor: ['manifest-valid: a valid khal-app.json'],
      });
      expect(res.body.next.summary).toContain('manifest-valid fails');
      expect(res.body.next.summary).toContain(
        '$.env[0].name: "database-url" is not UPPER_SNAKE — fix: rename it to "DATABASE_URL"',
      );
    } finally {
      await backend.stop();
    }
  });

  it('without a problem, the next step stays "enroll"', async () => {
    const backend = await startLadderBackend({ repoDir: repo.dir, knex });
    try {
      const res = await request(backend.server)
        .get('/api/ladder/entities/component/default/orders-api')
        .set('Authorization', alice);
      expect(res.body.next).toMatchObject({ action: 'enroll', toRung: 'local' });
    } finally {
      await backend.stop();
    }
  });
});
