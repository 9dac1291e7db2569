/*
 * Two replicas, one PostgreSQL: two ladder backends, each its own OS process, share one database
 * and get bounded bursts of concurrent creates, approvals, rejections, cancels, re-checks, deploy
 * claims and deploy reports. The invariants of DESIGN §6 are checked on the database afterwards
 * (ladderInvariantViolations and the checks below), not on the responses alone. Requesters are
 * members of the approver groups, so "never the requester" is enforced by four eyes, not by luck.
 */
import request from 'supertest';
import type { Entity } from '@backstage/catalog-model';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { terminalPhases } from '@khal/plugin-ladder-common';
import {
  catalogEntities,
  createAppRepository,
} from '../__testUtils__/ladderFixture';
import { LadderProcess } from '../__faults__/LadderProcess';
import { ladderInvariantViolations } from '../__faults__/invariants';

jest.setTimeout(180_000);

const ENTITIES = 20;
const ROUNDS = 3;
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const name = (i: number) => `race-${String(i).padStart(2, '0')}`;
const APPROVERS = ['sam', 'sue', 'olga', 'omar', 'oscar'];

/** Local, then a rung that needs two approvals from stakeholders or operators. */
const twoRungLadder = {
  ladders: [
    {
      id: 'khal',
      title: 'Race',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
        },
        {
          id: 'dev',
          title: 'Shared dev',
          runtime: 'pm2-mirror',
          host: 'mirror',
          mutationPolicy: 'approval',
          approvers: {
            groups: [
              'group:default/customer-stakeholders',
              'group:default/operators',
            ],
            minimum: 2,
          },
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

describe.each(databases.eachSupportedId())(
  'two replicas on one %p database',
  databaseId => {
    const repo = createAppRepository();
    const { a, b } = repo.commits;

    it('keeps every invariant under concurrent creates, approvals, rejections, cancels, re-checks and deploy claims', async () => {
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
      const responses: Array<{
        what: string;
        status: number;
        body: any;
        id?: string;
        who: string;
      }> = [];
      const send = async (
        replica: number,
        who: string,
        what: string,
        method: 'get' | 'post',
        path: string,
        body?: object,
      ) => {
        let req = request(replicas[replica % 2])
          [method](`/api/ladder${path}`)
          .set('Authorization', as(who));
        if (body) req = req.send(body);
        const res = await req;
        const id = /^\/promotions\/([^/]+)\//.exec(path)?.[1];
        responses.push({
          what,
          status: res.status,
          body: res.body,
          who: `user:default/${who}`,
          ...(id ? { id } : {}),
        });
        return res;
      };
      /** Every Approved promotion: two deploys claim it at once (one per replica); the winner reports success. */
      const claimAndDeploy = async (round: number) => {
        const approved = await knex('ladder_promotions').where({
          phase: 'Approved',
        });
        await Promise.all(
          approved.map(async (p, i) => {
            const sha = p.ref;
            const claimants = [
              APPROVERS[(i + round) % 5],
              APPROVERS[(i + round + 2) % 5],
            ];
            const claims = await Promise.all(
              claimants.map((who, k) =>
                send(k, who, 'claim', 'post', `/promotions/${p.id}/claim`, {
                  toRung: 'dev',
                  sha,
                }),
              ),
            );
            const won = claims.findIndex(c => c.status === 201);
            if (won >= 0) {
              await send(
                won + 1,
                claimants[won],
                'deploy-result',
                'post',
                `/promotions/${p.id}/deploy-result`,
                {
                  exitCode: 0,
                  summary: `deployed in round ${round}`,
                },
              );
            }
          }),
        );
      };

      try {
        for (let i = 0; i < ENTITIES; i++) {
          const res = await send(i, 'alice', 'enroll', 'post', '/enrollments', {
            entityRef: `component:default/${name(i)}`,
            ref: a,
          });
          expect(res.status).toBe(201);
        }

        for (let round = 0; round < ROUNDS; round++) {
          // Burst 1: two creates per entity of the same commit, one at each replica, by two people
          // who are approvers themselves (one wins; the other is told to act on the open one).
          const created = await Promise.all(
            Array.from({ length: ENTITIES }, async (_, i) => {
              const entityRef = `component:default/${name(i)}`;
              const ref = round % 2 === 0 ? b : a;
              const both = await Promise.all(
                [APPROVERS[i % 5], APPROVERS[(i + 1) % 5]].map((who, replica) =>
                  send(replica, who, 'create', 'post', '/promotions', {
                    entityRef,
                    toRung: 'dev',
                    ref,
                    reason: `round ${round}`,
                  }),
                ),
              );
              return both.find(r => r.status === 201)?.body as
                | { id: string; requestedBy: string; ref: string }
                | undefined;
            }),
          );

          // Burst 2: for each new promotion, a mix of eligible approvals, the requester's own (an
          // eligible approver, refused by four eyes), an outsider's, a rejection, a cancel,
          // re-checks and early claims, at both replicas at once.
          await Promise.all(
            created.map(async (promotion, i) => {
              if (!promotion) return;
              const id = promotion.id;
              const requester = promotion.requestedBy.replace(
                'user:default/',
                '',
              );
              const others = APPROVERS.filter(x => x !== requester);
              const approvers = [
                others[(i + round) % 4],
                others[(i + round + 1) % 4],
                others[(i + round + 2) % 4],
              ];
              const actions: Array<Promise<unknown>> = [
                ...approvers.map((who, k) =>
                  send(
                    k,
                    who,
                    'approve',
                    'post',
                    `/promotions/${id}/approvals`,
                    { decision: 'approve' },
                  ),
                ),
                send(
                  1,
                  requester,
                  'approve-own',
                  'post',
                  `/promotions/${id}/approvals`,
                  { decision: 'approve' },
                ),
                send(
                  0,
                  'bob',
                  'approve-ineligible',
                  'post',
                  `/promotions/${id}/approvals`,
                  { decision: 'approve' },
                ),
                send(
                  0,
                  requester,
                  'recheck',
                  'post',
                  `/promotions/${id}/recheck`,
                ),
                send(
                  1,
                  requester,
                  'recheck',
                  'post',
                  `/promotions/${id}/recheck`,
                ),
                send(i, requester, 'claim', 'post', `/promotions/${id}/claim`, {
                  toRung: 'dev',
                  sha: promotion.ref,
                }),
                send(
                  i + 1,
                  others[i % 4],
                  'claim',
                  'post',
                  `/promotions/${id}/claim`,
                  { toRung: 'dev', sha: promotion.ref },
                ),
              ];
              if (i % 4 === 1)
                actions.push(
                  send(
                    i,
                    others[(i + 3) % 4],
                    'reject',
                    'post',
                    `/promotions/${id}/approvals`,
                    { decision: 'reject', comment: 'no' },
                  ),
                );
              if (i % 4 === 2)
                actions.push(
                  send(
                    i + 1,
                    requester,
                    'cancel',
                    'post',
                    `/promotions/${id}/cancel`,
                    { reason: 'changed my mind' },
                  ),
                );
              await Promise.all(actions);
            }),
          );

          // Burst 3: every claim that won in burst 2 reports its deploy; every promotion still
          // Approved is claimed by two deploys at once.
          await Promise.all(
            responses
              .filter(
                r =>
                  r.what === 'claim' &&
                  r.status === 201 &&
                  !responses.some(
                    d => d.what === 'deploy-result' && d.id === r.id,
                  ),
              )
              .map((r, k) =>
                send(
                  k,
                  r.who.replace('user:default/', ''),
                  'deploy-result',
                  'post',
                  `/promotions/${r.id}/deploy-result`,
                  {
                    exitCode: 0,
                    summary: `deployed in round ${round}`,
                  },
                ),
              ),
          );
          await claimAndDeploy(round);
        }

        // Inputs are final now: one last re-check of whatever is still open, at either replica.
        const open = await knex('ladder_promotions').whereNotIn('phase', [
          ...terminalPhases,
        ]);
        await Promise.all(
          open.map((p, i) =>
            send(
              i,
              'alice',
              'final-recheck',
              'post',
              `/promotions/${p.id}/recheck`,
            ),
          ),
        );

        // No 5xx, and nothing but the designed answers.
        const serverErrors = responses.filter(r => r.status >= 500);
        expect(
          serverErrors.map(
            r => `${r.what}: ${r.status} ${JSON.stringify(r.body)}`,
          ),
        ).toEqual([]);
        const unexplained = responses.filter(
          r => r.status >= 400 && typeof r.body?.error?.message !== 'string',
        );
        expect(unexplained).toEqual([]);
        const statuses = (what: string) =>
          [
            ...new Set(
              responses.filter(r => r.what === what).map(r => r.status),
            ),
          ].sort();
        expect(statuses('create')).toEqual([201, 409]);
        // The requester is an approver: only four eyes refuses them, always.
        expect(statuses('approve-own')).toEqual([403]);
        expect(
          responses
            .filter(r => r.what === 'approve-own')
            .every(r =>
              r.body.error.message.includes('requester never approves'),
            ),
        ).toBe(true);
        expect(
          statuses('approve-ineligible').every(s => s === 403 || s === 409),
        ).toBe(true);
        expect(statuses('claim').every(s => s === 201 || s === 409)).toBe(true);
        expect(statuses('deploy-result')).toEqual([200]);

        // Every invariant of DESIGN §6 on the database: one open promotion per entity and rung, one
        // audit row per change in an unbroken chain of allowed transitions (no phase going
        // backwards), one decision per person and never the requester's, a claim used once,
        // placements as promoted.
        expect(await ladderInvariantViolations(knex)).toEqual([]);

        const promotions = await knex('ladder_promotions').orderBy(
          'created_at',
        );
        // One promotion per successful create.
        expect(promotions).toHaveLength(
          responses.filter(r => r.what === 'create' && r.status === 201).length,
        );
        expect(promotions.length).toBeGreaterThanOrEqual(ENTITIES);

        // Every approval counted once and by a distinct eligible user who is not the requester.
        const approvals = await knex('ladder_approvals');
        const byId = new Map(promotions.map(p => [p.id, p]));
        for (const ap of approvals) {
          expect(APPROVERS.map(n => `user:default/${n}`)).toContain(
            ap.approver,
          );
          expect(ap.approver).not.toBe(byId.get(ap.promotion_id)?.requested_by);
        }
        const recorded = responses.filter(
          r =>
            (r.what === 'approve' || r.what === 'reject') && r.status === 201,
        ).length;
        expect(approvals).toHaveLength(recorded);
        for (const p of promotions) {
          const yes = approvals.filter(
            ap => ap.promotion_id === p.id && ap.decision === 'approve',
          ).length;
          expect(yes).toBeLessThanOrEqual(2);
          expect(
            !['Approved', 'Deploying', 'Promoted'].includes(p.phase) ||
              yes === 2,
          ).toBe(true);
        }

        // A claim is used once: per promotion at most one claim answered 201, and every claimed
        // promotion was claimed by the one whose claim won.
        const wonClaims = responses.filter(
          r => r.what === 'claim' && r.status === 201,
        );
        expect(new Set(wonClaims.map(r => r.id)).size).toBe(wonClaims.length);
        for (const r of wonClaims)
          expect(byId.get(r.id!)?.claimed_by).toBe(r.who);
        expect(promotions.filter(p => p.claimed_by)).toHaveLength(
          wonClaims.length,
        );

        // The burst did real work: promotions were approved, claimed and promoted.
        const audit = await knex('ladder_audit_events')
          .whereNotNull('promotion_id')
          .whereNotNull('to_phase');
        expect(
          audit.filter(e => e.to_phase === 'Approved').length,
        ).toBeGreaterThan(0);
        expect(
          audit.filter(e => e.to_phase === 'Deploying').length,
        ).toBeGreaterThan(0);
        expect(
          promotions.filter(p => p.phase === 'Promoted').length,
        ).toBeGreaterThan(0);

        // No promotion stuck in a phase that nobody needs to act on (Approved waits for a claim).
        const stuck = promotions.filter(p =>
          ['Checking', 'Deploying', 'Verifying'].includes(p.phase),
        );
        expect(stuck.map(p => `${p.id} ${p.phase}`)).toEqual([]);
      } finally {
        await Promise.all(processes.map(p => p.kill()));
      }
    });
  },
);
