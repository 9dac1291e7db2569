/*
 * Rollback, rehearsed, on SQLite and PostgreSQL, through the API only: a rung whose entry needs a
 * rollback drill on the rung below, and whose rollbacks run a shortened gate set. A rollback
 * still needs the rung's approvers (bypass attempts: approving one's own rollback, requesting it
 * with a service token, an empty gate set), and the view says where Roll back goes.
 */
import request from 'supertest';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { createAppRepository, startLadderBackend } from '../__testUtils__/ladderFixture';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ENTITY = 'component:default/orders-api';
const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);

/** Local, then a stage that stakeholders approve, rehearsed below, with a short way back. */
const configOverrides = {
  ladders: [
    {
      id: 'khal',
      title: 'Rehearsed',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
          proofChecks: [{ id: 'evidence', config: { kinds: ['build-output'], rung: 'target' } }],
        },
        {
          id: 'stage',
          title: 'Stage',
          runtime: 'pm2-mirror',
          host: 'mirror',
          mutationPolicy: 'approval',
          approvers: { groups: ['group:default/customer-stakeholders'], minimum: 1 },
          entryGates: ['previous-rung-proven', 'manifest-valid', { id: 'rollback-drill', config: { maxAgeDays: 7 } }],
          rollbackGates: ['manifest-valid'],
        },
      ],
    },
  ],
};

describe.each(databases.eachSupportedId())('rollback, rehearsed, on %p', databaseId => {
  const repo = createAppRepository();
  const { a, b } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    backend = await startLadderBackend({ repoDir: repo.dir, knex, configOverrides });
  });
  afterAll(() => backend?.stop());

  const post = (path: string, who: string, body: object, auth = as(who)) =>
    request(backend.server).post(`/api/ladder${path}`).set('Authorization', auth).send(body);
  const get = (path: string) =>
    request(backend.server).get(`/api/ladder${path}`).set('Authorization', as('alice'));
  const stageView = async () =>
    (await get('/entities/component/default/orders-api')).body.rungs.find((r: any) => r.rung.id === 'stage');
  /** Approves (by sam), claims and reports the deploy of a promotion onto stage; it ends Promoted. */
  const deploy = async (id: string, toRung: string, sha: string) => {
    expect((await post(`/promotions/${id}/claim`, 'alice', { toRung, sha })).body.phase).toBe('Deploying');
    const done = await post(`/promotions/${id}/deploy-result`, 'alice', { exitCode: 0, summary: 'deployed' });
    expect(done.body.phase).toBe('Promoted');
  };
  const built = (ref: string) =>
    post('/evidence', 'alice', {
      entityRef: ENTITY, rung: 'local', ref, kind: 'build-output', summary: 'built', content: 'ok',
    });
  const approveAndDeploy = async (id: string, sha: string) => {
    expect((await post(`/promotions/${id}/approvals`, 'sam', { decision: 'approve' })).body.phase).toBe('Approved');
    await deploy(id, 'stage', sha);
  };

  it('blocks entry to the rung until a rollback drill is recorded below, then promotes two releases', async () => {
    expect((await post('/enrollments', 'alice', { entityRef: ENTITY, ref: a })).status).toBe(201);
    await built(a);
    const first = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'stage', ref: a });
    expect(first.body.phase).toBe('Blocked');
    const drillGate = first.body.gates.find((g: any) => g.gateId === 'rollback-drill');
    expect(drillGate).toMatchObject({ status: 'failed', howToFix: expect.stringContaining('khal evidence rollback-drill --target local') });
    // A failed drill does not unblock it.
    const drill = (exitCode: number) =>
      post('/evidence', 'alice', {
        entityRef: ENTITY, rung: 'local', ref: a, kind: 'rollback-drill',
        summary: `drill exited ${exitCode}`, content: 'git checkout …', data: { exitCode },
      });
    await drill(1);
    expect((await post(`/promotions/${first.body.id}/recheck`, 'alice', {})).body.phase).toBe('Blocked');
    await drill(0);
    expect((await post(`/promotions/${first.body.id}/recheck`, 'alice', {})).body.phase).toBe('AwaitingApproval');
    await approveAndDeploy(first.body.id, a);
    // The first release has nowhere to roll back to, and the view says so before a click.
    expect((await stageView()).rollback).toMatchObject({ allowed: false, reason: expect.stringContaining('first release on Stage') });
    const nowhere = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'stage', ref: a, kind: 'rollback' });
    expect(nowhere.status).toBe(409);

    const local = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'local', ref: b });
    expect(local.body.phase).toBe('Verifying');
    await built(b);
    expect((await get(`/promotions/${local.body.id}`)).body.phase).toBe('Promoted');
    const second = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'stage', ref: b });
    expect(second.body.phase).toBe('AwaitingApproval');
    await approveAndDeploy(second.body.id, b);
    expect((await stageView()).rollback).toEqual({ allowed: true, ref: a });
  });

  it('rolls back through the shortened gate set and still through the rung approvers', async () => {
    // Bypass: a service token cannot request a rollback.
    const byService = await post('/promotions', 'ci', { entityRef: ENTITY, toRung: 'stage', ref: a, kind: 'rollback' }, mockCredentials.service.header());
    expect(byService.status).toBe(403);
    const rollback = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'stage', ref: a, kind: 'rollback', reason: 'b breaks login' });
    expect(rollback.status).toBe(201);
    // Only the stated gates plus the approval the policy implies: no drill, no previous-rung-proven.
    expect(rollback.body.gates.map((g: any) => g.gateId)).toEqual(['manifest-valid', 'approval']);
    expect(rollback.body.phase).toBe('AwaitingApproval');
    // Bypass: the requester approving her own rollback, and claiming it unapproved.
    expect((await post(`/promotions/${rollback.body.id}/approvals`, 'alice', { decision: 'approve' })).status).toBe(403);
    expect((await post(`/promotions/${rollback.body.id}/claim`, 'alice', { toRung: 'stage', sha: a })).status).toBe(409);
    await approveAndDeploy(rollback.body.id, a);
    const view = await stageView();
    expect(view.placement).toMatchObject({ ref: a, via: 'rollback' });
    expect(view.rollback).toEqual({ allowed: true, ref: b });
    const audit = await get(`/audit?promotionId=${rollback.body.id}`);
    expect(audit.body.items.find((e: any) => e.action === 'rollback.requested').detail).toMatchObject({ rollbackFrom: b, reason: 'b breaks login' });
  });
});
