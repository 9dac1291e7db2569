import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  createAppRepository,
  manifestText,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';
import {
  checkedOperations,
  expectMatchesSpec,
  specOperations,
  specProblems,
} from '../__testUtils__/specResponses';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const ENTITY = 'component:default/orders-api';
const alice = mockCredentials.user.header('user:default/alice');

/** The fixture repository plus a commit that sets fields the first manifest left unset. */
function repositoryWithNewFields() {
  const repo = createAppRepository();
  const manifest = JSON.parse(manifestText());
  manifest.description = 'Takes orders';
  manifest.runtime.health = '/healthz';
  fs.writeFileSync(
    path.join(repo.dir, 'khal-app.json'),
    JSON.stringify(manifest, null, 2),
  );
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args],
      {
        cwd: repo.dir,
        encoding: 'utf8',
      },
    ).trim();
  git('commit', '-q', '-am', 'describe the service, add a health path');
  return { ...repo, withNewFields: git('rev-parse', 'HEAD') };
}

describe('every route answers what the OpenAPI spec says', () => {
  const repo = repositoryWithNewFields();
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
  });
  afterAll(async () => {
    await backend.stop();
    fs.rmSync(repo.dir, { recursive: true, force: true });
  });

  const get = async (p: string) =>
    expectMatchesSpec(
      await request(backend.server)
        .get(`/api/ladder${p}`)
        .set('Authorization', alice),
    );
  const post = async (p: string, body: object) =>
    expectMatchesSpec(
      await request(backend.server)
        .post(`/api/ladder${p}`)
        .set('Authorization', alice)
        .send(body),
    );
  const evidence = (rung: string, ref: string) =>
    post('/evidence', {
      entityRef: ENTITY,
      rung,
      ref,
      kind: 'build-output',
      summary: 'built',
      content: 'ok',
    });

  it('the checker itself names a missing field, an undocumented status and an unknown route', () => {
    expect(
      specProblems('GET', '/api/ladder/ladders', 200, {
        items: [{ id: 'khal' }],
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/items\/0 must have required property 'title'/),
      ]),
    );
    expect(specProblems('GET', '/api/ladder/ladders', 418, {})).toEqual([
      expect.stringMatching(/answered 418, which the spec does not list/),
    ]);
    expect(specProblems('GET', '/api/ladder/nowhere', 200, {})).toEqual([
      expect.stringMatching(/not in the spec/),
    ]);
    expect(
      specProblems('GET', '/api/ladder/ladders', 200, { items: [] }),
    ).toEqual([]);
  });

  it('ladders, enrollment, the entity view and the overview', async () => {
    expect((await get('/ladders')).status).toBe(200);
    expect(
      (await post('/enrollments', { entityRef: ENTITY, ref: repo.commits.a }))
        .status,
    ).toBe(201);
    expect((await get('/entities/component/default/orders-api')).status).toBe(
      200,
    );
    expect((await get('/overview')).status).toBe(200);
  });

  it('a promotion and its changes, where a field goes from unset to set (the HML Changes bug)', async () => {
    expect((await evidence('local', repo.commits.a)).status).toBe(201);
    expect(
      (
        await post('/promotions', {
          entityRef: ENTITY,
          toRung: 'mirrored',
          ref: repo.commits.a,
        })
      ).body.phase,
    ).toBe('Promoted');
    const created = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'local',
      ref: repo.withNewFields,
    });
    expect(created.status).toBe(201);
    expect((await get(`/promotions/${created.body.id}`)).status).toBe(200);

    const changes = await get(`/promotions/${created.body.id}/changes`);
    expect(changes.body.manifestDiff.identityChanges).toEqual([
      { field: 'description', from: null, to: 'Takes orders' },
    ]);
    expect(changes.body.manifestDiff.runtimeChanges).toEqual([
      { field: 'health', from: null, to: '/healthz' },
    ]);
    const between = await get(
      `/changes?entityRef=${ENTITY}&fromRef=${repo.commits.a}&toRef=${repo.withNewFields}&target=dev`,
    );
    expect(between.status).toBe(200);
    expect(
      (await get(`/promotions?entityRef=${ENTITY}`)).body.items.length,
    ).toBeGreaterThan(0);
  });

  it('recheck, cancel and a refused approval of an open promotion', async () => {
    const open = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.commits.a,
    });
    expect(open.status).toBe(201);
    expect(
      (await get('/entities/component/default/orders-api')).body.openPromotions
        .length,
    ).toBeGreaterThan(0);
    expect((await post(`/promotions/${open.body.id}/recheck`, {})).status).toBe(
      200,
    );
    expect(
      (await post(`/promotions/${open.body.id}/cancel`, { reason: 'not now' }))
        .status,
    ).toBe(200);
    // Alice requested it: four eyes, or not waiting for approval; either way a documented error body.
    expect([403, 409]).toContain(
      (
        await post(`/promotions/${open.body.id}/approvals`, {
          decision: 'approve',
        })
      ).status,
    );
  });

  it('evidence, plan, audit, and error bodies', async () => {
    expect((await get(`/evidence?entityRef=${ENTITY}`)).status).toBe(200);
    expect([200, 422]).toContain(
      (await get(`/plan?entityRef=${ENTITY}&target=dev&ref=${repo.commits.a}`))
        .status,
    );
    expect((await get(`/audit?entityRef=${ENTITY}`)).status).toBe(200);
    expect(
      (await get('/entities/component/default/not-on-ladder')).status,
    ).toBe(404);
    expect((await get('/overview?limit=0')).status).toBe(400);
  });

  it('checked every operation of the spec', () => {
    expect(specOperations().filter(op => !checkedOperations.has(op))).toEqual(
      [],
    );
  });
});
