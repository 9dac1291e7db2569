import fs from 'node:fs';
import path from 'node:path';

/**
 * Where git may be run for a `khal.ai/source-repo: file:<path>` annotation: only inside
 * `ladder.localRepositoriesRoot`.
 *
 * Annotations are written by whoever registers an entity, so the path is hostile input: no `..`,
 * no absolute path outside the root, no symlink (or `.git` file) that leads out of it — the
 * check is made on the real paths — and no repository that borrows objects from elsewhere
 * (`objects/info/alternates`, `commondir`). Every reader that spawns git (the manifest reader,
 * the commit log) resolves through here.
 */
export type LocalRepository =
  | { ok: true; gitDir: string; display: string }
  | { ok: false; reason: string; howToFix: string };

function inside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

export function resolveLocalRepository(root: string, annotationPath: string): LocalRepository {
  const fix = `name a repository under ladder.localRepositoriesRoot (${root}), e.g. khal.ai/source-repo: file:orders-api.git`;
  const refuse = (reason: string): LocalRepository => ({ ok: false, reason, howToFix: fix });
  if (!annotationPath || annotationPath.includes('\0')) {
    return refuse('the khal.ai/source-repo path is empty or holds a NUL byte');
  }
  if (annotationPath.split(/[\\/]/).includes('..')) {
    return refuse(`the khal.ai/source-repo path "${annotationPath}" contains "..": repositories are named relative to the local repositories root`);
  }
  const realRoot = realpath(root);
  if (!realRoot) {
    return { ok: false, reason: `the local repositories root ${root} does not exist`, howToFix: 'create it or set ladder.localRepositoriesRoot' };
  }
  const resolved = path.resolve(realRoot, annotationPath);
  if (!inside(realRoot, resolved) && !inside(path.resolve(root), path.resolve(root, annotationPath))) {
    return refuse(`"${annotationPath}" is outside the local repositories root`);
  }
  const real = realpath(path.resolve(root, annotationPath));
  if (!real) {
    return { ok: false, reason: `the local repository ${annotationPath} does not exist`, howToFix: `check the khal.ai/source-repo annotation and ladder.localRepositoriesRoot (${root})` };
  }
  if (!inside(realRoot, real)) {
    return refuse(`"${annotationPath}" leads outside the local repositories root (through a symlink)`);
  }
  const dotGit = path.join(real, '.git');
  let gitDir = real;
  if (fs.existsSync(dotGit)) {
    // A `.git` file (worktree, submodule) points git elsewhere: only a directory is followed.
    const realDotGit = realpath(dotGit);
    if (!realDotGit || !fs.statSync(realDotGit).isDirectory() || !inside(realRoot, realDotGit)) {
      return refuse(`the .git of "${annotationPath}" is not a directory inside the local repositories root`);
    }
    gitDir = realDotGit;
  }
  for (const borrowed of [path.join('objects', 'info', 'alternates'), 'commondir']) {
    if (fs.existsSync(path.join(gitDir, borrowed))) {
      return refuse(`"${annotationPath}" reads objects from another repository (${borrowed}); use a self-contained repository`);
    }
  }
  return { ok: true, gitDir, display: annotationPath };
}
