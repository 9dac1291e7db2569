import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { promotionSchema } from '@khal/plugin-ladder-common';
import {
  createAppRepository,
  ladderConfig,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

/** The fixture ladder with a customer HML rung that needs an explanation. */
const ladders = ladderConfig.ladders.map(l => ({
  ...l,
  rungs: l.rungs.map(r =>
    r.id === 'hml'
      ? {
          ...r,
          metadata: {
            customer: 'Acme Bank',
            contacts: ['ops@acme.test'],
            requiresExplanation: true,
          },
        }
      : r,
  ),
}));

describe('customer-rung explanation', () => {
  const repo = createAppRepository();
  const { a } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({
      repoDir: repo.dir,
      configOverrides: { ladders },
    });
    const post = (path: string, body: object) =>
      request(backend.server)
        .post(`/api/ladder${path}`)
        .set('Authorization', as('alice'))
        .send(body);
    const evidence = (rung: string, kind: string, extra: object = {}) =>
      post('/evidence', {
        entityRef: ENTITY,
        rung,
        ref: a,
        kind,
        summary: `${kind} ok`,
        content: `${kind} output`,
        ...extra,
      });
    const expectSetup = (ok: boolean, what: string) => {
      if (!ok) throw new Error(`setup failed: ${what}`);
    };
    expectSetup(
      (await post('/enrollments', { entityRef: ENTITY, ref: a })).status ===
        201,
      'enrollment',
    );
    await evidence('local', 'build-output');
    await evidence('dev', 'env-contract', {
      data: { supplied: ['DATABASE_URL'] },
    });
    // A dry-run as the CLI records it: the rung's dry-run command exited 0 for this plan.
    const plan = await request(backend.server)
      .get(`/api/ladder/plan?entityRef=${ENTITY}&target=dev&ref=${a}`)
      .set('Authorization', as('alice'));
    await evidence('dev', 'dry-run', {
      data: { exitCode: 0, target: 'dev', planDigest: plan.body.planDigest },
    });
    await evidence('dev', 'deploy-output', { data: { exitCode: 0 } });
    const toDev = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: a,
    });
    expectSetup(
      toDev.body.phase === 'Promoted',
      `promotion to dev is ${toDev.body.phase}`,
    );
    // What is supplied on HML: DATABASE_URL is not.
    await evidence('hml', 'env-contract', {
      data: { supplied: ['LOG_LEVEL'] },
    });
  });
  afterAll(() => backend.stop());

  const request_ = (body: object) =>
    request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', as('alice'))
      .send({ entityRef: ENTITY, toRung: 'hml', ref: a, ...body });

  it('cannot be requested without an explanation, and says what is missing', async () => {
    const res = await request_({ reason: 'demo' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /^Customer HML needs a complete explanation for Acme Bank before a promotion can be requested; missing: "explanation"/,
    );
  });

  it('stores a structured explanation and shows it to approvers first', async () => {
    const res = await request_({
      explanation: 'Adds the new invoice export Acme asked for',
    });
    expect(res.status).toBe(201);
    const promotion = promotionSchema.parse(res.body);
    expect(promotion.phase).toBe('AwaitingApproval');
    expect(promotion.explanationDetail).toEqual({
      text: 'Adds the new invoice export Acme asked for',
      customer: 'Acme Bank',
      contacts: ['ops@acme.test'],
      settingsSupplied: ['LOG_LEVEL'],
      settingsMissing: ['DATABASE_URL'],
      changes: {
        from: { rung: 'dev', ref: a },
        to: a,
        commits: 0,
        settingsAdded: [],
        settingsRemoved: [],
        newlyRequired: [],
      },
      approvers: ['user:default/sam', 'user:default/sue'],
    });
    const again = await request(backend.server)
      .get(`/api/ladder/promotions/${promotion.id}`)
      .set('Authorization', as('sam'));
    expect(again.body.explanationDetail).toEqual(promotion.explanationDetail);

    const asked = backend.outbox.notifications.find(
      n => n.payload.topic === 'ladder.approval',
    );
    expect(asked?.payload.description).toMatch(
      /^For Acme Bank: Adds the new invoice export Acme asked for — requested by user:default\/alice; settings supplied: LOG_LEVEL; missing: DATABASE_URL/,
    );
  });
});
