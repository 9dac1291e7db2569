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

    it('starvation: a promotion a time rule released (due) comes before older ones, one due later does not', async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLadderStore.create({
        database: mockServices.database({ knex }),
      });
      const create = async (entity: string) =>
        (
          await store.createPromotion(
            {
              entityRef: `component:default/${entity}`,
              ladderId: 'khal',
              fromRung: null,
              toRung: 'dev',
              ref: 'a1b2c3d',
              manifestDigest: null,
              kind: 'promotion',
              reason: '',
              requestedBy: 'user:default/alice',
              phaseMessage: 'checking gates',
            },
            { action: 'promotion.requested', actor: 'user:default/alice' },
          )
        ).promotion;
      const block = (p: { id: string; version: number }, dueAt: string | null) =>
        store.transaction(tx =>
          tx.transitionPromotion({ id: p.id, from: 'Checking', fromVersion: p.version, to: 'Blocked', message: 'soaking', dueAt }),
        );
      const older = await create('older');
      await block(older, null);
      const later = await create('due-later');
      await block(later, '2999-01-01T00:00:00.000Z');
      const due = await create('due-now');
      const dueRecord = await block(due, '2026-01-01T00:00:00.000Z');
      expect(dueRecord.dueAt).toBe('2026-01-01T00:00:00.000Z');

      const order = async (limit: number) =>
        (await store.listPromotionsToRecheck({ phases: ['Blocked'], dueBy: '2026-06-01T00:00:00.000Z', limit })).map(
          p => p.entityRef,
        );
      expect(await order(1)).toEqual(['component:default/due-now']);
      expect(await order(3)).toEqual([
        'component:default/due-now',
        'component:default/older',
        'component:default/due-later',
      ]);
      // Without dueBy the order is the plain oldest update first.
      expect(
        (await store.listPromotionsToRecheck({ phases: ['Blocked'], limit: 1 })).map(p => p.entityRef),
      ).toEqual(['component:default/older']);
    });
  },
);
