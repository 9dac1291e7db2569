import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  catalogEntities,
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

jest.setTimeout(60_000);

const alice = mockCredentials.user.header('user:default/alice');

/** A second component registered from the same repository (a monorepo, or a mistake). */
function withTwin(entities: Entity[], repoDir: string): Entity[] {
  return [
    ...entities,
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'orders-worker',
        namespace: 'default',
        annotations: {
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': `file:${path.basename(repoDir)}`,
        },
      },
      spec: { type: 'service', owner: 'group:default/team-orders', lifecycle: 'production' },
    },
  ];
}

describe('GET /sources: repository URL and ref → entity and commit', () => {
  const repo = createAppRepository();
  const fileUrl = pathToFileURL(repo.dir).href;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  let twin: Awaited<ReturnType<typeof startLadderBackend>>;
  let deny: Awaited<ReturnType<typeof startLadderBackend>>;
  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
    twin = await startLadderBackend({
      repoDir: repo.dir,
      entities: withTwin(catalogEntities(repo.dir), repo.dir),
    });
    deny = await startLadderBackend({ repoDir: repo.dir, deny: true });
  });
  afterAll(async () => {
    await Promise.all([backend.stop(), twin.stop(), deny.stop()]);
    fs.rmSync(repo.dir, { recursive: true, force: true });
  });

  const get = (server = backend, query: Record<string, string>) =>
    request(server.server)
      .get('/api/ladder/sources')
      .query(query)
      .set('Authorization', alice);

  it('resolves a branch to the commit it names now, with the manifest read at that commit', async () => {
    const res = await get(backend, { repoUrl: fileUrl, ref: 'main' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/orders-api',
      ref: 'main',
      // main's head is the commit with the broken manifest: what it names, not a guess.
      commit: repo.commits.broken,
      matchedBy: `khal.ai/source-repo: file:${repo.dir}`,
      manifest: { status: 'invalid', name: null, digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(res.body.manifest.problems.length).toBeGreaterThan(0);
  });

  it('resolves a short SHA to the full one, and reads a valid manifest there', async () => {
    const res = await get(backend, { repoUrl: repo.dir, ref: repo.commits.a.slice(0, 8) });
    expect(res.status).toBe(200);
    expect(res.body.commit).toBe(repo.commits.a);
    expect(res.body.manifest).toMatchObject({ status: 'valid', name: 'orders-api', problems: [] });
  });

  it('matches the repository through its .git directory and a trailing slash too', async () => {
    for (const repoUrl of [path.join(repo.dir, '.git'), `${fileUrl}/`]) {
      const res = await get(backend, { repoUrl, ref: 'main' });
      expect(`${repoUrl}: ${res.status}`).toBe(`${repoUrl}: 200`);
    }
  });

  it('bypass "a look-alike URL": another repository is not matched by name, and the answer says how to register it', async () => {
    const other = createAppRepository();
    try {
      const res = await get(backend, { repoUrl: other.dir, ref: 'main' });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(/no entity on a ladder has .* as its source/);
      expect(res.body.error.message).toMatch(/khal\.ai\/source-repo/);
    } finally {
      fs.rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('a ref that is not in the repository is a 422 saying what to pass', async () => {
    const res = await get(backend, { repoUrl: fileUrl, ref: 'no-such-branch' });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/"no-such-branch" is not a commit, tag or branch/);
  });

  it('bypass "pick the first": two entities from one repository are a 409 listing both, until one is chosen', async () => {
    const res = await get(twin, { repoUrl: fileUrl, ref: 'main' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/component:default\/orders-api, component:default\/orders-worker/);
    const chosen = await get(twin, { repoUrl: fileUrl, ref: 'main', entityRef: 'component:default/orders-worker' });
    expect(chosen.status).toBe(200);
    expect(chosen.body.entityRef).toBe('component:default/orders-worker');
    const wrong = await get(twin, { repoUrl: fileUrl, ref: 'main', entityRef: 'component:default/not-on-ladder' });
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.message).toMatch(/entities from it: component:default\/orders-api/);
  });

  it('refuses a URL with credentials in it, and never echoes them', async () => {
    const res = await get(backend, { repoUrl: 'https://bob:hunter2-token@example.com/acme/orders-api.git', ref: 'main' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/carries credentials.*pass https:\/\/example\.com\/acme\/orders-api\.git/);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
  });

  it('rejects input that is not a URL and ref, naming the field', async () => {
    const res = await get(backend, { repoUrl: fileUrl, ref: '--upload-pack=evil' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/ref/);
  });

  it('bypass "ask the ladder what the catalog hides": under DENY nothing about the entity is answered', async () => {
    const res = await get(deny, { repoUrl: fileUrl, ref: 'main' });
    expect([403, 404]).toContain(res.status);
    expect(JSON.stringify(res.body)).not.toContain(repo.commits.broken);
  });
});
