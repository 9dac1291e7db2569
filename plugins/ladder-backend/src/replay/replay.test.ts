/*
 * Replayable history: random histories of requests, approvals, rejections, cancellations,
 * claims, deploy reports and re-checks, driven through the real engine on SQLite and PostgreSQL,
 * leave an audit trail from which every placement and promotion is rebuilt exactly; a row changed
 * behind the engine's back is reported.
 */
import fc from 'fast-check';
import { TestDatabases } from '@backstage/backend-test-utils';
import { createAppRepository } from '../__testUtils__/ladderFixture';
import {
  ENGINE_ENTITY as ENTITY,
  engineServices,
  shortLadder,
  userCaller as as,
} from '../__testUtils__/engineServices';
import { AuditReplay } from './AuditReplay';

jest.setTimeout(240_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

type Step =
  | {
      op: 'request';
      rung: 'local' | 'dev';
      commit: 'a' | 'b';
      kind: 'promotion' | 'rollback';
    }
  | {
      op: 'decide';
      who: 'sam' | 'sue' | 'alice';
      decision: 'approve' | 'reject';
    }
  | { op: 'cancel' }
  | { op: 'claim'; who: 'alice' | 'olga' }
  | { op: 'report'; exitCode: 0 | 1 }
  | { op: 'recheck' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('request' as const),
    rung: fc.constantFrom('local' as const, 'dev' as const),
    commit: fc.constantFrom('a' as const, 'b' as const),
    kind: fc.constantFrom('promotion' as const, 'rollback' as const),
  }),
  fc.record({
    op: fc.constant('decide' as const),
    who: fc.constantFrom('sam' as const, 'sue' as const, 'alice' as const),
    decision: fc.constantFrom('approve' as const, 'reject' as const),
  }),
  fc.constant({ op: 'cancel' as const }),
  fc.record({
    op: fc.constant('claim' as const),
    who: fc.constantFrom('alice' as const, 'olga' as const),
  }),
  fc.record({
    op: fc.constant('report' as const),
    exitCode: fc.constantFrom(0 as const, 1 as const),
  }),
  fc.constant({ op: 'recheck' as const }),
);

/** A history that walks the whole way, so every run also covers a promotion to dev. */
const throughDev: Step[] = [
  { op: 'request', rung: 'dev', commit: 'b', kind: 'promotion' },
  { op: 'decide', who: 'sam', decision: 'approve' },
  { op: 'decide', who: 'sue', decision: 'approve' },
  { op: 'claim', who: 'alice' },
  { op: 'report', exitCode: 0 },
  { op: 'request', rung: 'dev', commit: 'a', kind: 'rollback' },
  { op: 'request', rung: 'dev', commit: 'b', kind: 'promotion' },
  { op: 'cancel' },
];

describe.each(databases.eachSupportedId())(
  'replaying the audit trail on %p',
  databaseId => {
    const repo = createAppRepository();
    const start = engineServices({
      ladder: shortLadder({ minimum: 2 }),
      repoDir: repo.dir,
    });

    async function services() {
      const knex = await databases.init(databaseId);
      const s = await start(knex);
      await s.commands.enroll(as('alice'), {
        entityRef: ENTITY,
        ref: repo.commits.a,
      });
      return { ...s, knex, replay: new AuditReplay(knex) };
    }

    type Services = Awaited<ReturnType<typeof services>>;
    type PromotionRecord = Awaited<
      ReturnType<Services['store']['listPromotions']>
    >[number];

    /** One step on the newest promotion of the entity (when the step needs one). */
    async function perform(
      s: Services,
      st: Step,
      latest: PromotionRecord | undefined,
      claimant: string,
    ) {
      if (st.op === 'request') {
        return s.commands.create(as('alice'), {
          entityRef: ENTITY,
          toRung: st.rung,
          ref: repo.commits[st.commit],
          kind: st.kind,
        });
      }
      if (!latest) return undefined;
      switch (st.op) {
        case 'decide':
          return s.commands.approve(as(st.who), latest, {
            decision: st.decision,
            comment: '',
          });
        case 'cancel':
          return s.commands.cancel(as('alice'), latest, {
            reason: 'changed my mind',
          });
        case 'claim':
          return s.commands.claim(as(claimant), latest, {
            toRung: latest.toRung,
            sha: latest.ref,
          });
        case 'report':
          return s.commands.reportDeploy(as(claimant), latest, {
            exitCode: st.exitCode,
            summary: st.exitCode === 0 ? 'deployed' : 'deploy failed',
          });
        default:
          return s.commands.recheck(as('alice'), latest);
      }
    }

    /** Runs a history through the commands; a refusal (a rule said no) is part of the history. */
    async function play(s: Services, steps: Step[]) {
      let claimant = 'alice';
      for (const st of steps) {
        if (st.op === 'claim') claimant = st.who;
        const [latest] = await s.store.listPromotions({
          entityRef: ENTITY,
          limit: 1,
          offset: 0,
        });
        try {
          await perform(s, st, latest, claimant);
        } catch (error) {
          // Only refusals: a fault of the engine fails the history.
          const name = (error as Error)?.name;
          if (
            ![
              'ConflictError',
              'NotAllowedError',
              'InputError',
              'NotFoundError',
            ].includes(name)
          )
            throw error;
        }
      }
    }

    it('rebuilds every placement and promotion of random histories from the audit trail alone', async () => {
      let promotedToDev = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 14 }), async steps => {
          const s = await services();
          await play(s, steps);
          const report = await s.replay.check();
          expect(report.differences).toEqual([]);
          expect(report.placements).toBeGreaterThan(0);
          const dev = (await s.store.listPlacements([ENTITY])).find(
            p => p.rungId === 'dev',
          );
          if (dev) promotedToDev += 1;
        }),
        { numRuns: 6, examples: [[throughDev]], endOnFailure: true },
      );
      // The walk through dev placed a ref there: the replay compared a promoted placement too.
      expect(promotedToDev).toBeGreaterThan(0);
    });

    it('reports a corrupted row: a placement, a phase and a version marker changed behind the engine', async () => {
      const s = await services();
      await play(s, throughDev.slice(0, 5));
      expect((await s.replay.check()).differences).toEqual([]);
      const [promoted] = await s.store.listPromotions({
        entityRef: ENTITY,
        limit: 1,
        offset: 0,
      });
      expect(promoted.phase).toBe('Promoted');

      await s
        .knex('ladder_placements')
        .where({ entity_ref: ENTITY, rung_id: 'dev' })
        .update({ ref: repo.commits.broken });
      await s
        .knex('ladder_promotions')
        .where({ id: promoted.id })
        .update({
          phase: 'AwaitingApproval',
          version: 1,
          open_slot: `${ENTITY}|dev`,
        });

      const { differences } = await s.replay.check();
      expect(differences.map(d => [d.table, d.key, d.field])).toEqual(
        expect.arrayContaining([
          ['placements', `${ENTITY}|dev`, 'ref'],
          ['promotions', promoted.id, 'phase'],
          ['promotions', promoted.id, 'open'],
          ['promotions', promoted.id, 'version'],
        ]),
      );
      const placement = differences.find(d => d.table === 'placements')!;
      expect(placement).toMatchObject({
        live: repo.commits.broken,
        replayed: repo.commits.b,
      });
      expect(placement.problem).toContain('by its audit trail');
    });

    it('reports an audit row that was deleted (a live row nothing accounts for)', async () => {
      const s = await services();
      await s
        .knex('ladder_audit_events')
        .where({ entity_ref: ENTITY, action: 'placement.moved' })
        .delete();
      const { differences } = await s.replay.check();
      expect(differences).toEqual([
        expect.objectContaining({
          table: 'placements',
          key: `${ENTITY}|local`,
          field: '(row)',
          replayed: null,
        }),
      ]);
    });
  },
);
