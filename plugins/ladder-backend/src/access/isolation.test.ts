/*
 * Customers kept apart and no existence leaks, on every supported database: two apps of two
 * customers on one ladder, each waiting for its customer's approval on the customer rung.
 */
import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  catalogEntities,
  createAppRepository,
  ladderConfig,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

jest.setTimeout(120_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ACME_APP = 'component:default/orders-api';
const GLOBEX_APP = 'component:default/globex-shop';

/** The fixture ladder; its customer rung names Acme Retail, the default customer. */
const ladders = ladderConfig.ladders.map(l => ({
  ...l,
  rungs: l.rungs.map(r =>
    r.id === 'hml' ? { ...r, metadata: { customer: 'Acme Retail' } } : r,
  ),
}));
const customers = [
  {
    id: 'acme',
    title: 'Acme Retail',
    stakeholders: ['group:default/customer-stakeholders'],
  },
  {
    id: 'globex',
    title: 'Globex',
    stakeholders: ['group:default/globex-stakeholders'],
  },
];

function entities(repoDir: string): Entity[] {
  const fixture = catalogEntities(repoDir);
  const acmeApp = fixture.find(e => e.metadata.name === 'orders-api')!;
  return [
    ...fixture,
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'gina', namespace: 'default' },
      spec: { memberOf: ['globex-stakeholders'] },
      relations: [
        { type: 'memberOf', targetRef: 'group:default/globex-stakeholders' },
      ],
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'globex-stakeholders', namespace: 'default' },
      spec: { type: 'customer', children: [] },
      relations: [{ type: 'hasMember', targetRef: 'user:default/gina' }],
    },
    {
      ...acmeApp,
      metadata: {
        ...acmeApp.metadata,
        name: 'globex-shop',
        title: 'Globex Shop',
        annotations: {
          ...acmeApp.metadata.annotations,
          'khal.ai/customer': 'globex',
          'backstage.io/kubernetes-id': 'globex-shop',
        },
      },
    },
  ];
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'customers kept apart and no existence leaks (%s)',
  databaseId => {
    const repo = createAppRepository();
    const { a } = repo.commits;
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startLadderBackend>>;
    const waiting: Record<string, string> = {};

    const get = (path: string, who: string) =>
      request(backend.server)
        .get(`/api/ladder${path}`)
        .set('Authorization', as(who));
    const post = (path: string, body: object, who = 'alice') =>
      request(backend.server)
        .post(`/api/ladder${path}`)
        .set('Authorization', as(who))
        .send(body);

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startLadderBackend({
        repoDir: repo.dir,
        knex,
        entities: entities(repo.dir),
        configOverrides: { ladders, customers },
      });
      for (const entityRef of [ACME_APP, GLOBEX_APP]) {
        const evidence = (rung: string, kind: string, data?: object) =>
          post('/evidence', {
            entityRef,
            rung,
            ref: a,
            kind,
            summary: `${kind} ok`,
            content: `${kind} output`,
            data,
          });
        const steps = [
          await post('/enrollments', { entityRef, ref: a }),
          await evidence('local', 'build-output'),
          await evidence('dev', 'env-contract', { supplied: ['DATABASE_URL'] }),
        ];
        // The dev rung runs after a clean dry-run of the plan the server computes now, and is
        // proven by a successful deploy's output.
        const plan = await get(
          `/plan?entityRef=${entityRef}&target=dev&ref=${a}`,
          'alice',
        );
        steps.push(
          plan,
          await evidence('dev', 'dry-run', {
            exitCode: 0,
            target: 'dev',
            planDigest: plan.body.planDigest,
          }),
          await evidence('dev', 'deploy-output', { exitCode: 0 }),
        );
        const failed = steps.find(s => s.status >= 300);
        if (failed)
          throw new Error(
            `setup of ${entityRef} failed: ${failed.status} ${JSON.stringify(
              failed.body,
            )}`,
          );
        const toDev = await post('/promotions', {
          entityRef,
          toRung: 'dev',
          ref: a,
        });
        if (toDev.body.phase !== 'Promoted')
          throw new Error(`${entityRef} to dev is ${toDev.body.phase}`);
        const toHml = await post('/promotions', {
          entityRef,
          toRung: 'hml',
          ref: a,
          reason: 'customer acceptance',
        });
        if (toHml.body.phase !== 'AwaitingApproval')
          throw new Error(`${entityRef} to hml is ${toHml.body.phase}`);
        waiting[entityRef] = toHml.body.id;
      }
    });
    afterAll(() => backend?.stop());

    it("a stakeholder of customer A gets the missing-entity 404 for customer B's app on every read route", async () => {
      const missing = await get(
        '/entities/component/default/no-such-app',
        'sam',
      );
      const hidden = await get(
        '/entities/component/default/globex-shop',
        'sam',
      );
      expect([missing.status, hidden.status]).toEqual([404, 404]);
      expect(hidden.body.error.message).toBe(
        missing.body.error.message.replace('no-such-app', 'globex-shop'),
      );

      const id = waiting[GLOBEX_APP];
      for (const path of [
        `/promotions?entityRef=${GLOBEX_APP}`,
        `/audit?entityRef=${GLOBEX_APP}`,
        `/evidence?entityRef=${GLOBEX_APP}`,
        `/plan?entityRef=${GLOBEX_APP}&target=hml&ref=${a}`,
        `/changes?entityRef=${GLOBEX_APP}&fromRef=${a}&toRef=${a}&target=hml`,
      ]) {
        const res = await get(path, 'sam');
        expect({
          path,
          status: res.status,
          message: res.body.error?.message,
        }).toEqual({
          path,
          status: 404,
          message: `no entity ${GLOBEX_APP} in the catalog`,
        });
      }
      for (const path of [
        `/promotions/${id}`,
        `/promotions/${id}/changes`,
        `/audit?promotionId=${id}`,
      ]) {
        const res = await get(path, 'sam');
        expect({
          path,
          status: res.status,
          message: res.body.error?.message,
        }).toEqual({
          path,
          status: 404,
          message: `no promotion ${id}`,
        });
      }
      // Their own customer's app is theirs to see.
      expect(
        (await get('/entities/component/default/orders-api', 'sam')).status,
      ).toBe(200);
      expect(
        (await get(`/promotions/${waiting[ACME_APP]}`, 'sam')).status,
      ).toBe(200);
    });

    it("a stakeholder of customer A cannot approve customer B's promotion (404); B's stakeholder approves it", async () => {
      const globex = waiting[GLOBEX_APP];
      const bySam = await post(
        `/promotions/${globex}/approvals`,
        { decision: 'approve' },
        'sam',
      );
      expect(bySam.status).toBe(404);
      expect(bySam.body.error.message).toBe(`no promotion ${globex}`);
      const byGinaOnAcme = await post(
        `/promotions/${waiting[ACME_APP]}/approvals`,
        { decision: 'approve' },
        'gina',
      );
      expect(byGinaOnAcme.status).toBe(404);

      const view = await get(`/promotions/${globex}`, 'gina');
      expect(view.body.approvalRequirement).toMatchObject({
        groups: ['group:default/globex-stakeholders'],
        eligible: ['user:default/gina'],
      });
      const byGina = await post(
        `/promotions/${globex}/approvals`,
        { decision: 'approve' },
        'gina',
      );
      expect(byGina.status).toBe(201);
      expect(byGina.body.approvals).toEqual([
        expect.objectContaining({
          approver: 'user:default/gina',
          decision: 'approve',
        }),
      ]);
      // Acme's promotion still waits for Acme.
      const acme = await get(`/promotions/${waiting[ACME_APP]}`, 'sam');
      expect(acme.body.phase).toBe('AwaitingApproval');
      expect(acme.body.approvalRequirement.groups).toEqual([
        'group:default/customer-stakeholders',
      ]);
    });

    it("lists of promotions hold only the caller's customer's rows; audit trails open to them only", async () => {
      const entitiesIn = (items: Array<{ entityRef: string }>) =>
        [...new Set(items.map(i => i.entityRef))].sort();
      for (const [who, expected] of [
        ['sam', [ACME_APP]],
        ['gina', [GLOBEX_APP]],
        ['alice', [GLOBEX_APP, ACME_APP]],
        ['olga', [GLOBEX_APP, ACME_APP]],
      ] as const) {
        const promotions = await get('/promotions?limit=100', who);
        expect({ who, entities: entitiesIn(promotions.body.items) }).toEqual({
          who,
          entities: [...expected],
        });
        for (const entityRef of [ACME_APP, GLOBEX_APP]) {
          const audit = await get(`/audit?entityRef=${entityRef}`, who);
          expect({ who, entityRef, status: audit.status }).toEqual({
            who,
            entityRef,
            status: (expected as readonly string[]).includes(entityRef)
              ? 200
              : 404,
          });
        }
      }
      for (const [who, expected] of [
        ['sam', [ACME_APP]],
        ['gina', [GLOBEX_APP]],
        ['alice', [GLOBEX_APP, ACME_APP]],
      ] as const) {
        const overview = await get('/overview?limit=100', who);
        const apps = entitiesIn(overview.body.items).filter(
          r => r === ACME_APP || r === GLOBEX_APP,
        );
        expect({ who, apps }).toEqual({ who, apps: [...expected] });
      }
      const mine = await get('/promotions?awaitingMyApproval=true', 'sam');
      expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual([
        waiting[ACME_APP],
      ]);
    });

    it("asks only the app's customer's stakeholders for approval, and sends live signals to the entity's audience only", async () => {
      const asked = backend.outbox.notifications
        .filter(n => n.payload.topic === 'ladder.approval')
        .map(n => ({
          link: n.payload.link,
          to:
            n.recipients.type === 'entity'
              ? n.recipients.entityRef
              : 'broadcast',
        }));
      expect(asked).toEqual([
        {
          link: '/catalog/default/component/orders-api/ladder',
          to: ['user:default/sam', 'user:default/sue'],
        },
        {
          link: '/catalog/default/component/globex-shop/ladder',
          to: ['user:default/gina'],
        },
      ]);

      expect(backend.outbox.signals.length).toBeGreaterThan(0);
      expect(
        backend.outbox.signals.filter(s => s.recipients.type !== 'user'),
      ).toEqual([]);
      const globexSignal = backend.outbox.signals.find(
        s =>
          (s.message as { entityRef?: string }).entityRef === GLOBEX_APP &&
          s.recipients.type === 'user',
      )!;
      const recipients = (globexSignal.recipients as { entityRef: string[] })
        .entityRef;
      expect(recipients).toEqual(
        expect.arrayContaining([
          'group:default/team-orders',
          'group:default/globex-stakeholders',
          'group:default/operators',
        ]),
      );
      expect(recipients).not.toContain('group:default/customer-stakeholders');
    });

    it('answers an /audit cursor it did not return with 400', async () => {
      const cursor = (text: string) =>
        Buffer.from(text, 'utf8').toString('base64url');
      for (const bad of [
        cursor('{"beforeId":"abc"}'),
        cursor('{"beforeId":1.5}'),
        cursor('{"beforeId":1e400}'),
        cursor('[]'),
        'not base64 at all!!',
      ]) {
        const res = await get(
          `/audit?entityRef=${ACME_APP}&cursor=${encodeURIComponent(bad)}`,
          'alice',
        );
        expect({
          bad,
          status: res.status,
          message: res.body.error?.message,
        }).toEqual({
          bad,
          status: 400,
          message:
            'cursor is not one this API returned; start again without it',
        });
      }
      const first = await get(`/audit?entityRef=${ACME_APP}&limit=2`, 'alice');
      const next = await get(
        `/audit?entityRef=${ACME_APP}&limit=2&cursor=${first.body.nextCursor}`,
        'alice',
      );
      expect(next.status).toBe(200);
      expect(next.body.items[0].id).not.toBe(first.body.items[0].id);
    });

    it('filters /promotions and answers /audit by the permission policy per entity', async () => {
      const partial = await startLadderBackend({
        repoDir: repo.dir,
        knex,
        entities: entities(repo.dir),
        configOverrides: { ladders, customers },
        policy: (_name, entityRef) =>
          entityRef === GLOBEX_APP
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      });
      try {
        const audit = (entityRef: string) =>
          request(partial.server)
            .get(`/api/ladder/audit?entityRef=${entityRef}`)
            .set('Authorization', as('bob'));
        expect((await audit(ACME_APP)).status).toBe(200);
        expect((await audit(GLOBEX_APP)).status).toBe(404);
        const promotions = await request(partial.server)
          .get('/api/ladder/promotions?limit=100')
          .set('Authorization', as('bob'));
        expect(promotions.body.items.length).toBeGreaterThan(0);
        expect(
          promotions.body.items.filter(
            (p: { entityRef: string }) => p.entityRef !== ACME_APP,
          ),
        ).toEqual([]);
        const hidden = await request(partial.server)
          .get(`/api/ladder/entities/component/default/globex-shop`)
          .set('Authorization', as('bob'));
        expect(hidden.status).toBe(404);
      } finally {
        await partial.stop();
      }
    });
  },
);
