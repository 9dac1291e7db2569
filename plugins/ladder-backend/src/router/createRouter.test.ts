import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { createAppRepository, startLadderBackend } from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const alice = mockCredentials.user.header('user:default/alice');
const ENTITY = 'component:default/orders-api';
const SOME_ID = '00000000-0000-4000-8000-000000000000';

/** Every route, with a body that passes validation (`id` is a promotion). */
const routesFor = (id: string): Array<{ method: 'get' | 'post'; path: string; body?: object }> => [
  { method: 'get', path: '/api/ladder/ladders' },
  { method: 'get', path: '/api/ladder/entities/component/default/orders-api' },
  { method: 'get', path: '/api/ladder/overview' },
  { method: 'post', path: '/api/ladder/promotions', body: { entityRef: ENTITY, toRung: 'local', ref: 'abc1234' } },
  { method: 'get', path: `/api/ladder/promotions?entityRef=${ENTITY}` },
  { method: 'get', path: `/api/ladder/promotions/${id}` },
  { method: 'post', path: `/api/ladder/promotions/${id}/approvals`, body: { decision: 'approve' } },
  { method: 'post', path: `/api/ladder/promotions/${id}/cancel`, body: {} },
  { method: 'post', path: `/api/ladder/promotions/${id}/recheck`, body: {} },
  {
    method: 'post',
    path: '/api/ladder/evidence',
    body: { entityRef: ENTITY, rung: 'local', ref: 'abc1234', kind: 'build-output', summary: 'ok', content: 'ok' },
  },
  { method: 'get', path: `/api/ladder/evidence?entityRef=${ENTITY}` },
  { method: 'get', path: `/api/ladder/plan?entityRef=${ENTITY}&target=dev&ref=abc1234` },
  { method: 'get', path: `/api/ladder/audit?entityRef=${ENTITY}` },
  { method: 'post', path: '/api/ladder/enrollments', body: { entityRef: ENTITY, ref: 'abc1234' } },
];
const routes = routesFor(SOME_ID);

describe('ladder router', () => {
  const repo = createAppRepository();
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let promotionId = SOME_ID;
  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
  });

  describe('with an ALLOW policy', () => {
    let server: any;
    let backend: Awaited<ReturnType<typeof startLadderBackend>>;
    beforeAll(async () => {
      backend = await startLadderBackend({ repoDir: repo.dir, knex });
      server = backend.server;
    });
    afterAll(() => backend.stop());

    it.each(routes)('rejects $method $path without credentials (401)', async ({ method, path, body }) => {
      const req = request(server)[method](path).set('Authorization', mockCredentials.none.header());
      const res = await (body ? req.send(body) : req);
      expect(res.status).toBe(401);
    });

    it('lists the configured ladders', async () => {
      const res = await request(server).get('/api/ladder/ladders').set('Authorization', alice);
      expect(res.status).toBe(200);
      expect(res.body.items[0].id).toBe('khal');
      expect(res.body.items[0].rungs.map((r: any) => r.id)).toEqual(['local', 'mirrored', 'dev', 'hml', 'prod']);
    });

    it('explains how to join a ladder (404)', async () => {
      const res = await request(server)
        .get('/api/ladder/entities/component/default/not-on-ladder')
        .set('Authorization', alice);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('add `khal.ai/ladder: <ladder id>` to metadata.annotations');
    });

    it('refuses approvals from a service token (403)', async () => {
      const created = await request(server)
        .post('/api/ladder/enrollments')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, ref: repo.commits.a });
      expect(created.status).toBe(201);
      const promotion = await request(server)
        .post('/api/ladder/promotions')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, toRung: 'local', ref: repo.commits.b });
      expect(promotion.status).toBe(201);
      promotionId = promotion.body.id;
      const res = await request(server)
        .post(`/api/ladder/promotions/${promotion.body.id}/approvals`)
        .set('Authorization', mockCredentials.service.header())
        .send({ decision: 'approve' });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('approvals come from people');
    });

    it('rejects invalid bodies with 400', async () => {
      const res = await request(server)
        .post('/api/ladder/promotions')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, toRung: 'local', ref: 'abc; rm -rf /' });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    });
  });

  describe('with a DENY policy', () => {
    let server: any;
    let backend: Awaited<ReturnType<typeof startLadderBackend>>;
    beforeAll(async () => {
      backend = await startLadderBackend({ repoDir: repo.dir, knex, deny: true });
      server = backend.server;
    });
    afterAll(() => backend.stop());

    // Against the promotion created above (same database), so routes on a promotion reach their
    // check. Routes about an entity answer as if it did not exist (no existence leak); the others 403.
    const global = new Set(['/api/ladder/ladders', '/api/ladder/overview']);
    it.each(routesFor('PROMOTION'))('forbids $method $path (403, or 404 as for a missing entity)', async ({ method, path, body }) => {
      const req = request(server)[method](path.replace('PROMOTION', promotionId)).set('Authorization', alice);
      const res = await (body ? req.send(body) : req);
      if (global.has(path)) {
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
      } else {
        expect(res.status).toBe(404);
        expect(res.body.error.name).toBe('NotFoundError');
        expect(res.body.error.message).toMatch(/^no (entity component:default\/orders-api in the catalog|promotion [0-9a-f-]{36})$/);
      }
    });
  });
});
