import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { EvidenceRecord } from './records';
import { DatabaseLadderStore } from './DatabaseLadderStore';
import { migrateDownTo } from '../__testUtils__/migrations';
import type { LadderStore } from './LadderStore';
import { runRetention } from '../service/RetentionTask';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@khal/plugin-ladder-backend',
  'migrations',
);
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ENTITY = 'component:default/orders-api';
const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-12-03T09:00:00.000Z');
const daysAgo = (days: number) =>
  new Date(NOW.getTime() - days * DAY).toISOString();

const evidence = (
  id: string,
  createdAt: string,
  over: Partial<EvidenceRecord> = {},
): EvidenceRecord => ({
  id,
  entityRef: ENTITY,
  rungId: 'local',
  ref: 'a1b2c3d',
  kind: 'build-output',
  summary: `build ${id}`,
  content: `log of ${id}`,
  data: { clean: true },
  digest: id.padEnd(64, '0'),
  sizeBytes: 10,
  redactions: 0,
  createdBy: 'user:default/alice',
  createdAt,
  ...over,
});

describe.each(databases.eachSupportedId())(
  'evidence pages and retention on %p',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLadderStore.create({
        database: mockServices.database({ knex }),
      });
      return { knex, store };
    }

    it('runs the retention migration up and down', async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrationsDir });
      expect(
        await knex.schema.hasColumn('ladder_evidence', 'content_expired_at'),
      ).toBe(true);
      // The newer migrations come off first, then this one.
      await migrateDownTo(knex, migrationsDir, '202612030900_evidenceRetention.js');
      await knex.migrate.down({ directory: migrationsDir });
      expect(
        await knex.schema.hasColumn('ladder_evidence', 'content_expired_at'),
      ).toBe(false);
      expect(await knex.schema.hasTable('ladder_evidence')).toBe(true);
      await knex.migrate.latest({ directory: migrationsDir });
      expect(
        await knex.schema.hasColumn('ladder_evidence', 'content_expired_at'),
      ).toBe(true);
    });

    it('pages evidence newest first with a keyset cursor, ties on createdAt included, no item twice', async () => {
      const { store } = await createStore();
      const same = daysAgo(1);
      for (const [id, at] of [
        ['e1', daysAgo(3)],
        ['e2', same],
        ['e3', same],
        ['e4', same],
        ['e5', daysAgo(0)],
      ] as const) {
        await store.addEvidence(evidence(id, at));
      }
      const seen: string[] = [];
      let before: { createdAt: string; id: string } | undefined;
      for (let page = 0; page < 5; page++) {
        const items = await store.findEvidence({
          entityRef: ENTITY,
          limit: 2,
          before,
        });
        if (items.length === 0) break;
        seen.push(...items.map(e => e.id));
        const last = items[items.length - 1];
        before = { createdAt: last.createdAt, id: last.id };
      }
      expect(seen).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
      expect(await store.getEvidence('e3')).toMatchObject({
        id: 'e3',
        content: 'log of e3',
      });
      expect(await store.getEvidence('nope')).toBeUndefined();
    });

    it('expires old content once, keeping digest, summary and data, with an audit row per item', async () => {
      const { store } = await createStore();
      await store.addEvidence(evidence('old1', daysAgo(100)));
      await store.addEvidence(evidence('old2', daysAgo(95)));
      await store.addEvidence(
        evidence('url-only', daysAgo(120), {
          content: undefined,
          url: 'https://ci.example.com/1',
        }),
      );
      await store.addEvidence(evidence('fresh', daysAgo(10)));

      const first = await store.expireEvidenceContent({
        createdBefore: daysAgo(90),
        limit: 100,
      });
      expect(first).toBe(2);
      // idempotent: a second run (or a second replica) finds nothing left to expire
      expect(
        await store.expireEvidenceContent({
          createdBefore: daysAgo(90),
          limit: 100,
        }),
      ).toBe(0);

      const old = await store.getEvidence('old1');
      expect(old?.content).toBeUndefined();
      expect(old).toMatchObject({
        summary: 'build old1',
        digest: 'old1'.padEnd(64, '0'),
        data: { clean: true },
      });
      expect(old?.contentExpiredAt).toEqual(expect.any(String));
      expect(await store.getEvidence('fresh')).toMatchObject({
        content: 'log of fresh',
      });
      expect(
        (await store.getEvidence('fresh'))?.contentExpiredAt,
      ).toBeUndefined();

      const audit = await store.listAudit({ entityRef: ENTITY, limit: 100 });
      const expiries = audit.filter(
        a => a.action === 'evidence.content-expired',
      );
      expect(
        expiries
          .map(a => (a.detail as { evidenceId: string }).evidenceId)
          .sort(),
      ).toEqual(['old1', 'old2']);
      expect(expiries[0].detail).toMatchObject({
        digest: expect.stringMatching(/^old/),
        summary: expect.stringMatching(/^build old/),
      });
    });

    it('deletes idempotency keys older than 24 hours and keeps younger ones', async () => {
      const { knex, store } = await createStore();
      const key = (k: string) => ({
        scope: 'user:default/alice',
        operation: 'promotion-create',
        key: k,
      });
      await store.reserveIdempotencyKey({ ...key('old'), requestHash: 'h' });
      await store.reserveIdempotencyKey({ ...key('young'), requestHash: 'h' });
      await knex('ladder_idempotency_keys')
        .where('key', 'old')
        .update({ created_at: daysAgo(2) });
      await knex('ladder_idempotency_keys')
        .where('key', 'young')
        .update({ created_at: new Date(NOW.getTime() - 60_000).toISOString() });

      const result = await runRetention({
        store,
        logger: mockServices.logger.mock(),
        contentRetentionMs: 90 * DAY,
        now: () => NOW,
      });
      expect(result.idempotencyKeys).toBe(1);
      expect(await store.getIdempotencyKey(key('old'))).toBeUndefined();
      expect(await store.getIdempotencyKey(key('young'))).toBeDefined();
      // a second run changes nothing
      expect(
        await runRetention({
          store,
          logger: mockServices.logger.mock(),
          contentRetentionMs: 90 * DAY,
          now: () => NOW,
        }),
      ).toEqual({
        idempotencyKeys: 0,
        evidence: 0,
      });
    });
  },
);

describe('runRetention', () => {
  it('survives a database error: logs it and lets the next run retry', async () => {
    const logger = mockServices.logger.mock();
    const failing = {
      deleteIdempotencyKeys: jest
        .fn()
        .mockRejectedValue(new Error('connection terminated')),
      expireEvidenceContent: jest.fn(),
    } as unknown as LadderStore;
    await expect(
      runRetention({ store: failing, logger, contentRetentionMs: DAY }),
    ).resolves.toEqual({
      idempotencyKeys: 0,
      evidence: 0,
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connection terminated'),
    );
  });
});
