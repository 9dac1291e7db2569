import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { DatabaseLadderStore } from './DatabaseLadderStore';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@khal/plugin-ladder-backend',
  'migrations',
);
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const promotion = (over: object = {}) => ({
  entityRef: 'component:default/orders-api',
  ladderId: 'khal',
  fromRung: null,
  toRung: 'dev',
  ref: 'a1b2c3d',
  manifestDigest: null,
  kind: 'promotion' as const,
  reason: 'ship it',
  requestedBy: 'user:default/alice',
  phaseMessage: 'checking gates',
  ...over,
});
const audit = { action: 'promotion.requested', actor: 'user:default/alice' };

describe.each(databases.eachSupportedId())(
  'DatabaseLadderStore on %p',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLadderStore.create({
        database: mockServices.database({ knex }),
      });
      return { knex, store };
    }

    it('runs its migrations up and down', async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrationsDir });
      for (const table of [
        'ladder_placements',
        'ladder_promotions',
        'ladder_gate_results',
        'ladder_approvals',
        'ladder_evidence',
        'ladder_audit_events',
        'ladder_idempotency_keys',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }
      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('ladder_promotions')).toBe(false);
      await knex.migrate.latest({ directory: migrationsDir });
      expect(await knex.schema.hasTable('ladder_promotions')).toBe(true);
    });

    it('allows one open promotion per entity and rung: the same commit again is a 409, a newer commit supersedes it', async () => {
      const { store, knex } = await createStore();
      const { promotion: first } = await store.createPromotion(
        promotion(),
        audit,
      );
      await expect(
        store.createPromotion(
          promotion({ requestedBy: 'user:default/bob' }),
          audit,
        ),
      ).rejects.toThrow(ConflictError);
      // Nothing half-written: one promotion, one audit row.
      expect(
        Number((await knex('ladder_promotions').count({ n: '*' }))[0].n),
      ).toBe(1);
      expect(
        Number((await knex('ladder_audit_events').count({ n: '*' }))[0].n),
      ).toBe(1);
      // Another rung is fine.
      await store.createPromotion(promotion({ toRung: 'hml' }), audit);

      const { promotion: newer, superseded } = await store.createPromotion(
        promotion({ ref: 'ffff000' }),
        audit,
      );
      expect(newer.phase).toBe('Checking');
      expect(superseded).toMatchObject({
        id: first.id,
        phase: 'Superseded',
        version: 2,
      });
      expect(superseded!.phaseMessage).toContain(newer.id);
      const trail = await store.listAudit({ promotionId: first.id, limit: 10 });
      expect(
        trail.map(a => `${a.action}:${a.fromPhase}>${a.toPhase}`),
      ).toContain('promotion.supersede:Checking>Superseded');

      // A promotion a deploy claimed is not superseded: its rung is being changed.
      await store.transaction(tx =>
        tx.transitionPromotion({
          id: newer.id,
          from: 'Checking',
          fromVersion: 1,
          to: 'Approved',
          message: 'x',
        }),
      );
      await store.transaction(tx =>
        tx.transitionPromotion({
          id: newer.id,
          from: 'Approved',
          fromVersion: 2,
          to: 'Deploying',
          message: 'x',
          claimedBy: 'user:default/olga',
        }),
      );
      expect((await store.getPromotion(newer.id))!.claim).toMatchObject({
        claimedBy: 'user:default/olga',
      });
      await expect(
        store.createPromotion(promotion({ ref: 'eeee000' }), audit),
      ).rejects.toThrow(/a deploy is changing the rung/);
    });

    it('applies a transition only from the expected phase and version (409 otherwise)', async () => {
      const { store } = await createStore();
      const { promotion: p } = await store.createPromotion(promotion(), audit);
      const blocked = await store.transaction(tx =>
        tx.transitionPromotion({
          id: p.id,
          from: 'Checking',
          fromVersion: 1,
          to: 'Blocked',
          message: 'waiting',
        }),
      );
      expect(blocked).toMatchObject({
        phase: 'Blocked',
        version: 2,
        phaseMessage: 'waiting',
      });
      await expect(
        store.transaction(tx =>
          tx.transitionPromotion({
            id: p.id,
            from: 'Checking',
            fromVersion: 1,
            to: 'Blocked',
            message: 'x',
          }),
        ),
      ).rejects.toThrow(ConflictError);
      await expect(
        store.transaction(tx =>
          tx.transitionPromotion({
            id: p.id,
            from: 'Blocked',
            fromVersion: 1,
            to: 'Cancelled',
            message: 'x',
          }),
        ),
      ).rejects.toThrow(ConflictError);
      expect((await store.getPromotion(p.id))!.phase).toBe('Blocked');
    });

    it('rolls back everything in a failed transaction', async () => {
      const { store } = await createStore();
      const { promotion: p } = await store.createPromotion(promotion(), audit);
      await expect(
        store.transaction(async tx => {
          await tx.transitionPromotion({
            id: p.id,
            from: 'Checking',
            fromVersion: 1,
            to: 'Blocked',
            message: 'x',
          });
          await tx.insertAudit({
            entityRef: p.entityRef,
            action: 'x',
            actor: 'y',
          });
          await tx.insertApproval({
            promotionId: p.id,
            approver: 'user:default/sam',
            decision: 'approve',
            comment: '',
          });
          await tx.insertApproval({
            promotionId: p.id,
            approver: 'user:default/sam',
            decision: 'approve',
            comment: '',
          });
        }),
      ).rejects.toThrow(ConflictError);
      expect((await store.getPromotion(p.id))!.phase).toBe('Checking');
      expect(await store.listApprovals([p.id])).toEqual([]);
      expect(
        (await store.listAudit({ entityRef: p.entityRef, limit: 10 })).map(
          a => a.action,
        ),
      ).toEqual(['promotion.requested']);
    });

    it('moves placements and remembers their history', async () => {
      const { store } = await createStore();
      await store.enroll({
        entityRef: 'component:default/orders-api',
        ladderId: 'khal',
        rungId: 'local',
        ref: 'aaaaaaa',
        via: 'enrollment',
        promotionId: null,
        placedAt: new Date().toISOString(),
        placedBy: 'service:scaffolder',
      });
      await expect(
        store.enroll({
          entityRef: 'component:default/orders-api',
          ladderId: 'khal',
          rungId: 'local',
          ref: 'bbbbbbb',
          via: 'enrollment',
          promotionId: null,
          placedAt: new Date().toISOString(),
          placedBy: 'service:scaffolder',
        }),
      ).rejects.toThrow(ConflictError);
      await store.transaction(async tx => {
        await tx.upsertPlacement({
          entityRef: 'component:default/orders-api',
          ladderId: 'khal',
          rungId: 'local',
          ref: 'bbbbbbb',
          via: 'promotion',
          promotionId: null,
          placedAt: new Date().toISOString(),
          placedBy: 'user:default/alice',
          proofStatus: 'passed',
        });
        await tx.insertAudit({
          entityRef: 'component:default/orders-api',
          rungId: 'local',
          ref: 'bbbbbbb',
          action: 'placement.moved',
          actor: 'user:default/alice',
        });
      });
      const [placement] = await store.listPlacements([
        'component:default/orders-api',
      ]);
      expect(placement).toMatchObject({
        ref: 'bbbbbbb',
        proofStatus: 'passed',
      });
      expect(
        await store.placementHistory('component:default/orders-api', 'local'),
      ).toEqual(['bbbbbbb', 'aaaaaaa']);
    });

    it('keeps idempotency keys per scope', async () => {
      const { store } = await createStore();
      const id = {
        scope: 'user:default/alice',
        operation: 'create-promotion',
        key: 'k',
      };
      expect(
        await store.reserveIdempotencyKey({ ...id, requestHash: 'h' }),
      ).toBe(true);
      expect(
        await store.reserveIdempotencyKey({ ...id, requestHash: 'h' }),
      ).toBe(false);
      expect(
        await store.reserveIdempotencyKey({
          ...id,
          scope: 'user:default/bob',
          requestHash: 'h',
        }),
      ).toBe(true);
      await store.completeIdempotencyKey({
        ...id,
        statusCode: 201,
        response: { id: 'p1' },
      });
      expect(await store.getIdempotencyKey(id)).toEqual({
        requestHash: 'h',
        statusCode: 201,
        response: { id: 'p1' },
        createdAt: expect.any(String),
      });
    });
  },
);
