/*
 * Two replicas, one PostgreSQL: two ladder backends, each its own OS process, share one database
 * and get bounded bursts of concurrent creates, approvals, rejections, cancels and re-checks. The
 * invariants of DESIGN §6 are checked on the database afterwards, not on the responses alone.
 */
import request from 'supertest';
import type { Entity } from '@backstage/catalog-model';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { terminalPhases } from '@khal/plugin-ladder-common';
import { catalogEntities, createAppRepository } from '../__testUtils__/ladderFixture';
import { LadderProcess } from '../__faults__/LadderProcess';

jest.setTimeout(180_000);

const ENTITIES = 20;
const ROUNDS = 3;
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);
const name = (i: number) => `race-${String(i).padStart(2, '0')}`;
const APPROVERS = ['sam', 'sue', 'olga', 'omar', 'oscar'];

/** Local, then a rung that needs two approvals from stakeholders or operators. */
const twoRungLadder = {
  ladders: [
    {
      id: 'khal',
      title: 'Race',
      rungs: [
        { id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self', host: 'localhost' },
        {
          id: 'dev',
          title: 'Shared dev',
          runtime: 'pm2-mirror',
          host: 'mirror',
          mutationPolicy: 'approval',
          approvers: { groups: ['group:default/customer-stakeholders', 'group:default/operators'], minimum: 2 },
        },
      ],
    },
  ],
};

function raceEntities(repoDir: string): Entity[] {
  const base = catalogEntities(repoDir);
  const template = base.find(e => e.metadata.name === 'orders-api')!;
  return [
    ...base,
    ...Array.from({ length: ENTITIES }, (_, i) => ({
      ...template,
      metadata: { ...template.metadata, name: name(i), title: `Race ${i}` },
    })),
  ];
}

describe.each(databases.eachSupportedId())('two replicas on one %p database', databaseId => {
  const repo = createAppRepository();
  const { a, b } = repo.commits;

  it('keeps every invariant under concurrent creates, approvals, rejections, cancels and re-checks', async () => {
    const knex = await databases.init(databaseId);
    const env = {
      LADDER_FAULT_PG: JSON.stringify((knex.client as any).config.connection),
      LADDER_FAULT_REPO: repo.dir,
      LADDER_PROCESS_LADDER: JSON.stringify(twoRungLadder),
      LADDER_PROCESS_ENTITIES: JSON.stringify(raceEntities(repo.dir)),
    };
    // The first start runs the migrations; the second replica starts on the migrated database.
    const processes: LadderProcess[] = [];
    const startReplica = async () => {
      const p = new LadderProcess(env);
      processes.push(p);
      return (await p.started()).port;
    };
    const replicas: string[] = [];
    try {
      replicas.push(`http://127.0.0.1:${await startReplica()}`);
      replicas.push(`http://127.0.0.1:${await startReplica()}`);
    } catch (error) {
      await Promise.all(processes.map(p => p.kill()));
      throw error;
    }
    const responses: Array<{ what: string; status: number; body: any }> = [];
    const send = async (
      replica: number,
      who: string,
      what: string,
      method: 'get' | 'post',
      path: string,
      body?: object,
    ) => {
      let req = request(replicas[replica % 2])[method](`/api/ladder${path}`).set('Authorization', as(who));
      if (body) req = req.send(body);
      const res = await req;
      responses.push({ what, status: res.status, body: res.body });
      return res;
    };

    try {
      for (let i = 0; i < ENTITIES; i++) {
        const res = await send(i, 'alice', 'enroll', 'post', '/enrollments', { entityRef: `component:default/${name(i)}`, ref: a });
        expect(res.status).toBe(201);
      }

      for (let round = 0; round < ROUNDS; round++) {
        // Burst 1: two creates per entity, one at each replica (alternating refs so one is new).
        const created = await Promise.all(
          Array.from({ length: ENTITIES }, async (_, i) => {
            const entityRef = `component:default/${name(i)}`;
            const ref = round % 2 === 0 ? b : a;
            const both = await Promise.all(
              [
                ['alice', 0],
                ['bob', 1],
              ].map(([who, replica]) =>
                send(Number(replica), String(who), 'create', 'post', '/promotions', { entityRef, toRung: 'dev', ref, reason: `round ${round}` }),
              ),
            );
            return both.find(r => r.status === 201)?.body as { id: string; requestedBy: string } | undefined;
          }),
        );

        // Burst 2: for each open promotion, a mix of approvals (eligible and not), a rejection,
        // a cancel and re-checks, at both replicas at once.
        await Promise.all(
          created.map(async (promotion, i) => {
            if (!promotion) return;
            const id = promotion.id;
            const requester = promotion.requestedBy.replace('user:default/', '');
            const approvers = [APPROVERS[(i + round) % 5], APPROVERS[(i + round + 1) % 5], APPROVERS[(i + round + 2) % 5]];
            const actions: Array<Promise<unknown>> = [
              ...approvers.map((who, k) => send(k, who, 'approve', 'post', `/promotions/${id}/approvals`, { decision: 'approve' })),
              send(1, requester, 'approve-own', 'post', `/promotions/${id}/approvals`, { decision: 'approve' }),
              send(0, 'bob', 'approve-ineligible', 'post', `/promotions/${id}/approvals`, { decision: 'approve' }),
              send(0, requester, 'recheck', 'post', `/promotions/${id}/recheck`),
              send(1, requester, 'recheck', 'post', `/promotions/${id}/recheck`),
            ];
            if (i % 4 === 1) actions.push(send(i, APPROVERS[(i + 3) % 5], 'reject', 'post', `/promotions/${id}/approvals`, { decision: 'reject', comment: 'no' }));
            if (i % 4 === 2) actions.push(send(i + 1, requester, 'cancel', 'post', `/promotions/${id}/cancel`, { reason: 'changed my mind' }));
            await Promise.all(actions);
          }),
        );
      }

      // Inputs are final now: one last re-check of whatever is still open, at either replica.
      const open = await knex('ladder_promotions').whereNotIn('phase', [...terminalPhases]);
      await Promise.all(open.map((p, i) => send(i, 'alice', 'final-recheck', 'post', `/promotions/${p.id}/recheck`)));

      // No 5xx, and nothing but the designed answers.
      const serverErrors = responses.filter(r => r.status >= 500);
      expect(serverErrors.map(r => `${r.what}: ${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
      const unexplained = responses.filter(r => r.status >= 400 && typeof r.body?.error?.message !== 'string');
      expect(unexplained).toEqual([]);
      const statuses = (what: string) => [...new Set(responses.filter(r => r.what === what).map(r => r.status))].sort();
      expect(statuses('create')).toEqual([201, 409]);
      expect(statuses('approve-own').every(s => s === 403 || s === 409)).toBe(true);
      expect(statuses('approve-ineligible').every(s => s === 403 || s === 409)).toBe(true);

      const promotions = await knex('ladder_promotions').orderBy('created_at');
      // One promotion per successful create (a still-open one from an earlier round makes both 409).
      expect(promotions).toHaveLength(responses.filter(r => r.what === 'create' && r.status === 201).length);
      expect(promotions.length).toBeGreaterThanOrEqual(ENTITIES);

      // At most one open promotion per entity and rung.
      const openPerSlot = new Map<string, number>();
      for (const p of promotions.filter(q => !terminalPhases.has(q.phase))) {
        const key = `${p.entity_ref}|${p.to_rung}`;
        openPerSlot.set(key, (openPerSlot.get(key) ?? 0) + 1);
      }
      expect([...openPerSlot.values()].filter(n => n > 1)).toEqual([]);

      // Every approval counted once and by a distinct eligible user who is not the requester.
      const approvals = await knex('ladder_approvals');
      const byId = new Map(promotions.map(p => [p.id, p]));
      const seen = new Set<string>();
      for (const ap of approvals) {
        const key = `${ap.promotion_id}|${ap.approver}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        expect(APPROVERS.map(n => `user:default/${n}`)).toContain(ap.approver);
        expect(ap.approver).not.toBe(byId.get(ap.promotion_id)?.requested_by);
      }
      const recorded = responses.filter(r => (r.what === 'approve' || r.what === 'reject') && r.status === 201).length;
      expect(approvals).toHaveLength(recorded);
      for (const p of promotions) {
        const yes = approvals.filter(ap => ap.promotion_id === p.id && ap.decision === 'approve').length;
        expect(yes).toBeLessThanOrEqual(2);
        expect(p.phase !== 'Promoted' || yes === 2).toBe(true);
      }

      // Every state change has exactly one audit row: the phase rows form one unbroken chain from
      // creation to the current phase (a missing row breaks the chain, a doubled one repeats a
      // change whose "from" is no longer current). The version is not compared: an approval bumps
      // it to serialize approvers without changing the phase.
      const audit = await knex('ladder_audit_events').whereNotNull('promotion_id').whereNotNull('to_phase').orderBy('id');
      for (const p of promotions) {
        const chain = audit.filter(e => e.promotion_id === p.id);
        expect(chain.length).toBeGreaterThan(0);
        expect(chain[0].from_phase).toBeNull();
        for (let k = 1; k < chain.length; k++) expect(chain[k].from_phase).toBe(chain[k - 1].to_phase);
        expect(chain[chain.length - 1].to_phase).toBe(p.phase);
      }

      // No promotion stuck in a phase that nobody needs to act on.
      const stuck = promotions.filter(p => ['Checking', 'Approved', 'Verifying'].includes(p.phase));
      expect(stuck.map(p => `${p.id} ${p.phase}`)).toEqual([]);
    } finally {
      await Promise.all(processes.map(p => p.kill()));
    }
  });
});
