import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';

function isInside(base: string, target: string): boolean {
  const relative = path.relative(base, target);
  return (
    relative === '' ||
    (!relative.startsWith('..') && !path.isAbsolute(relative))
  );
}

/** The real path of `target`, or of its closest existing ancestor when it does not exist yet. */
async function realPathOfClosestExisting(target: string): Promise<string> {
  let current = target;
  const missing: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(current);
      return path.join(real, ...missing.reverse());
    } catch (error) {
      const parent = path.dirname(current);
      if (
        (error as NodeJS.ErrnoException).code !== 'ENOENT' ||
        parent === current
      ) {
        throw error;
      }
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves a path an author gave relative to the task workspace, refusing anything that could
 * land outside it: absolute paths, `..` segments, and symlinks (on the file or a parent folder)
 * that point out of the workspace. `what` names the input in error messages.
 */
export async function resolveWorkspaceFile(
  workspacePath: string,
  relativePath: string,
  what: string,
): Promise<string> {
  if (path.isAbsolute(relativePath) || /^[A-Za-z]:[\\/]/.test(relativePath)) {
    throw new InputError(
      `${what} "${relativePath}" is an absolute path — fix: give a path relative to the workspace, e.g. "khal-app.json"`,
    );
  }
  if (relativePath.split(/[\\/]/).includes('..')) {
    throw new InputError(
      `${what} "${relativePath}" leaves the workspace through ".." — fix: give a path inside the workspace`,
    );
  }
  const outsideError = () =>
    new InputError(
      `${what} "${relativePath}" goes through a symlink that points outside the workspace — fix: give a path inside the workspace that is not a symlink to elsewhere`,
    );
  let target: string;
  try {
    // With ".." and absolute paths refused above, what this still catches are symlinks.
    target = resolveSafeChildPath(workspacePath, relativePath);
  } catch {
    throw outsideError();
  }
  const realWorkspace = await fs.realpath(workspacePath);
  const realParent = await realPathOfClosestExisting(path.dirname(target));
  let realTarget = path.join(realParent, path.basename(target));
  const stat = await fs.lstat(realTarget).catch(() => undefined);
  if (stat?.isSymbolicLink()) {
    realTarget = await realPathOfClosestExisting(
      path.resolve(realParent, await fs.readlink(realTarget)),
    );
  }
  // Checked again on our side: the parent's real path decides where a write lands.
  if (!isInside(realWorkspace, realTarget)) {
    throw outsideError();
  }
  return target;
}
