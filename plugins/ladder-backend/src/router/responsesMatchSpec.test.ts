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
  const evidence = (
    rung: string,
    ref: string,
    kind = 'build-output',
    data?: object,
  ) =>
    post('/evidence', {
      entityRef: ENTITY,
      rung,
      ref,
      kind,
      summary: `${kind} ok`,
      content: 'ok',
      ...(data ? { data } : {}),
    });

  it('the checker itself names a missing field, an undocumented status and an unknown route', () => {
    expect(
      specProblems('GET', '/api/ladder/ladders', 200, {
        items: [{ id: 'khal' }],
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/items\.0 must have required property 'title'/),
      ]),
    );
    // A field the spec does not declare is a drift too: the spec must name all the backend sends.
    expect(
      specProblems('GET', '/api/ladder/ladders', 200, {
        items: [],
        nextCursor: 'c1',
      }),
    ).toEqual([
      expect.stringMatching(
        /\(body\) has "nextCursor", which the spec does not declare/,
      ),
    ]);
    expect(
      specProblems('GET', '/api/ladder/plan', 422, {
        error: { name: 'InputError', message: 'm', unresolved: [] },
        response: { statusCode: 422 },
        secret: 'x',
      }),
    ).toEqual([
      expect.stringMatching(/has "secret", which the spec does not declare/),
    ]);
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

  it('a repository URL and a ref resolved to the entity and the commit', async () => {
    const resolved = await get(
      `/sources?repoUrl=${encodeURIComponent(repo.dir)}&ref=main`,
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body.commit).toBe(repo.withNewFields);
    expect(
      (await get(`/sources?repoUrl=${encodeURIComponent(repo.dir)}&ref=nope`))
        .status,
    ).toBe(422);
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
    const mirrored = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'mirrored',
      ref: repo.commits.a,
    });
    // The mirror has no proof checks: it waits for its deploy's successful output.
    expect(mirrored.body.phase).toBe('Approved');
    expect(
      (
        await evidence('mirrored', repo.commits.a, 'deploy-output', {
          exitCode: 0,
        })
      ).status,
    ).toBe(201);
    expect((await get(`/promotions/${mirrored.body.id}`)).body.phase).toBe(
      'Promoted',
    );
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

  it('a deploy claims an approved promotion and reports how it ended', async () => {
    // Its own entity history: Shared dev must take the commit from Local, not from the
    // (unverified) mirror the test above placed it on.
    const own = createAppRepository();
    const fresh = await startLadderBackend({ repoDir: own.dir });
    const { a, b } = own.commits;
    const call = async (
      method: 'get' | 'post',
      p: string,
      body?: object,
      who = 'alice',
    ) =>
      expectMatchesSpec(
        await request(fresh.server)
          [method](`/api/ladder${p}`)
          .set(
            'Authorization',
            mockCredentials.user.header(`user:default/${who}`),
          )
          .send(body),
      );
    const record = (rung: string, kind: string, data?: object) =>
      call('post', '/evidence', {
        entityRef: ENTITY,
        rung,
        ref: a,
        kind,
        summary: `${kind} ok`,
        content: 'ok',
        ...(data ? { data } : {}),
      });
    try {
      expect(
        (await call('post', '/enrollments', { entityRef: ENTITY, ref: a }))
          .status,
      ).toBe(201);
      await record('local', 'build-output');
      // Shared dev: its settings, a clean dry-run of the plan computed now, its deploy.
      await record('dev', 'env-contract', { supplied: ['DATABASE_URL'] });
      const plan = await call(
        'get',
        `/plan?entityRef=${ENTITY}&target=dev&ref=${a}`,
      );
      expect(plan.status).toBe(200);
      await record('dev', 'dry-run', {
        exitCode: 0,
        target: 'dev',
        planDigest: plan.body.planDigest,
      });
      const toDev = await call('post', '/promotions', {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: a,
      });
      expect(toDev.status).toBe(201);
      await record('dev', 'deploy-output', { exitCode: 0 });
      expect(
        (await call('get', `/promotions/${toDev.body.id}`)).body.phase,
      ).toBe('Promoted');

      const toHml = await call('post', '/promotions', {
        entityRef: ENTITY,
        toRung: 'hml',
        ref: a,
      });
      expect(toHml.body.phase).toBe('AwaitingApproval');
      const id = toHml.body.id;
      const approved = await call(
        'post',
        `/promotions/${id}/approvals`,
        { decision: 'approve' },
        'sam',
      );
      expect(approved.body.phase).toBe('Approved');

      // Another commit than the approved one is refused, with a documented error body.
      expect(
        (
          await call('post', `/promotions/${id}/claim`, {
            toRung: 'hml',
            sha: b,
          })
        ).status,
      ).toBe(409);
      const claimed = await call('post', `/promotions/${id}/claim`, {
        toRung: 'hml',
        sha: a,
      });
      expect(claimed.status).toBe(201);
      expect(claimed.body.phase).toBe('Deploying');
      // Only the claimant reports.
      expect(
        (
          await call(
            'post',
            `/promotions/${id}/deploy-result`,
            { exitCode: 0, summary: 'deployed' },
            'bob',
          )
        ).status,
      ).toBe(403);
      const reported = await call('post', `/promotions/${id}/deploy-result`, {
        exitCode: 0,
        summary: 'deployed',
        output: 'rolled out FAKE',
      });
      expect(reported.status).toBe(200);
      expect(reported.body.phase).toBe('Promoted');
      // Reported again: it is no longer Deploying.
      expect(
        (
          await call('post', `/promotions/${id}/deploy-result`, {
            exitCode: 0,
            summary: 'deployed',
          })
        ).status,
      ).toBe(409);
    } finally {
      await fresh.stop();
      fs.rmSync(own.dir, { recursive: true, force: true });
    }
  });

  it('evidence, plan, audit, and error bodies', async () => {
    const list = await get(`/evidence?entityRef=${ENTITY}`);
    expect(list.status).toBe(200);
    const one = await get(`/evidence/${list.body.items[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(list.body.items[0].id);
    expect((await get('/evidence/no-such-evidence')).status).toBe(404);
    expect([200, 422]).toContain(
      (await get(`/plan?entityRef=${ENTITY}&target=dev&ref=${repo.commits.a}`))
        .status,
    );
    expect((await get(`/audit?entityRef=${ENTITY}`)).status).toBe(200);
    const insights = await get('/insights?days=30');
    expect(insights.status).toBe(200);
    expect(insights.body.entities.length).toBeGreaterThan(0);
    expect((await get(`/insights?entityRef=${ENTITY}`)).status).toBe(200);
    expect((await get('/insights?days=400')).status).toBe(400);
    expect(
      (await get('/entities/component/default/not-on-ladder')).status,
    ).toBe(404);
    expect((await get('/overview?limit=0')).status).toBe(400);
  });

  it('stop the line and bad commits: pause, list, resume, mark bad, list bad commits', async () => {
    const as = (who: string) => mockCredentials.user.header(`user:default/${who}`);
    const postAs = async (who: string, p: string, body: object) =>
      expectMatchesSpec(
        await request(backend.server).post(`/api/ladder${p}`).set('Authorization', as(who)).send(body),
      );
    const pause = await postAs('olga', '/pauses', { scope: 'rung', ladderId: 'khal', rungId: 'prod', reason: 'upgrade' });
    expect(pause.status).toBe(201);
    expect((await postAs('olga', '/pauses', { scope: 'rung', ladderId: 'khal', rungId: 'prod', reason: 'again' })).status).toBe(409);
    expect((await postAs('olga', '/pauses', { scope: 'rung', ladderId: 'khal', reason: 'no rung' })).status).toBe(400);
    expect((await postAs('olga', '/pauses', { scope: 'entity', entityRef: 'component:default/nope', reason: 'x' })).status).toBe(404);
    expect((await get('/pauses?ladderId=khal')).body.items).toHaveLength(1);
    expect((await get(`/pauses?entityRef=${ENTITY}`)).status).toBe(200);
    expect((await get('/pauses?ladderId=Not A Ladder')).status).toBe(400);
    const view = await get('/entities/component/default/orders-api');
    expect(view.body.pauses).toEqual([expect.objectContaining({ id: pause.body.id })]);
    expect((await get('/overview')).body.pauses).toEqual([expect.objectContaining({ id: pause.body.id })]);
    expect((await postAs('omar', `/pauses/${pause.body.id}/resume`, { reason: 'done' })).status).toBe(200);
    expect((await postAs('omar', `/pauses/${pause.body.id}/resume`, {})).status).toBe(409);
    expect((await postAs('omar', '/pauses/no-such-pause/resume', {})).status).toBe(404);

    const sha = repo.withNewFields;
    expect((await postAs('alice', '/bad-commits', { entityRef: ENTITY, sha, reason: 'mine' })).status).toBe(403);
    const bad = await postAs('sam', '/bad-commits', { entityRef: ENTITY, sha, reason: 'corrupts orders' });
    expect(bad.status).toBe(201);
    expect((await postAs('sam', '/bad-commits', { entityRef: ENTITY, sha, reason: 'again' })).status).toBe(409);
    expect((await postAs('sam', '/bad-commits', { entityRef: ENTITY, sha: 'abc', reason: 'x' })).status).toBe(400);
    expect((await postAs('sam', '/bad-commits', { entityRef: 'component:default/nope', sha, reason: 'x' })).status).toBe(404);
    expect((await get(`/bad-commits?entityRef=${ENTITY}`)).body.items).toEqual([expect.objectContaining({ sha })]);
    expect((await get('/bad-commits')).status).toBe(400);
    expect((await get('/bad-commits?entityRef=component:default/nope')).status).toBe(404);
    // Refused with the reason: promoting the bad commit anywhere.
    const refused = await post('/promotions', { entityRef: ENTITY, toRung: 'mirrored', ref: sha });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/marked bad by user:default\/sam .*"corrupts orders"/);
    // Taking the mark back: the same people; then it is gone.
    expect((await postAs('alice', `/bad-commits/${bad.body.id}/unmark`, { reason: 'mine' })).status).toBe(403);
    expect((await postAs('sam', `/bad-commits/${bad.body.id}/unmark`, {})).status).toBe(400);
    const unmarked = await postAs('sam', `/bad-commits/${bad.body.id}/unmark`, { reason: 'false alarm' });
    expect(unmarked.status).toBe(200);
    expect(unmarked.body).toMatchObject({ sha, reason: 'corrupts orders' });
    expect((await postAs('sam', `/bad-commits/${bad.body.id}/unmark`, { reason: 'again' })).status).toBe(404);
    expect((await get(`/bad-commits?entityRef=${ENTITY}`)).body.items).toEqual([]);
  });

  it('an operator breaks the glass on a blocked promotion and another acknowledges the review', async () => {
    const own = createAppRepository();
    const fresh = await startLadderBackend({ repoDir: own.dir });
    const call = async (p: string, body: object, who: string) =>
      expectMatchesSpec(
        await request(fresh.server)
          .post(`/api/ladder${p}`)
          .set('Authorization', mockCredentials.user.header(`user:default/${who}`))
          .send(body),
      );
    try {
      expect((await call('/enrollments', { entityRef: ENTITY, ref: own.commits.a }, 'alice')).status).toBe(201);
      const blocked = await call('/promotions', { entityRef: ENTITY, toRung: 'dev', ref: own.commits.a }, 'alice');
      expect(blocked.body.phase).toBe('Blocked');
      const broken = await call(
        `/promotions/${blocked.body.id}/break-glass`,
        { reason: 'the outage needs this fix on dev now' },
        'olga',
      );
      expect(broken.status).toBe(200);
      expect(broken.body.breakGlass.by).toBe('user:default/olga');
      const reviewed = await call(`/promotions/${blocked.body.id}/break-glass/review`, { comment: 'ok' }, 'omar');
      expect(reviewed.status).toBe(200);
      expect(reviewed.body.breakGlass.review.by).toBe('user:default/omar');
    } finally {
      await fresh.stop();
      fs.rmSync(own.dir, { recursive: true, force: true });
    }
  });

  it('replay check: the trail of everything above rebuilds the live rows; operators only', async () => {
    const getAs = async (who: string) =>
      expectMatchesSpec(
        await request(backend.server)
          .get('/api/ladder/admin/replay')
          .set('Authorization', mockCredentials.user.header(`user:default/${who}`)),
      );
    const report = await getAs('olga');
    expect(report.status).toBe(200);
    expect(report.body.events).toBeGreaterThan(0);
    expect(report.body.differences).toEqual([]);
    const refused = await getAs('alice');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/for members of group:default\/operators/);
  });

  it('checked every operation of the spec', () => {
    expect(specOperations().filter(op => !checkedOperations.has(op))).toEqual(
      [],
    );
  });
});
