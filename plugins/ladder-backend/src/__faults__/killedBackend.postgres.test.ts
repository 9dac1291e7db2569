/*
 * The kill-and-restart fault (killScenario.ts) on PostgreSQL, the production database
 * (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING).
 */
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { killAndRestart } from './killScenario';

// Up to three kill-and-restart cycles of a backend process; minutes on a busy 2-core machine.
jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'a ladder backend killed mid-promotion on %p',
  databaseId => {
    it('resumes after each SIGKILL, honours idempotency keys and loses nothing', async () => {
      // The assertions are in killAndRestart (killScenario.ts).
      expect.hasAssertions();
      const knex = await databases.init(databaseId);
      await killAndRestart(
        {
          env: {
            LADDER_FAULT_PG: JSON.stringify(
              (knex.client as any).config.connection,
            ),
          },
          knex,
        },
        user => mockCredentials.user.header(`user:default/${user}`),
      );
    });
  },
);
