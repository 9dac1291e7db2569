import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { changesResponseSchema } from '@khal/plugin-ladder-common';
import {
  catalogEntities,
  manifestText,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';
import { CommitLog } from './CommitLog';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';

/** A fixture repository: a manifest, an unrelated change, then a new secret setting. */
function fixtureRepository() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-changes-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ada Author',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Ada Author',
        GIT_COMMITTER_EMAIL: 'ada@example.com',
      },
    }).trim();
  git('init', '-q', '-b', 'main');
  const commit = (file: string, text: string, message: string) => {
    fs.writeFileSync(path.join(dir, file), text);
    git('add', file);
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const a = commit('khal-app.json', manifestText(), 'first manifest');
  const b = commit('README.md', '# orders\n', 'docs: readme');
  const withSecret = JSON.parse(manifestText());
  withSecret.env.push({
    name: 'PAYMENT_API_KEY',
    required: true,
    secret: true,
    description: 'payments',
  });
  withSecret.runtime.port = 9090;
  const c = commit(
    'khal-app.json',
    JSON.stringify(withSecret, null, 2),
    'feat: pay with PAYMENT_API_KEY',
  );
  return { dir, a, b, c };
}

describe('the change view', () => {
  const repo = fixtureRepository();
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
  });
  afterAll(async () => {
    await backend.stop();
    fs.rmSync(repo.dir, { recursive: true, force: true });
  });

  const post = (p: string, body: object, who = 'alice') =>
    request(backend.server)
      .post(`/api/ladder${p}`)
      .set('Authorization', as(who))
      .send(body);
  const get = (p: string, who = 'alice') =>
    request(backend.server)
      .get(`/api/ladder${p}`)
      .set('Authorization', as(who));
  const evidence = (
    rung: string,
    ref: string,
    kind: string,
    extra: object = {},
  ) =>
    post('/evidence', {
      entityRef: ENTITY,
      rung,
      ref,
      kind,
      summary: `${kind} ok`,
      content: `${kind} output`,
      ...extra,
    });

  it('lists the commit range and a new secret setting the target does not supply yet', async () => {
    // What is supplied on dev for the newer ref: only DATABASE_URL.
    expect(
      (
        await evidence('dev', repo.c, 'env-contract', {
          data: { supplied: ['DATABASE_URL'] },
        })
      ).status,
    ).toBe(201);
    const res = await get(
      `/changes?entityRef=${ENTITY}&fromRef=${repo.a}&toRef=${repo.c}&target=dev`,
    );
    expect(res.status).toBe(200);
    const body = changesResponseSchema.parse(res.body);
    expect(body).toMatchObject({
      entityRef: ENTITY,
      from: { ref: repo.a },
      to: { ref: repo.c },
      target: 'dev',
    });
    expect(body.commits!.map(c => c.sha)).toEqual([repo.c, repo.b]);
    expect(body.commits![0]).toMatchObject({
      subject: 'feat: pay with PAYMENT_API_KEY',
      author: 'Ada Author',
    });
    expect(body.commits![0].date).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect(body.manifestDiff!.settingsAdded).toEqual([
      expect.objectContaining({
        name: 'PAYMENT_API_KEY',
        required: true,
        secret: true,
      }),
    ]);
    expect(body.manifestDiff!.settingsRemoved).toEqual([]);
    expect(body.manifestDiff!.runtimeChanges).toEqual([
      { field: 'port', from: 8080, to: 9090 },
    ]);

    const byName = Object.fromEntries(
      body.settingsForTarget.map(s => [s.name, s]),
    );
    expect(byName.PAYMENT_API_KEY).toEqual({
      name: 'PAYMENT_API_KEY',
      required: true,
      secret: true,
      newlyRequired: true,
      supplied: false,
    });
    expect(byName.DATABASE_URL).toMatchObject({
      required: true,
      newlyRequired: false,
      supplied: true,
    });
    expect(byName.LOG_LEVEL).toMatchObject({
      required: false,
      newlyRequired: false,
    });
    // Names and flags only: no value ever travels.
    expect(JSON.stringify(body)).not.toMatch(/"default"|"value"/);
  });

  it('compares the refs placed on two rungs, and what a promotion changed', async () => {
    expect(
      (await post('/enrollments', { entityRef: ENTITY, ref: repo.a })).status,
    ).toBe(201);
    await evidence('local', repo.a, 'build-output');
    const toMirror = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'mirrored',
      ref: repo.a,
    });
    // The mirror has no proof checks: its placement moves once the deploy reports success.
    expect(toMirror.body.phase).toBe('Approved');
    await evidence('mirrored', repo.a, 'deploy-output', {
      data: { exitCode: 0 },
    });
    expect((await get(`/promotions/${toMirror.body.id}`)).body.phase).toBe(
      'Promoted',
    );
    const toLocal = await post('/promotions', {
      entityRef: ENTITY,
      toRung: 'local',
      ref: repo.c,
    });
    expect(toLocal.status).toBe(201);
    await evidence('local', repo.c, 'build-output');
    expect((await get(`/promotions/${toLocal.body.id}`)).body.phase).toBe(
      'Promoted',
    );

    const rungs = await get(
      `/changes?entityRef=${ENTITY}&from=mirrored&to=dev-local`,
    );
    expect(rungs.status).toBe(200);
    expect(rungs.body).toMatchObject({
      from: { rung: 'mirrored', ref: repo.a },
      to: { rung: 'local', ref: repo.c },
      target: 'local',
    });
    expect(rungs.body.commits.map((c: { sha: string }) => c.sha)).toEqual([
      repo.c,
      repo.b,
    ]);
    // No one attested settings on local: supplied is unknown, not false.
    expect(rungs.body.settingsForTarget).toEqual([
      {
        name: 'LOG_LEVEL',
        required: false,
        secret: false,
        newlyRequired: false,
        supplied: null,
      },
      {
        name: 'PAYMENT_API_KEY',
        required: true,
        secret: true,
        newlyRequired: true,
        supplied: null,
      },
    ]);

    const promoted = await get(`/promotions/${toLocal.body.id}/changes`);
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({
      from: { rung: 'local', ref: repo.a },
      to: { rung: 'local', ref: repo.c },
    });
    expect(
      promoted.body.manifestDiff.settingsAdded.map(
        (s: { name: string }) => s.name,
      ),
    ).toEqual(['PAYMENT_API_KEY']);
  });

  it('says what is wrong with a query', async () => {
    expect((await get(`/changes?entityRef=${ENTITY}&from=local`)).status).toBe(
      400,
    );
    expect(
      (await get(`/changes?entityRef=${ENTITY}&from=local&to=prod`)).body.error
        .message,
    ).toMatch(/nothing is placed on Production/);
    expect(
      (
        await get(
          `/changes?entityRef=${ENTITY}&fromRef=--all&toRef=${repo.c}&target=dev`,
        )
      ).status,
    ).toBe(400);
    const unknown = await get(
      `/changes?entityRef=${ENTITY}&fromRef=0000000&toRef=${repo.c}&target=dev`,
    );
    expect(unknown.status).toBe(200);
    expect(unknown.body.commits).toBeNull();
    expect(unknown.body.commitsUnavailableReason).toMatch(
      /a ref is unknown there/,
    );
  });

  it('answers a caller without read permission as if the entity did not exist (404)', async () => {
    const denied = await startLadderBackend({
      repoDir: repo.dir,
      deny: true,
      entities: catalogEntities(repo.dir),
    });
    try {
      const res = await request(denied.server)
        .get(
          `/api/ladder/changes?entityRef=${ENTITY}&fromRef=${repo.a}&toRef=${repo.c}&target=dev`,
        )
        .set('Authorization', as('alice'));
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(`no entity ${ENTITY} in the catalog`);
    } finally {
      await denied.stop();
    }
  });
});

describe('CommitLog', () => {
  const log = new CommitLog({
    logger: mockServices.logger.mock(),
    localRepositoriesRoot: '/',
  });
  const entity = (annotations: Record<string, string>) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', annotations },
  });

  it('returns no commits, with a reason, for hosted repositories', async () => {
    const range = await log.range(
      entity({
        'backstage.io/source-location':
          'url:https://github.com/acme/orders/tree/main/',
      }),
      'a1b2c3d',
      'b2c3d4e',
    );
    expect(range).toEqual({
      commits: null,
      reason: expect.stringMatching(/local git repositories only/),
    });
  });

  it('redacts credentials quoted in commit messages', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-log-'));
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'A',
          GIT_AUTHOR_EMAIL: 'a@example.com',
          GIT_COMMITTER_NAME: 'A',
          GIT_COMMITTER_EMAIL: 'a@example.com',
        },
      }).trim();
    try {
      git('init', '-q', '-b', 'main');
      git('commit', '-q', '--allow-empty', '-m', 'start');
      const from = git('rev-parse', 'HEAD');
      git(
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'point at postgres://app:FAKEplantedPW42@db.internal/orders',
      );
      const to = git('rev-parse', 'HEAD');
      const range = await log.range(
        entity({ 'khal.ai/source-repo': `file:${dir}` }),
        from,
        to,
      );
      expect(range.commits?.map(c => c.subject)).toEqual([
        'point at postgres://app:[REDACTED:url-password]@db.internal/orders',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never passes an option or a range as a ref', async () => {
    const range = await log.range(
      entity({ 'khal.ai/source-repo': 'file:/tmp' }),
      '--output=/tmp/x',
      'main',
    );
    expect(range.commits).toBeNull();
    expect(
      (
        await log.range(
          entity({ 'khal.ai/source-repo': 'file:/tmp' }),
          'a..b',
          'main',
        )
      ).commits,
    ).toBeNull();
  });
});
