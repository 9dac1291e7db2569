import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { CommitLog } from '../changes/CommitLog';
import { manifestText } from '../__testUtils__/ladderFixture';
import { resolveLocalRepository } from './LocalRepository';
import { ManifestReader } from './ManifestReader';

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

/** A repository with one commit of khal-app.json; returns its sha. */
function repoWithManifest(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(dir, 'khal-app.json'), manifestText());
  git(dir, 'add', 'khal-app.json');
  git(dir, 'commit', '-q', '-m', 'first');
  return git(dir, 'rev-parse', 'HEAD');
}

const entity = (source: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations: { 'khal.ai/source-repo': source } },
});

describe('khal.ai/source-repo file: targets stay under ladder.localRepositoriesRoot', () => {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-roots-')));
  const root = path.join(base, 'repos');
  const outside = path.join(base, 'elsewhere');
  let insideSha: string;
  let outsideSha: string;
  const logger = mockServices.logger.mock();
  const reader = new ManifestReader({ urlReader: mockServices.urlReader.mock(), logger, localRepositoriesRoot: root });
  const log = new CommitLog({ logger, localRepositoriesRoot: root });

  beforeAll(() => {
    insideSha = repoWithManifest(path.join(root, 'orders-api'));
    outsideSha = repoWithManifest(path.join(outside, 'secret-app'));
    fs.symlinkSync(path.join(outside, 'secret-app'), path.join(root, 'escape'));
    // A repository whose .git is a file pointing out of the root (as a worktree's is).
    fs.mkdirSync(path.join(root, 'gitfile'));
    fs.writeFileSync(path.join(root, 'gitfile', '.git'), `gitdir: ${path.join(outside, 'secret-app', '.git')}\n`);
    // A repository that borrows its objects from one outside the root.
    git(root, 'clone', '-q', '--shared', path.join(outside, 'secret-app'), 'borrower');
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('reads a repository under the root, by relative and by absolute path', async () => {
    await expect(reader.read(entity('file:orders-api'), insideSha)).resolves.toMatchObject({ status: 'valid' });
    await expect(reader.read(entity(`file:${path.join(root, 'orders-api')}`), insideSha)).resolves.toMatchObject({
      status: 'valid',
    });
    const range = await log.range(entity('file:orders-api'), null, insideSha);
    expect(range.commits).toHaveLength(1);
  });

  it.each([
    ['a ".." path', () => `file:../elsewhere/secret-app`, /contains "\.\."/],
    ['an absolute path outside the root', () => `file:${path.join(outside, 'secret-app')}`, /outside the local repositories root/],
    ['a symlink escape', () => 'file:escape', /leads outside the local repositories root \(through a symlink\)/],
    ['a .git file pointing out', () => 'file:gitfile', /\.git of "gitfile" is not a directory inside/],
    ['objects borrowed from outside (alternates)', () => 'file:borrower', /reads objects from another repository/],
  ])('refuses %s in the manifest reader and the commit log', async (_name, source, reason) => {
    const read = await reader.read(entity(source()), outsideSha);
    expect(read).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(reason) });
    expect((read as { howToFix: string }).howToFix).toContain('ladder.localRepositoriesRoot');
    const range = await log.range(entity(source()), null, outsideSha);
    expect(range).toEqual({ commits: null, reason: expect.stringMatching(reason) });
  });

  it('never shows the server path of a missing repository', () => {
    const missing = resolveLocalRepository(root, 'gone.git');
    expect(missing).toMatchObject({ ok: false, reason: 'the local repository gone.git does not exist' });
  });
});
