import request from 'supertest';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ladderGatesExtensionPoint } from '@khal/plugin-ladder-node';
import { createAppRepository, startLadderBackend } from '../__testUtils__/ladderFixture';

jest.setTimeout(120_000);

const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const REASON = 'checkout is down for every customer; the hotfix cannot wait for the soak';

/** A gate another module registers, failing until the test says otherwise. */
const blocker = { passing: false };
const blockerModule = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'test-blocker-gate',
  register(env) {
    env.registerInit({
      deps: { gates: ladderGatesExtensionPoint },
      async init({ gates }) {
        gates.addGate({
          id: 'blocker',
          title: 'Blocker',
          async evaluate() {
            return blocker.passing
              ? { status: 'passed', summary: 'fine' }
              : { status: 'failed', summary: 'the soak has not finished', howToFix: 'wait for the soak' };
          },
        });
      },
    });
  },
});

/** Two rungs; dev needs one customer stakeholder and a gate that fails. */
const ladder = {
  ladders: [
    {
      id: 'khal',
      title: 'Short',
      rungs: [
        { id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self', host: 'localhost' },
        {
          id: 'dev',
          title: 'Shared dev',
          runtime: 'pm2-mirror',
          host: 'mirror',
          mutationPolicy: 'approval',
          approvers: { groups: ['group:default/customer-stakeholders'], minimum: 1 },
          entryGates: ['blocker', 'approval'],
        },
      ],
    },
  ],
};

describe.each(databases.eachSupportedId())('break-glass against %p', databaseId => {
  const repo = createAppRepository();
  const { a } = repo.commits;

  async function start(options: { deny?: boolean; requester?: string } = {}) {
    blocker.passing = false;
    const knex = await databases.init(databaseId);
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides: ladder,
      extraFeatures: [blockerModule],
      deny: options.deny,
    });
    const server = backend.server;
    const post = (path: string, who: string | 'service', body: object = {}) =>
      request(server)
        .post(`/api/ladder${path}`)
        .set('Authorization', who === 'service' ? mockCredentials.service.header() : as(who))
        .send(body);
    let id = '';
    if (!options.deny) {
      await post('/enrollments', 'alice', { entityRef: ENTITY, ref: a });
      const created = await post('/promotions', options.requester ?? 'alice', { entityRef: ENTITY, toRung: 'dev', ref: a });
      expect(created.body.phase).toBe('Blocked');
      id = created.body.id;
    }
    const read = async () =>
      (await request(server).get(`/api/ladder/promotions/${id}`).set('Authorization', as('alice'))).body;
    return { knex, backend, post, read, id };
  }

  it('an operator overrides the failing gate with a reason: the mark is on the promotion, approvals still decide', async () => {
    const { knex, backend, post, read, id } = await start();
    try {
      const broken = await post(`/promotions/${id}/break-glass`, 'olga', { reason: REASON });
      expect(broken.status).toBe(200);
      expect(broken.body.phase).toBe('AwaitingApproval');
      expect(broken.body.phaseMessage).toContain('break-glass by user:default/olga overrides Blocker');
      expect(broken.body.breakGlass).toMatchObject({
        reason: REASON,
        by: 'user:default/olga',
        overridden: ['blocker'],
        review: null,
      });
      expect(Date.parse(broken.body.breakGlass.reviewDueAt)).toBeGreaterThan(Date.now());
      // The fact stays a fact: the gate still failed; it is overridden, not passed.
      expect(broken.body.gates.find((g: any) => g.gateId === 'blocker').status).toBe('failed');
      const audit = await knex('ladder_audit_events').where({ promotion_id: id, action: 'promotion.break-glass' });
      expect(audit).toHaveLength(1);
      expect(audit[0].detail).toContain(REASON);
      // The approver groups and the operators hear about it; the breaker does not notify themself.
      const notice = backend.outbox.notifications.find(n => n.payload.title.startsWith('Break-glass:'));
      expect(notice?.recipients).toMatchObject({ type: 'entity', excludeEntityRef: 'user:default/olga' });
      expect((notice?.recipients as any).entityRef).toEqual(
        expect.arrayContaining(['user:default/sam', 'user:default/sue', 'user:default/omar']),
      );
      // Another route: a re-check keeps it waiting for approval (the override holds, the approval
      // gate decides), and a deploy cannot claim it before it is approved.
      expect((await post(`/promotions/${id}/recheck`, 'alice')).body.phase).toBe('AwaitingApproval');
      const claim = await post(`/promotions/${id}/claim`, 'olga', { toRung: 'dev', sha: a });
      expect(claim.status).toBe(409);
      expect((await read()).phase).toBe('AwaitingApproval');
      // A second break-glass is refused: one mark per promotion.
      const again = await post(`/promotions/${id}/break-glass`, 'omar', { reason: REASON });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain('already broke the glass');
      const approved = await post(`/promotions/${id}/approvals`, 'sam', { decision: 'approve' });
      expect(approved.body.phase).toBe('Approved');
      expect((await read()).breakGlass.by).toBe('user:default/olga');
    } finally {
      await backend.stop();
    }
  });

  it('bypass "break-glass as approval": it never clears the approval gate, from any route or token', async () => {
    const { backend, post, read, id } = await start();
    try {
      // A service token (what a script or the CLI with a static token would use) is refused.
      const service = await post(`/promotions/${id}/break-glass`, 'service', { reason: REASON });
      expect(service.status).toBe(403);
      expect(service.body.error.message).toContain('a service token cannot do it');
      // Once the other gates pass, nothing but approval is left: there is nothing to override.
      blocker.passing = true;
      expect((await post(`/promotions/${id}/recheck`, 'alice')).body.phase).toBe('AwaitingApproval');
      const refused = await post(`/promotions/${id}/break-glass`, 'olga', { reason: REASON });
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('approvals are never overridden');
      const p = await read();
      expect(p.phase).toBe('AwaitingApproval');
      expect(p.breakGlass).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });

  it('bypass "a rejection overridden": a rejected promotion stays rejected', async () => {
    const { backend, post, id } = await start();
    try {
      expect((await post(`/promotions/${id}/approvals`, 'sam', { decision: 'reject', comment: 'no' })).body.phase).toBe(
        'Rejected',
      );
      const refused = await post(`/promotions/${id}/break-glass`, 'olga', { reason: REASON });
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('is finished');
    } finally {
      await backend.stop();
    }
  });

  it('refuses a non-operator and a reason too short to review', async () => {
    const { backend, post, read, id } = await start();
    try {
      const owner = await post(`/promotions/${id}/break-glass`, 'alice', { reason: REASON });
      expect(owner.status).toBe(403);
      expect(owner.body.error.message).toContain('only members of group:default/operators may break the glass');
      const short = await post(`/promotions/${id}/break-glass`, 'olga', { reason: 'urgent' });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toContain('say why the failing gates are overridden');
      expect((await read()).phase).toBe('Blocked');
    } finally {
      await backend.stop();
    }
  });

  it('the review waits for someone other than the breaker, who is here also the requester; it is acknowledged once', async () => {
    const { knex, backend, post, read, id } = await start({ requester: 'olga' });
    try {
      expect((await post(`/promotions/${id}/break-glass`, 'olga', { reason: REASON })).status).toBe(200);
      const pending = async () =>
        (
          await request(backend.server)
            .get('/api/ladder/promotions?breakGlassReview=pending')
            .set('Authorization', as('sam'))
        ).body.items.map((p: any) => p.id);
      expect(await pending()).toEqual([id]);
      const self = await post(`/promotions/${id}/break-glass/review`, 'olga', { comment: 'fine by me' });
      expect(self.status).toBe(403);
      expect(self.body.error.message).toContain('you broke the glass on this promotion');
      const outsider = await post(`/promotions/${id}/break-glass/review`, 'bob', {});
      expect(outsider.status).toBe(403);
      expect(outsider.body.error.message).toContain('only members of');
      const reviewed = await post(`/promotions/${id}/break-glass/review`, 'sam', { comment: 'the outage justified it' });
      expect(reviewed.status).toBe(200);
      expect(reviewed.body.breakGlass.review).toMatchObject({ by: 'user:default/sam', comment: 'the outage justified it' });
      const twice = await post(`/promotions/${id}/break-glass/review`, 'omar', {});
      expect(twice.status).toBe(409);
      expect(twice.body.error.message).toContain('already acknowledged by user:default/sam');
      expect((await read()).breakGlass.review.by).toBe('user:default/sam');
      expect(await pending()).toEqual([]);
      const audit = await knex('ladder_audit_events').where({ promotion_id: id, action: 'promotion.break-glass-reviewed' });
      expect(audit).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });

  it('reviews a promotion without a break-glass: 409 saying there is nothing to review', async () => {
    const { backend, post, id } = await start();
    try {
      const nothing = await post(`/promotions/${id}/break-glass/review`, 'sam', {});
      expect(nothing.status).toBe(409);
      expect(nothing.body.error.message).toContain('nobody broke the glass');
    } finally {
      await backend.stop();
    }
  });
});

describe('break-glass under a policy that denies it', () => {
  it('refuses both write routes with 403 and changes nothing, while the same operator may read and request', async () => {
    blocker.passing = false;
    const repo = createAppRepository();
    const denied = new Set(['ladder.promotion.breakglass', 'ladder.promotion.approve']);
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      configOverrides: ladder,
      extraFeatures: [blockerModule],
      policy: name => (denied.has(name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW),
    });
    try {
      const post = (path: string, who: string, body: object) =>
        request(backend.server).post(`/api/ladder${path}`).set('Authorization', as(who)).send(body);
      await post('/enrollments', 'alice', { entityRef: ENTITY, ref: repo.commits.a });
      const created = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.a });
      expect(created.body.phase).toBe('Blocked');
      const broken = await post(`/promotions/${created.body.id}/break-glass`, 'olga', { reason: REASON });
      expect(broken.status).toBe(403);
      expect(broken.body.error.message).toContain('ladder.promotion.breakglass');
      const review = await post(`/promotions/${created.body.id}/break-glass/review`, 'sam', {});
      expect(review.status).toBe(403);
      const after = await request(backend.server)
        .get(`/api/ladder/promotions/${created.body.id}`)
        .set('Authorization', as('alice'));
      expect(after.body.phase).toBe('Blocked');
      expect(after.body.breakGlass).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });
});
