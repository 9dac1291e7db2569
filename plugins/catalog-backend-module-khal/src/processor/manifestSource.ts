import { UrlReaderService } from '@backstage/backend-plugin-api';
import { LocationSpec } from '@backstage/plugin-catalog-node';
import { MANIFEST_FILENAME } from '@khal/plugin-ladder-common';
import { GitError, runGit } from '@khal/plugin-ladder-node';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The annotation naming the app's repository; `file:<name>.git` is a local bare repository. */
export const SOURCE_REPO_ANNOTATION = 'khal.ai/source-repo';

/** Largest manifest read; the validator refuses anything past 256 KiB anyway. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const LOCAL_REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.git$/;

/** Where a manifest was looked for, and its text when one was there. */
export type ManifestLookup =
  | { found: true; where: string; text: string }
  | { found: false; where: string; reason: string; fix: string };

const ADD_MANIFEST_FIX = `add ${MANIFEST_FILENAME} at the repository root (the khal-node-app template writes one; \`khal manifest validate\` checks it)`;

function gitShow(repoPath: string, object: string): Promise<string> {
  return runGit(['show', object], {
    gitDir: repoPath,
    maxOutputBytes: MAX_MANIFEST_BYTES,
  });
}

/** HEAD:khal-app.json of a bare repository under the local repositories root. */
export async function readFromLocalRepository(
  repositoriesRoot: string,
  sourceRepo: string,
): Promise<ManifestLookup> {
  const name = sourceRepo.slice('file:'.length);
  if (!LOCAL_REPO_NAME.test(name) || name.includes('..')) {
    return {
      found: false,
      where: `the ${SOURCE_REPO_ANNOTATION} annotation "${sourceRepo}"`,
      reason: 'it is not of the form file:<name>.git',
      fix: `set ${SOURCE_REPO_ANNOTATION} to file:<name>.git, naming a bare repository under ladder.localRepositoriesRoot`,
    };
  }
  const repoPath = path.join(repositoriesRoot, name);
  const where = `HEAD:${MANIFEST_FILENAME} in ${repoPath}`;
  if (
    !(await fs.stat(repoPath).then(
      s => s.isDirectory(),
      () => false,
    ))
  ) {
    return {
      found: false,
      where,
      reason: 'the repository does not exist',
      fix: `check ${SOURCE_REPO_ANNOTATION} and ladder.localRepositoriesRoot (${repositoriesRoot})`,
    };
  }
  // The name cannot hold a path, but the folder can be a symlink, or borrow objects, from
  // outside the root: git runs only on what really lies under it.
  const [realRoot, realRepo] = await Promise.all([
    fs.realpath(repositoriesRoot),
    fs.realpath(repoPath),
  ]);
  const relative = path.relative(realRoot, realRepo);
  const borrows = await fs
    .stat(path.join(realRepo, 'objects', 'info', 'alternates'))
    .then(
      () => true,
      () => false,
    );
  if (relative.startsWith('..') || path.isAbsolute(relative) || borrows) {
    return {
      found: false,
      where: `the ${SOURCE_REPO_ANNOTATION} annotation "${sourceRepo}"`,
      reason: borrows
        ? 'the repository reads objects from another repository (objects/info/alternates)'
        : 'it leads outside ladder.localRepositoriesRoot (through a symlink)',
      fix: `use a self-contained bare repository under ladder.localRepositoriesRoot`,
    };
  }
  try {
    return {
      found: true,
      where,
      text: await gitShow(realRepo, `HEAD:${MANIFEST_FILENAME}`),
    };
  } catch (error) {
    return {
      found: false,
      where,
      reason: error instanceof GitError && error.stderr ? error.stderr : (error as Error).message,
      fix: ADD_MANIFEST_FIX,
    };
  }
}

/** khal-app.json in the folder of a `file` location. */
export async function readBesideFile(
  location: LocationSpec,
): Promise<ManifestLookup> {
  const file = path.join(path.dirname(location.target), MANIFEST_FILENAME);
  try {
    return { found: true, where: file, text: await fs.readFile(file, 'utf8') };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'the file does not exist'
        : (error as Error).message;
    return { found: false, where: file, reason, fix: ADD_MANIFEST_FIX };
  }
}

/** khal-app.json beside a `url` location, read with the UrlReader (GitHub, GitLab, Gitea, …). */
export async function readBesideUrl(
  reader: UrlReaderService,
  location: LocationSpec,
): Promise<ManifestLookup> {
  let url: string;
  try {
    url = new URL(`./${MANIFEST_FILENAME}`, location.target).toString();
  } catch {
    return {
      found: false,
      where: location.target,
      reason: 'the location is not a URL',
      fix: `register the entity from a URL, or set ${SOURCE_REPO_ANNOTATION}`,
    };
  }
  try {
    const response = await reader.readUrl(url);
    const buffer = await response.buffer();
    return {
      found: true,
      where: url,
      text: buffer.subarray(0, MAX_MANIFEST_BYTES + 1).toString('utf8'),
    };
  } catch (error) {
    const notFound = (error as Error).name === 'NotFoundError';
    return {
      found: false,
      where: url,
      reason: notFound ? 'the file does not exist' : (error as Error).message,
      fix: notFound
        ? ADD_MANIFEST_FIX
        : 'check the integration config for this host (integrations.*)',
    };
  }
}
