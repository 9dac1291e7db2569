/*
 * Fault: the ladder backend (a child process, see LadderProcess.ts) is SIGKILLed inside a
 * transition's transaction: PostgreSQL holds the approval's transaction at its
 * audit insert (an administrator's table lock), after the phase update and the approval row were
 * written. The kill must roll all of it back: no approval, no phase change, no audit row.
 */
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { createAppRepository } from '../__testUtils__/ladderFixture';
import { ladderInvariantViolations } from './invariants';
import { LadderProcess } from './LadderProcess';

jest.setTimeout(60_000);

const ENTITY = 'component:default/orders-api';
const alice = mockCredentials.user.header('user:default/alice');
const sam = mockCredentials.user.header('user:default/sam');
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'a ladder backend killed inside a transaction on %p',
  databaseId => {
    const repo = createAppRepository();
    const processes: LadderProcess[] = [];
    afterAll(async () => {
      await Promise.all(processes.map(p => p.kill()));
    });

    it('rolls the half-written transition back, and the approval can be given again', async () => {
      const knex = await databases.init(databaseId);
      const env = {
        LADDER_FAULT_PG: JSON.stringify((knex.client as any).config.connection),
        LADDER_FAULT_REPO: repo.dir,
      };
      const start = () => {
        const p = new LadderProcess({ ...env, LADDER_FAULT_HANG: '' });
        processes.push(p);
        return p.started();
      };
      const first = await start();
      expect(
        (
          await first.call('POST', '/enrollments', alice, {
            entityRef: ENTITY,
            ref: repo.commits.a,
          })
        ).status,
      ).toBe(201);
      const hml = await first.call('POST', '/promotions', alice, {
        entityRef: ENTITY,
        toRung: 'hml',
        ref: repo.commits.a,
      });
      expect(hml.body.phase).toBe('AwaitingApproval');
      const auditBefore = await knex('ladder_audit_events').count({ n: '*' });

      const admin = await knex.transaction();
      try {
        await admin.raw('LOCK TABLE ladder_audit_events IN EXCLUSIVE MODE');
        const approval = first
          .call(
            'POST',
            `/promotions/${hml.body.id}/approvals`,
            sam,
            { decision: 'approve' },
            'approve-locked',
          )
          .catch(e => e);
        // Wait until the approval's transaction is stuck at the audit insert.
        let waiting = 0;
        for (let i = 0; i < 100 && waiting === 0; i++) {
          await new Promise(r => setTimeout(r, 50));
          const rows = await knex.raw(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'insert into \"ladder_audit_events\"%'",
          );
          waiting = rows.rows[0].n;
        }
        expect(waiting).toBe(1);
        await first.kill();
        expect(await approval).toMatchObject({
          message: expect.stringMatching(/fetch failed|terminated/),
        });
      } finally {
        await admin.rollback();
      }
      // PostgreSQL notices the dead client and aborts its transaction.
      for (let i = 0; i < 50; i++) {
        const busy = await knex.raw(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        );
        if (busy.rows[0].n === 0) break;
        await new Promise(r => setTimeout(r, 100));
      }
      expect(
        (await knex('ladder_promotions').where({ id: hml.body.id }).first())
          .phase,
      ).toBe('AwaitingApproval');
      expect(
        await knex('ladder_approvals').where({ promotion_id: hml.body.id }),
      ).toHaveLength(0);
      expect(await knex('ladder_audit_events').count({ n: '*' })).toEqual(
        auditBefore,
      );

      // Restarted. Nothing committed, so nothing links the key to a change: a retry with it is told
      // the first request may still run (another replica cannot tell a dead request from a slow
      // one until the reservation is abandoned), and what to do; a new key approves, once.
      const second = await start();
      const approve = (key: string) =>
        second.call(
          'POST',
          `/promotions/${hml.body.id}/approvals`,
          sam,
          { decision: 'approve' },
          key,
        );
      const same = await approve('approve-locked');
      expect(same.status).toBe(409);
      expect(same.body.error.message).toMatch(
        /still being processed.*use a new key/,
      );
      const again = await approve('approve-locked-retry');
      expect(again).toMatchObject({
        status: 201,
        replayed: null,
        // Cleared to deploy; the rung changes only once a claimed deploy is observed.
        body: { phase: 'Approved' },
      });
      expect(
        await knex('ladder_approvals').where({ promotion_id: hml.body.id }),
      ).toHaveLength(1);
      expect(await ladderInvariantViolations(knex)).toEqual([]);
    });
  },
);
