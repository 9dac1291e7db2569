import request from 'supertest';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { ladderGatesExtensionPoint } from '@khal/plugin-ladder-node';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

jest.setTimeout(120_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

/** A two-rung ladder so the races start right where they matter. */
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

/** A gate another module registers; its answer is flipped by the test. */
const external = { ready: false };
const externalGateModule = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'test-external-gate',
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
                  status: 'pending',
                  summary: 'the external system has not answered yet',
                };
          },
        });
      },
    });
  },
});

describe.each(databases.eachSupportedId())('against %p', databaseId => {
  const repo = createAppRepository();
  const { a, b } = repo.commits;

  it('lets exactly one of two concurrent approvals win when one is needed', async () => {
    const knex = await databases.init(databaseId);
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides: shortLadder({
        mutationPolicy: 'approval',
        approvers: {
          groups: ['group:default/customer-stakeholders'],
          minimum: 1,
        },
      }),
    });
    try {
      const server = backend.server;
      await request(server)
        .post('/api/ladder/enrollments')
        .set('Authorization', as('alice'))
        .send({ entityRef: ENTITY, ref: a });
      const created = await request(server)
        .post('/api/ladder/promotions')
        .set('Authorization', as('alice'))
        .send({ entityRef: ENTITY, toRung: 'dev', ref: a });
      expect(created.body.phase).toBe('AwaitingApproval');
      const [x, y] = await Promise.all(
        ['sam', 'sue'].map(who =>
          request(server)
            .post(`/api/ladder/promotions/${created.body.id}/approvals`)
            .set('Authorization', as(who))
            .send({ decision: 'approve' }),
        ),
      );
      expect([x.status, y.status].sort()).toEqual([201, 409]);
      const winner = x.status === 201 ? x : y;
      expect(winner.body.phase).toBe('Approved');
      const approvals = await knex('ladder_approvals').where({
        promotion_id: created.body.id,
      });
      expect(approvals).toHaveLength(1);
      const quorum = await knex('ladder_audit_events').where({
        promotion_id: created.body.id,
        to_phase: 'Approved',
      });
      expect(quorum).toHaveLength(1);
      // Approval clears a deploy; nothing is placed until a claimed deploy is observed.
      const placed = await knex('ladder_placements').where({
        entity_ref: ENTITY,
        rung_id: 'dev',
      });
      expect(placed).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('keeps one open promotion of an entity to a rung when two are requested at once: the later supersedes the earlier', async () => {
    const knex = await databases.init(databaseId);
    const backend = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides: shortLadder({
        mutationPolicy: 'approval',
        approvers: {
          groups: ['group:default/customer-stakeholders'],
          minimum: 1,
        },
      }),
    });
    try {
      const server = backend.server;
      await request(server)
        .post('/api/ladder/enrollments')
        .set('Authorization', as('alice'))
        .send({ entityRef: ENTITY, ref: a });
      const [x, y] = await Promise.all(
        [
          ['alice', a],
          ['bob', b],
        ].map(([who, ref]) =>
          request(server)
            .post('/api/ladder/promotions')
            .set('Authorization', as(who))
            .send({ entityRef: ENTITY, toRung: 'dev', ref }),
        ),
      );
      expect([x.status, y.status]).toEqual([201, 201]);
      const promotions = await knex('ladder_promotions')
        .where({ entity_ref: ENTITY, to_rung: 'dev' })
        .orderBy('created_at');
      expect(promotions).toHaveLength(2);
      expect(promotions.filter(p => p.phase === 'Superseded')).toHaveLength(1);
      expect(promotions.filter(p => p.open_slot !== null)).toHaveLength(1);
      const requested = await knex('ladder_audit_events').where({
        entity_ref: ENTITY,
        action: 'promotion.requested',
      });
      expect(requested.map(r => r.promotion_id).sort()).toEqual(
        promotions.map(p => p.id).sort(),
      );
      const superseded = promotions.find(p => p.phase === 'Superseded');
      const ended = await knex('ladder_audit_events').where({
        promotion_id: superseded.id,
        action: 'promotion.supersede',
      });
      expect(ended).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });

  it('loses nothing across a restart and re-checks pending gates afterwards', async () => {
    const knex = await databases.init(databaseId);
    const config = shortLadder({
      mutationPolicy: 'self',
      entryGates: ['external-check'],
    });
    external.ready = false;
    const first = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides: config,
      extraFeatures: [externalGateModule],
    });
    let id: string;
    try {
      await request(first.server)
        .post('/api/ladder/enrollments')
        .set('Authorization', as('alice'))
        .send({ entityRef: ENTITY, ref: a });
      const created = await request(first.server)
        .post('/api/ladder/promotions')
        .set('Authorization', as('alice'))
        .send({
          entityRef: ENTITY,
          toRung: 'dev',
          ref: a,
          reason: 'before the restart',
        });
      expect(created.body.phase).toBe('Blocked');
      expect(created.body.gates[0]).toMatchObject({
        gateId: 'external-check',
        status: 'pending',
      });
      id = created.body.id;
    } finally {
      await first.stop();
    }

    external.ready = true;
    const auditor = mockServices.auditor.mock({
      createEvent: jest.fn(async () => ({
        success: jest.fn(async () => {}),
        fail: jest.fn(async () => {}),
      })),
    });
    const second = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides: config,
      extraFeatures: [externalGateModule, auditor.factory],
    });
    try {
      // Nobody calls recheck: the scheduled task picks the promotion up after the restart.
      let phase = '';
      for (let i = 0; i < 50 && phase !== 'Approved'; i++) {
        const res = await request(second.server)
          .get(`/api/ladder/promotions/${id}`)
          .set('Authorization', as('alice'));
        phase = res.body.phase;
        expect(res.body.reason).toBe('before the restart');
        if (phase !== 'Approved') await new Promise(r => setTimeout(r, 200));
      }
      expect(phase).toBe('Approved');
      // The rung has no proof checks: the placement moves when the deploy reports success.
      const reported = await request(second.server)
        .post('/api/ladder/evidence')
        .set('Authorization', as('alice'))
        .send({
          entityRef: ENTITY,
          rung: 'dev',
          ref: a,
          kind: 'deploy-output',
          summary: 'pm2 ok',
          content: 'ok',
          data: { exitCode: 0 },
        });
      expect(reported.status).toBe(201);
      expect(
        (
          await request(second.server)
            .get(`/api/ladder/promotions/${id}`)
            .set('Authorization', as('alice'))
        ).body.phase,
      ).toBe('Promoted');
      const placed = await knex('ladder_placements').where({
        entity_ref: ENTITY,
        rung_id: 'dev',
      });
      expect(placed.map(p => p.ref)).toEqual([a]);
      const actions = (
        await knex('ladder_audit_events')
          .where({ promotion_id: id })
          .orderBy('id')
      ).map(e => e.actor);
      expect(actions).toContain('service:ladder-recheck');
      // The platform's auditor hears of the scheduler's transitions too.
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'promotion-recheck',
          meta: expect.objectContaining({
            promotionId: id,
            actor: 'service:ladder-recheck',
            toPhase: 'Approved',
          }),
        }),
      );
    } finally {
      await second.stop();
    }
  });
});
