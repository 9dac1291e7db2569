import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import {
  createAppRepository,
  ladderConfig,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const alice = mockCredentials.user.header('user:default/alice');
const ENTITY = 'component:default/orders-api';

/** The fixture ladder without the rungs named. */
function ladderWithout(...removed: string[]) {
  const [ladder] = ladderConfig.ladders;
  return {
    ladders: [
      { ...ladder, rungs: ladder.rungs.filter(r => !removed.includes(r.id)) },
    ],
  };
}

describe('an entity whose placements sit only on rungs removed from the ladder config', () => {
  const repo = createAppRepository();
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    const before = await startLadderBackend({ repoDir: repo.dir, knex });
    try {
      const enrolled = await request(before.server)
        .post('/api/ladder/enrollments')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, ref: repo.commits.a });
      if (enrolled.status !== 201)
        throw new Error(`enrolment failed: ${JSON.stringify(enrolled.body)}`);
    } finally {
      await before.stop();
    }
  });

  it('still gets its ladder page (was a 500), whose next step says how to get back on the ladder', async () => {
    const after = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides: ladderWithout('local'),
    });
    try {
      const res = await request(after.server)
        .get('/api/ladder/entities/component/default/orders-api')
        .set('Authorization', alice);
      expect(res.status).toBe(200);
      expect(
        res.body.rungs.every(
          (r: { placement: unknown }) => r.placement === null,
        ),
      ).toBe(true);
      expect(res.body.next).toMatchObject({
        action: 'promote',
        toRung: 'mirrored',
        ref: repo.commits.a,
      });
      expect(res.body.next.summary).toMatch(/no longer in the ladder: local/);
    } finally {
      await after.stop();
    }
  });
});
