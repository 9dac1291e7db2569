import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { EVIDENCE_MAX_BYTES } from '@khal/plugin-ladder-common';
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
  it(
    'removes the value of a setting the manifest declares secret from reasons and comments',
    async () => {
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
    },
  );

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
