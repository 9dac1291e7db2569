import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createAppRepository, startLadderBackend } from '../__testUtils__/ladderFixture';
import { logCapture } from '../__testUtils__/logCapture';
import { CORRELATION_HEADER } from './correlationId';

// Starting backends is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const ENTITY = 'component:default/orders-api';
const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// Planted the way a careless client would: a credential pasted as the correlation id.
const PLANTED_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;

describe('x-correlation-id', () => {
  const repo = createAppRepository();
  const logs = logCapture();
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir, extraFeatures: [logs.feature] });
  });
  afterAll(() => backend.stop());

  const post = (path: string, who: string, body: object, correlationId?: string) => {
    const req = request(backend.server).post(`/api/ladder${path}`).set('Authorization', as(who));
    return (correlationId === undefined ? req : req.set(CORRELATION_HEADER, correlationId)).send(body);
  };
  const auditRows = async () =>
    (
      await request(backend.server)
        .get(`/api/ladder/audit?entityRef=${ENTITY}`)
        .set('Authorization', as('alice'))
    ).body.items as Array<{ action: string; promotionId: string | null; correlationId: string | null }>;

  it('is echoed when well formed and travels to the audit rows, notifications and log lines of that request', async () => {
    const enrolled = await post('/enrollments', 'alice', { entityRef: ENTITY, ref: repo.commits.a }, 'enroll-0001');
    expect(enrolled.status).toBe(201);
    expect(enrolled.headers[CORRELATION_HEADER]).toBe('enroll-0001');

    const open = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.a }, 'req-7f3a9c21');
    expect(open.status).toBe(201);
    expect(open.headers[CORRELATION_HEADER]).toBe('req-7f3a9c21');
    const cancel = await post(`/promotions/${open.body.id}/cancel`, 'bob', { reason: 'wrong ref' }, 'cancel-0b1e2d3c');
    expect(cancel.status).toBe(200);
    expect(cancel.headers[CORRELATION_HEADER]).toBe('cancel-0b1e2d3c');

    const rows = (await auditRows()).filter(r => r.promotionId === open.body.id);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map(r => r.correlationId))).toEqual(new Set(['req-7f3a9c21', 'cancel-0b1e2d3c']));

    const told = backend.outbox.notifications.filter(n => n.payload.scope === `ladder:promotion:${open.body.id}:Cancelled`);
    expect(told.map(n => n.payload.metadata)).toEqual([{ correlationId: 'cancel-0b1e2d3c' }]);

    // The platform's audit log line of the cancel (through the plugin's auditor) names it too.
    const auditLines = logs.lines.filter(l => JSON.stringify(l.meta ?? {}).includes('cancel-0b1e2d3c'));
    expect(auditLines.length).toBeGreaterThan(0);
  });

  it('is generated (a UUID) when the caller sends none, and is on the audit rows of that request', async () => {
    const open = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.b });
    expect(open.status).toBe(201);
    const generated = open.headers[CORRELATION_HEADER];
    expect(generated).toMatch(UUID);
    const rows = (await auditRows()).filter(r => r.promotionId === open.body.id);
    expect(rows.map(r => r.correlationId)).toContain(generated);
  });

  it.each([
    ['a header with spaces and quotes', 'id "with" spaces'],
    ['a header too long to be an id', `a${'b'.repeat(200)}`],
    ['a header too short to tell requests apart', 'abc'],
    ['a header with a newline (log injection)', 'good-id-1234\nlevel=error forged'],
  ])('bypass: %s is replaced by a generated id', async (_what, sent) => {
    const res = await request(backend.server)
      .get(`/api/ladder/audit?entityRef=${ENTITY}`)
      .set('Authorization', as('alice'))
      // supertest refuses a raw newline in a header value; what reaches the backend is the rest.
      .set(CORRELATION_HEADER, sent.replace(/\n/g, ' '));
    expect(res.status).toBe(200);
    expect(res.headers[CORRELATION_HEADER]).toMatch(UUID);
  });

  it('bypass: a credential pasted as the correlation id is not echoed, stored, logged or sent', async () => {
    const open = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.a }, PLANTED_TOKEN);
    expect(open.status).toBe(201);
    expect(open.headers[CORRELATION_HEADER]).toMatch(UUID);
    const rows = await auditRows();
    expect(JSON.stringify(rows)).not.toContain(PLANTED_TOKEN);
    expect(JSON.stringify(backend.outbox.notifications)).not.toContain(PLANTED_TOKEN);
    expect(logs.strings().join('\n')).not.toContain(PLANTED_TOKEN);
  });

  it('is on error answers too: a refused body and a refused request echo it', async () => {
    const bad = await post('/promotions', 'alice', { entityRef: ENTITY, toRung: 'nowhere', ref: repo.commits.a }, 'bad-input-0001');
    expect(bad.status).toBe(400);
    expect(bad.headers[CORRELATION_HEADER]).toBe('bad-input-0001');
    const notJson = await request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', as('alice'))
      .set('Content-Type', 'application/json')
      .set(CORRELATION_HEADER, 'not-json-0001')
      .send('{"entityRef":');
    expect(notJson.status).toBe(400);
    expect(notJson.headers[CORRELATION_HEADER]).toBe('not-json-0001');
  });
});
