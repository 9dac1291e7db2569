import request from 'supertest';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  catalogEntities,
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

jest.setTimeout(120_000);

const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Two rungs; dev needs a customer sign-off AND an operator, one person towards one rule. */
const twoRules = {
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
          approvers: {
            rules: [
              { title: 'Customer sign-off', groups: ['group:default/customer-stakeholders'], minimum: 1 },
              { groups: ['group:default/operators'], minimum: 1 },
            ],
          },
        },
      ],
    },
  ],
};

/** The fixture catalog plus pat, who is both a customer stakeholder and an operator. */
function entitiesWithPat(repoDir: string): Entity[] {
  const base = catalogEntities(repoDir).map(e => {
    if (e.kind !== 'Group' || !['customer-stakeholders', 'operators'].includes(e.metadata.name)) return e;
    return { ...e, relations: [...(e.relations ?? []), { type: 'hasMember', targetRef: 'user:default/pat' }] };
  });
  const pat: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'pat', namespace: 'default' },
    spec: { memberOf: ['customer-stakeholders', 'operators'] },
    relations: ['customer-stakeholders', 'operators'].map(g => ({ type: 'memberOf', targetRef: `group:default/${g}` })),
  };
  return [...base, pat];
}

describe.each(databases.eachSupportedId())('approval rules against %p', databaseId => {
  const repo = createAppRepository();
  const { a } = repo.commits;

  async function start() {
    const knex = await databases.init(databaseId);
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides: twoRules,
      entities: entitiesWithPat(repo.dir),
    });
    const server = backend.server;
    await request(server).post('/api/ladder/enrollments').set('Authorization', as('alice')).send({ entityRef: ENTITY, ref: a });
    const created = await request(server)
      .post('/api/ladder/promotions')
      .set('Authorization', as('alice'))
      .send({ entityRef: ENTITY, toRung: 'dev', ref: a });
    expect(created.body.phase).toBe('AwaitingApproval');
    const approve = (who: string) =>
      request(server)
        .post(`/api/ladder/promotions/${created.body.id}/approvals`)
        .set('Authorization', as(who))
        .send({ decision: 'approve' });
    const read = async () =>
      (await request(server).get(`/api/ladder/promotions/${created.body.id}`).set('Authorization', as('alice'))).body;
    return { knex, backend, id: created.body.id as string, approve, read };
  }

  it('bypass "one person, two groups": pat alone holds one rule, not both; the checklist says who still can', async () => {
    const { backend, approve, read } = await start();
    try {
      expect((await approve('pat')).status).toBe(201);
      const p = await read();
      expect(p.phase).toBe('AwaitingApproval');
      expect(p.approvalRequirement.given).toBe(1);
      expect(p.approvalRequirement.rules.map((r: any) => r.satisfied).filter(Boolean)).toHaveLength(1);
      expect(p.approvalRequirement.rules.flatMap((r: any) => r.approvedBy)).toEqual(['user:default/pat']);
      expect(p.gates.find((g: any) => g.gateId === 'approval')?.status ?? 'pending').not.toBe('passed');
      // omar (an operator only) approves: pat is counted for the customer sign-off instead.
      const second = await approve('omar');
      expect(second.status).toBe(201);
      expect(second.body.phase).toBe('Approved');
      const done = (await read()).approvalRequirement;
      expect(done.rules).toEqual([
        expect.objectContaining({ title: 'Customer sign-off', approvedBy: ['user:default/pat'], satisfied: true }),
        expect.objectContaining({ title: '1 of group:default/operators', approvedBy: ['user:default/omar'], satisfied: true }),
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('bypass "enough people": two operators do not stand in for the customer sign-off', async () => {
    const { backend, approve, read } = await start();
    try {
      expect((await approve('omar')).status).toBe(201);
      expect((await approve('olga')).status).toBe(201);
      const p = await read();
      expect(p.phase).toBe('AwaitingApproval');
      expect(p.phaseMessage).toContain('Customer sign-off: 0 of 1');
      const [signOff, operators] = p.approvalRequirement.rules;
      expect(signOff).toMatchObject({ satisfied: false, approvedBy: [], eligible: ['user:default/pat', 'user:default/sam', 'user:default/sue'] });
      expect(operators).toMatchObject({ satisfied: true, approvedBy: ['user:default/omar'] });
      // olga's approval is valid (an operator) but surplus: it counts towards no rule.
      expect(p.approvalRequirement.given).toBe(1);
      expect((await approve('sam')).body.phase).toBe('Approved');
    } finally {
      await backend.stop();
    }
  });

  it('approval race across rules: a stakeholder and an operator at once both land, and the quorum is met once', async () => {
    const { knex, backend, id, approve, read } = await start();
    try {
      const answers = await Promise.all(['sam', 'omar'].map(approve));
      expect(answers.map(r => r.status)).toEqual([201, 201]);
      expect((await read()).phase).toBe('Approved');
      expect(await knex('ladder_approvals').where({ promotion_id: id })).toHaveLength(2);
      const quorum = await knex('ladder_audit_events').where({ promotion_id: id, to_phase: 'Approved' });
      expect(quorum).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });

  it('approval race within one rule: two operators at once leave the sign-off rule open', async () => {
    const { backend, approve, read } = await start();
    try {
      const answers = await Promise.all(['omar', 'olga'].map(approve));
      expect(answers.map(r => r.status)).toEqual([201, 201]);
      const p = await read();
      expect(p.phase).toBe('AwaitingApproval');
      expect(p.approvalRequirement.rules.map((r: any) => r.satisfied)).toEqual([false, true]);
    } finally {
      await backend.stop();
    }
  });
});
