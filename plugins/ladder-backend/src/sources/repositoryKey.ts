import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What identifies a repository for matching a URL someone pasted against the catalog's source
 * annotations: a real path on this machine, or `host/owner/repo` for a hosted repository. Two
 * spellings of one repository (`.git` or not, HTTPS or SSH, a tree URL of a branch) get one key.
 */
export type RepositoryKey =
  | { kind: 'path'; path: string }
  | { kind: 'hosted'; key: string };

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** The path part of a hosted URL without the branch/file suffix of a browse URL, nor `.git`. */
function repositoryPath(pathname: string): string {
  const trimmed = pathname
    .replace(/\/+$/, '')
    .replace(/\/-\/(?:tree|blob)\/.*$/, '') // GitLab
    .replace(/\/src\/(?:branch|commit|tag)\/.*$/, '') // Gitea
    .replace(/\/(?:tree|blob)\/.*$/, '') // GitHub
    .replace(/\/src\/.*$/, '') // Bitbucket
    .replace(/\.git$/, '')
    .replace(/^\/+/, '');
  return trimmed;
}

/**
 * The key of a repository reference: an `https://`, `ssh://`, `git://` URL, an scp-like
 * `git@host:owner/repo.git`, a `file:` URL, or a path (relative paths are read against
 * `localRoot`, as `khal.ai/source-repo: file:<path>` annotations are). Undefined when it is none
 * of these, or a local path that does not exist.
 */
export function repositoryKey(
  value: string,
  localRoot: string,
): RepositoryKey | undefined {
  const text = value.trim();
  if (!text) return undefined;
  let local: string | undefined;
  if (text.startsWith('file://')) {
    try {
      local = fileURLToPath(text);
    } catch {
      return undefined;
    }
  } else if (text.startsWith('file:')) {
    local = path.resolve(localRoot, text.slice(5));
  } else if (path.isAbsolute(text)) {
    local = text;
  }
  if (local !== undefined) {
    const real = realpath(local);
    return real ? { kind: 'path', path: real } : undefined;
  }
  const scp = /^(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(text);
  if (scp && !text.includes('://')) {
    const repo = repositoryPath(`/${scp[2]}`);
    return repo
      ? { kind: 'hosted', key: `${scp[1].toLowerCase()}/${repo}` }
      : undefined;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!['http:', 'https:', 'ssh:', 'git:', 'git+ssh:'].includes(url.protocol))
    return undefined;
  const repo = repositoryPath(decodeURIComponent(url.pathname));
  return repo && url.hostname
    ? { kind: 'hosted', key: `${url.hostname.toLowerCase()}/${repo}` }
    : undefined;
}

/** Whether two keys name one repository (a checkout's directory matches its `.git`). */
export function sameRepository(a: RepositoryKey, b: RepositoryKey): boolean {
  if (a.kind === 'hosted' || b.kind === 'hosted')
    return a.kind === 'hosted' && b.kind === 'hosted' && a.key === b.key;
  const dotGit = (p: string) => realpath(path.join(p, '.git'));
  return (
    a.path === b.path || dotGit(a.path) === b.path || a.path === dotGit(b.path)
  );
}

/** A repository URL as it may be shown: without any user or password in it. */
export function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}
