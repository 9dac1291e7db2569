import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { EVIDENCE_MAX_BYTES } from '@khal/plugin-ladder-common';
import { plantedCorpus } from '../__testUtils__/plantedCorpus';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

// Planted test fixtures (fake values shaped like real secrets); the test proves none comes back.
const TOKEN = 'ghp_PLANTEDplantedPLANTEDplanted0123456789';
const PASSWORD = 'hunter2-planted-pw';
const DB_VALUE = 'mysql-planted-dsn-value';

/** A planted secret never comes back from any endpoint, notification, signal or stored row. */
describe('planted secrets', () => {
  const repo = createAppRepository();
  const { a } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  const responses: string[] = [];

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
  });
  afterAll(() => backend.stop());

  const call = async (
    method: 'get' | 'post',
    path: string,
    who: string,
    body?: object,
  ) => {
    const req = request(backend.server)
      [method](`/api/ladder${path}`)
      .set('Authorization', as(who));
    const res = await (body ? req.send(body) : req);
    responses.push(JSON.stringify(res.body));
    return res;
  };

  it('removes them at the door and never returns them', async () => {
    await call('post', '/enrollments', 'alice', { entityRef: ENTITY, ref: a });
    const ev = await call('post', '/evidence', 'alice', {
      entityRef: ENTITY,
      rung: 'local',
      ref: a,
      kind: 'build-output',
      summary: `built with token ${TOKEN}`,
      content: `npm run build\nDATABASE_URL=${DB_VALUE}\nconnecting to postgres://orders:${PASSWORD}@db/orders\nGITHUB_TOKEN=${TOKEN}\n`,
      data: { password: PASSWORD, nested: { note: `Bearer ${TOKEN}` } },
    });
    expect(ev.status).toBe(201);
    expect(ev.body.redactions).toBeGreaterThanOrEqual(5);
    expect(ev.body.content).toContain('DATABASE_URL=[REDACTED:secret-value]');
    expect(ev.body.digest).toMatch(/^[0-9a-f]{64}$/);

    const created = await call('post', '/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref: a,
      reason: `because password=${PASSWORD}`,
      explanation: `uses ${TOKEN}`,
    });
    await call('post', `/promotions/${created.body.id}/approvals`, 'sam', {
      decision: 'reject',
      comment: `token: ${TOKEN}`,
    });
    const second = await call('post', '/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: a,
      reason: `again postgres://u:${PASSWORD}@x`,
    });
    await call('post', `/promotions/${second.body.id}/cancel`, 'alice', {
      reason: `secret=${PASSWORD}`,
    });

    await call('get', '/entities/component/default/orders-api', 'alice');
    await call('get', `/promotions?entityRef=${ENTITY}`, 'alice');
    await call('get', `/promotions/${created.body.id}`, 'alice');
    await call('get', `/evidence?entityRef=${ENTITY}`, 'alice');
    await call('get', `/audit?entityRef=${ENTITY}`, 'alice');
    await call('get', '/overview', 'alice');

    const everything = [
      ...responses,
      JSON.stringify(backend.outbox.notifications),
      JSON.stringify(backend.outbox.signals),
    ].join('\n');
    expect(everything).toContain('[REDACTED:');
    for (const secret of [TOKEN, PASSWORD, DB_VALUE]) {
      expect(everything).not.toContain(secret);
    }
    expect(backend.outbox.notifications.length).toBeGreaterThan(0);
  });

  // Reasons, explanations, decision comments and cancel reasons are redacted with the manifest's
  // secret setting names too, as evidence is.
  it('removes the value of a setting the manifest declares secret from reasons and comments', async () => {
    const before = responses.length;
    const created = await call('post', '/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref: a,
      reason: `DATABASE_URL=${DB_VALUE}`,
    });
    expect(created.status).toBe(201);
    await call('post', `/promotions/${created.body.id}/approvals`, 'sam', {
      decision: 'reject',
      comment: `DATABASE_URL=${DB_VALUE}`,
    });
    await call('get', `/audit?entityRef=${ENTITY}`, 'alice');
    const everything = [
      ...responses.slice(before),
      JSON.stringify(backend.outbox.notifications),
    ].join('\n');
    expect(everything).not.toContain(DB_VALUE);
  });

  it('says the limit when evidence is too large (413)', async () => {
    const res = await call('post', '/evidence', 'alice', {
      entityRef: ENTITY,
      rung: 'local',
      ref: a,
      kind: 'logs',
      summary: 'huge',
      content: 'x'.repeat(EVIDENCE_MAX_BYTES + 1),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain(`${EVIDENCE_MAX_BYTES} bytes`);
  });
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/**
 * Every format of the planted corpus (at least 40, the nine of issue 17 among them) goes in through
 * `POST /evidence` as content, summary and data; every response, every page of `GET /evidence`,
 * each `GET /evidence/{id}`, the audit trail, the notifications and signals, and the stored rows
 * (evidence content, summary, data; audit details) are read back: none holds a planted value.
 */
describe.each(databases.eachSupportedId())(
  'the planted corpus through POST /api/ladder/evidence on %p',
  databaseId => {
    const repo = createAppRepository();
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startLadderBackend>>;
    const alice = as('alice');

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startLadderBackend({ repoDir: repo.dir, knex });
      await request(backend.server)
        .post('/api/ladder/enrollments')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, ref: repo.commits.a });
    });
    afterAll(() => backend.stop());

    it('stores, returns, audits and notifies none of the planted values', async () => {
      const seen: string[] = [];
      const ids: string[] = [];
      for (const format of plantedCorpus) {
        const res = await request(backend.server)
          .post('/api/ladder/evidence')
          .set('Authorization', alice)
          .send({
            entityRef: ENTITY,
            rung: 'local',
            ref: repo.commits.a,
            kind: 'logs',
            summary: `format ${format.name}: ${
              format.text.split('\n')[0]
            }`.slice(0, 500),
            content: format.text,
            data: {
              format: format.name,
              output: format.text,
              lines: format.text.split('\n'),
            },
          });
        expect([format.name, res.status]).toEqual([format.name, 201]);
        seen.push(JSON.stringify(res.body));
        ids.push(res.body.id);
      }
      let cursor: string | undefined;
      do {
        const page = await request(backend.server)
          .get('/api/ladder/evidence')
          .query({
            entityRef: ENTITY,
            limit: 20,
            ...(cursor ? { cursor } : {}),
          })
          .set('Authorization', alice);
        expect(page.status).toBe(200);
        seen.push(JSON.stringify(page.body));
        cursor = page.body.nextCursor;
      } while (cursor);
      for (const id of ids) {
        const one = await request(backend.server)
          .get(`/api/ladder/evidence/${id}`)
          .set('Authorization', alice);
        expect(one.status).toBe(200);
        seen.push(JSON.stringify(one.body));
      }
      const audit = await request(backend.server)
        .get('/api/ladder/audit')
        .query({ entityRef: ENTITY, limit: 500 })
        .set('Authorization', alice);
      seen.push(JSON.stringify(audit.body));
      seen.push(
        JSON.stringify(backend.outbox.notifications),
        JSON.stringify(backend.outbox.signals),
      );
      const rows = [
        ...(await knex('ladder_evidence').select(
          'content',
          'summary',
          'data',
          'url',
        )),
        ...(await knex('ladder_audit_events').select('detail')),
      ];
      const stored = JSON.stringify(rows);
      expect(stored).toContain('[REDACTED:');

      const everything = `${seen.join('\n')}\n${stored}`;
      const leaks = plantedCorpus.flatMap(f =>
        f.secrets
          .filter(secret => everything.includes(secret))
          .map(secret => `${f.name}: ${secret}`),
      );
      expect(leaks).toEqual([]);
    });
  },
);
