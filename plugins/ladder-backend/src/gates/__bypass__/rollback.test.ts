import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createAppRepository, startLadderBackend } from '../../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

/** Two rungs guarded by `rollback-plan`; only `stage` configures a rollback command. */
const ladders = [
  {
    id: 'khal',
    title: 'Rollback ladder',
    rungs: [
      {
        id: 'stage',
        title: 'Stage',
        runtime: 'pm2',
        mutationPolicy: 'self',
        host: 'localhost',
        entryGates: ['rollback-plan'],
        proofChecks: [{ id: 'evidence', config: { kinds: ['deploy-output'], rung: 'target' } }],
        commands: { rollback: 'deploy-tool rollback {{entity.name}} --to {{ref}}' },
      },
      {
        id: 'live',
        title: 'Live',
        runtime: 'pm2',
        mutationPolicy: 'self',
        host: 'localhost',
        entryGates: ['rollback-plan'],
        proofChecks: [{ id: 'evidence', config: { kinds: ['deploy-output'], rung: 'target' } }],
      },
    ],
  },
];

/** Ways to pass `rollback-plan` with a way back that has nothing behind it. */
describe('bypass: rollback plan', () => {
  const repo = createAppRepository();
  const { a, b } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir, configOverrides: { ladders } });
  });
  afterAll(() => backend.stop());

  const post = (path: string, body: object) =>
    request(backend.server).post(`/api/ladder${path}`).set('Authorization', as('alice')).send(body);
  const evidence = (rung: string, ref: string, kind: string, extra: object = {}) =>
    post('/evidence', { entityRef: ENTITY, rung, ref, kind, summary: `${kind} of ${ref}`, content: `${kind} output`, ...extra });
  const rollbackGate = (promotion: any) => promotion.gates.find((g: any) => g.gateId === 'rollback-plan');
  const cancel = (id: string) => post(`/promotions/${id}/cancel`, { reason: 'judged the gate only' });

  it('bypass: a previous ref that was never proven is no way back', async () => {
    expect((await post('/enrollments', { entityRef: ENTITY, ref: a })).status).toBe(201);
    const created = await post('/promotions', { entityRef: ENTITY, toRung: 'stage', ref: b });
    expect(created.status).toBe(201);
    expect(rollbackGate(created.body)).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining(`the previous ref on Stage, ${a}, is not proven`),
      howToFix: expect.stringContaining(`prove ${a} on Stage first`),
    });
    expect(created.body.phase).toBe('Blocked');
    await cancel(created.body.id);
  });

  it('bypass: a failed deploy of the previous ref does not prove it', async () => {
    await evidence('stage', a, 'deploy-output', { data: { exitCode: 1 } });
    const created = await post('/promotions', { entityRef: ENTITY, toRung: 'stage', ref: b });
    expect(rollbackGate(created.body)).toMatchObject({ status: 'failed' });
    await cancel(created.body.id);
  });

  it('names the previous proven ref and the exact rollback command rendered for it', async () => {
    await evidence('stage', a, 'deploy-output', { data: { exitCode: 0 } });
    const created = await post('/promotions', { entityRef: ENTITY, toRung: 'stage', ref: b });
    expect(rollbackGate(created.body)).toMatchObject({
      status: 'passed',
      summary: `back to ${a} (proven on Stage): deploy-tool rollback orders-api --to ${a}`,
    });
    await cancel(created.body.id);
  });

  it('bypass: a first placement has nothing to roll back to unless a rollback plan is recorded', async () => {
    const created = await post('/promotions', { entityRef: ENTITY, toRung: 'live', ref: a });
    expect(rollbackGate(created.body)).toMatchObject({
      status: 'failed',
      summary: `nothing was placed on Live before ${a}: there is no proven ref to roll back to`,
    });
    await evidence('live', a, 'rollback-plan', { summary: 'first placement: uninstall orders-api' });
    const rechecked = await post(`/promotions/${created.body.id}/recheck`, {});
    expect(rollbackGate(rechecked.body)).toMatchObject({
      status: 'passed',
      summary: 'first placement on Live; rollback plan recorded: first placement: uninstall orders-api',
    });
    expect(rechecked.body.phase).toBe('Verifying');
    await evidence('live', a, 'deploy-output', { data: { exitCode: 0 } });
    const done = await request(backend.server)
      .get(`/api/ladder/promotions/${created.body.id}`)
      .set('Authorization', as('alice'));
    expect(done.body.phase).toBe('Promoted');
  });

  it('bypass: a proven previous ref without a rollback command has no way back', async () => {
    const created = await post('/promotions', { entityRef: ENTITY, toRung: 'live', ref: b });
    expect(rollbackGate(created.body)).toMatchObject({
      status: 'failed',
      summary: `${a} is proven on Live, but the rung configures no rollback command to return to it`,
      howToFix: 'configure commands.rollback for rung "live" (placeholders: {{ref}} is the ref to return to)',
    });
    await cancel(created.body.id);
  });
});
