import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Evidence } from '@khal/plugin-ladder-common';
import { createAppRepository, startLadderBackend } from '../../__testUtils__/ladderFixture';
import { DryRunFacts, judgeDryRuns } from '../dryRunAcceptance';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

/**
 * Ways to get past the `after-dry-run` policy and the `dry-run-clean` gate with a dry-run that
 * does not vouch for what would be deployed. Each goes through the API, as the CLI would.
 */
describe('bypass: dry-run evidence', () => {
  const repo = createAppRepository();
  const { a, b } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
    const setup = async (res: Promise<request.Response>, what: string) => {
      const r = await res;
      if (r.status >= 300) throw new Error(`setup failed: ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await setup(post('/enrollments', { entityRef: ENTITY, ref: a }), 'enrollment');
    await setup(evidence('local', a, 'build-output'), 'build output');
  });
  afterAll(() => backend.stop());

  const post = (path: string, body: object) =>
    request(backend.server).post(`/api/ladder${path}`).set('Authorization', as('alice')).send(body);
  const get = (path: string) => request(backend.server).get(`/api/ladder${path}`).set('Authorization', as('alice'));
  const evidence = (rung: string, ref: string, kind: string, extra: object = {}) =>
    post('/evidence', { entityRef: ENTITY, rung, ref, kind, summary: `${kind} of ${ref}`, content: `${kind} output`, ...extra });
  const plan = async (target: string, ref: string) => {
    const res = await get(`/plan?entityRef=${ENTITY}&target=${target}&ref=${ref}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Records a dry-run as a (possibly lying) client would. */
  const dryRun = (ref: string, data: Record<string, unknown>) =>
    evidence('dev', ref, 'dry-run', { data: { target: 'dev', commit: ref, ...data } });
  const attestSettings = (ref: string) => evidence('dev', ref, 'env-contract', { data: { supplied: ['DATABASE_URL'] } });

  it('the plan carries its digest, and another rung or commit is another plan', async () => {
    const dev = await plan('dev', a);
    expect(dev.planDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await plan('dev', a)).planDigest).toBe(dev.planDigest);
    expect((await plan('hml', a)).planDigest).not.toBe(dev.planDigest);
    expect((await plan('dev', b)).planDigest).not.toBe(dev.planDigest);
    expect(dev.commands.dryRun).toBe('kubectl -n khal-orders-api apply --dry-run=server -f deploy/');
  });

  it('bypass: a dry-run while a required setting is "supplied: unknown" is not clean', async () => {
    const dev = await plan('dev', a);
    expect(dev.settings).toContainEqual(expect.objectContaining({ name: 'DATABASE_URL', supplied: null }));
    await dryRun(a, { clean: true, exitCode: 0, planDigest: dev.planDigest });
    const after = await plan('dev', a);
    expect(after.mutationPolicy).toMatchObject({ allowedNow: false });
    expect(after.mutationPolicy.reason).toContain('not known to be supplied: DATABASE_URL');
  });

  // The next three use commit b, of which no dry-run was recorded before.
  it('bypass: an old clean dry-run of another plan does not count', async () => {
    await attestSettings(b);
    const hml = await plan('hml', b);
    await dryRun(b, { clean: true, exitCode: 0, planDigest: hml.planDigest });
    const dev = await plan('dev', b);
    expect(dev.mutationPolicy).toMatchObject({ allowedNow: false });
    expect(dev.mutationPolicy.reason).toContain('it is of another plan');
    // The gate of a promotion applies the same rule.
    const created = await post('/promotions', { entityRef: ENTITY, toRung: 'dev', ref: b });
    expect(created.status).toBe(201);
    expect(created.body.gates.find((g: any) => g.gateId === 'dry-run-clean')).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('it is of another plan'),
    });
    expect((await post(`/promotions/${created.body.id}/cancel`, { reason: 'judged the gate only' })).status).toBe(200);
  });

  it('bypass: a client posting clean: true with exit code 1 is not clean', async () => {
    const dev = await plan('dev', b);
    await dryRun(b, { clean: true, exitCode: 1, planDigest: dev.planDigest });
    const after = await plan('dev', b);
    expect(after.mutationPolicy).toMatchObject({ allowedNow: false });
    expect(after.mutationPolicy.reason).toContain('its command exited 1');
  });

  it('bypass: a client posting clean: true without running any command is not clean', async () => {
    const dev = await plan('dev', b);
    await dryRun(b, { clean: true, planDigest: dev.planDigest });
    expect((await plan('dev', b)).mutationPolicy.reason).toContain('records no exit code 0');
  });

  it('a dry-run that exited 0 for this plan with every setting known supplied clears the gate and the policy', async () => {
    await attestSettings(a);
    const dev = await plan('dev', a);
    await dryRun(a, { clean: true, exitCode: 0, planDigest: dev.planDigest });
    expect((await plan('dev', a)).mutationPolicy).toMatchObject({ allowedNow: true });
    const created = await post('/promotions', { entityRef: ENTITY, toRung: 'dev', ref: a });
    expect(created.body.gates.find((g: any) => g.gateId === 'dry-run-clean')).toMatchObject({ status: 'passed' });
    expect(created.body.phase).toBe('Verifying');
    // Deployed: the deploy's output (exit 0) proves the dev rung, and the placement moves.
    await evidence('dev', a, 'deploy-output', { data: { exitCode: 0 } });
    expect((await get(`/promotions/${created.body.id}`)).body.phase).toBe('Promoted');
  });

  it('bypass: a dry-run older than the last placement change does not count', async () => {
    // The dry-run above was recorded before the placement on dev moved to a.
    const dev = await plan('dev', a);
    expect(dev.mutationPolicy).toMatchObject({ allowedNow: false });
    expect(dev.mutationPolicy.reason).toContain('older than the last placement change on dev');
    await dryRun(a, { exitCode: 0, planDigest: dev.planDigest });
    expect((await plan('dev', a)).mutationPolicy).toMatchObject({ allowedNow: true });
  });
});

describe('judgeDryRuns (the one acceptance rule)', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const digest = `sha256:${'1'.repeat(64)}`;
  const run = (createdAt: string, data: Record<string, unknown>): Evidence => ({
    id: `ev-${createdAt}`,
    entityRef: ENTITY,
    rungId: 'dev',
    ref: 'a'.repeat(40),
    kind: 'dry-run',
    summary: 'dry-run',
    data,
    digest: 'x',
    sizeBytes: 1,
    redactions: 0,
    createdBy: 'user:default/alice',
    createdAt,
  });
  const facts = (over: Partial<DryRunFacts>): DryRunFacts => ({
    runs: [],
    rungId: 'dev',
    ref: 'a'.repeat(40),
    planDigest: digest,
    dryRunCommand: 'kubectl apply --dry-run=server -f deploy/',
    maxAgeMs: 24 * 3_600_000,
    now,
    unknownSettings: [],
    missingSettings: [],
    ...over,
  });

  it('bypass: a dry-run older than the max age does not count', () => {
    const old = run('2026-12-02T11:59:00Z', { exitCode: 0, planDigest: digest });
    expect(judgeDryRuns(facts({ runs: [old] }))).toMatchObject({
      accepted: false,
      summary: expect.stringContaining('older than 24 h (ladder.dryRunMaxAgeHours)'),
    });
    expect(judgeDryRuns(facts({ runs: [old], maxAgeMs: 25 * 3_600_000 }))).toMatchObject({ accepted: true });
  });

  it('a failed dry-run never counts, and a clean one of the same plan still does', () => {
    const clean = run('2026-12-03T11:00:00Z', { exitCode: 0, planDigest: digest });
    const failed = run('2026-12-03T11:30:00Z', { exitCode: 1, planDigest: digest, clean: true });
    // The older clean run of the same plan still vouches for it; the failed one never does.
    expect(judgeDryRuns(facts({ runs: [failed, clean] }))).toMatchObject({ accepted: true, evidence: clean });
    expect(judgeDryRuns(facts({ runs: [failed] }))).toMatchObject({ accepted: false });
  });

  it('bypass: missing settings make every dry-run unclean', () => {
    const clean = run('2026-12-03T11:00:00Z', { exitCode: 0, planDigest: digest });
    expect(judgeDryRuns(facts({ runs: [clean], missingSettings: ['DATABASE_URL'] }))).toMatchObject({
      accepted: false,
      summary: expect.stringContaining('missing: DATABASE_URL'),
    });
  });

  it('bypass: no dry-run command configured means no clean dry-run', () => {
    const clean = run('2026-12-03T11:00:00Z', { exitCode: 0, planDigest: digest });
    expect(judgeDryRuns(facts({ runs: [clean], dryRunCommand: null }))).toMatchObject({
      accepted: false,
      howToFix: expect.stringContaining('add commands.dryRun to rung "dev"'),
    });
  });
});
