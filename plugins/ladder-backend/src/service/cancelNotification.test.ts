import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const ENTITY = 'component:default/orders-api';
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

describe('the notification of a cancelled promotion', () => {
  const repo = createAppRepository();
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
  });
  afterAll(() => backend.stop());

  it('names the rung by its title, as every other promotion notification does, not by its id', async () => {
    const post = (path: string, who: string, body: object) =>
      request(backend.server)
        .post(`/api/ladder${path}`)
        .set('Authorization', as(who))
        .send(body);
    expect(
      (
        await post('/enrollments', 'alice', {
          entityRef: ENTITY,
          ref: repo.commits.a,
        })
      ).status,
    ).toBe(201);
    const open = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.commits.a,
    });
    expect(open.status).toBe(201);
    expect(
      (
        await post(`/promotions/${open.body.id}/cancel`, 'bob', {
          reason: 'wrong ref',
        })
      ).status,
    ).toBe(200);

    const told = backend.outbox.notifications.filter(
      n => n.payload.scope === `ladder:promotion:${open.body.id}:Cancelled`,
    );
    expect(told.map(n => n.payload.title)).toEqual([
      `Promotion of ${ENTITY} ${repo.commits.a} to Shared dev: Cancelled`,
    ]);
  });
});
