import { runGitSync } from '@khal/plugin-ladder-node';
import { CliError, ExitCode } from '../exitCodes';

/** git's trimmed stdout, or undefined when git fails (not a repository, unknown ref, offline). */
export function git(args: string[], cwd: string): string | undefined {
  try {
    return runGitSync(args, { cwd, timeoutMs: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

/** The commit of HEAD (or of `branch`) in the working directory, if it is a git repository. */
export function localCommit(cwd: string, branch?: string): string | undefined {
  const rev = branch ? `${branch}^{commit}` : 'HEAD';
  const out = git(['rev-parse', '--verify', '--quiet', rev], cwd);
  return out && /^[0-9a-f]{7,64}$/.test(out) ? out : undefined;
}

/** The commit a remote branch points at (`git ls-remote`), without cloning. */
export function remoteCommit(
  repoUrl: string,
  branch: string,
  cwd: string,
): string | undefined {
  const out = git(['ls-remote', '--', repoUrl, `refs/heads/${branch}`], cwd);
  const sha = out?.split(/\s+/)[0];
  return sha && /^[0-9a-f]{7,64}$/.test(sha) ? sha : undefined;
}

/**
 * The ref a command acts on: `--ref`, else the commit of `--branch` (remote when a repo URL is
 * given), else `git rev-parse HEAD` in the working directory.
 */
export function resolveRef(
  opts: { ref?: string; branch?: string; repoUrl?: string },
  cwd = process.cwd(),
): string {
  if (opts.ref) return opts.ref;
  if (opts.repoUrl) {
    if (!opts.branch) {
      throw new CliError(
        'a repository URL needs --branch (or pass --ref)',
        ExitCode.Usage,
      );
    }
    const sha = remoteCommit(opts.repoUrl, opts.branch, cwd);
    if (!sha) {
      throw new CliError(
        `cannot find branch "${opts.branch}" in ${opts.repoUrl} — check the URL and branch, or pass --ref`,
        ExitCode.NotFound,
      );
    }
    return sha;
  }
  const sha = localCommit(cwd, opts.branch);
  if (!sha) {
    throw new CliError(
      opts.branch
        ? `no branch "${opts.branch}" in ${cwd} — pass --ref <commit>`
        : `cannot tell the ref: ${cwd} is not a git repository with a commit — pass --ref <commit>`,
      ExitCode.Usage,
    );
  }
  return sha;
}
