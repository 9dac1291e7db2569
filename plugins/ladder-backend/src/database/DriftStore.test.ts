import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { DriftMonitor } from '../service/DriftMonitor';
import { DatabaseLadderStore } from './DatabaseLadderStore';
import { migrateDownTo } from '../__testUtils__/migrations';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@khal/plugin-ladder-backend',
  'migrations',
);
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ENTITY = 'component:default/orders-api';
const observation = (over: object = {}) => ({
  entityRef: ENTITY,
  rungId: 'dev',
  runningRef: 'beef001',
  expectedRef: 'a1b2c3d',
  actor: 'service:ladder-drift',
  ...over,
});

describe.each(databases.eachSupportedId())(
  'drift observations on %p',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLadderStore.create({
        database: mockServices.database({ knex }),
      });
      return { knex, store };
    }

    it('runs the drift and explanation migrations up and down', async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrationsDir });
      expect(await knex.schema.hasTable('ladder_drifts')).toBe(true);
      expect(
        await knex.schema.hasColumn('ladder_promotions', 'explanation_detail'),
      ).toBe(true);
      // The promotion's commit binding and claim come off first (columns up and down), then the
      // evidence retention migration (see EvidenceStore.test.ts), then the read-path indexes,
      // then the explanation column.
      const bindingColumns = ['requested_ref', 'manifest_digest', 'claimed_by', 'claimed_at'];
      for (const column of bindingColumns) {
        expect(await knex.schema.hasColumn('ladder_promotions', column)).toBe(true);
      }
      // Newer migrations come off before (the release policy tables among them).
      expect(await knex.schema.hasTable('ladder_pauses')).toBe(true);
      await migrateDownTo(knex, migrationsDir, '202612030901_promotionBinding.js');
      expect(await knex.schema.hasTable('ladder_pauses')).toBe(false);
      expect(await knex.schema.hasTable('ladder_bad_commits')).toBe(false);
      await knex.migrate.down({ directory: migrationsDir });
      for (const column of bindingColumns) {
        expect(await knex.schema.hasColumn('ladder_promotions', column)).toBe(false);
      }
      await knex.migrate.down({ directory: migrationsDir });
      await knex.migrate.down({ directory: migrationsDir });
      expect(
        await knex.schema.hasColumn('ladder_promotions', 'explanation_detail'),
      ).toBe(true);
      await knex.migrate.down({ directory: migrationsDir });
      expect(
        await knex.schema.hasColumn('ladder_promotions', 'explanation_detail'),
      ).toBe(false);
      await knex.migrate.down({ directory: migrationsDir });
      expect(await knex.schema.hasTable('ladder_drifts')).toBe(false);
      expect(await knex.schema.hasTable('ladder_promotions')).toBe(true);
      await knex.migrate.latest({ directory: migrationsDir });
      expect(await knex.schema.hasTable('ladder_drifts')).toBe(true);
    });

    it('opens one drift per entity and rung, keeps its first-seen time and audits it once', async () => {
      const { store } = await createStore();
      const first = await store.observeDrift(observation());
      expect(first.created).toBe(true);
      const again = await store.observeDrift(
        observation({ runningRef: 'beef002' }),
      );
      expect(again.created).toBe(false);
      expect(again.drift).toMatchObject({
        id: first.drift.id,
        firstSeenAt: first.drift.firstSeenAt,
        runningRef: 'beef002',
      });
      // Two replicas observing at once still make one drift.
      const racing = await Promise.all([
        store.observeDrift(observation({ rungId: 'hml' })),
        store.observeDrift(observation({ rungId: 'hml' })),
      ]);
      expect(racing.filter(r => r.created)).toHaveLength(1);
      expect(new Set(racing.map(r => r.drift.id)).size).toBe(1);

      const open = await store.listOpenDrifts([ENTITY]);
      expect(open.map(d => d.rungId).sort()).toEqual(['dev', 'hml']);
      const audit = await store.listAudit({ entityRef: ENTITY, limit: 10 });
      expect(audit.filter(a => a.action === 'drift.detected')).toHaveLength(2);
      expect(await store.listEntityRefsToObserve(10)).toEqual({
        placed: [],
        drifting: [ENTITY],
      });
    });

    it('walks every placed entity in turn for the scheduled drift check, open drifts every time', async () => {
      const { store } = await createStore();
      const refs = ['a', 'b', 'c', 'd', 'e'].map(n => `component:default/${n}`);
      for (const entityRef of refs) {
        await store.enroll({
          entityRef,
          ladderId: 'khal',
          rungId: 'local',
          ref: 'aaaaaaa',
          via: 'enrollment',
          promotionId: null,
          placedAt: new Date().toISOString(),
          placedBy: 'service:scaffolder',
        });
      }
      await store.observeDrift(
        observation({ entityRef: 'component:default/zz' }),
      );
      expect(await store.listEntityRefsToObserve(2, refs[1])).toEqual({
        placed: refs.slice(2, 4),
        drifting: ['component:default/zz'],
      });
      const monitor = new DriftMonitor({
        store,
        notifier: {} as any,
        logger: mockServices.logger.mock(),
        clusterState: () => undefined,
      });
      const runs = [];
      for (let i = 0; i < 4; i++) runs.push(await monitor.nextToObserve(2));
      expect(runs).toEqual([
        ['component:default/zz', ...refs.slice(0, 2)],
        ['component:default/zz', ...refs.slice(2, 4)],
        ['component:default/zz', refs[4]],
        // and from the start again
        ['component:default/zz', ...refs.slice(0, 2)],
      ]);
    });

    it('notifies once', async () => {
      const { store } = await createStore();
      const { drift } = await store.observeDrift(observation());
      const marks = await Promise.all([
        store.markDriftNotified(drift.id),
        store.markDriftNotified(drift.id),
      ]);
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(
        (await store.listOpenDrifts([ENTITY]))[0].notifiedAt,
      ).not.toBeNull();
    });

    it('resolves a drift with an audit row, once, inside or outside a transaction', async () => {
      const { store } = await createStore();
      await store.observeDrift(observation());
      const resolved = await store.resolveDrift({
        entityRef: ENTITY,
        rungId: 'dev',
        resolution: 'cluster-returned',
        actor: 'x',
      });
      expect(resolved).toMatchObject({
        resolution: 'cluster-returned',
        resolvedBy: 'x',
        runningRef: 'beef001',
      });
      expect(
        await store.resolveDrift({
          entityRef: ENTITY,
          rungId: 'dev',
          resolution: 'cluster-returned',
          actor: 'x',
        }),
      ).toBeUndefined();
      expect(await store.listOpenDrifts([ENTITY])).toEqual([]);

      // A new drift after a resolved one is a new drift.
      const next = await store.observeDrift(
        observation({ runningRef: 'beef003' }),
      );
      expect(next.created).toBe(true);
      await store.transaction(tx =>
        tx.resolveDrift({
          entityRef: ENTITY,
          rungId: 'dev',
          resolution: 'adoption',
          actor: 'user:default/sam',
          promotionId: 'p-1',
        }),
      );
      const audit = await store.listAudit({ entityRef: ENTITY, limit: 10 });
      const resolutions = audit.filter(a => a.action === 'drift.resolved');
      expect(resolutions).toHaveLength(2);
      expect(resolutions[0]).toMatchObject({
        promotionId: 'p-1',
        actor: 'user:default/sam',
        detail: {
          resolution: 'adoption',
          running: 'beef003',
          expected: 'a1b2c3d',
        },
      });
    });
  },
);
