/*
 * The authorization matrix: every route × {no credentials, an allow-listed service, a service
 * not on the allow-list, a user under a DENY policy, a user whose policy allows reads only, the
 * owner who requested promotion `id`}. "open" means the caller gets past authentication and
 * authorization (any answer but 401/403/404: 200, 201, 400, 409 are the route's own business);
 * 401, 403 and 404 must come exactly where designed. Entity routes answer a caller who may not
 * read the entity with the same 404 as a missing entity, so "denied" is 404 there.
 */
import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createAppRepository, startLadderBackend } from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const ENTITY = 'component:default/orders-api';
type Expect = 401 | 403 | 404 | 'open';
type Principal = 'none' | 'service' | 'unlisted' | 'denied' | 'reader' | 'requester';

interface Route {
  method: 'get' | 'post';
  path: (id: string) => string;
  body?: object;
  /** What each principal gets; the requester is alice (team-orders, the owner), who requested promotion `id`. */
  expect: Record<Principal, Expect>;
}

/** The allow-listed service may read everything, record evidence and re-check. */
const servicePrincipals = [
  { subject: 'external:test-service', routes: ['read', 'evidence.create', 'promotions.recheck'] },
];

const global: Record<Principal, Expect> = {
  none: 401, service: 'open', unlisted: 403, denied: 403, reader: 'open', requester: 'open',
};
const read: Record<Principal, Expect> = { ...global, denied: 404 };
const serviceWrite: Record<Principal, Expect> = { ...read, reader: 403 };
const peopleOnly: Record<Principal, Expect> = { ...serviceWrite, service: 403 };

const routes: Route[] = [
  { method: 'get', path: () => '/ladders', expect: global },
  { method: 'get', path: () => '/entities/component/default/orders-api', expect: read },
  { method: 'get', path: () => '/overview', expect: global },
  { method: 'get', path: () => `/promotions?entityRef=${ENTITY}`, expect: read },
  { method: 'get', path: id => `/promotions/${id}`, expect: read },
  { method: 'get', path: () => `/evidence?entityRef=${ENTITY}`, expect: read },
  { method: 'get', path: () => `/plan?entityRef=${ENTITY}&target=dev&ref=abc1234`, expect: read },
  { method: 'get', path: () => `/audit?entityRef=${ENTITY}`, expect: read },
  { method: 'get', path: () => `/insights?entityRef=${ENTITY}`, expect: read },
  { method: 'get', path: () => '/insights?owner=team-orders', expect: global },
  { method: 'get', path: id => `/promotions/${id}/changes`, expect: read },
  { method: 'get', path: () => `/changes?entityRef=${ENTITY}&from=local&to=dev`, expect: read },
  // Allow-listed services (CI with an externalAccess token) may record evidence and re-check.
  {
    method: 'post',
    path: () => '/evidence',
    body: { entityRef: ENTITY, rung: 'local', ref: 'abc1234', kind: 'build-output', summary: 'ok', content: 'ok' },
    expect: serviceWrite,
  },
  { method: 'post', path: id => `/promotions/${id}/recheck`, body: {}, expect: serviceWrite },
  // Enrolments are made by owners (the scaffolder on behalf of whoever ran the template); the
  // owner is answered 409 here: the entity is enrolled already.
  { method: 'post', path: () => '/enrollments', body: { entityRef: ENTITY, ref: 'abc1234' }, expect: peopleOnly },
  // Requests and cancels are made by people.
  { method: 'post', path: () => '/promotions', body: { entityRef: ENTITY, toRung: 'mirrored', ref: 'abc1234' }, expect: peopleOnly },
  { method: 'post', path: id => `/promotions/${id}/cancel`, body: {}, expect: peopleOnly },
  // Approvals come from people other than the requester (four eyes).
  {
    method: 'post',
    path: id => `/promotions/${id}/approvals`,
    body: { decision: 'approve' },
    expect: { ...peopleOnly, requester: 403 },
  },
  {
    method: 'post',
    path: id => `/promotions/${id}/approvals`,
    body: { decision: 'reject', comment: 'no' },
    expect: { ...peopleOnly, requester: 403 },
  },
];

/** A pause in force, made by an operator before the cells run. */
let pauseId = '';
/** A bad mark of another commit, made by an operator before the cells run. */
let badMarkId = '';
const SHA = '0123456789abcdef0123456789abcdef01234567';
routes.push(
  // Stop the line: people only; a ladder or rung pause is a basic permission (403 when denied),
  // an entity pause needs the entity to be readable first (404 when not).
  {
    method: 'post',
    path: () => '/pauses',
    body: { scope: 'rung', ladderId: 'khal', rungId: 'prod', reason: 'matrix' },
    expect: { ...peopleOnly, denied: 403 },
  },
  {
    method: 'post',
    path: () => '/pauses',
    body: { scope: 'entity', entityRef: ENTITY, reason: 'matrix' },
    expect: peopleOnly,
  },
  { method: 'post', path: () => `/pauses/${pauseId || ':pause'}/resume`, body: {}, expect: { ...peopleOnly, denied: 403 } },
  { method: 'get', path: () => '/pauses?ladderId=khal', expect: global },
  // Marking a commit bad: people who may approve a rung of the ladder; alice, the owner, may not.
  {
    method: 'post',
    path: () => '/bad-commits',
    body: { entityRef: ENTITY, sha: SHA, reason: 'matrix' },
    expect: { ...peopleOnly, requester: 403 },
  },
  { method: 'get', path: () => `/bad-commits?entityRef=${ENTITY}`, expect: read },
  // Taking a mark back: the same people as marking; a reader of the entity under DENY sees a 404.
  {
    method: 'post',
    path: () => `/bad-commits/${badMarkId || ':mark'}/unmark`,
    body: { reason: 'matrix' },
    expect: { ...peopleOnly, requester: 403 },
  },
  // Break glass: operators only (alice, the owner, is not one); the review by people other than
  // the breaker (nothing was broken here, so the owner gets the route's own 409).
  {
    method: 'post',
    path: id => `/promotions/${id}/break-glass`,
    body: { reason: 'the matrix needs a reason that is long enough' },
    expect: { ...peopleOnly, requester: 403 },
  },
  { method: 'post', path: id => `/promotions/${id}/break-glass/review`, body: {}, expect: peopleOnly },
  // The replay check names every entity: operators only, so none of these callers (an operator
  // gets it in responsesMatchSpec), whatever the policy says.
  {
    method: 'get',
    path: () => '/admin/replay',
    expect: { none: 401, service: 403, unlisted: 403, denied: 403, reader: 403, requester: 403 },
  },
);

const header: Record<Principal, string> = {
  none: mockCredentials.none.header(),
  service: mockCredentials.service.header(),
  unlisted: mockCredentials.service.header({ onBehalfOf: mockCredentials.service('plugin:scaffolder'), targetPluginId: 'ladder' }),
  denied: mockCredentials.user.header('user:default/alice'),
  reader: mockCredentials.user.header('user:default/bob'),
  requester: mockCredentials.user.header('user:default/alice'),
};

describe('authorization matrix', () => {
  const repo = createAppRepository();
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let allow: Awaited<ReturnType<typeof startLadderBackend>>;
  let deny: Awaited<ReturnType<typeof startLadderBackend>>;
  let readOnly: Awaited<ReturnType<typeof startLadderBackend>>;
  let promotionId: string;

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    const configOverrides = { servicePrincipals };
    allow = await startLadderBackend({ repoDir: repo.dir, knex, configOverrides });
    // The same database under a DENY policy: the promotion exists, the caller may not touch it.
    deny = await startLadderBackend({ repoDir: repo.dir, knex, deny: true, configOverrides });
    // ...and under a policy that allows reading only.
    readOnly = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      configOverrides,
      policy: name =>
        name.endsWith('.read') ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    });
    const enrolled = await request(allow.server)
      .post('/api/ladder/enrollments')
      .set('Authorization', header.requester)
      .send({ entityRef: ENTITY, ref: repo.commits.a });
    if (enrolled.status !== 201) throw new Error(`enrolment failed: ${enrolled.status}`);
    const created = await request(allow.server)
      .post('/api/ladder/promotions')
      .set('Authorization', header.requester)
      .send({ entityRef: ENTITY, toRung: 'hml', ref: repo.commits.a, reason: 'matrix' });
    if (created.status !== 201) throw new Error(`promotion request failed: ${created.status}`);
    promotionId = created.body.id;
    const paused = await request(allow.server)
      .post('/api/ladder/pauses')
      .set('Authorization', mockCredentials.user.header('user:default/olga'))
      .send({ scope: 'ladder', ladderId: 'khal', reason: 'matrix' });
    if (paused.status !== 201) throw new Error(`pause failed: ${paused.status}`);
    pauseId = paused.body.id;
    const marked = await request(allow.server)
      .post('/api/ladder/bad-commits')
      .set('Authorization', mockCredentials.user.header('user:default/olga'))
      .send({ entityRef: ENTITY, sha: 'f'.repeat(40), reason: 'matrix' });
    if (marked.status !== 201) throw new Error(`marking bad failed: ${marked.status}`);
    badMarkId = marked.body.id;
  });
  afterAll(async () => {
    await Promise.all([allow?.stop(), deny?.stop(), readOnly?.stop()]);
  });

  const cells = routes.flatMap(route =>
    (Object.keys(route.expect) as Principal[]).map(principal => ({
      principal,
      route,
      name: `${route.method.toUpperCase()} ${route.path(':id')}${route.body && 'decision' in route.body ? ` (${(route.body as any).decision})` : ''}${route.body && 'scope' in route.body ? ` (${(route.body as any).scope})` : ''}`,
      expected: route.expect[principal],
    })),
  );

  it.each(cells)('$name as $principal → $expected', async ({ principal, route, expected }) => {
    const server = { denied: deny, reader: readOnly }[principal as string]?.server ?? allow.server;
    const req = request(server)[route.method](`/api/ladder${route.path(promotionId)}`).set('Authorization', header[principal]);
    const res = await (route.body ? req.send(route.body) : req);
    expect(res.status).toBeLessThan(500);
    const got = res.status === 401 || res.status === 403 || res.status === 404 ? res.status : 'open';
    expect(got).toBe(expected);
    // A refusal always says why.
    expect(got === 'open' || typeof res.body?.error?.message === 'string').toBe(true);
  });
});
