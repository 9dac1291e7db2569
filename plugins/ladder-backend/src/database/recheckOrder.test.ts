import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { DatabaseLadderStore } from './DatabaseLadderStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const placement = (entityRef: string) => ({
  entityRef,
  ladderId: 'khal',
  rungId: 'local',
  ref: 'a1b2c3d',
  via: 'enrollment' as const,
  promotionId: null,
  placedAt: new Date().toISOString(),
  placedBy: 'user:default/alice',
});

describe.each(databases.eachSupportedId())(
  'the re-check order on %p',
  databaseId => {
    it('starvation: a placement never proven comes before one re-checked already (PostgreSQL sorts NULL last by default)', async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLadderStore.create({
        database: mockServices.database({ knex }),
      });
      // Checked once and still pending: re-checked every run, it must not crowd out the new one.
      await store.enroll(placement('component:default/checked-before'));
      await store.transaction(tx =>
        tx.setProofStatus({
          entityRef: 'component:default/checked-before',
          rungId: 'local',
          ref: 'a1b2c3d',
          status: 'pending',
        }),
      );
      await store.enroll(placement('component:default/never-checked'));

      expect(
        (await store.listPlacementsToProve(1)).map(p => p.entityRef),
      ).toEqual(['component:default/never-checked']);
      expect(
        (await store.listPlacementsToProve(2)).map(p => p.entityRef),
      ).toEqual([
        'component:default/never-checked',
        'component:default/checked-before',
      ]);
    });
  },
);
