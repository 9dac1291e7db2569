import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

/**
 * The whole life of a promotion, through the API only: blocked by a failing gate, unblocked by
 * new evidence, waiting for approval, refused self-approval, quorum met by distinct users,
 * promoted, placement moved, rollback.
 */
describe('promotion lifecycle', () => {
  const repo = createAppRepository();
  const { a, b } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  let server: any;

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
    server = backend.server;
  });
  afterAll(() => backend.stop());

  const post = (
    path: string,
    who: string,
    body: object,
    headers: Record<string, string> = {},
  ) =>
    request(server)
      .post(`/api/ladder${path}`)
      .set('Authorization', as(who))
      .set(headers)
      .send(body);
  const get = (path: string, who = 'alice') =>
    request(server).get(`/api/ladder${path}`).set('Authorization', as(who));
  const evidence = (
    rung: string,
    ref: string,
    kind: string,
    extra: object = {},
  ) =>
    post('/evidence', 'alice', {
      entityRef: ENTITY,
      rung,
      ref,
      kind,
      summary: `${kind} ok`,
      content: `${kind} output`,
      ...extra,
    });
  /** Claims an approved promotion, then reports its deploy as successful; it ends Promoted. */
  const deploy = async (
    id: string,
    who: string,
    toRung: string,
    sha: string,
  ) => {
    const claimed = await post(`/promotions/${id}/claim`, who, { toRung, sha });
    expect(claimed.body.phase).toBe('Deploying');
    const reported = await post(`/promotions/${id}/deploy-result`, who, {
      exitCode: 0,
      summary: 'deployed',
    });
    expect(reported.body.phase).toBe('Promoted');
  };
  const placements = async () => {
    const view = await get('/entities/component/default/orders-api');
    return Object.fromEntries(
      view.body.rungs.map((r: any) => [r.rung.id, r.placement?.ref ?? null]),
    );
  };

  it('enrolls the entity on the first rung and proves it there', async () => {
    const enrolled = await post('/enrollments', 'alice', {
      entityRef: ENTITY,
      ref: a,
    });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({
      rungId: 'local',
      ref: a,
      via: 'enrollment',
    });
    expect(
      (await post('/enrollments', 'alice', { entityRef: ENTITY, ref: a }))
        .status,
    ).toBe(409);

    let view = await get('/entities/component/default/orders-api');
    expect(view.body.rungs[0].status).toBe('proving');
    expect((await evidence('local', a, 'build-output')).status).toBe(201);
    view = await get('/entities/component/default/orders-api');
    expect(view.body.rungs[0]).toMatchObject({
      status: 'proven',
      placement: { ref: a },
    });
    expect(view.body.next).toMatchObject({
      action: 'promote',
      toRung: 'dev',
      ref: a,
    });
    expect(view.body.next.summary).toMatch(
      /^Next: promote [0-9a-f]{7} to Shared dev — \d of 4 gates pass — waiting for /,
    );
  });

  it('blocks on failing gates and unblocks with new evidence, then verifies and moves the placement', async () => {
    const created = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: a,
      reason: 'first shared deploy',
    });
    expect(created.status).toBe(201);
    expect(created.body.phase).toBe('Blocked');
    const byId = Object.fromEntries(
      created.body.gates.map((g: any) => [g.gateId, g]),
    );
    expect(byId['previous-rung-proven'].status).toBe('passed');
    expect(byId['manifest-valid'].status).toBe('passed');
    expect(byId['env-contract'].status).not.toBe('passed');
    expect(byId['dry-run-clean']).toMatchObject({ status: 'failed' });
    expect(byId['dry-run-clean'].howToFix).toContain(
      'khal deploy --dry-run --target dev',
    );
    expect(created.body.phaseMessage).toContain('waiting for');

    // A second open promotion of the same entity to the same rung is refused.
    expect(
      (
        await post('/promotions', 'bob', {
          entityRef: ENTITY,
          toRung: 'dev',
          ref: a,
        })
      ).status,
    ).toBe(409);

    await evidence('dev', a, 'env-contract', {
      data: { supplied: ['DATABASE_URL'] },
    });
    let p = await get(`/promotions/${created.body.id}`);
    expect(p.body.phase).toBe('Blocked');
    // What the CLI records: the rung's dry-run command exited 0 for the plan computed now.
    const plan = await get(`/plan?entityRef=${ENTITY}&target=dev&ref=${a}`);
    await evidence('dev', a, 'dry-run', { data: { exitCode: 0, target: 'dev', planDigest: plan.body.planDigest } });
    p = await get(`/promotions/${created.body.id}`);
    expect(p.body.phase).toBe('Verifying');
    expect((await placements()).dev).toBeNull();

    // A failed deploy's output proves nothing; a successful one does.
    await evidence('dev', a, 'deploy-output', { data: { exitCode: 1 } });
    p = await get(`/promotions/${created.body.id}`);
    expect(p.body.phase).toBe('Verifying');
    await evidence('dev', a, 'deploy-output', { data: { exitCode: 0 } });
    p = await get(`/promotions/${created.body.id}`);
    expect(p.body.phase).toBe('Promoted');
    expect((await placements()).dev).toBe(a);
  });

  it('waits for approval, refuses self-approval and outsiders, and promotes on quorum', async () => {
    const created = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref: a,
      reason: 'customer demo',
    });
    expect(created.body.phase).toBe('AwaitingApproval');
    expect(created.body.approvalRequirement).toMatchObject({
      minimum: 1,
      given: 0,
      eligible: ['user:default/sam', 'user:default/sue'],
    });
    // Eligible approvers were notified.
    const sent = backend.outbox.notifications.find(n =>
      n.payload.title.startsWith('Approval needed'),
    );
    expect(sent?.recipients).toMatchObject({
      type: 'entity',
      entityRef: ['user:default/sam', 'user:default/sue'],
    });

    const inbox = await get('/promotions?awaitingMyApproval=true', 'sam');
    expect(inbox.body.items.map((x: any) => x.id)).toEqual([created.body.id]);
    expect(
      (await get('/promotions?awaitingMyApproval=true', 'bob')).body.items,
    ).toEqual([]);

    const self = await post(
      `/promotions/${created.body.id}/approvals`,
      'alice',
      { decision: 'approve' },
    );
    expect(self.status).toBe(403);
    expect(self.body.error.message).toContain('requester never approves');
    const outsider = await post(
      `/promotions/${created.body.id}/approvals`,
      'bob',
      { decision: 'approve' },
    );
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toContain(
      'group:default/customer-stakeholders',
    );

    const approved = await post(
      `/promotions/${created.body.id}/approvals`,
      'sam',
      { decision: 'approve', comment: 'looks good' },
    );
    expect(approved.status).toBe(201);
    // Approval clears the deploy; the rung changes only once the claimed deploy is observed.
    expect(approved.body.phase).toBe('Approved');
    expect((await placements()).hml).toBeNull();
    await deploy(created.body.id, 'bob', 'hml', a);
    expect((await placements()).hml).toBe(a);
    // The requester hears about the decision.
    expect(
      backend.outbox.notifications.some(
        n =>
          (n.recipients as any).entityRef === 'user:default/alice' &&
          n.payload.title.includes('Promoted'),
      ),
    ).toBe(true);
  });

  it('needs operators and a quorum of distinct people for production', async () => {
    const denied = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'prod',
      ref: a,
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('group:default/operators');

    const created = await post('/promotions', 'olga', {
      entityRef: ENTITY,
      toRung: 'prod',
      ref: a,
      reason: 'go live',
    });
    expect(created.body.phase).toBe('Blocked');
    expect(
      created.body.gates.find((g: any) => g.gateId === 'rollback-plan').status,
    ).toBe('failed');
    await evidence('prod', a, 'rollback-plan');
    const p = await get(`/promotions/${created.body.id}`);
    expect(p.body.phase).toBe('AwaitingApproval');

    expect(
      (
        await post(`/promotions/${created.body.id}/approvals`, 'olga', {
          decision: 'approve',
        })
      ).status,
    ).toBe(403);
    const first = await post(
      `/promotions/${created.body.id}/approvals`,
      'omar',
      { decision: 'approve' },
    );
    expect(first.body).toMatchObject({
      phase: 'AwaitingApproval',
      approvalRequirement: { given: 1, minimum: 2 },
    });
    // N approvals are N people: the same person twice does not count twice.
    expect(
      (
        await post(`/promotions/${created.body.id}/approvals`, 'omar', {
          decision: 'approve',
        })
      ).status,
    ).toBe(409);
    const second = await post(
      `/promotions/${created.body.id}/approvals`,
      'oscar',
      { decision: 'approve' },
    );
    expect(second.body.phase).toBe('Approved');
    // Only an operator claims the deploy of an operators rung.
    const byOwner = await post(
      `/promotions/${created.body.id}/claim`,
      'alice',
      { toRung: 'prod', sha: a },
    );
    expect(byOwner.status).toBe(403);
    await deploy(created.body.id, 'olga', 'prod', a);
    expect((await placements()).prod).toBe(a);
  });

  it('records a rejection with its reason and ends the promotion', async () => {
    // b must climb again: local first.
    const local = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'local',
      ref: b,
    });
    expect(local.body.phase).toBe('Verifying');
    await evidence('local', b, 'build-output');
    expect((await get(`/promotions/${local.body.id}`)).body.phase).toBe(
      'Promoted',
    );

    const toHml = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref: b,
    });
    expect(toHml.body.phase).toBe('Blocked'); // b is not on dev yet
    expect(toHml.body.gates[0].summary).toContain('is not on Shared dev');
    const rejected = await post(
      `/promotions/${toHml.body.id}/approvals`,
      'sue',
      { decision: 'reject', comment: 'not this week' },
    );
    expect(rejected.body.phase).toBe('Rejected');
    expect(rejected.body.phaseMessage).toContain('not this week');
    expect(
      (await post(`/promotions/${toHml.body.id}/cancel`, 'alice', {})).status,
    ).toBe(409);
  });

  it('rolls back to an earlier ref, and only to one that was placed there before', async () => {
    expect((await placements()).local).toBe(b);
    // The entity view says where "Roll back" goes, and why not on a rung with one release.
    const before = (await get('/entities/component/default/orders-api')).body.rungs;
    expect(before[0].rollback).toEqual({ allowed: true, ref: a });
    const firstRelease = before.find((r: any) => r.placement && r.rung.id !== 'local');
    expect(firstRelease.rollback).toMatchObject({ allowed: false, reason: expect.stringContaining('is the first release on') });
    expect(before.find((r: any) => !r.placement).rollback).toMatchObject({ allowed: false });
    const never = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'local',
      ref: repo.commits.broken,
      kind: 'rollback',
    });
    expect(never.status).toBe(400);
    expect(never.body.error.message).toContain(
      `Refs that can be rolled back to: ${a}`,
    );

    const rollback = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'local',
      ref: a,
      kind: 'rollback',
      reason: 'b breaks login',
    });
    expect(rollback.status).toBe(201);
    expect(rollback.body.phase).toBe('Promoted');
    const view = await get('/entities/component/default/orders-api');
    expect(view.body.rungs[0].placement).toMatchObject({
      ref: a,
      via: 'rollback',
    });

    const audit = await get(`/audit?promotionId=${rollback.body.id}`);
    expect(audit.body.items.map((e: any) => e.action)).toEqual(
      expect.arrayContaining(['rollback.requested', 'placement.moved']),
    );
    expect(
      audit.body.items.find((e: any) => e.action === 'placement.moved').detail,
    ).toMatchObject({
      via: 'rollback',
      previousRef: b,
    });
  });

  it('reports delivery insights from the audit trail of what happened above', async () => {
    // Placements: dev, hml, prod of a; local of b; local of a by rollback (the enrolment is not a
    // deployment). The rollback is the one failure, restored by its own placement. HML and prod
    // each waited for approval once.
    const check = (g: any) => {
      expect(g.deployments).toEqual([
        { rungId: 'local', count: 2, perWeek: expect.any(Number) },
        { rungId: 'dev', count: 1, perWeek: expect.any(Number) },
        { rungId: 'hml', count: 1, perWeek: expect.any(Number) },
        { rungId: 'prod', count: 1, perWeek: expect.any(Number) },
      ]);
      expect(g).toMatchObject({
        changes: 5,
        failures: 1,
        changeFailureRate: 0.2,
        leadTime: { count: 1 },
        timeToRestore: { count: 1, open: 0 },
        approvalWait: { count: 2 },
      });
      expect(g.leadTime.medianSeconds).toBeGreaterThanOrEqual(0);
    };
    const one = await get(`/insights?entityRef=${ENTITY}`);
    expect(one.status).toBe(200);
    expect(one.body.entities.map((e: any) => e.key)).toEqual([ENTITY]);
    check(one.body.entities[0]);
    expect(one.body.teams.map((t: any) => t.key)).toEqual([
      'group:default/team-orders',
    ]);
    check(one.body.teams[0]);

    const team = await get('/insights?owner=team-orders&days=7');
    expect(team.body.days).toBe(7);
    check(team.body.totals);
    // Another team owns none of it; a window is 1 to 365 days, said so.
    expect((await get('/insights?owner=group:default/nobody')).body.entities).toEqual([]);
    const bad = await get('/insights?days=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/days/);
  });

  it('honours Idempotency-Key on create and approve', async () => {
    const body = { entityRef: ENTITY, toRung: 'mirrored', ref: a };
    const headers = { 'Idempotency-Key': 'key-1' };
    const first = await post('/promotions', 'alice', body, headers);
    const again = await post('/promotions', 'alice', body, headers);
    expect(again.status).toBe(first.status);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await post(
      '/promotions',
      'alice',
      { ...body, reason: 'different' },
      headers,
    );
    expect(other.status).toBe(422);
    // Keys are scoped by caller: bob's key-1 is his own.
    expect((await post('/promotions', 'bob', body, headers)).status).toBe(409);
  });

  it('plans a deploy and says what to configure when it cannot', async () => {
    const plan = await get(
      `/plan?entityRef=${ENTITY}&target=shared-dev&ref=${a}`.replace(
        'shared-dev',
        'dev',
      ),
    );
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      rung: { id: 'dev', index: 2 },
      controlPlane: 'shared-dev',
      manifest: { name: 'orders-api', ref: a },
      settings: expect.arrayContaining([{ name: 'DATABASE_URL', required: true, secret: true, supplied: true }]),
      // The dry-run recorded for a was made before a was placed on dev: a new deploy needs a new one.
      mutationPolicy: {
        policy: 'after-dry-run',
        allowedNow: false,
        reason: expect.stringContaining('older than the last placement change on dev'),
      },
      commands: { logs: 'kubectl -n khal-orders-api logs deploy/orders-api' },
    });
    const broken = await get(
      `/plan?entityRef=${ENTITY}&target=dev&ref=${repo.commits.broken}`,
    );
    expect(broken.status).toBe(422);
    expect(broken.body.error.message).toContain('- manifest:');
    expect(broken.body.error.unresolved[0].fact).toBe('manifest');
  });
});
