import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Evidence } from '@khal/plugin-ladder-common';
import { createAppRepository, ladderConfig, startLadderBackend } from '../../__testUtils__/ladderFixture';
import { reportsSuccess } from '../evidenceGate';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

/** The fixture ladder with HML (no proof checks) marked proofOptional or not. */
function laddersWith(proofOptional: boolean) {
  return ladderConfig.ladders.map(l => ({
    ...l,
    rungs: l.rungs.map(r => (r.id === 'hml' ? { ...r, proofOptional } : r)),
  }));
}

/**
 * Walks commit a up to HML through the API: local (build output), dev (settings, a clean
 * dry-run of the plan, a successful deploy), HML (approved by sam, claimed and deployed by alice).
 */
async function walkToHml(backend: Awaited<ReturnType<typeof startLadderBackend>>, a: string) {
  const post = (path: string, body: object, who = 'alice') =>
    request(backend.server).post(`/api/ladder${path}`).set('Authorization', as(who)).send(body);
  const evidence = (rung: string, kind: string, data?: object) =>
    post('/evidence', { entityRef: ENTITY, rung, ref: a, kind, summary: `${kind} ok`, content: kind, ...(data ? { data } : {}) });
  const expectOk = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`setup failed: ${what}`);
  };
  expectOk((await post('/enrollments', { entityRef: ENTITY, ref: a })).status === 201, 'enrollment');
  await evidence('local', 'build-output');
  await evidence('dev', 'env-contract', { supplied: ['DATABASE_URL'] });
  const plan = await request(backend.server)
    .get(`/api/ladder/plan?entityRef=${ENTITY}&target=dev&ref=${a}`)
    .set('Authorization', as('alice'));
  await evidence('dev', 'dry-run', { exitCode: 0, target: 'dev', planDigest: plan.body.planDigest });
  await evidence('dev', 'deploy-output', { exitCode: 0 });
  const dev = await post('/promotions', { entityRef: ENTITY, toRung: 'dev', ref: a });
  expectOk(dev.body.phase === 'Promoted', `dev is ${dev.body.phase}`);
  const hml = await post('/promotions', { entityRef: ENTITY, toRung: 'hml', ref: a });
  const approved = await post(`/promotions/${hml.body.id}/approvals`, { decision: 'approve' }, 'sam');
  expectOk(approved.body.phase === 'Approved', `hml is ${approved.body.phase}`);
  // An approval rung moves only when a deploy claims the promotion and reports it succeeded.
  const claimed = await post(`/promotions/${hml.body.id}/claim`, { toRung: 'hml', sha: a });
  expectOk(claimed.body.phase === 'Deploying', `hml claim: ${claimed.status} ${JSON.stringify(claimed.body)}`);
  const deployed = await post(`/promotions/${hml.body.id}/deploy-result`, { exitCode: 0, summary: 'deployed' });
  expectOk(deployed.body.phase === 'Promoted', `hml is ${deployed.body.phase} after its deploy`);
}

const previousRungProven = (promotion: any) => promotion.gates.find((g: any) => g.gateId === 'previous-rung-proven');

describe('bypass: unverified is not proven', () => {
  const repo = createAppRepository();
  const { a } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir, configOverrides: { ladders: laddersWith(false) } });
    await walkToHml(backend, a);
  });
  afterAll(() => backend.stop());

  it('bypass: a rung without proof checks shows its placement as proven', async () => {
    const view = await request(backend.server)
      .get('/api/ladder/entities/component/default/orders-api')
      .set('Authorization', as('alice'));
    const hml = view.body.rungs.find((r: any) => r.rung.id === 'hml');
    expect(hml).toMatchObject({ status: 'unverified', placement: { ref: a } });
    expect(view.body.rungs.find((r: any) => r.rung.id === 'dev').status).toBe('proven');
    const overview = await request(backend.server).get('/api/ladder/overview').set('Authorization', as('alice'));
    const cells = overview.body.items.find((i: any) => i.entityRef === ENTITY).cells;
    expect(cells.hml.status).toBe('unverified');
  });

  it('bypass: previous-rung-proven accepts an unverified rung below', async () => {
    const created = await request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', as('olga'))
      .send({ entityRef: ENTITY, toRung: 'prod', ref: a, reason: 'go live' });
    expect(created.status).toBe(201);
    expect(previousRungProven(created.body)).toMatchObject({
      status: 'failed',
      summary: `${a} is on Customer HML but unverified there: that rung has no proof checks`,
      howToFix: expect.stringContaining('or mark it proofOptional: true'),
    });
  });
});

describe('a rung marked proofOptional', () => {
  const repo = createAppRepository();
  const { a } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir, configOverrides: { ladders: laddersWith(true) } });
    await walkToHml(backend, a);
  });
  afterAll(() => backend.stop());

  it('is still shown unverified, and the rung above accepts it', async () => {
    const view = await request(backend.server)
      .get('/api/ladder/entities/component/default/orders-api')
      .set('Authorization', as('alice'));
    expect(view.body.rungs.find((r: any) => r.rung.id === 'hml').status).toBe('unverified');
    const created = await request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', as('olga'))
      .send({ entityRef: ENTITY, toRung: 'prod', ref: a, reason: 'go live' });
    expect(previousRungProven(created.body)).toMatchObject({
      status: 'passed',
      summary: `${a} is on Customer HML, which has no proof checks and is marked proofOptional`,
    });
  });
});

describe('self-reported evidence as proof', () => {
  const item = (kind: string, data?: Record<string, unknown>): Evidence => ({
    id: 'ev-1',
    entityRef: ENTITY,
    rungId: 'local',
    ref: 'a'.repeat(40),
    kind,
    summary: kind,
    ...(data ? { data } : {}),
    digest: 'x',
    sizeBytes: 1,
    redactions: 0,
    createdBy: 'user:default/alice',
    createdAt: '2026-12-03T08:00:00Z',
  });

  it("bypass: a failed deploy's output proves the rung", () => {
    expect(reportsSuccess(item('deploy-output', { exitCode: 1 }))).toBe(false);
    expect(reportsSuccess(item('deploy-output', { exitCode: 137 }))).toBe(false);
  });

  it('bypass: a deploy output that records no exit code proves the rung', () => {
    expect(reportsSuccess(item('deploy-output'))).toBe(false);
    expect(reportsSuccess(item('deploy-output', { exitCode: '0' }))).toBe(false);
  });

  it('a successful deploy output, or evidence that reports no failure, counts', () => {
    expect(reportsSuccess(item('deploy-output', { exitCode: 0 }))).toBe(true);
    expect(reportsSuccess(item('build-output'))).toBe(true);
    expect(reportsSuccess(item('build-output', { exitCode: 2 }))).toBe(false);
  });
});
