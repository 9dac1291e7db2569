/*
 * The ways around the ladder's promise that a rung changes only through a proven, approved
 * promotion of one commit, each with the refusal expected now (and the case that must succeed).
 * Through the API only, on the embedded database.
 */
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { ladderGatesExtensionPoint } from '@khal/plugin-ladder-node';
import {
  catalogEntities,
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

jest.setTimeout(60_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

/** A gate another module registers; its answer is flipped by the test. */
const external = { ready: true };
const externalGateModule = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'test-flipping-gate',
  register(env) {
    env.registerInit({
      deps: { gates: ladderGatesExtensionPoint },
      async init({ gates }) {
        gates.addGate({
          id: 'external-check',
          title: 'External check',
          async evaluate() {
            return external.ready
              ? { status: 'passed', summary: 'the external system agrees' }
              : {
                  status: 'failed',
                  summary: 'the external system says no',
                  howToFix: 'ask it again later',
                };
          },
        });
      },
    });
  },
});

const shortLadder = (dev: object) => ({
  ladders: [
    {
      id: 'khal',
      title: 'Short',
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
          ...dev,
        },
      ],
    },
  ],
});

async function backendWith(
  dev: object,
  given?: { repo: ReturnType<typeof createAppRepository>; entities: Entity[] },
) {
  const repo = given?.repo ?? createAppRepository();
  const entities = given?.entities;
  const backend = await startLadderBackend({
    repoDir: repo.dir,
    configOverrides: shortLadder(dev),
    extraFeatures: [externalGateModule],
    ...(entities ? { entities } : {}),
  });
  const post = (
    path: string,
    who: string,
    body: object = {},
    headers: Record<string, string> = {},
  ) =>
    request(backend.server)
      .post(`/api/ladder${path}`)
      .set('Authorization', as(who))
      .set(headers)
      .send(body);
  const get = (path: string, who = 'alice') =>
    request(backend.server)
      .get(`/api/ladder${path}`)
      .set('Authorization', as(who));
  const placed = async () =>
    (await get('/entities/component/default/orders-api')).body.rungs.find(
      (r: any) => r.rung.id === 'dev',
    );
  expect(
    (
      await post('/enrollments', 'alice', {
        entityRef: ENTITY,
        ref: repo.commits.a,
      })
    ).status,
  ).toBe(201);
  return { repo, backend, post, get, placed };
}

describe('approvals bind to one commit and one manifest', () => {
  const approvalRung = {
    mutationPolicy: 'approval',
    approvers: { groups: ['group:default/customer-stakeholders'], minimum: 2 },
  };

  it('resolves a tag or branch name to the full commit SHA and stores the manifest digest (bypass: approving a name that can move)', async () => {
    const { repo, backend, post } = await backendWith(approvalRung);
    try {
      execFileSync('git', ['tag', 'v2', repo.commits.b], { cwd: repo.dir });
      const byTag = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: 'v2',
      });
      expect(byTag.status).toBe(201);
      expect(byTag.body).toMatchObject({
        ref: repo.commits.b,
        requestedRef: 'v2',
      });
      expect(byTag.body.manifestDigest).toMatch(/^[0-9a-f]{64}$/);

      // The branch moves on after the request; the promotion still names the commit it resolved to.
      const byBranch = await post('/promotions', 'bob', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: 'main',
      });
      expect(byBranch.body).toMatchObject({
        ref: repo.commits.broken,
        requestedRef: 'main',
      });
    } finally {
      await backend.stop();
    }
  });

  it('refuses an unknown ref with a 400 naming the ref, the repository and the fix', async () => {
    const { repo, backend, post } = await backendWith(approvalRung);
    try {
      const res = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: 'no-such-branch',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('"no-such-branch"');
      expect(res.body.error.message).toContain(repo.dir);
      expect(res.body.error.message).toContain('git push');
    } finally {
      await backend.stop();
    }
  });

  it('supersedes the open promotion when a newer commit is requested; its approvals do not carry over (bypass: stale approval)', async () => {
    const { repo, backend, post, get } = await backendWith(approvalRung);
    try {
      const first = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
      });
      expect(first.body.phase).toBe('AwaitingApproval');
      expect(
        (
          await post(`/promotions/${first.body.id}/approvals`, 'sam', {
            decision: 'approve',
          })
        ).status,
      ).toBe(201);

      const newer = await post('/promotions', 'bob', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
      });
      expect(newer.status).toBe(201);
      expect((await get(`/promotions/${first.body.id}`)).body).toMatchObject({
        phase: 'Superseded',
      });
      expect(newer.body.approvalRequirement).toMatchObject({
        given: 0,
        minimum: 2,
      });

      // An approval of the superseded promotion is refused and counts for nothing.
      const stale = await post(
        `/promotions/${first.body.id}/approvals`,
        'sue',
        { decision: 'approve' },
      );
      expect(stale.status).toBe(409);
      const one = await post(`/promotions/${newer.body.id}/approvals`, 'sue', {
        decision: 'approve',
      });
      expect(one.body).toMatchObject({
        phase: 'AwaitingApproval',
        approvalRequirement: { given: 1 },
      });
      // The same commit again is not "newer": act on the open one.
      expect(
        (
          await post('/promotions', 'alice', {
            entityRef: ENTITY,
            toRung: 'dev',
            ref: repo.commits.b,
          })
        ).status,
      ).toBe(409);
    } finally {
      await backend.stop();
    }
  });
});

describe('quorum is decided when it is reached', () => {
  it('does not count an approver who left the approver group after approving (bypass: removed approver)', async () => {
    const repo = createAppRepository();
    const entities = catalogEntities(repo.dir);
    const { backend, post, get } = await backendWith(
      {
        mutationPolicy: 'approval',
        approvers: { groups: ['group:default/operators'], minimum: 2 },
      },
      { repo, entities },
    );
    try {
      const created = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
      });
      expect(created.body.phase).toBe('AwaitingApproval');
      expect(
        (
          await post(`/promotions/${created.body.id}/approvals`, 'omar', {
            decision: 'approve',
          })
        ).status,
      ).toBe(201);

      // omar leaves the operators group (the catalog says so now; the membership cache does not yet).
      const omar = entities.find(e => e.metadata.name === 'omar')!;
      omar.relations = [];
      const operators = entities.find(
        e => e.kind === 'Group' && e.metadata.name === 'operators',
      )!;
      operators.relations = operators.relations!.filter(
        r => r.targetRef !== 'user:default/omar',
      );

      const second = await post(
        `/promotions/${created.body.id}/approvals`,
        'oscar',
        { decision: 'approve' },
      );
      expect(second.status).toBe(201);
      expect(second.body.phase).toBe('AwaitingApproval');
      const view = (await get(`/promotions/${created.body.id}`)).body;
      expect(
        view.approvals.find((a: any) => a.approver === 'user:default/omar'),
      ).toMatchObject({
        counted: false,
        why: expect.stringContaining(
          'no longer a member of group:default/operators',
        ),
      });
      expect(view.approvalRequirement.given).toBe(1);

      // A current member completes the quorum.
      const third = await post(
        `/promotions/${created.body.id}/approvals`,
        'olga',
        { decision: 'approve' },
      );
      expect(third.body.phase).toBe('Approved');
    } finally {
      await backend.stop();
    }
  });

  it('re-runs every gate when the quorum is reached: a gate that regressed keeps it out of Approved (bypass: stale gate results)', async () => {
    external.ready = true;
    const { repo, backend, post } = await backendWith({
      mutationPolicy: 'approval',
      entryGates: ['external-check'],
      approvers: {
        groups: ['group:default/customer-stakeholders'],
        minimum: 1,
      },
    });
    try {
      const created = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
      });
      expect(created.body.phase).toBe('AwaitingApproval');
      external.ready = false;
      const approved = await post(
        `/promotions/${created.body.id}/approvals`,
        'sam',
        { decision: 'approve' },
      );
      expect(approved.status).toBe(201);
      expect(approved.body.phase).toBe('Blocked');
      expect(
        approved.body.gates.find((g: any) => g.gateId === 'external-check')
          .status,
      ).toBe('failed');

      // Once the gate passes again, the recorded approval completes it.
      external.ready = true;
      const rechecked = await post(
        `/promotions/${created.body.id}/recheck`,
        'alice',
      );
      expect(rechecked.body.phase).toBe('Approved');
    } finally {
      external.ready = true;
      await backend.stop();
    }
  });
});

describe('deploying is claiming, and the rung changes when the change is observed', () => {
  it('does not move the placement when approval lands; the claimed deploy reporting success does (bypass: promoted on approval)', async () => {
    const { repo, backend, post, get, placed } = await backendWith({
      mutationPolicy: 'approval',
      approvers: {
        groups: ['group:default/customer-stakeholders'],
        minimum: 1,
      },
    });
    const sha = repo.commits.b;
    try {
      const created = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: sha,
      });
      const approved = await post(
        `/promotions/${created.body.id}/approvals`,
        'sam',
        { decision: 'approve' },
      );
      expect(approved.body.phase).toBe('Approved');
      expect((await placed()).placement).toBeNull();
      expect(
        (await get(`/plan?entityRef=${ENTITY}&target=dev&ref=${sha}`)).body
          .mutationPolicy,
      ).toMatchObject({
        allowedNow: true,
      });

      const id = created.body.id;
      const wrongCommit = await post(`/promotions/${id}/claim`, 'alice', {
        toRung: 'dev',
        sha: repo.commits.a,
      });
      expect(wrongCommit.status).toBe(409);
      expect(wrongCommit.body.error.message).toContain(
        `approved for commit ${sha}`,
      );
      const key = { 'Idempotency-Key': 'deploy-1' };
      const claimed = await post(
        `/promotions/${id}/claim`,
        'alice',
        { toRung: 'dev', sha },
        key,
      );
      expect(claimed.status).toBe(201);
      expect(claimed.body).toMatchObject({
        phase: 'Deploying',
        claim: { claimedBy: 'user:default/alice' },
      });
      const replay = await post(
        `/promotions/${id}/claim`,
        'alice',
        { toRung: 'dev', sha },
        key,
      );
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      const second = await post(`/promotions/${id}/claim`, 'bob', {
        toRung: 'dev',
        sha,
      });
      expect(second.status).toBe(409);
      expect(second.body.error.message).toContain('a claim is used once');
      expect((await placed()).placement).toBeNull();

      // Only the claimant reports; evidence of someone else does not move the rung.
      expect(
        (
          await post(`/promotions/${id}/deploy-result`, 'bob', {
            exitCode: 0,
            summary: 'done',
          })
        ).status,
      ).toBe(403);
      await post('/evidence', 'bob', {
        entityRef: ENTITY,
        rung: 'dev',
        ref: sha,
        kind: 'deploy-output',
        summary: 'forged',
        content: 'ok',
        data: { promotionId: id, exitCode: 0 },
      });
      expect((await get(`/promotions/${id}`)).body.phase).toBe('Deploying');

      const reported = await post(`/promotions/${id}/deploy-result`, 'alice', {
        exitCode: 0,
        summary: 'pm2 reload ok',
      });
      expect(reported.status).toBe(200);
      expect(reported.body.phase).toBe('Promoted');
      expect((await placed()).placement).toMatchObject({
        ref: sha,
        promotionId: id,
      });
      const audit = (await get(`/audit?promotionId=${id}`)).body.items.map(
        (e: any) => e.action,
      );
      expect(audit).toEqual(
        expect.arrayContaining(['promotion.claimed', 'placement.moved']),
      );
    } finally {
      await backend.stop();
    }
  });

  it('fails the claimed promotion when its deploy reports a failure, and leaves the placement', async () => {
    const { repo, backend, post, placed } = await backendWith({
      mutationPolicy: 'approval',
      approvers: {
        groups: ['group:default/customer-stakeholders'],
        minimum: 1,
      },
    });
    try {
      const created = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
      });
      await post(`/promotions/${created.body.id}/approvals`, 'sam', {
        decision: 'approve',
      });
      await post(`/promotions/${created.body.id}/claim`, 'alice', {
        toRung: 'dev',
        sha: repo.commits.b,
      });
      const reported = await post(
        `/promotions/${created.body.id}/deploy-result`,
        'alice',
        {
          exitCode: 2,
          summary: 'pm2 could not start it',
        },
      );
      expect(reported.body.phase).toBe('Failed');
      expect(reported.body.phaseMessage).toContain('exit code 2');
      expect((await placed()).placement).toBeNull();
    } finally {
      await backend.stop();
    }
  });

  it('on a rung without a claim or proof checks, waits for a successful deploy report of the commit (bypass: placed before anything ran)', async () => {
    const { repo, backend, post, get, placed } = await backendWith({
      mutationPolicy: 'self',
    });
    try {
      const created = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
      });
      expect(created.body.phase).toBe('Approved');
      expect((await placed()).placement).toBeNull();
      const claim = await post(
        `/promotions/${created.body.id}/claim`,
        'alice',
        { toRung: 'dev', sha: repo.commits.b },
      );
      expect(claim.status).toBe(409);
      expect(claim.body.error.message).toContain('deployed without a claim');

      const evidence = (exitCode: number) =>
        post('/evidence', 'alice', {
          entityRef: ENTITY,
          rung: 'dev',
          ref: repo.commits.b,
          kind: 'deploy-output',
          summary: `exit ${exitCode}`,
          content: 'pm2 output',
          data: { exitCode },
        });
      await evidence(1);
      expect((await get(`/promotions/${created.body.id}`)).body.phase).toBe(
        'Approved',
      );
      await evidence(0);
      expect((await get(`/promotions/${created.body.id}`)).body.phase).toBe(
        'Promoted',
      );
      expect((await placed()).placement).toMatchObject({ ref: repo.commits.b });
    } finally {
      await backend.stop();
    }
  });
});

describe('the entity view says what to do next, for who is asking', () => {
  it('tells a non-operator before any request that an operators rung refuses them, with the reason the request would get', async () => {
    const { repo, backend, post, get } = await backendWith({
      mutationPolicy: 'operators',
    });
    try {
      const view = async (who: string) =>
        (await get('/entities/component/default/orders-api', who)).body.rungs.find(
          (r: any) => r.rung.id === 'dev',
        );
      const asAlice = await view('alice');
      expect(asAlice.request.allowed).toBe(false);
      const refused = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
      });
      expect(refused.status).toBe(403);
      // One rule: the view's reason is the refusal's message.
      expect(asAlice.request.reason).toBe(refused.body.error.message);
      expect(asAlice.request.reason).toContain(
        'only members of group:default/operators may request promotions to Shared dev',
      );
      expect(await view('olga')).toMatchObject({ request: { allowed: true } });
      expect(
        (await get('/entities/component/default/orders-api', 'alice')).body.rungs.find(
          (r: any) => r.rung.id === 'local',
        ).request,
      ).toEqual({ allowed: true });
    } finally {
      await backend.stop();
    }
  });

  it('names the deploy command once a promotion is approved (it does not move on its own)', async () => {
    const { repo, backend, post, get } = await backendWith({
      mutationPolicy: 'approval',
      approvers: { groups: ['group:default/customer-stakeholders'], minimum: 1 },
    });
    try {
      const created = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
      });
      expect(created.body.phase).toBe('AwaitingApproval');
      await post(`/promotions/${created.body.id}/approvals`, 'sam', {
        decision: 'approve',
      });
      const { next } = (await get('/entities/component/default/orders-api')).body;
      expect(next).toMatchObject({
        action: 'deploy',
        toRung: 'dev',
        promotionId: created.body.id,
      });
      expect(next.summary).toContain(
        `run \`khal deploy --target dev\` in a checkout of ${repo.commits.a.slice(0, 7)}`,
      );
      expect(next.summary).toContain('it claims the approved promotion');
    } finally {
      await backend.stop();
    }
  });
});

describe('evidence names the commit as promotions do', () => {
  it('stores a short SHA as the full commit it names (so it counts for the promotion of that commit), and refuses one that names no commit', async () => {
    const { repo, backend, post, get } = await backendWith({
      mutationPolicy: 'self',
    });
    try {
      const short = repo.commits.b.slice(0, 7);
      const pushed = await post('/evidence', 'alice', {
        entityRef: ENTITY,
        rung: 'dev',
        ref: short,
        kind: 'status',
        summary: 'pm2 describe: online',
        content: 'online',
      });
      expect(pushed.status).toBe(201);
      expect(pushed.body.ref).toBe(repo.commits.b);
      const listed = await get(
        `/evidence?entityRef=${ENTITY}&rung=dev&ref=${repo.commits.b}`,
      );
      expect(listed.body.items.map((e: any) => e.id)).toContain(
        pushed.body.id,
      );

      const unknown = await post('/evidence', 'alice', {
        entityRef: ENTITY,
        rung: 'dev',
        ref: 'deadbee',
        kind: 'status',
        summary: 'pm2 describe: online',
        content: 'online',
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain(
        'ref "deadbee" looks like an abbreviated commit SHA',
      );
      expect(unknown.body.error.message).toContain('full commit SHA');
    } finally {
      await backend.stop();
    }
  });
});

describe('the deploy plan', () => {
  it('tells an operator with zero approvals "Allowed now: no" on an operators rung (bypass: khal deploy --target prod as olga)', async () => {
    const repo = createAppRepository();
    const backend = await startLadderBackend({ repoDir: repo.dir });
    try {
      const plan = await request(backend.server)
        .get(
          `/api/ladder/plan?entityRef=${ENTITY}&target=prod&ref=${repo.commits.a}`,
        )
        .set('Authorization', as('olga'));
      expect(plan.status).toBe(200);
      expect(plan.body.mutationPolicy).toMatchObject({
        policy: 'operators',
        allowedNow: false,
      });
      expect(plan.body.mutationPolicy.reason).toContain(
        `no approved promotion of ${repo.commits.a}`,
      );
      expect(plan.body.mutationPolicy.reason).toContain(
        'khal promote --to prod',
      );
      expect(plan.body.mutationPolicy.reason).toContain(
        '2 approval(s) from group:default/operators',
      );
    } finally {
      await backend.stop();
    }
  });
});
